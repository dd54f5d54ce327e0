// Starts the real Junheng services for the browser tests: tokens in a fresh
// principals file, junheng-archive, junheng-checklist and junheng-web on
// loopback ports of their own choosing (each prints "… listening on
// HOST:PORT"), with their data in a temporary folder. stop() ends them all,
// and so does the process exiting for any reason.
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repo = path.resolve(here, '../..');
export const consoleDir = path.join(repo, 'clients/web/console');
export const binDir = process.env.JUNHENG_BIN || path.join(repo, 'build/bin');
export const exampleDir = path.join(repo, 'examples/county-330106');

const running = new Set();
process.on('exit', () => {
  for (const child of running) {
    try {
      child.kill('SIGKILL');
    } catch {
      /* already gone */
    }
  }
});
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => process.exit(130));
}

function bin(name) {
  const p = path.join(binDir, name);
  if (!fs.existsSync(p)) throw new Error(`${p} does not exist: build it, or set JUNHENG_BIN to the folder that has it`);
  return p;
}

// Starts one service and resolves with its address once it printed
// "listening on HOST:PORT"; rejects if it exits or is silent for 30 s.
function start(name, args, logDir) {
  return new Promise((resolve, reject) => {
    const child = spawn(bin(name), args, { stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(child);
    const log = fs.createWriteStream(path.join(logDir, `${name}.log`));
    let stderr = '';
    child.stderr.on('data', (d) => {
      log.write(d);
      stderr = (stderr + d.toString()).slice(-4000);
    });
    const timer = setTimeout(() => reject(new Error(`${name} did not say "listening on" within 30 s\n${stderr}`)), 30_000);
    const rl = readline.createInterface({ input: child.stdout });
    rl.on('line', (line) => {
      log.write(`${line}\n`);
      const m = / listening on (\S+)/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve({ name, child, addr: m[1] });
      }
    });
    child.on('exit', (code, signal) => {
      running.delete(child);
      clearTimeout(timer);
      reject(new Error(`${name} exited (${signal || code}) before it was ready\n${stderr}`));
    });
  });
}

function stopChild(child, graceMs = 5000) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(t);
      running.delete(child);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export async function startServices() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'junheng-web-test-'));
  const principals = path.join(tmp, 'principals.textproto');
  const logs = path.join(tmp, 'logs');
  fs.mkdirSync(logs);
  const dist = path.join(consoleDir, 'dist');
  if (!fs.existsSync(path.join(dist, 'index.html'))) throw new Error(`${dist}/index.html is missing: run vite build first (tests/web/run.sh does)`);

  const procs = [];
  const stop = async () => {
    for (const p of procs.slice().reverse()) await stopChild(p.child);
    procs.length = 0;
    if (!process.env.JUNHENG_KEEP_DATA) fs.rmSync(tmp, { recursive: true, force: true });
    else console.log(`data and logs kept in ${tmp}`);
  };
  const token = (role, scope, name) => {
    const args = ['admin', 'token', 'create', '--principals', principals, '--role', role, '--name', name];
    if (scope) args.push('--scope', scope);
    return execFileSync(bin('junheng'), args, { encoding: 'utf8' }).trim();
  };
  try {
  const tokens = {
    admin: token('admin', '', 'operator'),
    service: token('service', '', 'junheng-checklist'),
    school: token('school', 'counties/330106/schools/2133010601', '钱塘示范县实验小学'),
    county: token('county', 'counties/330106', '钱塘示范县教育局'),
    inspector: token('inspector', 'provinces/33', '省督导组'),
    province: token('province', 'provinces/33', '浙江省教育厅'),
  };
  const serviceTokenFile = path.join(tmp, 'checklist-service.token');
  fs.writeFileSync(serviceTokenFile, tokens.service, { mode: 0o600 });
    fs.mkdirSync(path.join(tmp, 'archive'));
    fs.mkdirSync(path.join(tmp, 'checklist'));
    const archive = await start('junheng-archive', ['--listen', '127.0.0.1:0', '--data_dir', path.join(tmp, 'archive'), '--principals', principals], logs);
    procs.push(archive);
    const checklist = await start(
      'junheng-checklist',
      ['--listen', '127.0.0.1:0', '--data_dir', path.join(tmp, 'checklist'), '--principals', principals, '--archive_addr', archive.addr, '--archive_token_file', serviceTokenFile],
      logs,
    );
    procs.push(checklist);
    const web = await start('junheng-web', ['--listen', '127.0.0.1:0', '--checklist_addr', checklist.addr, '--archive_addr', archive.addr, '--console_dir', dist], logs);
    procs.push(web);
    return { tmp, logs, tokens, base: `http://${web.addr}`, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

// A tiny client of the REST API, for seeding data and checking what is stored.
export function apiClient(base, token) {
  const call = async (method, url, body, headers = {}) => {
    const res = await fetch(base + url, {
      method,
      headers: { Authorization: `Bearer ${token}`, ...(body !== undefined && !(body instanceof Uint8Array) && typeof body !== 'string' ? { 'Content-Type': 'application/json' } : {}), ...headers },
      body: body === undefined ? undefined : body instanceof Uint8Array || typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let json = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = text;
    }
    return { status: res.status, body: json };
  };
  return {
    get: (url) => call('GET', url),
    post: (url, body, headers) => call('POST', url, body, headers),
    upload: (parent, id, bytes, { title, codes, year, filename, contentType = 'application/octet-stream' }) => {
      const q = new URLSearchParams({ title, schoolYear: String(year), filename });
      for (const c of codes) q.append('indicatorCodes', c);
      return call('POST', `/v1/${parent}/evidence/${id}:upload?${q}`, bytes, { 'Content-Type': contentType });
    },
  };
}
