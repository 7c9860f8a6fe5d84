// The flags inbox (red flags first, then physician-level), the actions on a flag, and the live red-flag alert.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../../api.js';
import { formatDate, formatDateTime, t } from '../../i18n.js';
import { paths } from '../../paths.js';
import { ErrorNote, html, Link, navigate, Screen } from '../../ui.js';
import { label, named, pct, useLive } from './common.js';

/** What an action on a flag says when it has succeeded (shown in a status line above the list). */
export function doneText(action, flag) {
  if (action === 'acknowledge') return t('flag_acknowledged_ok');
  return flag.kind === 'red_flag' ? t('flag_resolved_told') : t('flag_resolved_ok');
}

export function FlagActions({ flag, onDone }) {
  const [note, setNote] = useState('');
  const [outcome, setOutcome] = useState('');
  const [patientNote, setPatientNote] = useState('');
  const [error, setError] = useState(null);
  const act = async (action) => {
    setError(null);
    const body = { note };
    if (action === 'resolve' && flag.kind === 'red_flag') {
      body.outcome = outcome;
      body.patient_note = patientNote;
    }
    try {
      await api(paths.flagAction(flag.id, action), { method: 'POST', body });
      onDone?.(doneText(action, flag));
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
      </select></div>
      <div class="field"><label for=${`${id}-patient-note`}>${t('flag_patient_note')}</label>
        <textarea id=${`${id}-patient-note`} rows="2" value=${patientNote} onInput=${(e) => setPatientNote(e.currentTarget.value)}></textarea></div>`}
    <div class="row">
      ${flag.status === 'open' && html`<button type="button" class="secondary" onClick=${() => act('acknowledge')}>${t('flag_ack')}</button>`}
      <button type="submit">${t('flag_resolve')}</button>
    </div>
    <${ErrorNote} error=${error} />
  </form>`;
}

/** A resolved flag's decision: when, the outcome, the clinical note and what the patient was told. */
export function Resolution({ flag }) {
  if (flag.status !== 'resolved') return null;
  const outcome = flag.outcome ? t('flag_resolution_outcome', { outcome: t(`outcome_${flag.outcome}`) }) : '';
  return html`<div class="resolution">
    <p class="strong">${t('flag_resolution', { date: flag.resolved_at ? formatDate(flag.resolved_at) : '', outcome })}</p>
    ${flag.note && html`<p>${t('flag_note')}: ${flag.note}</p>`}
    ${flag.patient_note && html`<p>${t('flag_told_patient', { note: flag.patient_note })}</p>`}
  </div>`;
}

export function FlagsInbox({ me }) {
  const [view, setView] = useState('unresolved'); // unresolved | resolved
  const [done, setDone] = useState(null);
  const [{ data, error }, retry] = useLive(async () => {
    // two requests, whatever the number of patients: the flags in the server's priority order (red flags,
    // then physician-level, newest first) and the caseload rows of the patients named
    const resolved = view === 'resolved';
    const [flags, named] = await Promise.all([
      api(paths.flags({ status: view, ordering: resolved ? 'newest' : 'priority', page_size: 200 })),
      api(paths.patients(resolved ? { page_size: 500 } : { flagged: 'true', page_size: 500 })),
    ]);
    return { view, flags: flags.results, patients: Object.fromEntries(named.results.map((p) => [p.id, p])) };
  }, [view]);
  const acted = (text) => {
    setDone(text);
    retry();
  };
  const shown = data && data.view === view ? data : null;
  return html`<${Screen} title=${t('inbox_flags_title')}>
    <div class="row" role="group" aria-label=${t('flags_view')}>
      ${['unresolved', 'resolved'].map((v) => html`<button type="button" key=${v} class=${view === v ? '' : 'secondary'}
        aria-pressed=${view === v ? 'true' : 'false'} onClick=${() => { setDone(null); setView(v); }}>${t(`flags_${v}`)}</button>`)}
    </div>
    <p role="status" class=${done ? 'note success' : 'visually-hidden'} data-testid="flag-done">${done || ''}</p>
    <${ErrorNote} error=${error} onRetry=${retry} />
    ${!shown && !error && html`<p aria-busy="true">${t('loading')}</p>`}
    ${shown && shown.flags.length === 0 && html`<p>${view === 'resolved' ? t('no_resolved_flags') : t('no_flags')}</p>`}
    ${shown && html`<ul class="flags-list">${shown.flags.map((f) => {
      const p = shown.patients[f.patient];
      return html`<li key=${f.id} class=${`flag level-${f.level}${f.kind === 'red_flag' ? ' red' : ''}`} data-testid="inbox-flag">
        <h2>${p ? p.display_name || p.username : `#${f.patient}`}: ${label(f.kind)}</h2>
        <p class="muted">${t('flag_line', { kind: label(f.kind), level: named('level', f.level), status: named('flag_status', f.status), date: formatDateTime(f.created_at) })}</p>
        <p>${f.reason}</p>
        ${p && html`<p class="small">${t('context_line', { a7: pct(p.adherence_7d), pain: p.pain_trend == null ? '–' : p.pain_trend.toFixed(1), visa: p.latest_visa_a ?? '–', week: p.week ?? '–' })}</p>`}
        <${Resolution} flag=${f} />
        <${Link} href=${`/patients/${f.patient}`}>${t('open_patient')}<//>
        ${' · '}<${Link} href=${`/patients/${f.patient}#messages`}>${t('msg_the_patient')}<//>
        ${f.status !== 'resolved' && (me.role !== 'physio' || f.level === 'physio') && html`<${FlagActions} flag=${f} onDone=${acted} />`}
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
        const page = await api(paths.flags({ kind: 'red_flag', status: 'open', page_size: 50 }));
        const ids = new Set(page.results.map((f) => f.id));
        if (known.current) {
          const fresh = page.results.find((f) => !known.current.has(f.id));
          if (fresh) {
            const patient = await api(paths.patient(fresh.patient)).catch(() => null);
            setAlert(t('new_red_flag', { patient: patient?.display_name ?? patient?.username ?? `#${fresh.patient}` }));
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
