import test from 'node:test';
import assert from 'node:assert/strict';
import { clock, phasesOf, restLeft, schedule, stateAt } from '../src/tempo.js';

const hsr = phasesOf({ lower: 3, rise: 3 });
const alfredson = phasesOf({ lower: 3, rise: null });

test('HSR rises then lowers, 3 s each, counting down', () => {
  assert.deepEqual(hsr.map((p) => [p.name, p.seconds]), [['rise', 3], ['lower', 3]]);
  const s = stateAt(hsr, 15, 0);
  assert.deepEqual([s.rep, s.name, s.count, s.nextAt], [1, 'rise', 3, 1000]);
  const later = stateAt(hsr, 15, 4500);
  assert.deepEqual([later.rep, later.name, later.count, later.phaseStart, later.nextAt], [1, 'lower', 2, 3000, 5000]);
  assert.equal(stateAt(hsr, 15, 6000).reps, 1);
});

test('Alfredson lowers in 3 s, then the untimed rise on the other leg has no count', () => {
  const s = stateAt(alfredson, 15, 3200);
  assert.deepEqual([s.name, s.count], ['rise_other', null]);
});

test('the state comes from the elapsed time alone: a late timer does not shift the schedule', () => {
  const late = stateAt(hsr, 15, 6 * 1000 * 7 + 40); // rep 8 begins at 42 s
  assert.deepEqual([late.rep, late.name, late.phaseStart], [8, 'rise', 42000]);
  assert.equal(schedule(hsr, 15).find((p) => p.rep === 8 && p.phase === 0).at, 42000);
});

test('a finished set has every rep', () => {
  const done = stateAt(hsr, 15, 90_000);
  assert.deepEqual([done.done, done.reps], [true, 15]);
});

test('rest is counted from its end, not from ticks', () => {
  assert.equal(restLeft(100_000, 40_000), 60);
  assert.equal(restLeft(100_000, 99_001), 1);
  assert.equal(restLeft(100_000, 160_000), 0);
  assert.equal(clock(150), '2:30');
});
