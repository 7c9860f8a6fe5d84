// What the clinician's screens share: the lists they filter by, figures as people read them, small marks.
import { t } from '../../i18n.js';
import { html, useLoad } from '../../ui.js';

export const PROTOCOLS = ['alfredson', 'alfredson_insertional', 'hsr'];
export const FLAG_KINDS = ['red_flag', 'non_adherence', 'pain', 'clinical_review', 'treatment_review', 'missing_outcome', 'follow_up_decline'];
export const PAGE_SIZE = 25;
export const pct = (v) => (v == null ? '–' : `${Math.round(v * 100)}%`);
export const label = (kind) => kind.replaceAll('_', ' ');

/** The caseload, a patient's page and the inbox load again on focus and every minute. */
export const useLive = (load, deps) => useLoad(load, deps, { live: true });

export function Bar({ value, name }) {
  const width = value == null ? 0 : Math.round(Math.min(value, 1) * 60);
  return html`<svg class="minibar" viewBox="0 0 60 10" width="60" height="10" role="img" aria-label=${`${name} ${pct(value)}`}>
    <rect x="0" y="0" width="60" height="10" class="minibar-track" />
    <rect x="0" y="0" width=${width} height="10" class=${value != null && value < 0.5 ? 'minibar-low' : 'minibar-fill'} />
    <line x1="48" y1="0" x2="48" y2="10" class="minibar-target" />
  </svg>`;
}

export function painTrend(d) {
  if (d == null) return '–';
  if (d > 0.5) return html`<span class="trend up">↑ ${t('pain_up', { d: d.toFixed(1) })}</span>`;
  if (d < -0.5) return html`<span class="trend down">↓ ${t('pain_down', { d: d.toFixed(1) })}</span>`;
  return html`<span class="trend">→ ${t('pain_flat')}</span>`;
}
