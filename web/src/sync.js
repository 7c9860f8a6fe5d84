// When the outbox is sent: on app start, when the network comes back, when the page is shown again, after a
// set's undo window, and by Background Sync in the service worker where the browser has it. Listeners hear
// the counts after each attempt.
import { entries, sentLately, sync as syncOutbox, UNDO_MS } from './outbox.js';
import { send, session } from './api.js';

const listeners = new Set();
let running = null;
let again = false;
let timer = null;

export function onOutboxChange(callback) {
  listeners.add(callback);
  return () => listeners.delete(callback);
}

export async function announce(lastAnswers = {}) {
  const current = await session();
  const all = current?.me ? await entries(current.me.id) : [];
  const status = {
    pending: all.filter((e) => e.state === 'pending'),
    rejected: all.filter((e) => e.state === 'rejected'),
    sent: current?.me ? await sentLately(current.me.id) : [],
    answers: lastAnswers,
  };
  for (const callback of listeners) callback(status);
  return status;
}

async function once() {
  const current = await session();
  if (!current?.me) return {};
  try {
    const result = await syncOutbox(current.me.id, send);
    return result.answers;
  } catch {
    return {}; // offline, a server error or signed out: the entries wait for the next attempt
  } finally {
    scheduleForWaiting(current.me.id);
  }
}

/** Send what waits; concurrent calls share one run (and one more run follows if asked meanwhile). */
export function syncNow() {
  if (running) {
    again = true;
    return running;
  }
  const lock = navigator.locks ? (fn) => navigator.locks.request('rehab-outbox', fn) : (fn) => fn();
  running = lock(once)
    .then(async (answers) => {
      await announce(answers);
      return answers;
    })
    .finally(() => {
      running = null;
      if (again) {
        again = false;
        syncNow();
      }
    });
  return running;
}

async function scheduleForWaiting(user) {
  const waiting = (await entries(user)).filter((e) => e.state === 'pending');
  if (!waiting.length || !navigator.onLine) return;
  const next = Math.min(...waiting.map((e) => e.not_before));
  const delay = Math.max(next - Date.now(), 0) + 250;
  if (delay > 250) later(delay);
  else if (!timer) later(15000); // the server was busy: try again in a while
}

export function later(ms = UNDO_MS + 250) {
  clearTimeout(timer);
  timer = setTimeout(() => {
    timer = null;
    syncNow();
  }, ms);
}

/** Ask the service worker to send the outbox when the network is back, even if the page is closed. */
export async function requestBackgroundSync() {
  try {
    const registration = await navigator.serviceWorker?.ready;
    await registration?.sync?.register('outbox');
  } catch {
    // no Background Sync here: the page syncs on its own
  }
}

let started = false;

export function startSyncTriggers() {
  if (started) {
    syncNow(); // signed in again: the triggers are in place
    return;
  }
  started = true;
  window.addEventListener('online', () => syncNow());
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') syncNow();
  });
  navigator.serviceWorker?.addEventListener('message', (event) => {
    if (event.data?.type === 'outbox-synced') announce();
  });
  syncNow();
}
