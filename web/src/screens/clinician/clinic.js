// The clinic's own page, for its admins (clinic admin, organisation admin): the name, contact and looks
// the patients see, and the clinic's staff — add a physio, physician or clinic admin, turn an account off.
import { useState } from 'preact/hooks';
import { api } from '../../api.js';
import { t } from '../../i18n.js';
import { paths } from '../../paths.js';
import { ErrorNote, html, Screen, useLoad } from '../../ui.js';

const FIELDS = [
  ['name', 'clinic_name', 'text'],
  ['contact_phone', 'clinic_phone', 'tel'],
  ['opening_hours', 'clinic_hours', 'text'],
  ['red_flag_contact', 'clinic_red_flag_contact', 'text'],
  ['public_url', 'clinic_public_url', 'url'],
  ['colour', 'clinic_colour', 'color'],
];
const STAFF_ROLES = ['physio', 'physician', 'clinic_admin'];

export function Clinic({ me }) {
  const [version, setVersion] = useState(0);
  const [clinics] = useLoad(() => api(paths.clinics()), [version]);
  const [chosen, setChosen] = useState(null);
  const list = clinics.data || [];
  const clinic = list.find((c) => c.id === chosen) || list[0];
  return html`<${Screen} title=${t('clinic_title')}>
    <${ErrorNote} error=${clinics.error} />
    ${list.length > 1 && html`<div class="field"><label for="c-pick">${t('clinic_pick')}</label>
      <select id="c-pick" value=${String(clinic?.id ?? '')} onChange=${(e) => setChosen(Number(e.currentTarget.value))}>
        ${list.map((c) => html`<option value=${String(c.id)}>${c.name}</option>`)}
      </select></div>`}
    ${clinic && html`<${ClinicForm} key=${clinic.id} clinic=${clinic} onSaved=${() => setVersion((v) => v + 1)} />
      <${Staff} key=${`s${clinic.id}`} clinic=${clinic} me=${me} />`}
  <//>`;
}

function ClinicForm({ clinic, onSaved }) {
  const [form, setForm] = useState(() => Object.fromEntries(FIELDS.map(([name]) => [name, clinic[name] ?? ''])));
  const [error, setError] = useState(null);
  const [saved, setSaved] = useState(false);
  const submit = async (e) => {
    e.preventDefault();
    setError(null);
    setSaved(false);
    try {
      await api(paths.clinic(clinic.id), { method: 'PATCH', body: form });
      setSaved(true);
      onSaved();
    } catch (err) {
      setError(err);
    }
  };
  return html`<form class="enrol" onSubmit=${submit} data-testid="clinic-form">
    ${FIELDS.map(([name, key, type]) => html`<div class="field" key=${name}><label for=${`c-${name}`}>${t(key)}</label>
      <input id=${`c-${name}`} type=${type} value=${form[name]} required=${name === 'name'}
        onInput=${(e) => setForm({ ...form, [name]: e.currentTarget.value })} /></div>`)}
    <${ErrorNote} error=${error} />
    ${saved && html`<p class="note success" role="status">${t('saved')}</p>`}
    <button type="submit">${t('save')}</button>
  </form>`;
}

function Staff({ clinic, me }) {
  const [version, setVersion] = useState(0);
  const [staff] = useLoad(() => api(paths.clinicStaff(clinic.id)), [clinic.id, version]);
  const [form, setForm] = useState({ username: '', password: '', role: 'physio' });
  const [error, setError] = useState(null);
  const reload = () => setVersion((v) => v + 1);
  const add = async (e) => {
    e.preventDefault();
    setError(null);
    try {
      await api(paths.clinicStaff(clinic.id), { method: 'POST', body: { ...form, username: form.username.trim() } });
      setForm({ username: '', password: '', role: form.role });
      reload();
    } catch (err) {
      setError(err);
    }
  };
  const toggle = async (member) => {
    setError(null);
    try {
      await api(paths.clinicStaffMember(clinic.id, member.id), { method: 'PATCH', body: { is_active: !member.is_active } });
      reload();
    } catch (err) {
      setError(err);
    }
  };
  const set = (name) => (e) => setForm({ ...form, [name]: e.currentTarget.value });
  return html`<section class="clinic-staff"><h2>${t('clinic_staff')}</h2>
    <${ErrorNote} error=${staff.error || error} />
    <ul data-testid="clinic-staff">${(staff.data || []).map((m) => html`<li key=${m.id}>
      <span>${m.username} · ${t(`role_${m.role}`)} · ${m.is_active ? t('staff_active') : t('staff_inactive')}</span>
      ${STAFF_ROLES.includes(m.role) && m.id !== me?.id && html`<button type="button" class="secondary" onClick=${() => toggle(m)}>
        ${m.is_active ? t('staff_turn_off') : t('staff_turn_on')}</button>`}
    </li>`)}</ul>
    <form class="enrol" onSubmit=${add}><h3>${t('clinic_add_staff')}</h3>
      <div class="field"><label for="s-username">${t('username')}</label>
        <input id="s-username" required autocomplete="off" autocapitalize="none" value=${form.username} onInput=${set('username')} /></div>
      <div class="field"><label for="s-password">${t('password')}</label>
        <input id="s-password" type="password" required minlength="8" autocomplete="new-password" value=${form.password} onInput=${set('password')} /></div>
      <div class="field"><label for="s-role">${t('clinic_staff_role')}</label>
        <select id="s-role" value=${form.role} onChange=${set('role')}>
          ${STAFF_ROLES.map((r) => html`<option value=${r}>${t(`role_${r}`)}</option>`)}
        </select></div>
      <button type="submit">${t('clinic_add')}</button>
    </form>
  </section>`;
}
