// The outbox: every set, check-in and VISA-A is stored here with its client_id before anything is sent,
// and leaves only when the server has answered for it. The server treats a repeated client_id as the same
// entry (200 instead of 201), so sending twice — a lost answer, the page and the service worker both
// syncing, the app killed mid-request — stores each entry once. A `conflict` or `invalid` answer is kept
// as `rejected` for the patient to see; it is never dropped silently.
import { db } from './db.js';

export const BATCH_LIMIT = 500; // POST /api/v1/logs/batch/ takes up to 500 sets
export const UNDO_MS = 5000; // a set waits this long before it is sent, so it can be undone

// Check-ins first (a red-flag answer must reach the physician soonest), then sets and their mends (in the
// order they were made), then VISA-A, then messages to the clinic. A mend names the stored set by its server id.
const ORDER = { checkin: 0, set: 1, set_edit: 1, set_delete: 1, visa_a: 2, message: 3 };
const ENDPOINT = { checkin: '/api/v1/checkins/', visa_a: '/api/v1/visa-a/', message: '/api/v1/messages/' };
const MENDS = { set_edit: 'PATCH', set_delete: 'DELETE' };
// A sent entry is kept a while as `sent` (with sent_at): until the server's next answer for the day counts it,
// the screen still does, so a count never falls back while /today/ is on its way.
export const SENT_KEPT_MS = 10 * 60 * 1000;

export function newClientId() {
  return crypto.randomUUID();
}

/** Store an entry to send: kind is 'set', 'checkin', 'visa_a' or 'message'; body is the API body with its client_id. */
export async function enqueue(user, kind, body, { now = Date.now(), holdMs = 0 } = {}) {
  const entry = {
    client_id: body.client_id,
    user,
    kind,
    body,
    created_at: now,
    not_before: now + holdMs,
    state: 'pending',
    errors: null,
  };
  await (await db()).put('outbox', entry);
  return entry;
}

async function everything(user) {
  const all = await (await db()).getAllFromIndex('outbox', 'user', user);
  return all.sort((a, b) => ORDER[a.kind] - ORDER[b.kind] || a.created_at - b.created_at);
}

/** What waits or was refused (not what was sent). */
export async function entries(user) {
  return (await everything(user)).filter((e) => e.state !== 'sent');
}

/** Entries sent lately, with their sent_at. */
export async function sentLately(user) {
  return (await everything(user)).filter((e) => e.state === 'sent');
}

/** Change the body of an entry not sent yet (a set mended before it left the phone). True when changed. */
export async function amend(clientId, changes) {
  const store = (await db()).transaction('outbox', 'readwrite').store;
  const entry = await store.get(clientId);
  if (!entry || entry.state !== 'pending') return false;
  await store.put({ ...entry, body: { ...entry.body, ...changes } });
  return true;
}

export async function pending(user) {
  return (await entries(user)).filter((e) => e.state === 'pending');
}

export async function rejected(user) {
  return (await entries(user)).filter((e) => e.state === 'rejected');
}

/** Undo: take back an entry still in its undo window (sync never sends one before). True when taken back. */
export async function cancel(clientId, now = Date.now()) {
  const store = (await db()).transaction('outbox', 'readwrite').store;
  const entry = await store.get(clientId);
  if (!entry || entry.state !== 'pending' || now >= entry.not_before) return false; // sync may have it
  await store.delete(clientId);
  return true;
}

/** Take back an entry not sent yet, whatever its undo window (a set deleted before it left). */
export async function withdraw(clientId) {
  const store = (await db()).transaction('outbox', 'readwrite').store;
  const entry = await store.get(clientId);
  if (!entry || entry.state !== 'pending') return false;
  await store.delete(clientId);
  return true;
}

/** Forget an entry (the patient dismissed a rejected one). */
export async function discard(clientId) {
  await (await db()).delete('outbox', clientId);
}

/** Everything of this user's (sign-out). */
export async function clearUser(user) {
  const database = await db();
  const keys = await database.getAllKeysFromIndex('outbox', 'user', user);
  const tx = database.transaction('outbox', 'readwrite');
  await Promise.all([...keys.map((k) => tx.store.delete(k)), tx.done]);
}

async function settle(entry, outcome, now = Date.now()) {
  const database = await db();
  if (outcome.state === 'done') {
    await database.put('outbox', { ...entry, state: 'sent', sent_at: now });
  } else {
    await database.put('outbox', { ...entry, state: 'rejected', errors: outcome.errors, status: outcome.status });
  }
}

export class AuthRequired extends Error {}

/**
 * Send what waits, in order. `send(method, path, body)` resolves to {status, data} for any HTTP answer and
 * rejects when the network fails. Stops at the first network failure, 401 or server error (tried again on
 * the next sync); returns {sent, rejected, remaining, answers} where answers maps client_id → server body.
 * A sent entry's sent_at is `clock()` when its answer came.
 */
export async function sync(user, send, { now = Date.now(), clock = Date.now } = {}) {
  const database = await db();
  for (const old of (await sentLately(user)).filter((e) => e.sent_at < now - SENT_KEPT_MS)) {
    await database.delete('outbox', old.client_id);
  }
  const ready = (await pending(user)).filter((e) => e.not_before <= now);
  const result = { sent: 0, rejected: 0, remaining: 0, answers: {}, clock };
  try {
    for (const kind of ['checkin', 'set', 'visa_a', 'message']) {
      const mine = ready.filter((e) => ORDER[e.kind] === ORDER[kind] && (kind !== 'checkin' || e.kind === kind));
      if (kind === 'set') {
        // new sets in batches; a mend waits for the sets before it (it may name one of them)
        let run = [];
        for (const entry of mine) {
          if (entry.kind === 'set') {
            run.push(entry);
            if (run.length === BATCH_LIMIT) run = await flushSets(run, send, result);
            continue;
          }
          run = await flushSets(run, send, result);
          await sendMend(entry, send, result);
        }
        await flushSets(run, send, result);
      } else {
        for (const entry of mine.filter((e) => e.kind === kind)) await sendOne(entry, send, result);
      }
    }
  } finally {
    result.remaining = (await pending(user)).length;
  }
  return result;
}

async function flushSets(run, send, result) {
  if (run.length) await sendSets(run, send, result);
  return [];
}

async function sendMend(entry, send, result) {
  const answer = await send(MENDS[entry.kind], `/api/v1/logs/${entry.body.id}/`, entry.kind === 'set_edit' ? entry.body.changes : undefined);
  stopUnlessAnswered(answer);
  if (answer.status === 200 || answer.status === 204) {
    await settle(entry, { state: 'done' }, result.clock());
    result.sent += 1;
    result.answers[entry.client_id] = answer.data ?? {};
  } else {
    await reject(entry, 'invalid', answer.data, result);
  }
}

async function sendSets(batch, send, result) {
  const answer = await send('POST', '/api/v1/logs/batch/', batch.map((e) => e.body));
  stopUnlessAnswered(answer);
  if (answer.status !== 200) {
    // The whole batch refused (it should not happen: at most 500 well-formed items): show it, keep each.
    for (const entry of batch) await reject(entry, answer.status, answer.data, result);
    return;
  }
  for (const [i, entry] of batch.entries()) {
    const r = answer.data.results[i];
    if (r.status === 'created' || r.status === 'duplicate') {
      await settle(entry, { state: 'done' }, result.clock());
      result.sent += 1;
      result.answers[entry.client_id] = r;
    } else {
      await reject(entry, r.status, r.errors, result);
    }
  }
}

async function sendOne(entry, send, result) {
  const answer = await send('POST', ENDPOINT[entry.kind], entry.body);
  stopUnlessAnswered(answer);
  if (answer.status === 200 || answer.status === 201) {
    await settle(entry, { state: 'done' }, result.clock());
    result.sent += 1;
    result.answers[entry.client_id] = answer.data;
  } else {
    await reject(entry, answer.status === 409 ? 'conflict' : 'invalid', answer.data, result);
  }
}

async function reject(entry, status, errors, result) {
  await settle(entry, { state: 'rejected', status, errors });
  result.rejected += 1;
}

function stopUnlessAnswered(answer) {
  if (answer.status === 401) throw new AuthRequired('sign in again');
  if (answer.status >= 500 || answer.status === 429 || answer.status === 408) {
    throw new Error(`server busy (${answer.status}): try later`);
  }
}
