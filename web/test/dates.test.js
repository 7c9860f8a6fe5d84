import assert from 'node:assert/strict';
import { test } from 'node:test';
import { localToday } from '../src/ui.js';

process.env.TZ = 'Pacific/Auckland'; // ahead of UTC, so a UTC date would be yesterday's

test("today is the device's calendar date, not UTC's", () => {
  // 00:30 on 1 March in the device's zone: UTC may still be 28 February (or already 1 March), the device is not.
  assert.equal(localToday(new Date(2026, 2, 1, 0, 30)), '2026-03-01');
  assert.equal(localToday(new Date(2026, 11, 31, 23, 59)), '2026-12-31');
});
