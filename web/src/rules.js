// The clinical rules the screens show, as the server states them (GET /api/v1/settings/): fetched once a
// session and kept on the phone for offline use. Until the first answer arrives, the defaults the server
// ships with stand in (the same numbers), so a first offline start still shows the pain zones.
import { api } from './api.js';
import { kvGet, kvSet } from './db.js';
import { paths } from './paths.js';

const KEY = 'rules';
const DEFAULTS = {
  pain_zones: [
    { name: 'safe', min: 0, max: 2 },
    { name: 'acceptable', min: 3, max: 5 },
    { name: 'too_much', min: 6, max: 10 },
  ],
  default_protocol: { midportion: 'alfredson', insertional: 'alfredson_insertional' },
  protocols_without_reason: { midportion: ['alfredson', 'hsr'], insertional: ['alfredson_insertional'] },
};
let current = DEFAULTS;

export const rules = () => current;

/** The user's clinic as the server names it (``clinic`` of GET /api/v1/settings/): name, logo, colour, phone. */
export const clinic = () => current.clinic || null;

/** The clinic's colour as the app's accent (a #rrggbb the server has checked), else the app's own. */
export function applyClinicLook(root = document.documentElement) {
  const colour = clinic()?.colour;
  if (colour && /^#[0-9a-fA-F]{6}$/.test(colour)) root.style.setProperty('--teal', colour);
  else root.style.removeProperty('--teal');
}

/** A logo the page may load: a path on this site or a data:image URL (the CSP allows no other images). */
export function clinicLogo(info = clinic()) {
  const url = info?.logo_url || '';
  return /^\/[^/\\]/.test(url) || url.startsWith('data:image/') ? url : null;
}

/** A ``tel:`` link for a phone number as the clinic wrote it (spaces and dashes dropped). */
export function telHref(phone) {
  const digits = String(phone || '').replace(/[^0-9+]/g, '');
  return digits.length >= 3 ? `tel:${digits}` : null;
}

/** Fetch the rules (and keep them); offline, the ones kept last time. */
export async function loadRules() {
  try {
    current = await api(paths.rules());
    await kvSet(KEY, current).catch(() => {});
  } catch {
    current = (await kvGet(KEY).catch(() => null)) || current;
  }
  return current;
}

/** The pain zone of a 0–10 value: safe, acceptable or too_much. */
export function zoneOf(value, zones = current.pain_zones) {
  return (zones.find((z) => value >= z.min && value <= z.max) || zones[zones.length - 1]).name;
}
