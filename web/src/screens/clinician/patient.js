// A patient's page: the timeline chart, adherence by week, VISA-A, flags, program actions, the side, notes,
// exports, the invitation, the conversation, the time log and the RTM month.
import { useState } from 'preact/hooks';
import { api, download } from '../../api.js';
import { BarChart } from '../../charts.js';
import { formatDate, formatDateTime, formatDay, formatTime, parseKg, t } from '../../i18n.js';
import { paths } from '../../paths.js';
import { rules } from '../../rules.js';
import { ErrorNote, html, KgInput, localToday, Screen } from '../../ui.js';
import { exerciseName } from '../today.js';
import { label, named, pct, useLive } from './common.js';
import { InvitationCard, sendInvitation } from './enrol.js';
import { AfterWeek12Panel } from './after.js';
import { FlagActions, Resolution } from './flags.js';
import { Conversation, PatientRtm, TimeLog } from './messages.js';

function TimelineChart({ days }) {
  const w = Math.max(640, days.length * 16);
  const hgt = 160;
  const maxSets = Math.max(1, ...days.map((d) => Math.max(d.prescribed_sets, d.completed_sets)));
  const step = w / days.length;
  const ySets = (v) => hgt - (v / maxSets) * hgt;
  const yPain = (v) => hgt - (v / 10) * hgt;
  const line = (key) =>
    days
      .map((d, i) => (d[key] == null ? null : `${i * step + step / 2},${yPain(d[key]).toFixed(1)}`))
      .filter(Boolean)
      .map((p, i) => `${i ? 'L' : 'M'}${p}`)
      .join(' ');
  return html`<figure class="chart timeline">
    <div class="chart-scroll"><svg viewBox=${`0 0 ${w} ${hgt + 24}`} role="img" aria-label=${t('timeline_chart')}>
      <line x1="0" y1=${yPain(5)} x2=${w} y2=${yPain(5)} class="target" />
      ${days.map((d, i) => html`<g key=${d.date}>
        <rect x=${i * step + 1} y=${ySets(d.prescribed_sets)} width=${step / 2 - 1} height=${hgt - ySets(d.prescribed_sets)} class="bar-prescribed" />
        <rect x=${i * step + step / 2} y=${ySets(d.completed_sets)} width=${step / 2 - 1} height=${hgt - ySets(d.completed_sets)} class="bar" />
        ${d.red_flags.length > 0 && html`<text x=${i * step + step / 2} y="12" text-anchor="middle" class="flagmark">!</text>`}
        ${i % 7 === 0 && html`<text x=${i * step} y=${hgt + 16}>${formatDay(d.date)}</text>`}
      </g>`)}
      <path d=${line('pain_mean')} class="line" />
      <path d=${line('morning_pain')} class="line morning" />
    </svg></div>
    <figcaption>${t('timeline_chart')}</figcaption>
    <ul class="legend">
      <li><span class="key bar-prescribed"></span>${t('legend_prescribed')}</li>
      <li><span class="key bar"></span>${t('legend_completed')}</li>
      <li><span class="key line"></span>${t('legend_pain')}</li>
      <li><span class="key line morning"></span>${t('legend_morning')}</li>
    </ul>
  </figure>`;
}

function Events({ days }) {
  const events = [];
  for (const d of [...days].reverse()) {
    for (const f of d.flags) events.push([d.date, `${t('col_flags')}: ${label(f.kind)} (${named('level', f.level)}, ${named('flag_status', f.status)}) — ${f.reason}`]);
    for (const c of d.program_changes) events.push([d.date, `${c.field}: ${c.old ?? '–'} → ${c.new ?? '–'}`]);
    for (const n of d.notes) events.push([d.date, `${t('notes_title')}: ${n.text}`]);
    for (const r of d.reminders) events.push([d.date, t('event_reminder', { slot: formatTime(r.slot), status: named('reminder_status', r.status), why: r.skip_reason ? ` (${r.skip_reason})` : '' })]);
    if (d.morning_pain != null) events.push([d.date, t('event_checkin', { pain: d.morning_pain, stiffness: d.morning_stiffness_minutes, flags: d.red_flags.length ? t('event_red_flags', { flags: d.red_flags.join(', ') }) : '' })]);
    if (d.visa_a != null) events.push([d.date, t('event_visa', { score: d.visa_a })]);
  }
  return html`<details class="events"><summary>${t('events_title')} (${events.length})</summary>
    <ul>${events.map(([date, text], i) => html`<li key=${i}><time datetime=${date}>${formatDate(date)}</time> ${text}</li>`)}</ul></details>`;
}

/** Every flag of the patient, open ones first with their actions, resolved ones with their decision and notes. */
function FlagList({ patientId, me, onChange }) {
  const [done, setDone] = useState(null);
  const [{ data, error }, retry] = useLive(async () => {
    const all = await api(paths.flags({ patient: patientId, page_size: 200 }));
    return [...all.results.filter((f) => f.status !== 'resolved'), ...all.results.filter((f) => f.status === 'resolved')];
  }, [patientId]);
  const acted = (text) => {
    setDone(text);
    retry();
    onChange?.();
  };
  return html`<section><h2>${t('flags_title')}</h2>
    <p role="status" class=${done ? 'note success' : 'visually-hidden'} data-testid="flag-done">${done || ''}</p>
    <${ErrorNote} error=${error} onRetry=${retry} />
    ${data && data.length === 0 && html`<p>${t('no_flags_any')}</p>`}
    ${data && html`<ul class="flags-list">${data.map((f) => html`<li key=${f.id} class=${`flag level-${f.level}${f.status === 'resolved' ? ' resolved' : ''}`} data-testid="patient-flag">
      <p class="strong">${t('flag_line', { kind: label(f.kind), level: named('level', f.level), status: named('flag_status', f.status), date: formatDateTime(f.created_at) })}</p>
      <p>${f.reason}</p>
      <${Resolution} flag=${f} />
      ${f.status !== 'resolved' && (me.role !== 'physio' || f.level === 'physio') && html`<${FlagActions} flag=${f} onDone=${acted} />`}</li>`)}</ul>`}
  </section>`;
}

function ProgramActions({ program, onChange }) {
  const [loads, setLoads] = useState({ ...(program.loads || {}) });
  // the days in force: the program's own, else the protocol's default (the prescription says which)
  const [weekdays, setWeekdays] = useState(program.weekdays_in_force || program.training_weekdays || []);
  const [reason, setReason] = useState('');
  const [status, setStatus] = useState(null);
  const patch = async (body) => {
    setStatus(null);
    try {
      await api(paths.program(program.id), { method: 'PATCH', body });
      setStatus({ ok: true });
      onChange();
    } catch (error) {
      setStatus({ error });
    }
  };
  const exercises = program.exercises;
  const toggleDay = (d) => setWeekdays(weekdays.includes(d) ? weekdays.filter((x) => x !== d) : [...weekdays, d].sort());
  const other = program.protocol === 'alfredson' ? 'alfredson_insertional' : 'alfredson';
  return html`<section class="program-actions"><h2>${t('act_title')}</h2>
    <div class="row">
      ${program.status === 'active' && html`<button type="button" class="secondary" onClick=${() => patch({ status: 'paused' })}>${t('pause')}</button>`}
      ${program.status === 'paused' && html`<button type="button" class="secondary" onClick=${() => patch({ status: 'active' })}>${t('resume')}</button>`}
      ${['active', 'paused'].includes(program.status) && html`<button type="button" class="secondary danger"
        onClick=${() => confirm(t('stop_confirm')) && patch({ status: 'stopped' })}>${t('stop')}</button>`}
    </div>
    <form onSubmit=${(e) => { e.preventDefault(); patch({ loads: Object.fromEntries(Object.entries(loads).map(([k, v]) => [k, parseKg(v)]).filter(([, v]) => Number.isFinite(v))) }); }}>
      <fieldset><legend>${t('loads_title')}</legend>
        ${exercises.map((ex) => html`<div class="field inline" key=${ex}><label for=${`load-${ex}`}>${exerciseName(ex)}</label>
          <${KgInput} id=${`load-${ex}`} value=${loads[ex]} placeholder=${t('body_weight')}
            onInput=${(text) => setLoads({ ...loads, [ex]: text })} /></div>`)}
        <button type="submit" class="secondary">${t('save_loads')}</button>
      </fieldset>
    </form>
    ${program.protocol === 'hsr' && html`<fieldset><legend>${t('weekdays_title')}</legend>
      <div class="row">${[0, 1, 2, 3, 4, 5, 6].map((d) => html`<label class="check" key=${d}>
        <input type="checkbox" checked=${weekdays.includes(d)} onChange=${() => toggleDay(d)} /><span>${t(`weekday_${d}`)}</span></label>`)}</div>
      <button type="button" class="secondary" onClick=${() => patch({ training_weekdays: weekdays })}>${t('save_weekdays')}</button>
    </fieldset>`}
    ${program.protocol !== 'hsr' && html`<fieldset><legend>${t('variant_title')}</legend>
      <div class="field"><label for="variant-reason">${t('variant_reason')}</label>
        <input id="variant-reason" value=${reason} onInput=${(e) => setReason(e.currentTarget.value)} /></div>
      <button type="button" class="secondary" onClick=${() => patch({ protocol: other, override_reason: reason })}>
        ${t('switch_variant')}: ${t(`protocol_${other}`)}</button>
    </fieldset>`}
    ${status?.ok && html`<p role="status" class="note success">${t('done_ok')}</p>`}
    <${ErrorNote} error=${status?.error} />
  </section>`;
}

function Notes({ patientId }) {
  const [{ data }, retry] = useLive(() => api(paths.patientNotes(patientId)), [patientId]);
  const [text, setText] = useState('');
  const [error, setError] = useState(null);
  const add = async (e) => {
    e.preventDefault();
    try {
      await api(paths.patientNotes(patientId), { method: 'POST', body: { text } });
      setText('');
      retry();
    } catch (err) {
      setError(err);
    }
  };
  const rows = data ? data.results ?? data : [];
  return html`<section><h2>${t('notes_title')}</h2>
    <form onSubmit=${add}><div class="field"><label for="note-text">${t('note_text')}</label>
      <textarea id="note-text" rows="3" required value=${text} onInput=${(e) => setText(e.currentTarget.value)}></textarea></div>
      <button type="submit" class="secondary">${t('add_note')}</button></form>
    <${ErrorNote} error=${error} />
    <ul class="notes">${rows.map((n) => html`<li key=${n.id}><time datetime=${n.created_at}>${formatDateTime(n.created_at)}</time> ${n.text}</li>`)}</ul>
  </section>`;
}

function addDays(date, n) {
  const d = new Date(`${date}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

async function saveExport(patientId, format) {
  const blob = await download(format === 'pdf' ? paths.patientSummary(patientId) : paths.patientExport(patientId, format));
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = `patient-${patientId}.${{ csv: 'csv', pdf: 'summary.pdf' }[format] ?? 'fhir.json'}`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

// The other tendon starts hurting (or one settles): the side from a date; the days before keep theirs.
function SideChange({ patient, onChange }) {
  const [side, setSide] = useState(patient.side === 'both' ? 'left' : 'both');
  const [from, setFrom] = useState(localToday());
  const [status, setStatus] = useState(null);
  const save = async (event) => {
    event.preventDefault();
    setStatus(null);
    try {
      await api(paths.patientSide(patient.id), { method: 'POST', body: { side, effective_from: from } });
      setStatus({ ok: true });
      onChange();
    } catch (error) {
      setStatus({ error });
    }
  };
  return html`<form class="side-change" onSubmit=${save}><fieldset><legend>${t('side_title')}</legend>
    <p>${t('side_now', { side: t(`side_${patient.side}`) })}${(patient.side_history || []).map((h) => ` · ${t('side_until', { side: t(`side_${h.side}`), until: formatDate(h.until) })}`)}</p>
    <div class="field inline"><label for="side-new">${t('side_new')}</label>
      <select id="side-new" value=${side} onChange=${(e) => setSide(e.currentTarget.value)}>
        ${['left', 'right', 'both'].filter((s) => s !== patient.side).map((s) => html`<option value=${s} key=${s}>${t(`side_${s}`)}</option>`)}
      </select></div>
    <div class="field inline"><label for="side-from">${t('side_from')}</label>
      <input id="side-from" type="date" required value=${from} max=${localToday()} onInput=${(e) => setFrom(e.currentTarget.value)} /></div>
    <button type="submit" class="secondary">${t('side_save')}</button>
    ${status?.ok && html`<p role="status" class="note success">${t('done_ok')}</p>`}
    <${ErrorNote} error=${status?.error} />
  </fieldset></form>`;
}

export function PatientPage({ id, me }) {
  const [range, setRange] = useState({ from: '', to: '' });
  const [draft, setDraft] = useState({ from: '', to: '' });
  const [version, setVersion] = useState(0);
  const [exportError, setExportError] = useState(null);
  const [{ data, error }, retry] = useLive(async () => {
    const patient = await api(paths.patient(id));
    const program = patient.active_program ? await api(paths.program(patient.active_program.id)).catch(() => null) : null;
    const q = new URLSearchParams();
    if (range.from) q.set('from', range.from);
    if (range.to) q.set('to', range.to);
    const [timeline, adherence, visa, prescription] = await Promise.all([
      api(`${paths.patientTimeline(id)}?${q}`),
      api(paths.patientAdherence(id)),
      api(paths.visaA({ patient: id })),
      program ? api(paths.prescription(program.id, program.start_date)) : null,
    ]);
    if (program) {
      program.exercises = [...new Set((prescription?.items || []).map((i) => i.exercise))];
      program.weekdays_in_force = prescription?.training_weekdays;
    }
    return { patient, program, timeline, adherence, visa: visa.results ?? visa };
  }, [id, range.from, range.to, version]);
  if (error && !data) return html`<${Screen} title=${t('patient_title', { name: id })}><${ErrorNote} error=${error} onRetry=${retry} /><//>`;
  if (!data) return html`<${Screen} title=${t('patient_title', { name: '' })}><p aria-busy="true">${t('loading')}</p><//>`;
  const { patient, program, timeline, adherence, visa } = data;
  const baseline = visa[0]?.score;
  const changed = () => setVersion(version + 1);
  const doExport = (format) => saveExport(id, format).then(() => setExportError(null), setExportError);
  return html`<${Screen} title=${t('patient_title', { name: patient.display_name || patient.username })}>
    ${(patient.birth_date || patient.email || patient.phone || patient.record_number) && html`<p class="subtitle" data-testid="identity">${t('identity_line', {
      birth: patient.birth_date ? formatDate(patient.birth_date) : '–', contact: [patient.email, patient.phone].filter(Boolean).join(' · ') || '–', record: patient.record_number || '–' })}</p>`}
    <p class="subtitle">${program ? t('program_line', { protocol: t(`protocol_${program.protocol}`), start: formatDate(program.start_date), end: formatDate(program.end_date), status: named('program_status', program.status) }) : t('no_program')}
      ${patient.week ? ` · ${t('week_of', { week: patient.week })}` : ''} · ${t(`side_${patient.side}`)} · ${t(`tendinopathy_${patient.tendinopathy}`)} · ${patient.timezone}</p>
    <div class="row">
      <button type="button" class="secondary" onClick=${() => doExport('csv')}>${t('export_csv')}</button>
      <button type="button" class="secondary" onClick=${() => doExport('fhir')}>${t('export_fhir')}</button>
      <button type="button" class="secondary" onClick=${() => doExport('pdf')}>${t('export_summary')}</button>
    </div>
    <${ErrorNote} error=${exportError} />
    <section><h2>${t('timeline_title')}</h2>
      <form class="row range" onSubmit=${(e) => { e.preventDefault(); setRange(draft); }}>
        <div class="field"><label for="range-from">${t('range_from')}</label>
          <input id="range-from" type="date" required value=${draft.from || timeline.from} max=${draft.to || localToday()}
            onInput=${(e) => setDraft({ ...draft, from: e.currentTarget.value })} /></div>
        <div class="field"><label for="range-to">${t('range_to')}</label>
          <input id="range-to" type="date" required value=${draft.to || timeline.to} min=${draft.from || undefined} max=${localToday()}
            onInput=${(e) => setDraft({ ...draft, to: e.currentTarget.value })} /></div>
        <button type="submit" class="secondary">${t('range_show')}</button>
        ${program && html`<button type="button" class="secondary" onClick=${() => {
          const whole = { from: program.start_date, to: program.end_date < localToday() ? program.end_date : '' };
          setDraft(whole);
          setRange(whole);
        }}>${t('range_program')}</button>`}
      </form>
      ${error && html`<${ErrorNote} error=${error} onRetry=${retry} />`}
      <${TimelineChart} days=${timeline.days} />
      <${Events} days=${timeline.days} />
    </section>
    <section><h2>${t('weeks_title')}</h2>
      <${BarChart} label=${adherence.overall == null ? t('weeks_title') : t('adherence_overall', { pct: Math.round(adherence.overall * 100) })} yTitle=${t('axis_sets_done')}
        target=${rules().adherent_at_least} targetLabel=${t('target_adherence', { pct: Math.round(rules().adherent_at_least * 100) })}
        bars=${adherence.weeks.filter((w) => w.prescribed_sets > 0).map((w) => ({ label: t('week_short', { week: w.week }), value: w.adherence ?? 0, text: `${t('week_of', { week: w.week })}: ${w.completed_sets}/${w.prescribed_sets} (${pct(w.adherence)})` }))} />
    </section>
    <section><h2>${t('visa_title_clin')}</h2>
      ${baseline != null && html`<p>${t('visa_baseline', { score: baseline, target: baseline + 10 })}</p>`}
      <ul>${visa.map((v) => html`<li key=${v.id}>${formatDate(v.date)}: <strong>${v.score}</strong>${baseline != null && v !== visa[0] ? ` (${v.score - baseline >= 0 ? '+' : ''}${v.score - baseline})` : ''}</li>`)}</ul>
    </section>
    <${FlagList} patientId=${id} me=${me} onChange=${changed} />
    ${program && program.end_date <= addDays(localToday(), 13) && html`<${AfterWeek12Panel} program=${program} patientId=${id} me=${me} />`}
    ${program && ['active', 'paused'].includes(program.status) && html`<${ProgramActions} key=${program.id} program=${program} onChange=${changed} />`}
    ${me.role !== 'physician' && html`<${SideChange} key=${`${patient.side}-${(patient.side_history || []).length}`} patient=${patient} onChange=${changed} />`}
    ${me.role !== 'physician' && html`<${Identity} key=${`identity-${version}`} patient=${patient} onChange=${changed} />`}
    ${me.role !== 'physician' && html`<${Invite} patient=${patient} />`}
    <${Notes} patientId=${id} />
    <${Conversation} patientId=${id} me=${me} onLogged=${changed} />
    ${me.role !== 'physician' && html`<${TimeLog} patientId=${id} me=${me} onLogged=${changed} />`}
    ${me.role !== 'physician' && html`<${PatientRtm} patientId=${id} version=${version} />`}
  <//>`;
}

const IDENTITY = [['first_name', 'text'], ['last_name', 'text'], ['birth_date', 'date'], ['email', 'email'],
  ['phone', 'tel'], ['record_number', 'text']];

/** Correct who the patient is (a misspelt name, a new address before sending the invitation again). */
function Identity({ patient, onChange }) {
  const [form, setForm] = useState(() => Object.fromEntries(IDENTITY.map(([name]) => [name, patient[name] ?? ''])));
  const [error, setError] = useState(null);
  const [saved, setSaved] = useState(false);
  const save = async (event) => {
    event.preventDefault();
    setError(null);
    const body = Object.fromEntries(IDENTITY.map(([name]) => [name, form[name].trim()]));
    body.birth_date = body.birth_date || null;
    try {
      await api(paths.patient(patient.id), { method: 'PATCH', body });
      setSaved(true);
      onChange();
    } catch (err) {
      setError(err);
    }
  };
  return html`<details class="identity"><summary>${t('identity_title')}</summary>
    <form onSubmit=${save}>
      ${IDENTITY.map(([name, type]) => html`<div class="field" key=${name}><label for=${`id-${name}`}>${t(name)}</label>
        <input id=${`id-${name}`} type=${type} autocomplete="off" value=${form[name]}
          onInput=${(e) => { setSaved(false); setForm({ ...form, [name]: e.currentTarget.value }); }} /></div>`)}
      <${ErrorNote} error=${error} />
      ${saved && html`<p class="note" role="status">${t('done_ok')}</p>`}
      <button type="submit" class="secondary">${t('identity_save')}</button>
    </form></details>`;
}

/** Send the patient's invitation (again): the link before stops working. */
function Invite({ patient }) {
  const [invitation, setInvitation] = useState(null);
  const [error, setError] = useState(null);
  const send = () => sendInvitation(patient.id).then((sent) => {
    setError(null);
    setInvitation(sent);
  }, setError);
  return html`<section><h2>${t('invite_send')}</h2>
    ${invitation ? html`<${InvitationCard} patient=${patient} invitation=${invitation} onResend=${send} error=${error} />`
      : html`<${ErrorNote} error=${error} /><button type="button" class="secondary" onClick=${send}>${t('invite_send')}</button>`}
  </section>`;
}
