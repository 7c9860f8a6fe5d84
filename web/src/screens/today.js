// Today: the day's state and one card per exercise, a set logged with one tap (reps from the prescription,
// pain with its zones), undo for a few seconds, and a progress ring. Works offline from the last copy.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api.js';
import { kvGet, kvSet } from '../db.js';
import { t } from '../i18n.js';
import { cancel, enqueue, newClientId, UNDO_MS } from '../outbox.js';
import { announce, later, requestBackgroundSync } from '../sync.js';
import { ErrorNote, html, Link, PainInput, Screen } from '../ui.js';
import { Advice } from './advice.js';

const itemKey = (item) => `${item.exercise}|${item.session ?? ''}`;

export function exerciseName(code) {
  const name = t(`exercise_${code}`);
  return name.startsWith('exercise_') ? code.replaceAll('_', ' ') : name;
}

/** Sets waiting in the outbox for this day, per item (and per leg). */
export function waitingCounts(pendingSets, date) {
  const counts = {};
  for (const entry of pendingSets) {
    const body = entry.body;
    if (entry.kind !== 'set' || body.date !== date) continue;
    const key = `${body.exercise}|${body.session ?? ''}`;
    counts[key] ??= { all: 0, left: 0, right: 0 };
    counts[key].all += 1;
    if (body.side) counts[key][body.side] += 1;
  }
  return counts;
}

export function Today({ me, outbox }) {
  const [today, setToday] = useState(null);
  const [cached, setCached] = useState(false);
  const [error, setError] = useState(null);
  const [logging, setLogging] = useState(null); // {item, side}
  const [toast, setToast] = useState(null); // {client_id, text}
  const toastTimer = useRef(null);
  const cacheKey = `today:${me.id}`;

  const load = async () => {
    setError(null);
    try {
      const fresh = await api('/api/v1/today/');
      await kvSet(cacheKey, fresh);
      setToday(fresh);
      setCached(false);
    } catch (err) {
      const copy = await kvGet(cacheKey);
      if (copy) {
        setToday(copy);
        setCached(true);
      } else setError(err);
    }
  };
  useEffect(() => {
    load();
  }, []);
  // After the outbox has sent sets, the server's counts include them: fetch again.
  const sentBefore = useRef(0);
  useEffect(() => {
    const sent = Object.keys(outbox.answers || {}).length;
    if (sent && sent !== sentBefore.current) load();
    sentBefore.current = sent;
  }, [outbox.answers]);

  if (error) return html`<${Screen} title=${t('today_title')}><${ErrorNote} error=${error} onRetry=${load} /><//>`;
  if (!today) return html`<${Screen} title=${t('today_title')}><p aria-busy="true">${t('loading')}</p><//>`;

  const waiting = waitingCounts(outbox.pending, today.date);
  const items = today.items.map((item) => {
    const w = waiting[itemKey(item)] || { all: 0, left: 0, right: 0 };
    const bySide = item.logged_by_side
      ? { left: item.logged_by_side.left + w.left, right: item.logged_by_side.right + w.right }
      : null;
    return { ...item, done: item.logged_sets + w.all, bySide };
  });
  const owed = (item) => (item.bySide ? item.sets * 2 : item.sets);
  const total = items.reduce((n, i) => n + owed(i), 0);
  const done = items.reduce((n, i) => n + Math.min(i.done, owed(i)), 0);

  const save = async ({ item, side, reps, pain, load }) => {
    const body = { client_id: newClientId(), date: today.date, exercise: item.exercise, reps, load_kg: load, pain };
    if (item.session) body.session = item.session;
    if (side) body.side = side;
    await enqueue(me.id, 'set', body, { holdMs: UNDO_MS });
    setLogging(null);
    clearTimeout(toastTimer.current);
    setToast({ client_id: body.client_id, text: t('set_logged') });
    toastTimer.current = setTimeout(() => setToast(null), UNDO_MS);
    await announce();
    later();
    requestBackgroundSync();
  };
  const undo = async () => {
    if (toast && (await cancel(toast.client_id))) {
      setToast({ text: t('undone') });
      toastTimer.current = setTimeout(() => setToast(null), 2000);
      await announce();
    }
  };

  return html`<${Screen} title=${t('today_title')}>
    ${cached && html`<p class="note">${t('cached_note', { date: today.date })}</p>`}
    <p class="subtitle">${today.date}${today.week ? ` · ${t('week_of', { week: today.week })}` : ''}</p>
    ${today.state === 'red_flag' && html`<${Advice} advice=${today.advice} notice=${today.notice} />`}
    ${today.state === 'rest' && html`<p class="note">${t('state_rest')}</p>`}
    ${today.state === 'paused' && html`<p class="note">${t('state_paused')}</p>`}
    ${today.state === 'no_program' && html`<p class="note">${t('state_no_program')}</p>`}
    ${today.state === 'completed' && html`<p class="note">${t('state_completed')}</p>`}
    ${today.visa_a_due && html`<div class="note prompt"><p>${t('visa_a_prompt')}</p>
      <${Link} class="button" href="/visa-a">${t('visa_a_open')}<//></div>`}
    ${today.state === 'training' && html`<${Ring} done=${done} total=${total} />`}
    ${today.progression && html`<div class="note prompt"><h2>${t('progression')}</h2><p>${today.progression.text}</p></div>`}
    ${items.length > 0 && html`<ul class="cards">${items.map((item) => html`<li key=${itemKey(item)}>
      <${ExerciseCard} item=${item} onLog=${(side) => setLogging({ item, side })} /></li>`)}</ul>`}
    ${today.state === 'training' && total > 0 && done >= total && html`<p class="note success">${t('all_done')}</p>`}
    ${today.pain_guide && today.state === 'training' && html`<details class="guide"><summary>${t('pain_during')}</summary>
      <p>${today.pain_guide}</p></details>`}
    <div class="note prompt"><p>${t('checkin_prompt')}</p><${Link} class="button secondary" href="/checkin">${t('checkin_open')}<//></div>
    ${logging && html`<${LogSheet} ...${logging} onSave=${save} onCancel=${() => setLogging(null)} />`}
    ${toast && html`<div class="toast" role="status">
      <span>${toast.text}</span>
      ${toast.client_id && html`<button type="button" onClick=${undo}>${t('undo')}</button>`}
    </div>`}
  <//>`;
}

function Ring({ done, total }) {
  const fraction = total ? Math.min(done / total, 1) : 0;
  const r = 26;
  const c = 2 * Math.PI * r;
  const label = t('progress_ring', { done, total });
  return html`<div class="ring" role="img" aria-label=${label}>
    <svg viewBox="0 0 64 64" width="72" height="72" aria-hidden="true">
      <circle cx="32" cy="32" r=${r} class="ring-track" />
      <circle cx="32" cy="32" r=${r} class="ring-fill" stroke-dasharray=${`${c * fraction} ${c}`} transform="rotate(-90 32 32)" />
    </svg>
    <span>${label}</span>
  </div>`;
}

function ExerciseCard({ item, onLog }) {
  const name = exerciseName(item.exercise);
  const session = item.session === 'am' ? t('session_am') : item.session === 'pm' ? t('session_pm') : '';
  const load = item.load_kg ? t('load_kg', { kg: item.load_kg }) : t('body_weight');
  const full = item.bySide ? item.bySide.left >= item.sets && item.bySide.right >= item.sets : item.done >= item.sets;
  return html`<article class=${`card${full ? ' done' : ''}`} aria-label=${session ? `${name}, ${session}` : name}>
    <h2>${name}${session && html` <span class="tag">${session}</span>`}</h2>
    <p class="dose">${t('sets_reps', { sets: item.sets, reps: item.reps })}</p>
    <p>${item.tempo}</p>
    ${item.note && html`<p class="muted">${item.note}</p>`}
    <p>${t('load')}: ${load}</p>
    ${item.suggested_load_kg != null && html`<p>${t('suggested_load', { kg: item.suggested_load_kg, rm: item.rm })}</p>`}
    ${item.bySide
      ? html`<p class="count">${t('left')}: ${t('sets_done', { done: item.bySide.left, sets: item.sets })} ·
          ${t('right')}: ${t('sets_done', { done: item.bySide.right, sets: item.sets })}</p>
        <div class="row">
          <button type="button" class="big" onClick=${() => onLog('left')}>${t('log_set_side', { side: t('left') })}</button>
          <button type="button" class="big" onClick=${() => onLog('right')}>${t('log_set_side', { side: t('right') })}</button>
        </div>`
      : html`<p class="count" data-testid="count">${t('sets_done', { done: item.done, sets: item.sets })}</p>
        <button type="button" class="big" onClick=${() => onLog(null)}>${t('log_set')}</button>`}
  </article>`;
}

function LogSheet({ item, side, onSave, onCancel }) {
  const [reps, setReps] = useState(item.reps);
  const [pain, setPain] = useState(0);
  const [load, setLoad] = useState(item.load_kg ?? item.suggested_load_kg ?? 0);
  const dialog = useRef(null);
  useEffect(() => {
    dialog.current?.showModal?.();
  }, []);
  const submit = (event) => {
    event.preventDefault();
    onSave({ item, side, reps: Number(reps), pain, load: Number(load) });
  };
  return html`<dialog ref=${dialog} class="sheet" aria-labelledby="log-title" onCancel=${onCancel}>
    <form onSubmit=${submit}>
      <h2 id="log-title">${exerciseName(item.exercise)}${side ? ` (${t(side)})` : ''}</h2>
      <div class="field"><label for="reps">${t('reps')}</label>
        <input id="reps" type="number" inputmode="numeric" min="1" max="100" required value=${reps}
          onInput=${(e) => setReps(e.currentTarget.value)} /></div>
      <div class="field"><label for="load">${t('load')} (kg)</label>
        <input id="load" type="number" inputmode="decimal" min="0" max="500" step="0.5" required value=${load}
          onInput=${(e) => setLoad(e.currentTarget.value)} /></div>
      <${PainInput} id="pain" label=${t('pain_during')} value=${pain} onInput=${setPain} />
      <p class="muted">${t('pain_guide_short')}</p>
      <div class="row">
        <button type="button" class="secondary" onClick=${onCancel}>${t('cancel')}</button>
        <button type="submit" class="big">${t('save_set')}</button>
      </div>
    </form>
  </dialog>`;
}
