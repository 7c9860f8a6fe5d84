// The clinician's "After week 12" on a patient's page (docs/clinical.md §11): the review decision (the next step,
// a note written for the patient apart from the clinical note, the pathway step when referred on), the
// return-to-running checklist to fill in and sign, and the running log. The server judges; this shows.
import { useState } from 'preact/hooks';
import { api } from '../../api.js';
import { formatDate, t } from '../../i18n.js';
import { paths } from '../../paths.js';
import { ErrorNote, html } from '../../ui.js';
import { useLive } from './common.js';

const NEXT_STATES = ['maintenance', 'return_to_running', 'discharged', 'referred'];
const REFERRALS = ['supervised_repeat', 'injection', 'prp', 'shockwave', 'tenex', 'tendon_scraping', 'surgery', 'other'];
const GATE_ITEMS = ['pain_ok', 'heel_raise_ok', 'hopping_ok', 'patient_ready'];

async function sendWith(setStatus, path, method, body, after) {
  setStatus(null);
  try {
    await api(path, { method, body });
    setStatus({ ok: true });
    after();
  } catch (error) {
    setStatus({ error });
  }
}

export function AfterWeek12Panel({ program, patientId, me }) {
  const [{ data, error }, retry] = useLive(async () => {
    const [review, runs] = await Promise.all([
      api(paths.programReview(program.id)),
      api(paths.runningLogs({ patient: patientId, page_size: 200 })),
    ]);
    return { review, runs: runs.results ?? runs };
  }, [program.id]);
  if (error && !data) return html`<section><h2>${t('after_title')}</h2><${ErrorNote} error=${error} onRetry=${retry} /></section>`;
  if (!data) return null;
  const { review, runs } = data;
  return html`<section class="after-panel" aria-labelledby="after-panel-title"><h2 id="after-panel-title">${t('after_title')}</h2>
    <p>${review.outcome == null ? t('after_no_outcome') : t('after_scores', { baseline: review.baseline ?? '–', outcome: review.outcome })}</p>
    ${review.next_state && html`<p class="strong" data-testid="next-state">${t('after_state_line', { state: t(`next_${review.next_state}`), by: review.decided_by, date: review.decided_at ? formatDate(review.decided_at) : '' })}</p>`}
    ${review.follow_ups.length > 0 && html`<p>${t('after_follow_ups')}: ${review.follow_ups.map((f) => `${f.months} ${t('months')} (${formatDate(f.due_on)}): ${f.score ?? '–'}`).join(' · ')}</p>`}
    <${Decision} key=${review.decided_at} program=${program} review=${review} onDone=${retry} />
    ${review.next_state === 'return_to_running' && html`<${Gate} key=${review.gate?.signed_at} program=${program} gate=${review.gate} me=${me} onDone=${retry} />`}
    ${runs.length > 0 && html`<table class="runs"><caption>${t('running_log_clin')}</caption>
      <thead><tr><th>${t('col_date')}</th><th>${t('col_step')}</th><th>${t('running_minutes')}</th><th>${t('running_pain')}</th><th>${t('col_morning')}</th><th>${t('col_rules')}</th></tr></thead>
      <tbody>${runs.map((r) => html`<tr key=${r.id}><td>${formatDate(r.date)}</td><td>${r.step}</td><td>${r.minutes_run}</td><td>${r.pain_during}</td>
        <td>${r.pain_next_morning ?? '–'}</td><td>${r.ok == null ? '…' : r.ok ? t('rules_kept') : t('rules_broken')}</td></tr>`)}</tbody></table>`}
  </section>`;
}

function Decision({ program, review, onDone }) {
  const [form, setForm] = useState({
    next_state: review.next_state || 'maintenance', patient_note: review.patient_note, clinical_note: review.clinical_note,
    referral: review.referral, referral_note: review.referral_note,
  });
  const [status, setStatus] = useState(null);
  const set = (key) => (e) => setForm({ ...form, [key]: e.currentTarget.value });
  const submit = (e) => {
    e.preventDefault();
    const body = { ...form };
    if (body.next_state !== 'referred') delete body.referral;
    sendWith(setStatus, paths.programReview(program.id), 'POST', body, onDone);
  };
  return html`<form onSubmit=${submit}><fieldset><legend>${t('review_decision')}</legend>
    <div class="field"><label for="next-state">${t('next_state')}</label>
      <select id="next-state" value=${form.next_state} onChange=${set('next_state')}>
        ${NEXT_STATES.map((s) => html`<option key=${s} value=${s}>${t(`next_${s}`)}</option>`)}</select></div>
    ${form.next_state === 'referred' && html`<div class="field"><label for="referral">${t('referral')}</label>
      <select id="referral" value=${form.referral} onChange=${set('referral')} required>
        <option value="">–</option>${REFERRALS.map((r) => html`<option key=${r} value=${r}>${t(`referral_${r}`)}</option>`)}</select></div>
      <div class="field"><label for="referral-note">${t('referral_note')}</label>
        <input id="referral-note" value=${form.referral_note} onInput=${set('referral_note')} /></div>`}
    <div class="field"><label for="patient-note">${t('patient_note')}</label>
      <textarea id="patient-note" rows="3" required value=${form.patient_note} onInput=${set('patient_note')}></textarea></div>
    <div class="field"><label for="clinical-note">${t('clinical_note')}</label>
      <textarea id="clinical-note" rows="2" value=${form.clinical_note} onInput=${set('clinical_note')}></textarea></div>
    <button type="submit">${t('review_save')}</button>
    ${status?.ok && html`<p role="status" class="note success">${t('review_saved')}</p>`}
    <${ErrorNote} error=${status?.error} />
  </fieldset></form>`;
}

function Gate({ program, gate, me, onDone }) {
  const [form, setForm] = useState({
    pain_ok: false, heel_raise_ok: false, hopping_ok: false, patient_ready: false, heel_raise_affected: '',
    heel_raise_other: '', note: '', ...(gate || {}),
  });
  const [status, setStatus] = useState(null);
  const save = (sign) => {
    const count = (v) => (v === '' || v == null ? null : Number(v));
    const body = { ...form, heel_raise_affected: count(form.heel_raise_affected), heel_raise_other: count(form.heel_raise_other), sign };
    delete body.signed_at;
    delete body.signed_by;
    sendWith(setStatus, paths.runningGate(program.id), 'PUT', body, onDone);
  };
  const mayEdit = me.role !== 'physician';
  return html`<form onSubmit=${(e) => { e.preventDefault(); save(true); }}><fieldset disabled=${!mayEdit}><legend>${t('gate_title')}</legend>
    ${gate?.signed_at && html`<p class="note success" data-testid="gate-signed">${t('gate_signed', { by: gate.signed_by, date: formatDate(gate.signed_at) })}</p>`}
    ${GATE_ITEMS.map((item) => html`<label class="check" key=${item}><input type="checkbox" checked=${form[item]}
      onChange=${(e) => setForm({ ...form, [item]: e.currentTarget.checked })} /><span>${t(`gate_${item}`)}</span></label>`)}
    <div class="row">
      <div class="field"><label for="raises-affected">${t('gate_raises_affected')}</label>
        <input id="raises-affected" type="number" min="0" max="500" value=${form.heel_raise_affected ?? ''} onInput=${(e) => setForm({ ...form, heel_raise_affected: e.currentTarget.value })} /></div>
      <div class="field"><label for="raises-other">${t('gate_raises_other')}</label>
        <input id="raises-other" type="number" min="0" max="500" value=${form.heel_raise_other ?? ''} onInput=${(e) => setForm({ ...form, heel_raise_other: e.currentTarget.value })} /></div>
    </div>
    <div class="field"><label for="gate-note">${t('gate_note')}</label>
      <input id="gate-note" value=${form.note} onInput=${(e) => setForm({ ...form, note: e.currentTarget.value })} /></div>
    <div class="row"><button type="button" class="secondary" onClick=${() => save(false)}>${t('gate_draft')}</button>
      <button type="submit">${t('gate_sign')}</button></div>
    ${status?.ok && html`<p role="status" class="note success">${t('done_ok')}</p>`}
    <${ErrorNote} error=${status?.error} />
  </fieldset></form>`;
}
