import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeError, errorText, fieldErrors, HttpError, NoticeError } from '../src/api.js';
import { formatDate, formatDateTime, formatMonth, formatTime, LANGUAGES, locale, parseKg, setLanguage, t, texts } from '../src/i18n.js';

const placeholders = (text) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

test('every language has every English text, with the same placeholders', () => {
  const en = texts('en');
  for (const code of Object.keys(LANGUAGES)) {
    const other = texts(code);
    assert.deepEqual(Object.keys(en).filter((k) => !(k in other)), [], `${code} lacks texts`);
    assert.deepEqual(Object.keys(other).filter((k) => !(k in en)), [], `${code} has texts English lacks`);
    for (const key of Object.keys(en)) assert.deepEqual(placeholders(other[key]), placeholders(en[key]), `${code}.${key}`);
  }
});

test('one date and time format per language, a calendar date never shifted by the time zone', () => {
  process.env.TZ = 'America/Los_Angeles'; // behind UTC: new Date("2026-03-01") would be 28 February here
  setLanguage('en');
  assert.equal(locale([]), 'en-GB');
  assert.equal(formatDate('2026-03-01'), '1 Mar 2026');
  assert.equal(formatTime('08:05'), '08:05');
  assert.equal(formatTime('18:30:00'), '18:30');
  assert.equal(formatTime(''), ''); // a time field emptied: nothing, not an exception
  assert.equal(formatMonth('2026-12'), 'December 2026');
  assert.equal(formatDateTime('2026-12-01T16:43:03Z'), '1 Dec 2026, 08:43');
  assert.equal(locale(['en-US', 'da']), 'en-US'); // the device's own English
  setLanguage('da');
  assert.equal(locale(['en-US']), 'da-DK');
  assert.equal(formatDate('2026-03-01'), '1. mar. 2026');
  assert.equal(formatTime('08:05'), '08.05');
  setLanguage('en');
});

test('a failed answer reads as a plain sentence, never a raw code or server message', () => {
  setLanguage('en');
  assert.equal(errorText(400, { outcome: ['"" is not a valid choice.'] }), 'Outcome: Please choose one of the options.');
  assert.equal(errorText(400, { reps: ['Ensure this value is less than or equal to 500.'] }), 'Reps: This number is too high.');
  assert.equal(errorText(400, { non_field_errors: ['Send a JSON list of set logs.'] }), 'Send a JSON list of set logs.');
  assert.equal(errorText(400, { weird_field: ['Too long.'] }), 'Too long.'); // no raw field name
  assert.equal(errorText(400, null), 'Please check what you entered.');
  assert.equal(
    errorText(401, { detail: 'No active account found with the given credentials', code: 'no_active_account' }),
    'The username or password is not right.',
  );
  assert.equal(errorText(429, { detail: 'Request was throttled.' }), t('err_throttled'));
  assert.equal(errorText(503, { detail: 'upstream' }), t('err_server'));
  assert.deepEqual(fieldErrors({ answers: [['A valid integer is required.']], detail: 'x' }), { answers: 'Please enter a number.' });
  const push = new DOMException('Registration failed - permission denied', 'NotAllowedError');
  assert.equal(describeError(push), t('err_not_allowed'));
  assert.equal(describeError(new TypeError('Failed to fetch')), t('network_error'));
  assert.equal(describeError(new Error('x is undefined')), t('err_unexpected'));
  assert.equal(describeError(new NoticeError(t('push_denied'))), t('push_denied'));
  assert.equal(describeError(new HttpError(404, { detail: 'Not found.' })), t('err_not_found'));
  setLanguage('da');
  assert.equal(errorText(400, { outcome: ['"" er ikke et gyldigt valg.'] }), 'Udfald: Vælg venligst en af mulighederne.');
  setLanguage('en');
});

test('no text key is written twice in a language (the second would silently replace the first)', async () => {
  const { readFile } = await import('node:fs/promises');
  const source = await readFile(new URL('../src/i18n.js', import.meta.url), 'utf8');
  for (const name of ['en', 'da']) {
    const block = source.split(`const ${name} = {\n`)[1].split('\n};\n')[0];
    const keys = [...block.matchAll(/(?:^ {2}|, )(\w+): ['`"]/gm)].map((m) => m[1]); // several a line, too
    const twice = keys.filter((key, i) => keys.indexOf(key) !== i);
    assert.deepEqual(twice, [], `${name}: keys written twice`);
  }
});

test('a weight typed with a comma or a point is the same weight; anything else is no weight', () => {
  assert.equal(parseKg('2,5'), 2.5); // a number field read this as 25 kg
  assert.equal(parseKg(' 62.5 '), 62.5);
  assert.equal(parseKg('40'), 40);
  assert.equal(parseKg(''), null);
  for (const bad of ['abc', '2,5,1', '1.234', '501', '-3', '2.5kg']) assert.ok(Number.isNaN(parseKg(bad)), bad);
});
