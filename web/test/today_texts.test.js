import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setLanguage } from '../src/i18n.js';
import { lastOfEachDay } from '../src/screens/more.js';
import { checkedIn, dayCopy, loadText } from '../src/screens/today.js';

test('an HSR card has one load: the prescribed one, else the suggestion, else body weight', () => {
  setLanguage('en');
  assert.equal(loadText({ load_kg: 40, suggested_load_kg: 62.5, rm: 8 }), '40 kg');
  assert.equal(loadText({ load_kg: null, suggested_load_kg: 62.5, rm: 8 }), '62.5 kg, suggested (8 RM)');
  assert.equal(loadText({ load_kg: null, suggested_load_kg: null }), 'Body weight');
  setLanguage('da');
  assert.equal(loadText({ load_kg: null, suggested_load_kg: 62.5, rm: 8 }), '62,5 kg, foreslået (8 RM)');
  setLanguage('en');
});

test("the check-in prompt goes once today's check-in is stored, sent, or waiting on this phone", () => {
  const today = { date: '2026-03-11', checked_in: false };
  const at = new Date(2026, 2, 11, 7, 30).getTime();
  const entry = { kind: 'checkin', body: { morning_pain: 2 }, created_at: at };
  assert.equal(checkedIn(today, { pending: [], sent: [] }), false);
  assert.equal(checkedIn(today, { pending: [entry], sent: [] }), true);
  assert.equal(checkedIn(today, { pending: [], sent: [entry] }), true);
  assert.equal(checkedIn(today, { pending: [{ ...entry, created_at: at - 86_400_000 }], sent: [] }), false);
  assert.equal(checkedIn({ ...today, checked_in: true }, { pending: [], sent: [] }), true);
});

test("a check-in counts for the patient's day it carries, not the phone's", () => {
  const today = { date: '2026-03-11', checked_in: false };
  const lateOnThePhone = new Date(2026, 2, 10, 23, 0).getTime(); // the phone's calendar still says 10 March
  const dated = { kind: 'checkin', body: { date: '2026-03-11', morning_pain: 2 }, created_at: lateOnThePhone };
  assert.equal(checkedIn(today, { pending: [dated], sent: [] }), true);
  assert.equal(checkedIn(today, { pending: [{ ...dated, body: { date: '2026-03-10' } }], sent: [] }), false);
  // an undated one (made before check-ins carried their date) by the patient's zone when it is known
  const undated = { kind: 'checkin', body: {}, created_at: Date.UTC(2026, 2, 10, 11, 0) }; // 11 March in Kiritimati
  assert.equal(checkedIn(today, { pending: [undated], sent: [] }, 'Pacific/Kiritimati'), true);
  assert.equal(checkedIn(today, { pending: [undated], sent: [] }, 'Pacific/Pago_Pago'), false);
});

test("a copy of an earlier day is shown for the patient's today with nothing counted yet", () => {
  const copy = { date: '2026-03-10', checked_in: true, fetched_at: 5, items: [
    { exercise: 'heel_drop', logged_sets: 3, logged_by_side: { left: 2, right: 1 } },
    { exercise: 'calf_raise', logged_sets: 2, logged_by_side: null },
  ] };
  const next = dayCopy(copy, '2026-03-11');
  assert.equal(next.date, '2026-03-11'); // sets logged from it are dated today, not the copy's day
  assert.equal(next.copy_of, '2026-03-10');
  assert.deepEqual(next.items.map((i) => [i.logged_sets, i.logged_by_side]), [[0, { left: 0, right: 0 }], [0, null]]);
  assert.equal(next.checked_in, false);
  assert.equal(next.fetched_at, 0); // everything sent from this phone for today counts on its cards
  assert.equal(dayCopy(copy, '2026-03-10'), copy); // today's own copy: as it was
  assert.equal(dayCopy(copy, null), copy);
});

test("Progress plots one morning a day: the day's last check-in", () => {
  const rows = [{ date: '2026-03-09', morning_pain: 2 }, { date: '2026-03-10', morning_pain: 1 }, { date: '2026-03-10', morning_pain: 6 }];
  assert.deepEqual(lastOfEachDay(rows).map((r) => [r.date, r.morning_pain]), [['2026-03-09', 2], ['2026-03-10', 6]]);
});
