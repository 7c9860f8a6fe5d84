import assert from 'node:assert/strict';
import { test } from 'node:test';
import { localToday, patientToday } from '../src/ui.js';

process.env.TZ = 'Pacific/Auckland'; // ahead of UTC, so a UTC date would be yesterday's

test("today is the device's calendar date, not UTC's", () => {
  // 00:30 on 1 March in the device's zone: UTC may still be 28 February (or already 1 March), the device is not.
  assert.equal(localToday(new Date(2026, 2, 1, 0, 30)), '2026-03-01');
  assert.equal(localToday(new Date(2026, 11, 31, 23, 59)), '2026-12-31');
});

test("the patient's day is their time zone's calendar date, whatever the device's zone", () => {
  const at = new Date(Date.UTC(2026, 2, 1, 11, 0)); // 11:00 UTC on 1 March
  assert.equal(localToday(at, 'Pacific/Kiritimati'), '2026-03-02'); // UTC+14: already 01:00 on 2 March
  assert.equal(localToday(at, 'Pacific/Pago_Pago'), '2026-03-01'); // UTC-11: midnight of 1 March
  assert.equal(localToday(at, 'Europe/Copenhagen'), '2026-03-01');
  assert.equal(localToday(at, 'Not/AZone'), localToday(at)); // a zone the browser does not know: the device's
});

test('what the patient answers now is dated by their zone; without one it is left to the server', () => {
  assert.equal(patientToday({ timezone: 'Pacific/Kiritimati' }), localToday(new Date(), 'Pacific/Kiritimati'));
  assert.equal(patientToday({ timezone: null }), undefined);
  assert.equal(JSON.stringify({ date: patientToday({}) }), '{}'); // left out of the body
});
