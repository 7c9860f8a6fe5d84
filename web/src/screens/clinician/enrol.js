// Enrolment: the patient and their program in one form, with the clinical defaults from the server.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../../api.js';
import { formatDate, t } from '../../i18n.js';
import { paths } from '../../paths.js';
import { rules } from '../../rules.js';
import { ErrorNote, html, Link, localToday, navigate, Screen } from '../../ui.js';
import { PROTOCOLS } from './common.js';

/** The invitation just sent: how it went, the link as a QR code (to scan or print), and "send again". */
export function InvitationCard({ patient, invitation, onResend, error }) {
  const [copied, setCopied] = useState(false);
  const how = invitation.channel === 'screen' ? t('invite_screen')
    : invitation.delivered ? t(`invite_sent_${invitation.channel}`, { to: invitation.channel === 'email' ? patient.email : patient.phone })
      : t('invite_not_delivered');
  return html`<section class="first-sign-in"><h2>${t('invitation_for', { name: patient.display_name })}</h2>
    <p data-testid="invitation-status" role="status">${how}</p>
    <figure class="qr"><img src=${invitation.qr_svg} alt=${t('invite_qr_alt')} width="180" height="180" />
      <figcaption>${t('invite_qr_help', { date: formatDate(invitation.expires_at) })}</figcaption></figure>
    <${ErrorNote} error=${error} />
    <div class="row no-print">
      <button type="button" class="secondary" onClick=${() => navigator.clipboard?.writeText(invitation.url).then(() => setCopied(true))}>${copied ? t('copied') : t('copy_link')}</button>
      <button type="button" class="secondary" onClick=${() => window.print()}>${t('print')}</button>
      <button type="button" class="secondary" onClick=${onResend}>${t('invite_again')}</button>
    </div></section>`;
}

export async function sendInvitation(patientId, channel) {
  return api(paths.invitations(), { method: 'POST', body: channel ? { patient: patientId, channel } : { patient: patientId } });
}

export function Enrol() {
  const today = localToday();
  const empty = () => ({
    first_name: '', last_name: '', birth_date: '', email: '', phone: '', record_number: '',
    timezone: Intl.DateTimeFormat().resolvedOptions().timeZone,
    side: 'left', tendinopathy: 'midportion', physician: '', protocol: '', override_reason: '', start_date: today,
  });
  const [form, setForm] = useState(empty);
  const [physicians, setPhysicians] = useState(null); // null until loaded: the form cannot be sent before
  const [error, setError] = useState(null);
  const [created, setCreated] = useState(null);
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
      const identity = {};
      for (const name of ['first_name', 'last_name', 'email', 'phone', 'record_number']) identity[name] = form[name].trim();
      if (form.birth_date) identity.birth_date = form.birth_date;
      const patient = await api(paths.patients(), {
        method: 'POST',
        body: { ...identity, timezone: form.timezone, side: form.side, tendinopathy: form.tendinopathy,
                physician: Number(form.physician) },
      });
      const body = { patient: patient.id, protocol, start_date: form.start_date };
      if (misfit) body.override_reason = form.override_reason;
      let program = null;
      let invitation = null;
      try {
        program = await api(paths.programs(), { method: 'POST', body });
      } catch (err) {
        setError(err); // the patient exists: their program can be added from their page
      }
      try {
        invitation = await sendInvitation(patient.id); // after the program: the link opens on today's exercises
      } catch (err) {
        setError(err); // the patient's page sends it again
      }
      setCreated({ patient, program, invitation });
    } catch (err) {
      setError(err);
    }
  };
  if (created) {
    const resend = () => sendInvitation(created.patient.id).then((invitation) => {
      setError(null);
      setCreated({ ...created, invitation });
    }, setError);
    return html`<${Screen} title=${t('enrol_title')}>
      ${created.invitation ? html`<${InvitationCard} patient=${created.patient} invitation=${created.invitation}
        onResend=${resend} error=${error} />` : html`<${ErrorNote} error=${error} onRetry=${resend} />`}
      <div class="row no-print">
        <${Link} class="button secondary" href=${`/patients/${created.patient.id}`}>${t('open_patient')}<//>
        <button type="button" class="secondary" onClick=${() => { setCreated(null); setError(null); setForm(empty()); }}>${t('enrol_another')}</button>
      </div>
    <//>`;
  }
  return html`<${Screen} title=${t('enrol_title')}>
    <form class="enrol" onSubmit=${submit}>
      <div class="field"><label for="e-first">${t('first_name')}</label>
        <input id="e-first" required autocomplete="off" value=${form.first_name} onInput=${set('first_name')} /></div>
      <div class="field"><label for="e-last">${t('last_name')}</label>
        <input id="e-last" required autocomplete="off" value=${form.last_name} onInput=${set('last_name')} /></div>
      <div class="field"><label for="e-birth">${t('birth_date')}</label>
        <input id="e-birth" type="date" max=${today} autocomplete="off" value=${form.birth_date} onInput=${set('birth_date')} /></div>
      <div class="field"><label for="e-email">${t('email')}</label>
        <input id="e-email" type="email" autocomplete="off" required=${!form.phone.trim()} aria-describedby="e-contact-help"
          value=${form.email} onInput=${set('email')} /></div>
      <div class="field"><label for="e-phone">${t('phone')}</label>
        <input id="e-phone" type="tel" autocomplete="off" required=${!form.email.trim()} aria-describedby="e-contact-help"
          value=${form.phone} onInput=${set('phone')} />
        <p class="hint" id="e-contact-help">${t('contact_help')}</p></div>
      <div class="field"><label for="e-record">${t('record_number')}</label>
        <input id="e-record" autocomplete="off" value=${form.record_number} onInput=${set('record_number')} /></div>
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
