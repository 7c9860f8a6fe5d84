// Enrolment: the patient and their program in one form, with the clinical defaults from the server.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../../api.js';
import { t } from '../../i18n.js';
import { paths } from '../../paths.js';
import { rules } from '../../rules.js';
import { ErrorNote, html, Link, localToday, navigate, Screen } from '../../ui.js';
import { PROTOCOLS } from './common.js';

function suggestPassword() {
  const words = ['calf', 'heel', 'step', 'tendon', 'walk', 'hop', 'rise', 'stair', 'sole', 'ankle'];
  const pick = () => words[crypto.getRandomValues(new Uint32Array(1))[0] % words.length];
  return `${pick()}-${pick()}-${pick()}-${crypto.getRandomValues(new Uint32Array(1))[0] % 900 + 100}`;
}

export function Enrol() {
  const today = localToday();
  const empty = () => ({
    username: '', password: suggestPassword(), timezone: Intl.DateTimeFormat().resolvedOptions().timeZone,
    side: 'left', tendinopathy: 'midportion', physician: '', protocol: '', override_reason: '', start_date: today,
  });
  const [form, setForm] = useState(empty);
  const [physicians, setPhysicians] = useState(null); // null until loaded: the form cannot be sent before
  const [error, setError] = useState(null);
  const [created, setCreated] = useState(null);
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    api(paths.clinicians('physician')).then((list) => {
      setPhysicians(list);
      setForm((old) => ({ ...old, physician: old.physician || String(list[0]?.id ?? '') }));
    }, setError);
  }, []);
  const known = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  // The device's zone may be an alias the list leaves out (Chromium lists no "UTC"): offer it first then.
  const zones = known.includes(form.timezone) ? known : [form.timezone, ...known];
  const set = (name) => (e) => setForm({ ...form, [name]: e.currentTarget.value });
  // which protocol each tendinopathy type gets, and which need a reason: the server's rules
  const { default_protocol: defaults, protocols_without_reason: fits } = rules();
  const defaultProtocol = defaults[form.tendinopathy];
  const protocol = form.protocol || defaultProtocol;
  const misfit = !fits[form.tendinopathy].includes(protocol);
  const submit = async (e) => {
    e.preventDefault();
    setError(null);
    try {
      const patient = await api(paths.patients(), {
        method: 'POST',
        body: { username: form.username.trim(), password: form.password, timezone: form.timezone, side: form.side,
                tendinopathy: form.tendinopathy, physician: Number(form.physician) },
      });
      const body = { patient: patient.id, protocol, start_date: form.start_date };
      if (misfit) body.override_reason = form.override_reason;
      let program = null;
      try {
        program = await api(paths.programs(), { method: 'POST', body });
      } catch (err) {
        setError(err); // the patient exists: their program can be added from their page
      }
      setCreated({ patient, program, username: form.username.trim(), password: form.password });
    } catch (err) {
      setError(err);
    }
  };
  if (created) {
    const text = t('first_sign_in_text', { url: location.origin, username: created.username, password: created.password });
    return html`<${Screen} title=${t('enrol_title')}>
      <${ErrorNote} error=${error} />
      <section class="first-sign-in"><h2>${t('first_sign_in')}</h2><p data-testid="first-sign-in">${text}</p>
        <div class="row no-print">
          <button type="button" class="secondary" onClick=${() => navigator.clipboard?.writeText(text).then(() => setCopied(true))}>${copied ? t('copied') : t('copy')}</button>
          <button type="button" class="secondary" onClick=${() => window.print()}>${t('print')}</button>
          <${Link} class="button secondary" href=${`/patients/${created.patient.id}`}>${t('open_patient')}<//>
          <button type="button" class="secondary" onClick=${() => { setCreated(null); setForm(empty()); }}>${t('enrol_another')}</button>
        </div></section>
    <//>`;
  }
  return html`<${Screen} title=${t('enrol_title')}>
    <form class="enrol" onSubmit=${submit}>
      <div class="field"><label for="e-username">${t('username')}</label>
        <input id="e-username" required autocomplete="off" autocapitalize="none" value=${form.username} onInput=${set('username')} /></div>
      <div class="field"><label for="e-password">${t('password')}</label>
        <input id="e-password" required minlength="8" autocomplete="new-password" value=${form.password} onInput=${set('password')} /></div>
      <div class="field"><label for="e-tendinopathy">${t('tendinopathy')}</label>
        <select id="e-tendinopathy" value=${form.tendinopathy} onChange=${(e) => setForm({ ...form, tendinopathy: e.currentTarget.value, protocol: '' })}>
          <option value="midportion">${t('tendinopathy_midportion')}</option><option value="insertional">${t('tendinopathy_insertional')}</option>
        </select></div>
      <div class="field"><label for="e-protocol">${t('protocol')}</label>
        <select id="e-protocol" value=${protocol} onChange=${set('protocol')}>
          ${PROTOCOLS.map((p) => html`<option value=${p}>${t(`protocol_${p}`)}</option>`)}
        </select></div>
      ${misfit && html`<div class="field"><label for="e-reason">${t('override_reason')}</label>
        <input id="e-reason" required value=${form.override_reason} onInput=${set('override_reason')} /></div>`}
      <div class="field"><label for="e-side">${t('side')}</label>
        <select id="e-side" value=${form.side} onChange=${set('side')}>
          ${['left', 'right', 'both'].map((s) => html`<option value=${s}>${t(`side_${s}`)}</option>`)}
        </select></div>
      <div class="field"><label for="e-physician">${t('physician')}</label>
        <select id="e-physician" required value=${form.physician} onChange=${set('physician')}>
          ${(physicians || []).map((p) => html`<option value=${String(p.id)}>${p.username}</option>`)}
        </select></div>
      <div class="field"><label for="e-timezone">${t('timezone')}</label>
        <select id="e-timezone" value=${form.timezone} onChange=${set('timezone')}>
          ${zones.map((z) => html`<option value=${z}>${z}</option>`)}
        </select></div>
      <div class="field"><label for="e-start">${t('start_date')}</label>
        <input id="e-start" type="date" required value=${form.start_date} onInput=${set('start_date')} /></div>
      <${ErrorNote} error=${error} />
      <button type="submit" class="big" disabled=${physicians === null}>${t('enrol_submit')}</button>
    </form>
  <//>`;
}
