import assert from 'node:assert/strict';
import { test } from 'node:test';
import { complete, ITEM8, unanswered, visaScore } from '../src/visa.js';

test('each item-8 branch takes only its published values (Robinson 2001)', () => {
  assert.deepEqual(ITEM8, { A: [0, 7, 14, 21, 30], B: [0, 4, 10, 14, 20], C: [0, 2, 5, 7, 10] });
  const base = [10, 10, 10, 10, 10, 10, 10];
  assert.equal(complete([...base, 30], 'A'), true);
  assert.equal(complete([...base, 30], 'B'), false);
  assert.equal(complete([...base, 20], 'B'), true);
  assert.equal(complete([...base, 7], 'C'), true);
  assert.equal(complete([...base, 7], null), false);
  assert.equal(complete([10, 10, 10, 10, 10, 10, 5, 30], 'A'), false); // item 7 takes 0, 4, 7 or 10
});

test('the score is the sum, 0–100', () => {
  assert.equal(visaScore([10, 10, 10, 10, 10, 10, 10, 30]), 100);
  assert.equal(visaScore([5, 4, 6, 5, 6, 5, 4, 14]), 49);
});

test('the questions left unanswered are named, item 8 without its branch or its answer too', () => {
  assert.deepEqual(unanswered([10, null, 10, 10, 10, 10, 10, 30], 'A'), [2]);
  assert.deepEqual(unanswered([null, null, null, null, null, null, null, null], null), [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.deepEqual(unanswered([10, 10, 10, 10, 10, 10, 5, 30], 'A'), [7]);
  assert.deepEqual(unanswered([10, 10, 10, 10, 10, 10, 10, null], 'B'), [8]);
  assert.deepEqual(unanswered([10, 10, 10, 10, 10, 10, 10, 20], 'B'), []);
});
