// What to do now after a red-flag answer (docs/clinical.md §8.2). The server's advice names the clinic; offline, the
// advice that ships with the app is shown for the same kinds.
import { t } from '../i18n.js';
import { clinic, telHref } from '../rules.js';
import { html } from '../ui.js';

export const RED_FLAG_KINDS = {
  sudden_pop: 'suspected_rupture',
  cannot_heel_raise: 'suspected_rupture',
  swelling_or_redness: 'inflammation',
  fever: 'inflammation',
  fluoroquinolone_or_steroid: 'drug_related',
};
const ORDER = ['suspected_rupture', 'inflammation', 'drug_related'];

/** The bundled advice for these answers, the most urgent first. */
export function bundledAdvice(answers) {
  const kinds = new Set(answers.map((a) => RED_FLAG_KINDS[a]).filter(Boolean));
  // the clinic's number was kept with the rules: the call button works offline too
  const phone = clinic()?.contact_phone || null;
  return ORDER.filter((k) => kinds.has(k)).map((kind) => ({
    kind,
    title: t(`advice_${kind}_title`),
    text: t(`advice_${kind}`),
    phone: kind === 'drug_related' ? null : phone,
  }));
}

export function Advice({ advice, notice, told }) {
  // "Stop your exercises" heads red-flag advice only: morning pain worse than usual says lower the load instead
  const stop = advice.some((a) => a.kind !== 'morning_worse');
  return html`<div class=${stop ? 'advice' : 'advice gentle'} role="alert">
    ${stop && html`<h2>${t('advice_title')}</h2>`}
    ${advice.map((a) => html`<section class="advice-item" key=${a.kind}><h3>${a.title}</h3><p>${a.text}</p>
      ${telHref(a.phone) && html`<a class="button call" href=${telHref(a.phone)} data-testid="call-clinic">${t('advice_call', { name: clinic()?.name || t('advice_call_clinic'), phone: a.phone })}</a>`}</section>`)}
    ${stop && clinic()?.opening_hours && html`<p data-testid="opening-hours">${t('advice_opening_hours', { name: clinic().name, hours: clinic().opening_hours })}</p>`}
    ${notice && html`<p>${notice}</p>`}
    ${told && html`<p class="strong">${told}</p>`}
  </div>`;
}
