// The REST API of junheng-web: the gRPC API transcoded per its google.api.http
// annotations (proto/junheng/v1/*.proto), protobuf JSON mapping (lowerCamelCase
// fields, enums as names, int64 as strings, Timestamps as RFC 3339).
//
// The bearer token lives in sessionStorage only: never in a URL, never in a
// cookie. Every call carries it in the Authorization header.

const TOKEN_KEY = 'junheng.token';

export function getToken() {
  return sessionStorage.getItem(TOKEN_KEY) || '';
}
export function setToken(token) {
  sessionStorage.setItem(TOKEN_KEY, token);
}
export function clearToken() {
  sessionStorage.removeItem(TOKEN_KEY);
}

// An error answer of the API (AIP-193), or a failure to reach it.
export class ApiError extends Error {
  constructor({ httpStatus = 0, status = '', message = '', details = [], network = false }) {
    super(message || status || `HTTP ${httpStatus}`);
    this.httpStatus = httpStatus;
    this.status = status; // INVALID_ARGUMENT, PERMISSION_DENIED, …
    this.details = details;
    this.network = network;
  }
  // google.rpc.BadRequest field violations, flattened.
  get fieldViolations() {
    const out = [];
    for (const d of this.details || []) {
      if (d && Array.isArray(d.fieldViolations)) out.push(...d.fieldViolations);
    }
    return out;
  }
  get retryInfo() {
    return (this.details || []).find((d) => d && d['@type'] && d['@type'].endsWith('google.rpc.RetryInfo'));
  }
}

// Builds an ApiError from a google.rpc.Status in JSON ({code, message, status, details}).
export function errorFromStatus(err, httpStatus = 0) {
  const e = err || {};
  return new ApiError({
    httpStatus: httpStatus || httpFromGrpc(e.code),
    status: e.status || grpcName(e.code),
    message: e.message || '',
    details: e.details || [],
  });
}

const GRPC_NAMES = [
  'OK', 'CANCELLED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'NOT_FOUND', 'ALREADY_EXISTS',
  'PERMISSION_DENIED', 'RESOURCE_EXHAUSTED', 'FAILED_PRECONDITION', 'ABORTED', 'OUT_OF_RANGE',
  'UNIMPLEMENTED', 'INTERNAL', 'UNAVAILABLE', 'DATA_LOSS', 'UNAUTHENTICATED',
];
function grpcName(code) {
  // In a stream's trailing element `code` may be the gRPC code or the HTTP one.
  if (typeof code === 'number' && code >= 0 && code < GRPC_NAMES.length) return GRPC_NAMES[code];
  return HTTP_TO_STATUS[code] || '';
}
const HTTP_TO_STATUS = {
  400: 'INVALID_ARGUMENT', 401: 'UNAUTHENTICATED', 403: 'PERMISSION_DENIED', 404: 'NOT_FOUND',
  409: 'ABORTED', 429: 'RESOURCE_EXHAUSTED', 499: 'CANCELLED', 500: 'INTERNAL', 501: 'UNIMPLEMENTED',
  503: 'UNAVAILABLE', 504: 'DEADLINE_EXCEEDED',
};
function httpFromGrpc(code) {
  return typeof code === 'number' && code >= 100 ? code : 0;
}

// Reads an error response body; tolerant of a body that is not JSON.
async function errorFromResponse(res) {
  let body = null;
  const text = await res.text().catch(() => '');
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (body && body.error) return errorFromStatus(body.error, res.status);
  return new ApiError({
    httpStatus: res.status,
    status: HTTP_TO_STATUS[res.status] || '',
    message: text.trim().slice(0, 500) || res.statusText || `HTTP ${res.status}`,
  });
}

// Query string from an object; arrays repeat the key (indicatorCodes=R4&indicatorCodes=R5),
// empty values are left out.
export function query(params = {}) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '' || v === false) continue;
    if (Array.isArray(v)) {
      for (const x of v) if (x !== undefined && x !== null && x !== '') q.append(k, String(x));
    } else {
      q.append(k, String(v));
    }
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

// Resource names go into the path as they are (their slashes are path separators);
// each segment is percent-encoded.
export function path(name) {
  return name.split('/').map(encodeURIComponent).join('/');
}

function authHeaders(extra = {}) {
  const h = { ...extra };
  const t = getToken();
  if (t) h.Authorization = `Bearer ${t}`;
  return h;
}

// Listeners for 401 (the session is over: back to the login page).
const unauthListeners = new Set();
export function onUnauthenticated(fn) {
  unauthListeners.add(fn);
  return () => unauthListeners.delete(fn);
}

export async function request(method, url, { body, headers, signal, raw } = {}) {
  let res;
  try {
    res = await fetch(url, {
      method,
      headers: authHeaders(body !== undefined && !raw ? { 'Content-Type': 'application/json', ...headers } : headers),
      body: body === undefined ? undefined : raw ? body : JSON.stringify(body),
      signal,
      credentials: 'omit',
      cache: 'no-store',
    });
  } catch (e) {
    if (e && e.name === 'AbortError') throw e;
    throw new ApiError({ network: true, status: 'UNAVAILABLE', message: `无法连接服务器：${e && e.message ? e.message : e}` });
  }
  if (!res.ok) {
    const err = await errorFromResponse(res);
    if (res.status === 401) for (const fn of unauthListeners) fn(err);
    throw err;
  }
  const text = await res.text();
  return text ? JSON.parse(text) : {};
}

export const get = (url, opts) => request('GET', url, opts);
export const post = (url, body, opts) => request('POST', url, { ...opts, body: body ?? {} });
export const patch = (url, body, opts) => request('PATCH', url, { ...opts, body });
export const del = (url, opts) => request('DELETE', url, opts);

// A server-streaming call: a JSON array of messages; when the stream failed
// midway the last element is {"error": {…}}. Returns {items, error}.
export async function stream(url, opts) {
  const arr = await get(url, opts);
  if (!Array.isArray(arr)) {
    // Tolerate a single message (a gateway that does not wrap one).
    return { items: arr && !arr.error ? [arr] : [], error: arr && arr.error ? errorFromStatus(arr.error) : null };
  }
  const items = [];
  let error = null;
  for (const m of arr) {
    if (m && m.error && Object.keys(m).length === 1) error = errorFromStatus(m.error);
    else items.push(m);
  }
  return { items, error };
}

// Collects every page of an AIP-158 list.
export async function listAll(baseUrl, params, field, { max = 20000 } = {}) {
  const out = [];
  let pageToken = '';
  for (;;) {
    const r = await get(baseUrl + query({ ...params, pageToken }));
    out.push(...(r[field] || []));
    pageToken = r.nextPageToken || '';
    if (!pageToken || out.length >= max) break;
  }
  return out;
}

// --- The calls the console makes -------------------------------------------

export const api = {
  me: () => get('/v1/me'),

  listStandards: () => get('/v1/standards'),
  getStandard: (name) => get(`/v1/${path(name)}`),

  evaluateSchool: (name, { standard, asOfRevision } = {}) =>
    get(`/v1/${path(name)}:evaluate${query({ standard, asOfRevision })}`),
  evaluateCounty: (name, { standard, asOfRevision, view = 'EVALUATION_VIEW_FULL', skipEvidence } = {}) =>
    get(`/v1/${path(name)}:evaluate${query({ standard, asOfRevision, view, skipEvidence })}`),
  evaluateProvince: (name, { standard, asOfRevision, view = 'EVALUATION_VIEW_SUMMARY', pageToken } = {}) =>
    stream(`/v1/${path(name)}:evaluate${query({ standard, asOfRevision, view, pageToken })}`),
  schoolReport: (name, { asOfRevision } = {}) => get(`/v1/${path(name)}${query({ asOfRevision })}`),

  recordJudgement: (name, body) => post(`/v1/${path(name)}:record`, body),

  checklistAuditLog: (params) => stream(`/v1/checklist/auditLog${query(params)}`),
  archiveAuditLog: (params) => stream(`/v1/archive/auditLog${query(params)}`),

  listEvidence: (parent, params = {}) =>
    listAll(`/v1/${path(parent)}/evidence`, { pageSize: 1000, ...params }, 'evidence'),
  getEvidence: (name) => get(`/v1/${path(name)}`),
  listVersions: (name) => listAll(`/v1/${path(name)}/versions`, { pageSize: 1000 }, 'versions'),

  listRectificationItems: (parent, params = {}) =>
    listAll(`/v1/${path(parent)}/rectificationItems`, { pageSize: 500, ...params }, 'items'),
  updateRectificationItem: (item, mask) =>
    patch(`/v1/${path(item.name)}${query({ updateMask: mask })}`, item),

  // Imports: the raw file's bytes as the body. kind: 'schools' | 'counties'.
  importStatistics: (kind, file, { comment } = {}) =>
    request('POST', `/v1/statistics/${kind}:import${query({ comment })}`, {
      raw: true,
      body: file,
      headers: { 'Content-Type': importContentType(file) },
    }),
};

function importContentType(file) {
  const n = (file && file.name ? file.name : '').toLowerCase();
  if (n.endsWith('.xlsx')) return 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
  if (n.endsWith('.csv')) return 'text/csv';
  return file && file.type ? file.type : 'application/octet-stream';
}

// Uploads one file as a new version of `{parent}/evidence/{evidenceId}` with
// XMLHttpRequest, for upload progress. Returns {promise, abort}; onProgress
// gets (loaded, total) for the whole file. Resolves to the EvidenceVersion.
// Resumable (the archive's upload sessions): a connection that breaks
// leaves the whole chunks received stored under
// {evidence}/uploads/{requestId}, and the same call with resumeOffset set to
// the session's committedSizeBytes sends only the rest of the file.
export function uploadEvidence({ parent, evidenceId, file, title, indicatorCodes, schoolYear, requestId, sha256, resumeOffset = 0, onProgress }) {
  const xhr = new XMLHttpRequest();
  const url =
    `/v1/${path(parent)}/evidence/${encodeURIComponent(evidenceId)}:upload` +
    query({
      title,
      indicatorCodes,
      schoolYear,
      filename: file.name,
      requestId,
      sha256,
      resumable: requestId ? true : undefined,
      resumeOffset: resumeOffset || undefined,
    });
  const promise = new Promise((resolve, reject) => {
    xhr.open('POST', url);
    const t = getToken();
    if (t) xhr.setRequestHeader('Authorization', `Bearer ${t}`);
    xhr.setRequestHeader('Content-Type', file.type || 'application/octet-stream');
    xhr.upload.onprogress = (ev) => {
      if (onProgress) onProgress(resumeOffset + ev.loaded, file.size);
    };
    xhr.onload = () => {
      let body = null;
      try {
        body = xhr.responseText ? JSON.parse(xhr.responseText) : null;
      } catch {
        body = null;
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        resolve(body);
      } else if (body && body.error) {
        const err = errorFromStatus(body.error, xhr.status);
        if (xhr.status === 401) for (const fn of unauthListeners) fn(err);
        reject(err);
      } else {
        reject(new ApiError({ httpStatus: xhr.status, status: HTTP_TO_STATUS[xhr.status] || '', message: (xhr.responseText || '').slice(0, 500) || `HTTP ${xhr.status}` }));
      }
    };
    xhr.onerror = () => reject(new ApiError({ network: true, status: 'UNAVAILABLE', message: '连接中断，文件未上传完成' }));
    xhr.onabort = () => reject(new ApiError({ status: 'CANCELLED', message: '已取消' }));
    xhr.send(resumeOffset ? file.slice(resumeOffset) : file);
  });
  return { promise, abort: () => xhr.abort() };
}

// Where a resumable upload stands: the bytes the archive holds of it, or 0
// when it has no session (never started, or completed: then an upload with
// the same request id answers with its version at once).
export async function uploadedBytes(parent, evidenceId, requestId) {
  try {
    const s = await get(`/v1/${path(parent)}/evidence/${encodeURIComponent(evidenceId)}/uploads/${encodeURIComponent(requestId)}`);
    return Number((s && s.committedSizeBytes) || 0);
  } catch (e) {
    if (e.status === 'NOT_FOUND') return 0;
    throw e;
  }
}

// Gives up a resumable upload: the archive frees the chunks its session
// holds (they would otherwise wait for the session to expire). While the
// cut stream is still being wound up the archive answers ABORTED; asked
// again a moment later it lets go. No session (never started, completed,
// already gone) is fine.
export async function abandonUpload(parent, evidenceId, requestId) {
  const url = `/v1/${path(parent)}/evidence/${encodeURIComponent(evidenceId)}/uploads/${encodeURIComponent(requestId)}`;
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      await del(url);
      return true;
    } catch (e) {
      if (e.status === 'NOT_FOUND') return true;
      if (e.status !== 'ABORTED') return false;
      await new Promise((r) => setTimeout(r, 500 * (attempt + 1)));
    }
  }
  return false;
}

// Downloads an evidence's latest version or a version's bytes. Returns
// {blob, filename, contentType, size}.
export async function download(name, { signal } = {}) {
  let res;
  try {
    res = await fetch(`/v1/${path(name)}:download`, { headers: authHeaders(), signal, credentials: 'omit', cache: 'no-store' });
  } catch (e) {
    if (e && e.name === 'AbortError') throw e;
    throw new ApiError({ network: true, status: 'UNAVAILABLE', message: `无法连接服务器：${e && e.message ? e.message : e}` });
  }
  if (!res.ok) throw await errorFromResponse(res);
  const blob = await res.blob();
  const contentType = res.headers.get('Content-Type') || blob.type || 'application/octet-stream';
  return {
    blob,
    filename: filenameFrom(res.headers.get('Content-Disposition')),
    contentType,
    size: blob.size,
    // The stored version's SHA-256 and name, for checking what arrived.
    sha256: (res.headers.get('X-Junheng-Sha256') || '').toLowerCase(),
    version: res.headers.get('X-Junheng-Version') || '',
  };
}

// Saves an evidence's latest version (or a version) to disk without holding
// it in the page: the gateway checks, as this user, that it may be read and
// hands out a one-use link valid for a minute (POST /web/downloads); the
// browser then streams the file to disk itself. The token never goes into
// the link.
export async function saveToDisk(name) {
  let res;
  try {
    res = await fetch('/web/downloads', {
      method: 'POST',
      headers: authHeaders({ 'Content-Type': 'application/json' }),
      body: JSON.stringify({ name }),
      credentials: 'omit',
      cache: 'no-store',
    });
  } catch (e) {
    throw new ApiError({ network: true, status: 'UNAVAILABLE', message: `无法连接服务器：${e && e.message ? e.message : e}` });
  }
  if (!res.ok) throw await errorFromResponse(res);
  const { url } = await res.json();
  const a = document.createElement('a');
  a.href = url;
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
}

// SHA-256 of a file's bytes in lowercase hex, or '' where it is not worth it
// (WebCrypto has no streaming digest: the whole file is read into memory).
export async function fileSha256(file, maxBytes = 256 * 1024 * 1024) {
  if (!globalThis.crypto || !crypto.subtle || file.size > maxBytes) return '';
  const digest = await crypto.subtle.digest('SHA-256', await file.arrayBuffer());
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

// Whether the bytes are those the archive stored: true, false, or null when
// it cannot be told (no hash sent, or no WebCrypto on a non-secure origin).
export async function verifySha256(blob, expected) {
  if (!expected || !globalThis.crypto || !crypto.subtle) return null;
  const digest = await crypto.subtle.digest('SHA-256', await blob.arrayBuffer());
  const hex = Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
  return hex === expected;
}

// RFC 6266 filename*=UTF-8''… first, then filename="…".
export function filenameFrom(disposition) {
  if (!disposition) return '';
  const star = /filename\*\s*=\s*([^']*)'[^']*'([^;]+)/i.exec(disposition);
  if (star) {
    try {
      return decodeURIComponent(star[2].trim());
    } catch {
      /* fall through */
    }
  }
  const plain = /filename\s*=\s*"((?:[^"\\]|\\.)*)"/i.exec(disposition) || /filename\s*=\s*([^;]+)/i.exec(disposition);
  return plain ? plain[1].replace(/\\(.)/g, '$1').trim() : '';
}

// Saves a blob under a file name (the browser's download).
export function saveBlob(blob, filename) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename || 'download';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export function newRequestId() {
  if (globalThis.crypto && crypto.randomUUID) return crypto.randomUUID();
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}
