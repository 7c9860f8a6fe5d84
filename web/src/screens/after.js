// After week 12 on Today (docs/clinical.md §11): the review still to come or its note from the physio, and the
// next step — maintenance (a prompt, twice a week), return to running (the step, a run log, next morning's
// pain), discharged, referred on. What the step is and whether a run kept the pain rules come from the server.
import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { formatDate, t } from '../i18n.js';
import { newClientId } from '../outbox.js';
import { paths } from '../paths.js';
import { ErrorNote, html, PainInput } from '../ui.js';

export function AfterWeek12({ today, onChange }) {
  const after = today.after_week12;
  if (!after) return null;
  if (!after.next_state) {
    // While the outcome questionnaire's window is open, Today's outcome_review line says the review is coming.
    return today.outcome_review ? null : html`<div class="note" data-testid="after-week12"><p>${t('review_pending')}</p></div>`;
  }
  return html`<section class="after" data-testid="after-week12" aria-labelledby="after-title">
    <h2 id="after-title">${t(`next_${after.next_state}`)}</h2>
    ${after.patient_note && html`<div class="note"><p class="strong">${t('review_note_from')}</p><p>${after.patient_note}</p></div>`}
    ${after.next_state === 'maintenance' && html`<${Maintenance} today=${today} after=${after} />`}
    ${after.next_state === 'return_to_running' && html`<${Running} key=${after.running?.step} running=${after.running} date=${today.date} onChange=${onChange} />`}
    ${after.next_state === 'referred' && html`<p>${t('referred_to', { step: t(`referral_${after.referral}`) })}</p>
      ${after.referral_note && html`<p>${after.referral_note}</p>`}`}
    ${after.next_state === 'discharged' && html`<p>${t('discharged_text')}</p>`}
  </section>`;
}

function Maintenance({ today, after }) {
  return html`<p>${t('maintenance_text', { until: formatDate(after.ends_on) })}</p>
    ${today.items.length === 0 && html`<p class="note">${t('maintenance_rest')}</p>`}`;
}

function Running({ running, date, onChange }) {
  const [minutes, setMinutes] = useState(running?.minutes_run ?? 0);
  const [pain, setPain] = useState(0);
  const [morning, setMorning] = useState(0);
  const [status, setStatus] = useState(null);
  if (!running?.started) return html`<p>${t('running_gate_wait')}</p>`;
  const post = async (path, method, body) => {
    setStatus(null);
    try {
      await api(path, { method, body });
      setStatus({ ok: true });
      onChange();
    } catch (error) {
      setStatus({ error });
    }
  };
  const waiting = running.awaiting_morning;
  return html`<p>${t('running_step', { step: running.step, steps: running.steps, minutes: running.minutes_run, times: running.sessions_per_week })}</p>
    ${running.held && html`<p class="note warn" role="status">${t('running_held', { why: running.held_reason })}</p>`}
    ${running.done && html`<p class="note success">${t('running_done')}</p>`}
    ${waiting && html`<form class="card" onSubmit=${(e) => { e.preventDefault(); post(paths.runningLog(waiting.id), 'PATCH', { pain_next_morning: morning }); }}>
      <${PainInput} id="run-morning" label=${t('running_morning', { date: formatDate(waiting.date) })} value=${morning} onInput=${setMorning} />
      <button type="submit">${t('running_morning_save')}</button></form>`}
    <form class="card" onSubmit=${(e) => { e.preventDefault(); post(paths.runningLogs(), 'POST', { client_id: newClientId(), date, minutes_run: Number(minutes), pain_during: pain }); }}>
      <h3>${t('running_log_title')}</h3>
      <div class="field"><label for="run-minutes">${t('running_minutes')}</label>
        <input id="run-minutes" type="number" min="0" max="300" value=${minutes} onInput=${(e) => setMinutes(e.currentTarget.value)} /></div>
      <${PainInput} id="run-pain" label=${t('running_pain')} value=${pain} onInput=${setPain} />
      <button type="submit">${t('running_log_save')}</button></form>
    ${status?.ok && html`<p role="status" class="note success">${t('running_saved')}</p>`}
    <${ErrorNote} error=${status?.error} />`;
}
