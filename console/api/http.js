/**
 * The one place the console calls the API: same-origin fetch with the session cookie, the CSRF
 * token on state-changing calls, and every failure turned into an ApiError with a Chinese
 * message (locales/zh-CN.js `errors`), never raw JSON.
 */
import { t, zh } from '../i18n.js';

let csrfToken = '';
let onSessionLost = () => {};

export function setCsrfToken(token) { csrfToken = token || ''; }
export function whenSessionLost(handler) { onSessionLost = handler; }

export class ApiError extends Error {
  constructor(status, type, message, issues = [], retryAfter) {
    super(message);
    this.status = status;
    this.type = type;
    this.issues = issues;
    this.retryAfter = retryAfter;
  }
  /** Field path (`body.callerPhone` → `callerPhone`) → Chinese hint. */
  fieldErrors() {
    const out = {};
    for (const issue of this.issues) out[issue.path.replace(/^(body|query|params)\./, '')] = t('errors.fieldInvalid');
    return out;
  }
}

/** The Chinese message of an API error type (refusals from the rules, HTTP errors). */
export function messageFor(type, extra = {}) {
  if (zh.errors[type]) return t(`errors.${type}`, extra);
  return t('errors.unknown', { type });
}

export async function request(method, url, body, headers = {}) {
  const init = { method, credentials: 'same-origin', headers: { Accept: 'application/json', ...headers } };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  if (method !== 'GET' && csrfToken) init.headers['X-CSRF-Token'] = csrfToken;
  let res;
  try {
    res = await fetch(url, init);
  } catch {
    throw new ApiError(0, 'NETWORK', messageFor('NETWORK'));
  }
  if (res.status === 204) return undefined;
  const data = await res.json().catch(() => undefined);
  if (res.ok) return data;
  const type = (data && data.type) || (res.status >= 500 ? 'INTERNAL' : 'REFUSED');
  const retryAfter = Number(res.headers.get('Retry-After')) || undefined;
  const error = new ApiError(res.status, type, messageFor(type, { minutes: retryAfter ? Math.ceil(retryAfter / 60) : 15 }), data?.issues ?? [], retryAfter);
  if (res.status === 401 && type !== 'SIGN_IN_FAILED') onSessionLost();
  throw error;
}

/** `?a=1&b=x` from an object, leaving out empty values. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '' || (Array.isArray(v) && !v.length)) continue;
    q.set(k, Array.isArray(v) ? v.join(',') : String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}
