// The API client: JWT bearer tokens kept in IndexedDB (the service worker reads them for Background Sync).
// A 401 refreshes the access token once (one refresh at a time, as refresh tokens rotate) and retries;
// when the refresh fails too, the session is over and the app asks the patient to sign in again.
import { kvClear, kvDelete, kvGet, kvSet } from './db.js';

const SESSION = 'session';
let refreshing = null;
const listeners = new Set();

export function onSignedOut(callback) {
  listeners.add(callback);
  return () => listeners.delete(callback);
}

export async function session() {
  return kvGet(SESSION);
}

export class HttpError extends Error {
  constructor(status, data) {
    super(messageOf(data) || `HTTP ${status}`);
    this.status = status;
    this.data = data;
  }
}

/** The first readable message in a DRF error body: {detail} or {field: [message]}. */
export function messageOf(data) {
  if (!data || typeof data !== 'object') return '';
  if (typeof data.detail === 'string') return data.detail;
  for (const [field, value] of Object.entries(data)) {
    const text = Array.isArray(value) ? value.find((v) => typeof v === 'string') : typeof value === 'string' ? value : '';
    if (text) return field === 'non_field_errors' ? text : `${field}: ${text}`;
  }
  return '';
}

async function raw(method, path, body, access) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (access) headers.Authorization = `Bearer ${access}`;
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = { detail: text.slice(0, 200) };
  }
  return { status: response.status, data, response };
}

async function refresh() {
  const current = await kvGet(SESSION);
  if (!current?.refresh) return null;
  const answer = await raw('POST', '/api/v1/auth/token/refresh/', { refresh: current.refresh });
  if (answer.status !== 200) return null;
  const next = { ...current, access: answer.data.access, refresh: answer.data.refresh || current.refresh };
  await kvSet(SESSION, next);
  return next;
}

/** {status, data} for any HTTP answer; rejects only when the network fails. Used by the outbox. */
export async function send(method, path, body) {
  let current = await kvGet(SESSION);
  let answer = await raw(method, path, body, current?.access);
  if (answer.status === 401 && current?.refresh) {
    refreshing ||= refresh().finally(() => {
      refreshing = null;
    });
    current = await refreshing;
    if (!current) {
      await endSession();
      return answer;
    }
    answer = await raw(method, path, body, current.access);
    if (answer.status === 401) await endSession();
  }
  return answer;
}

/** The body of a 2xx answer, or an HttpError. */
export async function api(path, { method = 'GET', body } = {}) {
  const answer = await send(method, path, body);
  if (answer.status < 200 || answer.status >= 300) throw new HttpError(answer.status, answer.data);
  return answer.data;
}

/** Sign in with a password, and the second factor's code when the account has one: a 401 whose
 * ``data.code`` is ``otp_required`` asks for it. */
export async function signIn(username, password, otp) {
  const body = otp ? { username, password, otp } : { username, password };
  const answer = await raw('POST', '/api/v1/auth/token/', body);
  if (answer.status !== 200) throw new HttpError(answer.status, answer.data);
  return startSession(answer.data);
}

/** A POST that needs no sign-in (an invitation, a password reset): the body of a 2xx answer, or an HttpError. */
export async function post(path, body) {
  const answer = await raw('POST', path, body);
  if (answer.status < 200 || answer.status >= 300) throw new HttpError(answer.status, answer.data);
  return answer.data;
}

/** After a single sign-on: the one-time code from ``/signin#sso=…`` for the token pair (it works once). */
export async function signInWithSso(code) {
  const answer = await raw('POST', '/api/v1/auth/sso/exchange/', { code });
  if (answer.status !== 200) throw new HttpError(answer.status, answer.data);
  return startSession(answer.data);
}

/** What the sign-in screen offers staff: ``{enabled, provider, login_url, staff_local_passwords}``. */
export async function ssoInfo() {
  const answer = await raw('GET', '/api/v1/auth/sso/');
  return answer.status === 200 ? answer.data : { enabled: false };
}

/** Keep the tokens an answer gave ({access, refresh}) as this device's session, with who signed in. */
export async function startSession(tokens) {
  await kvSet(SESSION, { access: tokens.access, refresh: tokens.refresh });
  const me = await api('/api/v1/me/');
  const full = { ...(await kvGet(SESSION)), me };
  await kvSet(SESSION, full);
  return full;
}

async function endSession() {
  await kvDelete(SESSION);
  for (const callback of listeners) callback();
}

/**
 * Sign out, on a phone that may be shared: this device's push subscription is deleted on the server (no more
 * notifications of this user here) and in the browser, the refresh token is revoked when the server can be
 * reached, and everything the app stored for the user goes: the session, cached answers (today's advice
 * included), push ids. The caller clears the user's outbox. Only the device's chosen language stays.
 */
export async function signOut() {
  const user = (await kvGet(SESSION))?.me?.id;
  const push = user === undefined ? null : await kvGet(`push:${user}`);
  if (push?.id) {
    try {
      await send('DELETE', `/api/v1/push-subscriptions/${push.id}/`); // refreshes the access token if needed
    } catch {
      // offline: the browser's unsubscribe below ends the endpoint; the server drops it at the next push (410)
    }
  }
  await unsubscribeThisBrowser();
  const current = await kvGet(SESSION);
  if (current?.refresh) {
    try {
      await raw('POST', '/api/v1/auth/logout/', { refresh: current.refresh }, current.access);
    } catch {
      // offline: the tokens are deleted here; the refresh token expires on its own
    }
  }
  await kvClear();
  await clearAnswerCaches();
  await endSession();
}

async function unsubscribeThisBrowser() {
  try {
    const registration = await globalThis.navigator?.serviceWorker?.getRegistration();
    await (await registration?.pushManager?.getSubscription())?.unsubscribe();
  } catch {
    // no service worker or no push here: nothing to end
  }
}

/** The app keeps no API answers in Cache Storage (only the precached shell): any other cache goes anyway. */
async function clearAnswerCaches() {
  if (!globalThis.caches) return;
  for (const name of await caches.keys()) {
    if (!name.startsWith('workbox-precache')) await caches.delete(name);
  }
}

/** A file from the API (an export) as a Blob, with the same one-refresh rule. */
export async function download(path) {
  let current = await kvGet(SESSION);
  const get = (access) => fetch(path, { headers: { Authorization: `Bearer ${access}` } });
  let response = await get(current?.access);
  if (response.status === 401) {
    await send('GET', '/api/v1/me/'); // refreshes the access token when it can
    current = await kvGet(SESSION);
    response = await get(current?.access);
  }
  if (!response.ok) {
    let data = null;
    try {
      data = await response.json();
    } catch {
      data = null;
    }
    throw new HttpError(response.status, data);
  }
  return response.blob();
}
