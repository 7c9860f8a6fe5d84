// The app's IndexedDB: "kv" holds the session (tokens, who is signed in) and the last answers fetched
// (today's prescription, for offline use); "outbox" holds every entry not yet accepted by the server.
// The page and the service worker both open it, so Background Sync can send the outbox.
import { openDB } from 'idb';

export const DB_NAME = 'rehab-tracker';

let dbPromise = null;

export function db() {
  if (!dbPromise) {
    dbPromise = openDB(DB_NAME, 1, {
      upgrade(database) {
        database.createObjectStore('kv');
        const outbox = database.createObjectStore('outbox', { keyPath: 'client_id' });
        outbox.createIndex('user', 'user');
      },
    });
  }
  return dbPromise;
}

export async function kvGet(key) {
  return (await db()).get('kv', key);
}

export async function kvSet(key, value) {
  return (await db()).put('kv', value, key);
}

export async function kvDelete(key) {
  return (await db()).delete('kv', key);
}

/** The key of a screen's last answer for a user, kept for offline use ("today", "progress", "messages",
 * "mend": the sets of today and yesterday to change, "checkin": the day of the last check-in sent); a
 * session's end deletes them all (api.js), sign-out everything. */
export const CACHED_SCREENS = ['today', 'progress', 'messages', 'mend', 'checkin'];
export const answerKey = (screen, user) => `${screen}:${user}`;

/** Sign-out: every key but the device's language goes (the session, cached answers, push subscription ids). */
export async function kvClear({ keep = ['language'] } = {}) {
  const tx = (await db()).transaction('kv', 'readwrite');
  const keys = await tx.store.getAllKeys();
  await Promise.all([...keys.filter((k) => !keep.includes(k)).map((k) => tx.store.delete(k)), tx.done]);
}

// For tests: forget the open connection so a fresh (fake) IndexedDB is used.
export function resetDbForTests() {
  dbPromise = null;
}
