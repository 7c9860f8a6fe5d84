// The clinician's screens: the caseload by risk, a patient's page (timeline chart, adherence by week,
// VISA-A, flags, program actions, notes, exports), the flags inbox, and enrolment. Scope is the API's: a
// clinician sees only what the API answers them.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, download } from '../api.js';
import { BarChart } from '../charts.js';
import { t } from '../i18n.js';
import { ErrorNote, html, Link, localToday, navigate, Screen } from '../ui.js';
import { exerciseName } from './today.js';

const PROTOCOLS = ['alfredson', 'alfredson_insertional', 'hsr'];
const FLAG_KINDS = ['red_flag', 'non_adherence', 'pain', 'clinical_review', 'treatment_review', 'missing_outcome'];
const REFRESH_MS = 60_000;
const PAGE_SIZE = 25;
const pct = (v) => (v == null ? '–' : `${Math.round(v * 100)}%`);
const label = (kind) => kind.replaceAll('_', ' ');

/** Fetch again when the page regains focus and every minute (the caseload and inbox stay live enough). */
function useLive(load, deps) {
  const [state, setState] = useState({ data: null, error: null, at: null });
  const run = () =>
    load().then(
      (data) => setState({ data, error: null, at: new Date() }),
      (error) => setState((old) => ({ ...old, error })),
    );
  useEffect(() => {
    run();
    const timer = setInterval(() => document.visibilityState === 'visible' && run(), REFRESH_MS);
    const onFocus = () => run();
    window.addEventListener('focus', onFocus);
    return () => {
      clearInterval(timer);
      window.removeEventListener('focus', onFocus);
    };
  }, deps);
  return [state, run];
}

function Bar({ value, name }) {
  const width = value == null ? 0 : Math.round(Math.min(value, 1) * 60);
  return html`<svg class="minibar" viewBox="0 0 60 10" width="60" height="10" role="img" aria-label=${`${name} ${pct(value)}`}>
    <rect x="0" y="0" width="60" height="10" class="minibar-track" />
    <rect x="0" y="0" width=${width} height="10" class=${value != null && value < 0.5 ? 'minibar-low' : 'minibar-fill'} />
    <line x1="48" y1="0" x2="48" y2="10" class="minibar-target" />
  </svg>`;
}

function painTrend(d) {
  if (d == null) return '–';
  if (d > 0.5) return html`<span class="trend up">↑ ${t('pain_up', { d: d.toFixed(1) })}</span>`;
  if (d < -0.5) return html`<span class="trend down">↓ ${t('pain_down', { d: d.toFixed(1) })}</span>`;
  return html`<span class="trend">→ ${t('pain_flat')}</span>`;
}

export function Caseload() {
  const [filters, setFilters] = useState({ protocol: '', flag_kind: '', week: '', search: '' });
  const [page, setPage] = useState(1);
  const [search, setSearch] = useState('');
  const query = new URLSearchParams({ ordering: 'risk', page_size: PAGE_SIZE, page });
  for (const [k, v] of Object.entries(filters)) if (v) query.set(k, v);
  const [{ data, error, at }, retry] = useLive(() => api(`/api/v1/patients/?${query}`), [query.toString()]);
  const set = (name) => (e) => {
    setFilters({ ...filters, [name]: e.currentTarget.value });
    setPage(1);
  };
  const debounce = useRef(null);
  const onSearch = (e) => {
    const value = e.currentTarget.value;
    setSearch(value);
    clearTimeout(debounce.current);
    debounce.current = setTimeout(() => {
      setFilters((old) => ({ ...old, search: value.trim() }));
      setPage(1);
    }, 300);
  };
  const pages = data ? Math.max(1, Math.ceil(data.count / PAGE_SIZE)) : 1;
  return html`<${Screen} title=${t('clinician_title')}>
    <form class="filters" onSubmit=${(e) => e.preventDefault()}>
      <div class="field"><label for="f-search">${t('filter_search')}</label>
        <input id="f-search" type="search" value=${search} onInput=${onSearch} /></div>
      <div class="field"><label for="f-protocol">${t('filter_protocol')}</label>
        <select id="f-protocol" value=${filters.protocol} onChange=${set('protocol')}>
          <option value="">${t('any')}</option>
          ${PROTOCOLS.map((p) => html`<option value=${p}>${t(`protocol_${p}`)}</option>`)}
        </select></div>
      <div class="field"><label for="f-flag">${t('filter_flag')}</label>
        <select id="f-flag" value=${filters.flag_kind} onChange=${set('flag_kind')}>
          <option value="">${t('any')}</option>
          ${FLAG_KINDS.map((k) => html`<option value=${k}>${label(k)}</option>`)}
        </select></div>
      <div class="field"><label for="f-week">${t('filter_week')}</label>
        <select id="f-week" value=${filters.week} onChange=${set('week')}>
          <option value="">${t('any')}</option>
          ${Array.from({ length: 12 }, (_, i) => html`<option value=${i + 1}>${i + 1}</option>`)}
        </select></div>
    </form>
    <${ErrorNote} error=${error} onRetry=${retry} />
    ${!data && !error && html`<p aria-busy="true">${t('loading')}</p>`}
    ${data && html`<div class="table-wrap"><table class="caseload">
      <caption class="muted">${t('page_of', { page, pages, count: data.count })} · ${t('updated_at', { time: at.toLocaleTimeString() })}</caption>
      <thead><tr>
        <th scope="col">${t('col_patient')}</th><th scope="col">${t('col_flags')}</th>
        <th scope="col">${t('col_adherence')}</th><th scope="col">${t('col_pain')}</th>
        <th scope="col">${t('col_week')}</th><th scope="col">${t('col_last_log')}</th>
        <th scope="col">${t('col_visa')}</th><th scope="col">${t('col_monitored')}</th>
      </tr></thead>
      <tbody>${data.results.map((row) => html`<tr key=${row.id} data-testid="caseload-row">
        <th scope="row"><${Link} href=${`/patients/${row.id}`}>${row.username}<//>
          <div class="muted small">${row.active_program ? t(`protocol_${row.active_program.protocol}`) : t('no_program')}</div></th>
        <td>${row.red_flag_open && html`<span class="badge danger">${t('badge_red_flag')}</span>`}
          ${row.physician_flag_open && !row.red_flag_open && html`<span class="badge warn">${t('badge_physician')}</span>`}
          ${row.open_flags > 0 && html`<span class="small"> ${t('open_count', { n: row.open_flags })}</span>`}
          ${row.progression_due && html`<span class="badge ok">${t('badge_progression')}</span>`}</td>
        <td><${Bar} value=${row.adherence_7d} name="7 d" /> ${pct(row.adherence_7d)}<br /><${Bar} value=${row.adherence_28d} name="28 d" /> ${pct(row.adherence_28d)}</td>
        <td>${painTrend(row.pain_trend)}</td>
        <td>${row.week ? `${row.week}/12` : '–'}</td>
        <td>${row.last_log_date ?? '–'}</td>
        <td>${row.latest_visa_a ?? '–'}</td>
        <td>${row.monitored_days_30d}/30</td>
      </tr>`)}</tbody></table></div>
      ${data.results.length === 0 && html`<p>${t('no_patients')}</p>`}
      <div class="row pager">
        <button type="button" class="secondary" disabled=${page <= 1} onClick=${() => setPage(page - 1)}>${t('previous')}</button>
        <button type="button" class="secondary" disabled=${page >= pages} onClick=${() => setPage(page + 1)}>${t('next')}</button>
      </div>`}
  <//>`;
}

// ---------------------------------------------------------------------------------------------- patient page

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
        ${i % 7 === 0 && html`<text x=${i * step} y=${hgt + 16}>${d.date.slice(5)}</text>`}
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
    for (const f of d.flags) events.push([d.date, `${t('col_flags')}: ${label(f.kind)} (${f.level}, ${f.status}) — ${f.reason}`]);
    for (const c of d.program_changes) events.push([d.date, `${c.field}: ${c.old ?? '–'} → ${c.new ?? '–'}`]);
    for (const n of d.notes) events.push([d.date, `${t('notes_title')}: ${n.text}`]);
    for (const r of d.reminders) events.push([d.date, t('event_reminder', { slot: r.slot, status: r.status, why: r.skip_reason ? ` (${r.skip_reason})` : '' })]);
    if (d.morning_pain != null) events.push([d.date, t('event_checkin', { pain: d.morning_pain, stiffness: d.morning_stiffness_minutes, flags: d.red_flags.length ? t('event_red_flags', { flags: d.red_flags.join(', ') }) : '' })]);
    if (d.visa_a != null) events.push([d.date, t('event_visa', { score: d.visa_a })]);
  }
  return html`<details class="events"><summary>${t('events_title')} (${events.length})</summary>
    <ul>${events.map(([date, text], i) => html`<li key=${i}><time>${date}</time> ${text}</li>`)}</ul></details>`;
}

export function FlagActions({ flag, onDone }) {
  const [note, setNote] = useState('');
  const [outcome, setOutcome] = useState('');
  const [error, setError] = useState(null);
  const act = async (action) => {
    setError(null);
    const body = { note };
    if (action === 'resolve' && flag.kind === 'red_flag') body.outcome = outcome;
    try {
      await api(`/api/v1/flags/${flag.id}/${action}/`, { method: 'POST', body });
      onDone?.();
    } catch (err) {
      setError(err);
    }
  };
  const id = `flag-${flag.id}`;
  return html`<form class="flag-actions" onSubmit=${(e) => { e.preventDefault(); act('resolve'); }}>
    <div class="field"><label for=${`${id}-note`}>${t('flag_note')}</label>
      <textarea id=${`${id}-note`} rows="2" value=${note} onInput=${(e) => setNote(e.currentTarget.value)}></textarea></div>
    ${flag.kind === 'red_flag' && html`<div class="field"><label for=${`${id}-outcome`}>${t('flag_outcome')}</label>
      <select id=${`${id}-outcome`} value=${outcome} onChange=${(e) => setOutcome(e.currentTarget.value)}>
        <option value="">–</option>
        ${['resume', 'keep_paused', 'stop'].map((o) => html`<option value=${o}>${t(`outcome_${o}`)}</option>`)}
      </select></div>`}
    <div class="row">
      ${flag.status === 'open' && html`<button type="button" class="secondary" onClick=${() => act('acknowledge')}>${t('flag_ack')}</button>`}
      <button type="submit">${t('flag_resolve')}</button>
    </div>
    <${ErrorNote} error=${error} />
  </form>`;
}

function FlagList({ patientId, me, onChange }) {
  const [{ data, error }, retry] = useLive(async () => {
    const [open, acknowledged] = await Promise.all([
      api(`/api/v1/flags/?patient=${patientId}&status=open&page_size=100`),
      api(`/api/v1/flags/?patient=${patientId}&status=acknowledged&page_size=100`),
    ]);
    return [...open.results, ...acknowledged.results];
  }, [patientId]);
  const done = () => {
    retry();
    onChange?.();
  };
  return html`<section><h2>${t('flags_title')}</h2>
    <${ErrorNote} error=${error} onRetry=${retry} />
    ${data && data.length === 0 && html`<p>${t('no_flags')}</p>`}
    ${data && html`<ul class="flags-list">${data.map((f) => html`<li key=${f.id} class=${`flag level-${f.level}`}>
      <p class="strong">${t('flag_line', { kind: label(f.kind), level: f.level, status: f.status, date: f.created_at.slice(0, 10) })}</p>
      <p>${f.reason}</p>
      ${(me.role !== 'physio' || f.level === 'physio') && html`<${FlagActions} flag=${f} onDone=${done} />`}</li>`)}</ul>`}
  </section>`;
}

function ProgramActions({ program, onChange }) {
  const [loads, setLoads] = useState({ ...(program.loads || {}) });
  const [weekdays, setWeekdays] = useState(program.training_weekdays || []);
  const [reason, setReason] = useState('');
  const [status, setStatus] = useState(null);
  const patch = async (body) => {
    setStatus(null);
    try {
      await api(`/api/v1/programs/${program.id}/`, { method: 'PATCH', body });
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
    <form onSubmit=${(e) => { e.preventDefault(); patch({ loads: Object.fromEntries(Object.entries(loads).map(([k, v]) => [k, Number(v)])) }); }}>
      <fieldset><legend>${t('loads_title')}</legend>
        ${exercises.map((ex) => html`<div class="field inline" key=${ex}><label for=${`load-${ex}`}>${exerciseName(ex)}</label>
          <input id=${`load-${ex}`} type="number" min="0" max="500" step="0.5" value=${loads[ex] ?? 0}
            onInput=${(e) => setLoads({ ...loads, [ex]: e.currentTarget.value })} /></div>`)}
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
  const [{ data }, retry] = useLive(() => api(`/api/v1/patients/${patientId}/notes/`), [patientId]);
  const [text, setText] = useState('');
  const [error, setError] = useState(null);
  const add = async (e) => {
    e.preventDefault();
    try {
      await api(`/api/v1/patients/${patientId}/notes/`, { method: 'POST', body: { text } });
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
    <ul class="notes">${rows.map((n) => html`<li key=${n.id}><time>${n.created_at.slice(0, 10)}</time> ${n.text}</li>`)}</ul>
  </section>`;
}

async function saveExport(patientId, format) {
  const blob = await download(`/api/v1/patients/${patientId}/export/?format=${format}`);
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = `patient-${patientId}.${format === 'csv' ? 'csv' : 'fhir.json'}`;
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
      await api(`/api/v1/patients/${patient.id}/side/`, { method: 'POST', body: { side, effective_from: from } });
      setStatus({ ok: true });
      onChange();
    } catch (error) {
      setStatus({ error });
    }
  };
  return html`<form class="side-change" onSubmit=${save}><fieldset><legend>${t('side_title')}</legend>
    <p>${t('side_now', { side: t(`side_${patient.side}`) })}${(patient.side_history || []).map((h) => ` · ${t('side_until', { side: t(`side_${h.side}`), until: h.until })}`)}</p>
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
    const patient = await api(`/api/v1/patients/${id}/`);
    const program = patient.active_program ? await api(`/api/v1/programs/${patient.active_program.id}/`).catch(() => null) : null;
    const q = new URLSearchParams();
    if (range.from) q.set('from', range.from);
    if (range.to) q.set('to', range.to);
    const [timeline, adherence, visa, prescription] = await Promise.all([
      api(`/api/v1/patients/${id}/timeline/?${q}`),
      api(`/api/v1/patients/${id}/adherence/`),
      api(`/api/v1/visa-a/?patient=${id}`),
      program ? api(`/api/v1/programs/${program.id}/prescription/?date=${program.start_date}`) : null,
    ]);
    if (program) program.exercises = [...new Set((prescription?.items || []).map((i) => i.exercise))];
    return { patient, program, timeline, adherence, visa: visa.results ?? visa };
  }, [id, range.from, range.to, version]);
  if (error && !data) return html`<${Screen} title=${t('patient_title', { name: id })}><${ErrorNote} error=${error} onRetry=${retry} /><//>`;
  if (!data) return html`<${Screen} title=${t('patient_title', { name: '' })}><p aria-busy="true">${t('loading')}</p><//>`;
  const { patient, program, timeline, adherence, visa } = data;
  const baseline = visa[0]?.score;
  const changed = () => setVersion(version + 1);
  const doExport = (format) => saveExport(id, format).then(() => setExportError(null), setExportError);
  return html`<${Screen} title=${t('patient_title', { name: patient.username })}>
    <p class="subtitle">${program ? t('program_line', { protocol: t(`protocol_${program.protocol}`), start: program.start_date, end: program.end_date, status: program.status }) : t('no_program')}
      ${patient.week ? ` · ${t('week_of', { week: patient.week })}` : ''} · ${patient.side} · ${patient.tendinopathy} · ${patient.timezone}</p>
    <div class="row">
      <button type="button" class="secondary" onClick=${() => doExport('csv')}>${t('export_csv')}</button>
      <button type="button" class="secondary" onClick=${() => doExport('fhir')}>${t('export_fhir')}</button>
    </div>
    <${ErrorNote} error=${exportError} />
    <section><h2>${t('timeline_title')}</h2>
      <form class="row range" onSubmit=${(e) => { e.preventDefault(); setRange(draft); }}>
        <div class="field"><label for="range-from">${t('range_from')}</label>
          <input id="range-from" type="date" value=${draft.from || timeline.from} onInput=${(e) => setDraft({ ...draft, from: e.currentTarget.value })} /></div>
        <div class="field"><label for="range-to">${t('range_to')}</label>
          <input id="range-to" type="date" value=${draft.to || timeline.to} onInput=${(e) => setDraft({ ...draft, to: e.currentTarget.value })} /></div>
        <button type="submit" class="secondary">${t('range_show')}</button>
        ${program && html`<button type="button" class="secondary" onClick=${() => {
          const whole = { from: program.start_date, to: program.end_date < localToday() ? program.end_date : '' };
          setDraft(whole);
          setRange(whole);
        }}>${t('range_program')}</button>`}
      </form>
      <${TimelineChart} days=${timeline.days} />
      <${Events} days=${timeline.days} />
    </section>
    <section><h2>${t('weeks_title')}</h2>
      <${BarChart} label=${`${t('weeks_title')} (${pct(adherence.overall)})`}
        bars=${adherence.weeks.map((w) => ({ label: `${w.week}`, value: w.adherence ?? 0, text: `${t('week_of', { week: w.week })}: ${w.completed_sets}/${w.prescribed_sets} (${pct(w.adherence)})` }))} />
    </section>
    <section><h2>${t('visa_title_clin')}</h2>
      ${baseline != null && html`<p>${t('visa_baseline', { score: baseline, target: baseline + 10 })}</p>`}
      <ul>${visa.map((v) => html`<li key=${v.id}>${v.date}: <strong>${v.score}</strong>${baseline != null && v !== visa[0] ? ` (${v.score - baseline >= 0 ? '+' : ''}${v.score - baseline})` : ''}</li>`)}</ul>
    </section>
    <${FlagList} patientId=${id} me=${me} onChange=${changed} />
    ${program && ['active', 'paused'].includes(program.status) && html`<${ProgramActions} key=${program.id} program=${program} onChange=${changed} />`}
    ${me.role !== 'physician' && html`<${SideChange} key=${`${patient.side}-${(patient.side_history || []).length}`} patient=${patient} onChange=${changed} />`}
    <${Notes} patientId=${id} />
  <//>`;
}

// ------------------------------------------------------------------------------------------------ flags inbox

export function FlagsInbox({ me }) {
  const [{ data, error }, retry] = useLive(async () => {
    const [open, acknowledged] = await Promise.all([
      api('/api/v1/flags/?status=open&page_size=200'),
      api('/api/v1/flags/?status=acknowledged&page_size=200'),
    ]);
    const flags = [...open.results, ...acknowledged.results];
    const rank = (f) => (f.kind === 'red_flag' ? 0 : f.level === 'physician' ? 1 : 2);
    flags.sort((a, b) => rank(a) - rank(b) || b.created_at.localeCompare(a.created_at));
    const ids = [...new Set(flags.map((f) => f.patient))];
    const patients = Object.fromEntries(
      await Promise.all(ids.map(async (pid) => [pid, await api(`/api/v1/patients/${pid}/`).catch(() => null)])),
    );
    return { flags, patients };
  }, []);
  return html`<${Screen} title=${t('inbox_flags_title')}>
    <${ErrorNote} error=${error} onRetry=${retry} />
    ${!data && !error && html`<p aria-busy="true">${t('loading')}</p>`}
    ${data && data.flags.length === 0 && html`<p>${t('no_flags')}</p>`}
    ${data && html`<ul class="flags-list">${data.flags.map((f) => {
      const p = data.patients[f.patient];
      return html`<li key=${f.id} class=${`flag level-${f.level}${f.kind === 'red_flag' ? ' red' : ''}`} data-testid="inbox-flag">
        <h2>${p ? p.username : `#${f.patient}`}: ${label(f.kind)}</h2>
        <p class="muted">${t('flag_line', { kind: label(f.kind), level: f.level, status: f.status, date: f.created_at.slice(0, 10) })}</p>
        <p>${f.reason}</p>
        ${p && html`<p class="small">${t('context_line', { a7: pct(p.adherence_7d), pain: p.pain_trend == null ? '–' : p.pain_trend.toFixed(1), visa: p.latest_visa_a ?? '–', week: p.week ?? '–' })}</p>`}
        <${Link} href=${`/patients/${f.patient}`}>${t('open_patient')}<//>
        ${(me.role !== 'physio' || f.level === 'physio') && html`<${FlagActions} flag=${f} onDone=${retry} />`}
      </li>`;
    })}</ul>`}
  <//>`;
}

/** While the app is open, a new red flag in scope shows an alert (checked every 30 s and on focus). */
export function RedFlagWatch() {
  const known = useRef(null);
  const [alert, setAlert] = useState(null);
  useEffect(() => {
    const check = async () => {
      try {
        const page = await api('/api/v1/flags/?kind=red_flag&status=open&page_size=50');
        const ids = new Set(page.results.map((f) => f.id));
        if (known.current) {
          const fresh = page.results.find((f) => !known.current.has(f.id));
          if (fresh) {
            const patient = await api(`/api/v1/patients/${fresh.patient}/`).catch(() => null);
            setAlert(t('new_red_flag', { patient: patient?.username ?? `#${fresh.patient}` }));
          }
        }
        known.current = ids;
      } catch {
        // offline or signed out: the next check tries again
      }
    };
    check();
    const timer = setInterval(check, 30_000);
    window.addEventListener('focus', check);
    return () => {
      clearInterval(timer);
      window.removeEventListener('focus', check);
    };
  }, []);
  if (!alert) return null;
  return html`<div class="alert" role="alert">
    <span>${alert}</span>
    <button type="button" onClick=${() => { setAlert(null); navigate('/flags'); }}>${t('nav_flags')}</button>
    <button type="button" class="secondary" onClick=${() => setAlert(null)}>${t('dismiss')}</button>
  </div>`;
}

// ----------------------------------------------------------------------------------------------------- enrol

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
    api('/api/v1/clinicians/?role=physician').then((list) => {
      setPhysicians(list);
      setForm((old) => ({ ...old, physician: old.physician || String(list[0]?.id ?? '') }));
    }, setError);
  }, []);
  const known = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  // The device's zone may be an alias the list leaves out (Chromium lists no "UTC"): offer it first then.
  const zones = known.includes(form.timezone) ? known : [form.timezone, ...known];
  const set = (name) => (e) => setForm({ ...form, [name]: e.currentTarget.value });
  const defaultProtocol = form.tendinopathy === 'insertional' ? 'alfredson_insertional' : 'alfredson';
  const protocol = form.protocol || defaultProtocol;
  const misfit = (form.tendinopathy === 'insertional' && protocol !== 'alfredson_insertional') || (form.tendinopathy === 'midportion' && protocol === 'alfredson_insertional');
  const submit = async (e) => {
    e.preventDefault();
    setError(null);
    try {
      const patient = await api('/api/v1/patients/', {
        method: 'POST',
        body: { username: form.username.trim(), password: form.password, timezone: form.timezone, side: form.side,
                tendinopathy: form.tendinopathy, physician: Number(form.physician) },
      });
      const body = { patient: patient.id, protocol, start_date: form.start_date };
      if (misfit) body.override_reason = form.override_reason;
      let program = null;
      try {
        program = await api('/api/v1/programs/', { method: 'POST', body });
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
