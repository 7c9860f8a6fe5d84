// The API client: JWT bearer tokens kept in IndexedDB (the service worker reads them for Background Sync).
// A 401 refreshes the access token once (one refresh at a time, as refresh tokens rotate) and retries;
// when the refresh fails too, the session is over and the app asks the patient to sign in again.
import { answerKey, CACHED_SCREENS, kvClear, kvDelete, kvGet, kvSet } from './db.js';
import { hasText, language, t } from './i18n.js';

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
    super(errorText(status, data));
    this.status = status;
    this.data = data;
  }
}

/** An error whose message is already a plain, translated sentence for the user (e.g. "notifications are
 * blocked"): shown as it is. */
export class NoticeError extends Error {}

// What a person reads when something fails: every error the app shows goes through describeError, so no
// raw code, field name or server message ("outcome: "" is not a valid choice", "Registration failed -
// permission denied") reaches a screen. Field messages keep the server's words (in the user's language:
// the API answers in it) unless they are one of the generic ones below, which get a plain sentence.
const GENERIC = [
  [/is not a valid choice|ikke et gyldigt valg/i, 'err_choice'],
  [/field is required|may not be (blank|null)|er påkrævet|må ikke være (tomt|null)/i, 'err_required'],
  [/valid (integer|number)|gyldigt (heltal|tal)/i, 'err_number'],
  [/less than or equal to|mindre end eller lig med/i, 'err_too_high'],
  [/greater than or equal to|større end eller lig med/i, 'err_too_low'],
];
const BY_STATUS = { 401: 'err_signed_out', 403: 'err_forbidden', 404: 'err_not_found', 409: 'err_conflict',
  413: 'err_too_large', 429: 'err_throttled' };

function plain(message) {
  const found = GENERIC.find(([pattern]) => pattern.test(message));
  return found ? t(found[1]) : message;
}

/** Each field's message, readable: {field: text} (non_field_errors and nested lists flattened). */
export function fieldErrors(data) {
  const out = {};
  if (!data || typeof data !== 'object' || Array.isArray(data)) return out;
  for (const [field, value] of Object.entries(data)) {
    if (field === 'detail' || field === 'code') continue;
    const text = (Array.isArray(value) ? value.flat(3) : [value]).find((v) => typeof v === 'string');
    if (text) out[field] = plain(text);
  }
  return out;
}

/** The one sentence shown for a failed answer of ``status`` with DRF's body ``data``. */
export function errorText(status, data) {
  if (data?.code === 'no_active_account' || data?.code === 'authentication_failed') return t('err_credentials');
  if (data?.code === 'otp_required') return t('err_otp_required');
  if (status >= 500) return t('err_server');
  if (status === 400 || status === 422) {
    const fields = Object.entries(fieldErrors(data));
    if (!fields.length) return t('err_bad_input');
    return fields
      .map(([field, text]) => (hasText(`field_${field}`) ? `${t(`field_${field}`)}: ${text}` : text))
      .join(' ');
  }
  return t(BY_STATUS[status] ?? 'err_unexpected');
}

/** What any thrown error means to the user: the network, the server's answer, or an unexpected failure. */
export function describeError(error) {
  if (error instanceof HttpError || error instanceof NoticeError) return error.message;
  if (error instanceof TypeError) return t('network_error');
  if (error?.name === 'NotAllowedError') return t('err_not_allowed');
  return t('err_unexpected');
}

async function raw(method, path, body, access) {
  // the server writes its texts (notes, advice, errors) in the app's language until the user's own is stored
  const headers = { Accept: 'application/json', 'Accept-Language': language() };
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
  // a 401 without a code here is a wrong username or password (elsewhere it is an ended session)
  const data = answer.status === 401 && !answer.data?.code ? { ...answer.data, code: 'no_active_account' } : answer.data;
  if (answer.status !== 200) throw new HttpError(answer.status, data);
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

/** Keep ``changes`` to who is signed in (``me``: its language, the patient's time zone) in the object the app
 * shows and with the stored session, so the next start has them offline too. */
export async function rememberMe(me, changes) {
  Object.assign(me, changes);
  const stored = await kvGet(SESSION);
  if (stored?.me) await kvSet(SESSION, { ...stored, me: { ...stored.me, ...changes } });
}

/** ``load()``'s answer (an object), kept on the phone under ``key`` with its ``fetched_at``; when the server cannot
 * be reached (the network down, or a 5xx), the last copy kept, marked ``cached``; any other answer is thrown. */
export async function withCopy(key, load) {
  try {
    const fresh = { ...(await load()), fetched_at: Date.now() };
    await kvSet(key, fresh).catch(() => {}); // a copy not kept costs only the offline view
    return fresh;
  } catch (err) {
    const unreachable = !(err instanceof HttpError) || err.status >= 500;
    const copy = unreachable ? await kvGet(key) : null;
    if (copy) return { ...copy, cached: true };
    throw err;
  }
}

/** The session is over (its tokens refused): the answers cached for the user's screens go with it, so that a
 * shared phone keeps no one's pain scores after their session ends (the outbox keeps what was not sent). */
async function endSession() {
  const user = (await kvGet(SESSION))?.me?.id;
  await kvDelete(SESSION);
  if (user !== undefined) for (const screen of CACHED_SCREENS) await kvDelete(answerKey(screen, user));
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
