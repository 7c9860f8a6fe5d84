// What the app shows of the user's clinic: a call button's tel: link, and only the logos the CSP lets load.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clinicLogo, telHref } from '../src/rules.js';

test('a phone number as the clinic wrote it becomes a tel: link', () => {
  assert.equal(telHref('+45 70 20 30 40'), 'tel:+4570203040');
  assert.equal(telHref('(020) 7946-0958'), 'tel:02079460958');
  assert.equal(telHref(''), null);
  assert.equal(telHref(null), null);
});

test('a logo loads only from this site or a data:image URL', () => {
  assert.equal(clinicLogo({ logo_url: '/static/logo.png' }), '/static/logo.png');
  assert.equal(clinicLogo({ logo_url: 'data:image/png;base64,AAAA' }), 'data:image/png;base64,AAAA');
  assert.equal(clinicLogo({ logo_url: '//elsewhere.example/logo.png' }), null);
  assert.equal(clinicLogo({ logo_url: 'https://elsewhere.example/logo.png' }), null);
  assert.equal(clinicLogo(null), null);
});
