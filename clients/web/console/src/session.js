// Who is logged in (GET /v1/me), the school year being looked at, and a cache
// of the standards (GetStandard) for indicator names and units.
import { reactive } from 'vue';
import { api, getToken, setToken, clearToken } from './api.js';
import { currentSchoolYear } from './labels.js';

const YEAR_KEY = 'junheng.year';

export const session = reactive({
  me: null, // {name, role, scope}
  year: Number(sessionStorage.getItem(YEAR_KEY)) || currentSchoolYear(),
});

export function setYear(y) {
  session.year = Number(y);
  sessionStorage.setItem(YEAR_KEY, String(session.year));
}

export async function login(token) {
  setToken(token.trim());
  try {
    session.me = await api.me();
    return session.me;
  } catch (e) {
    clearToken();
    session.me = null;
    throw e;
  }
}

// Restores the session from sessionStorage after a reload.
export async function restore() {
  if (session.me) return session.me;
  if (!getToken()) return null;
  try {
    session.me = await api.me();
  } catch (e) {
    if (e.httpStatus === 401) clearToken();
    session.me = null;
    throw e;
  }
  return session.me;
}

export function logout() {
  clearToken();
  session.me = null;
}

// The page a principal starts on.
export function homeRoute(me) {
  if (!me) return { name: 'login' };
  const scope = me.scope || '';
  const school = /^counties\/(\d+)\/schools\/(\d+)$/.exec(scope);
  const county = /^counties\/(\d+)$/.exec(scope);
  const province = /^provinces\/(\d+)$/.exec(scope);
  switch (me.role) {
    case 'school':
      if (school) return { name: 'school', params: { county: school[1], school: school[2] } };
      break;
    case 'county':
      if (county) return { name: 'county', params: { county: county[1] } };
      break;
    case 'inspector':
      if (county) return { name: 'inspect', params: { county: county[1] } };
      if (province) return { name: 'province', params: { province: province[1] } };
      return { name: 'inspect-pick' };
    case 'province':
      if (province) return { name: 'province', params: { province: province[1] } };
      break;
    case 'admin':
      return { name: 'audit' };
    default:
      break;
  }
  return { name: 'no-role' };
}

const standards = new Map();
// The resolved standard by name (standards/moe-2017-quality), cached.
export function standardOf(name) {
  if (!name) return Promise.resolve(null);
  if (!standards.has(name)) {
    const p = api.getStandard(name).catch((e) => {
      standards.delete(name);
      throw e;
    });
    standards.set(name, p);
  }
  return standards.get(name);
}

// Indicator (and veto item) by code from a standard.
export function indicatorIndex(standard) {
  const byCode = {};
  if (!standard) return byCode;
  for (const i of standard.indicators || []) byCode[i.code] = i;
  for (const v of standard.vetoItems || []) byCode[v.code] = { ...v, veto: true };
  return byCode;
}
