// The outbox and its sync, against an in-memory IndexedDB (fake-indexeddb) and a scripted server.
import 'fake-indexeddb/auto';
import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import { IDBFactory } from 'fake-indexeddb';
import { resetDbForTests } from '../src/db.js';
import { amend, AuthRequired, BATCH_LIMIT, cancel, clearUser, enqueue, entries, pending, rejected, sentLately, sync, withdraw } from '../src/outbox.js';

beforeEach(() => {
  globalThis.indexedDB = new IDBFactory();
  resetDbForTests();
});

const set = (n, extra = {}) => ({ client_id: `c${n}`, date: '2026-11-25', exercise: 'seated_calf_raise', reps: 15, load_kg: 20, pain: 2, ...extra });

/** A server that stores each client_id once, as the API does; `fail` answers a status instead. */
function server({ fail = null, offline = false } = {}) {
  const stored = new Map();
  const calls = [];
  const send = async (method, path, body) => {
    calls.push({ method, path, body });
    if (offline) throw new TypeError('Failed to fetch');
    if (fail) return { status: fail, data: { detail: 'nope' } };
    if (path === '/api/v1/logs/batch/') {
      const results = body.map((item) => {
        if (item.reps > 100) return { status: 'invalid', id: null, errors: { reps: ['too many'] } };
        const old = stored.get(item.client_id);
        if (old && JSON.stringify(old) !== JSON.stringify(item)) return { status: 'conflict', id: null, errors: { client_id: ['used'] } };
        stored.set(item.client_id, item);
        return { status: old ? 'duplicate' : 'created', id: item.client_id, errors: null };
      });
      return { status: 200, data: { results } };
    }
    const old = stored.get(body.client_id);
    if (old) return JSON.stringify(old) === JSON.stringify(body) ? { status: 200, data: { id: body.client_id } } : { status: 409, data: { client_id: ['used'] } };
    stored.set(body.client_id, body);
    return { status: 201, data: { id: body.client_id, score: 49, advice: [] } };
  };
  return { send, stored, calls };
}

test('entries wait in the outbox until the server has answered for each, then leave', async () => {
  await enqueue(7, 'set', set(1));
  await enqueue(7, 'set', set(2));
  const api = server();
  const result = await sync(7, api.send);
  assert.deepEqual([result.sent, result.rejected, result.remaining], [2, 0, 0]);
  assert.equal(api.stored.size, 2);
  assert.deepEqual(await entries(7), []);
});

test('offline: nothing is lost, and the next sync sends each entry once', async () => {
  await enqueue(7, 'set', set(1));
  await enqueue(7, 'checkin', { client_id: 'k1', morning_pain: 2, morning_stiffness_minutes: 5, red_flags: [] });
  await assert.rejects(sync(7, server({ offline: true }).send), TypeError);
  assert.equal((await pending(7)).length, 2);
  const api = server();
  await sync(7, api.send);
  await sync(7, api.send);
  assert.equal(api.stored.size, 2);
  assert.equal(api.calls.length, 2); // the second sync had nothing left to send
});

test('an answer lost on the way back: sending again stores nothing twice', async () => {
  await enqueue(7, 'set', set(1));
  const api = server();
  await api.send('POST', '/api/v1/logs/batch/', [set(1)]); // the server stored it; the phone never heard
  const result = await sync(7, api.send);
  assert.equal(result.sent, 1);
  assert.equal(api.stored.size, 1);
  assert.deepEqual(await entries(7), []);
});

test('check-ins go first: a red flag must not wait behind a long batch of sets', async () => {
  await enqueue(7, 'set', set(1), { now: 1 });
  await enqueue(7, 'visa_a', { client_id: 'v1', answers: [1, 1, 1, 1, 1, 1, 0, 0] }, { now: 2 });
  await enqueue(7, 'checkin', { client_id: 'k1', morning_pain: 2, morning_stiffness_minutes: 5, red_flags: ['sudden_pop'] }, { now: 3 });
  const api = server();
  await sync(7, api.send, { now: 10 });
  assert.deepEqual(api.calls.map((c) => c.path), ['/api/v1/checkins/', '/api/v1/logs/batch/', '/api/v1/visa-a/']);
});

test('conflict and invalid answers are kept as rejected with their errors, never dropped', async () => {
  await enqueue(7, 'set', set(1, { reps: 500 }));
  await enqueue(7, 'checkin', { client_id: 'k1', morning_pain: 2, morning_stiffness_minutes: 5, red_flags: [] });
  const api = server();
  api.stored.set('k1', { client_id: 'k1', morning_pain: 9 });
  const result = await sync(7, api.send);
  assert.equal(result.rejected, 2);
  const kept = await rejected(7);
  assert.deepEqual(kept.map((e) => [e.client_id, e.status]).sort(), [['c1', 'invalid'], ['k1', 'conflict']]);
  assert.deepEqual(kept.find((e) => e.client_id === 'c1').errors, { reps: ['too many'] });
  await sync(7, api.send); // rejected entries are not sent again
  assert.equal(api.calls.length, 2);
});

test('a 401 or a busy server stops the sync and keeps every entry', async () => {
  await enqueue(7, 'set', set(1));
  await assert.rejects(sync(7, server({ fail: 401 }).send), AuthRequired);
  await assert.rejects(sync(7, server({ fail: 503 }).send), /server busy/);
  assert.equal((await pending(7)).length, 1);
});

test('undo takes a set back only inside its window, and sync never sends one before its window ends', async () => {
  await enqueue(7, 'set', set(1), { now: 1000, holdMs: 5000 });
  await enqueue(7, 'set', set(2), { now: 1000, holdMs: 5000 });
  const api = server();
  await sync(7, api.send, { now: 3000 });
  assert.equal(api.calls.length, 0);
  assert.equal(await cancel('c1', 4000), true);
  assert.equal(await cancel('c2', 6000), false); // its window is over: it may be on its way
  await sync(7, api.send, { now: 6000 });
  assert.deepEqual([...api.stored.keys()], ['c2']);
});

test('more than 500 sets go in batches of 500', async () => {
  for (let n = 0; n < BATCH_LIMIT + 3; n += 1) await enqueue(7, 'set', set(n), { now: n });
  const api = server();
  await sync(7, api.send, { now: 10_000 });
  assert.deepEqual(api.calls.map((c) => c.body.length), [BATCH_LIMIT, 3]);
  assert.equal(api.stored.size, BATCH_LIMIT + 3);
});

test("sign-out clears that user's entries and no one else's", async () => {
  await enqueue(7, 'set', set(1));
  await enqueue(8, 'set', set(2));
  await clearUser(7);
  assert.deepEqual((await entries(7)).length, 0);
  assert.deepEqual((await entries(8)).map((e) => e.client_id), ['c2']);
});

test('a mend goes after the sets before it, as PATCH or DELETE of the stored set; sent entries are kept a while', async () => {
  await enqueue(7, 'set', set(1), { now: 1 });
  await enqueue(7, 'set_edit', { client_id: 'e1', id: 41, date: '2026-11-25', changes: { reps: 9 } }, { now: 2 });
  await enqueue(7, 'set', set(2), { now: 3 });
  await enqueue(7, 'set_delete', { client_id: 'd1', id: 42, date: '2026-11-25', exercise: 'seated_calf_raise' }, { now: 4 });
  const calls = [];
  const send = async (method, path, body) => {
    calls.push([method, path, method === 'POST' ? body.map((b) => b.client_id) : body]);
    if (method === 'POST') return { status: 200, data: { results: body.map((b) => ({ status: 'created', id: 1, errors: null })) } };
    return method === 'PATCH' ? { status: 200, data: { id: 41, reps: 9 } } : { status: 204, data: null };
  };
  const result = await sync(7, send, { now: 10, clock: () => 10 });
  assert.deepEqual(calls, [
    ['POST', '/api/v1/logs/batch/', ['c1']],
    ['PATCH', '/api/v1/logs/41/', { reps: 9 }],
    ['POST', '/api/v1/logs/batch/', ['c2']],
    ['DELETE', '/api/v1/logs/42/', undefined],
  ]);
  assert.equal(result.sent, 4);
  assert.deepEqual(await entries(7), []);
  assert.deepEqual((await sentLately(7)).map((e) => [e.client_id, e.sent_at]), [['c1', 10], ['e1', 10], ['c2', 10], ['d1', 10]]);
  await sync(7, send, { now: 10 + 11 * 60 * 1000 }); // long after: forgotten
  assert.deepEqual(await sentLately(7), []);
});

test('a set not sent yet is mended or withdrawn in the outbox itself', async () => {
  await enqueue(7, 'set', set(1), { holdMs: 5000, now: 0 });
  await enqueue(7, 'set', set(2), { now: 0 });
  assert.equal(await amend('c1', { reps: 8 }), true);
  assert.equal(await withdraw('c2'), true);
  assert.deepEqual((await pending(7)).map((e) => [e.client_id, e.body.reps]), [['c1', 8]]);
});

test('a message waits offline, then is sent once, after the check-ins and sets', async () => {
  const message = { client_id: 'm1', body: 'Is a little soreness normal?' };
  await enqueue(7, 'message', message);
  await enqueue(7, 'checkin', { client_id: 'k1', morning_pain: 2, morning_stiffness_minutes: 5, red_flags: [] });
  const offline = server({ offline: true });
  await assert.rejects(sync(7, offline.send));
  assert.equal((await pending(7)).length, 2);
  const online = server();
  const result = await sync(7, online.send);
  assert.deepEqual(online.calls.map((c) => c.path), ['/api/v1/checkins/', '/api/v1/messages/']);
  assert.equal(result.answers.m1.id, 'm1');
  const again = await sync(7, online.send); // nothing left: the message is not sent twice
  assert.equal(again.sent, 0);
  assert.equal(online.calls.length, 2);
});
