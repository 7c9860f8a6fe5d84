// Today: the day's state and one card per exercise, a set logged with one tap (reps from the prescription,
// pain with its zones) or through the player ("Start set"), undo for a few seconds, the rest between sets,
// the sets of today and yesterday to mend, and a progress ring. Works offline from the last copy.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api.js';
import { answerKey, kvGet, kvSet } from '../db.js';
import { paths } from '../paths.js';
import { formatDate, formatNumber, parseKg, t } from '../i18n.js';
import { amend, cancel, enqueue, newClientId, UNDO_MS, withdraw } from '../outbox.js';
import { announce, later, requestBackgroundSync } from '../sync.js';
import { clock, restLeft } from '../tempo.js';
import { ErrorNote, FindRm, html, KgInput, Link, localToday, PainInput, patientToday, Screen, useWhenBack } from '../ui.js';
import { Advice } from './advice.js';
import { AfterWeek12 } from './after.js';

const itemKey = (item) => `${item.exercise}|${item.session ?? ''}`;

export function exerciseName(code) {
  const name = t(`exercise_${code}`);
  return name.startsWith('exercise_') ? code.replaceAll('_', ' ') : name;
}

/**
 * Sets the server's answer of `fetchedAt` does not count yet, per item (and per leg): what waits in the outbox,
 * and what was sent after that answer was asked for (a sent set is in neither place until /today/ comes
 * back, and a count must not fall back meanwhile). A deletion counts −1.
 */
export function waitingCounts(pendingEntries, date, sentEntries = [], fetchedAt = Infinity) {
  const counts = {};
  const unseen = sentEntries.filter((e) => e.sent_at >= fetchedAt);
  for (const entry of [...pendingEntries, ...unseen]) {
    const body = entry.body;
    const sign = entry.kind === 'set' ? 1 : entry.kind === 'set_delete' ? -1 : 0;
    if (!sign || body.date !== date) continue;
    const key = `${body.exercise}|${body.session ?? ''}`;
    counts[key] ??= { all: 0, left: 0, right: 0 };
    counts[key].all += sign;
    if (body.side) counts[key][body.side] += sign;
  }
  return counts;
}

/** A card's one load line: the prescribed load, else the suggested one (HSR), else body weight. */
export function loadText(item) {
  if (item.load_kg) return t('load_kg', { kg: formatNumber(item.load_kg) });
  if (item.suggested_load_kg != null) return t('suggested_load', { kg: formatNumber(item.suggested_load_kg), rm: item.rm });
  return t('body_weight');
}

/** Today's check-in is stored (the server says so) or sent from this phone, or waits in its outbox: dated, as
 * the server dates it, by the patient's day (``zone``: their time zone) at the instant it was answered. */
export function checkedIn(today, outbox, zone = null) {
  const mine = [...(outbox.pending || []), ...(outbox.sent || [])];
  const day = (e) => e.body.date ?? localToday(new Date(e.body.answered_at ?? e.created_at), zone);
  return Boolean(today.checked_in) || mine.some((e) => e.kind === 'checkin' && day(e) === today.date);
}

/** The phone's copy of Today shown on ``day`` (the patient's today). A copy of an earlier day is that day's plan
 * with nothing counted yet: sets logged from it count for ``day``, not for the copy's date (``copy_of``). */
export function dayCopy(copy, day) {
  if (!day || copy.date >= day) return copy;
  const none = (item) => ({ ...item, logged_sets: 0, logged_by_side: item.logged_by_side && { left: 0, right: 0 } });
  return { ...copy, date: day, copy_of: copy.date, items: copy.items.map(none), checked_in: false, fetched_at: 0 };
}

function yesterdayOf(date) {
  const d = new Date(`${date}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() - 1);
  return d.toISOString().slice(0, 10);
}

// The player and its illustrations load the first time a set is started (then from the service worker's cache).
let playerModule = null;
function loadPlayer() {
  playerModule ||= import('./player.js');
  return playerModule;
}

export function Today({ me, outbox }) {
  const [today, setToday] = useState(null);
  const [cached, setCached] = useState(false);
  const [error, setError] = useState(null);
  const [logging, setLogging] = useState(null); // {item, side, reps?, log?}
  const [playing, setPlaying] = useState(null); // {item, side, Player}
  const [rest, setRest] = useState(null); // {ends_at, seconds, name}
  const [mending, setMending] = useState(0); // bumped to list the sets of today and yesterday again
  const [toast, setToast] = useState(null); // {client_id, text}
  const extraAsked = useRef(new Set()); // cards whose "log an extra set?" was answered yes
  const lastLoads = useRef({}); // the load of the last set logged per card: finding the RM goes on from it
  const toastTimer = useRef(null);
  const cacheKey = answerKey('today', me.id);
  const restKey = `rest:${me.id}`;

  useEffect(() => {
    kvGet(restKey).then((saved) => saved && restLeft(saved.ends_at) > 0 && setRest(saved));
  }, []);

  const load = async () => {
    setError(null);
    const asked = Date.now();
    try {
      const fresh = { ...(await api(paths.today())), fetched_at: asked };
      await kvSet(cacheKey, fresh);
      setToday(fresh);
      setCached(false);
      setMending((n) => n + 1);
    } catch (err) {
      const copy = await kvGet(cacheKey);
      if (copy) {
        setToday(dayCopy(copy, patientToday(me)));
        setCached(true);
      } else setError(err);
    }
  };
  useEffect(() => {
    load();
  }, []);
  // Left open overnight: once the patient's day has turned, Today loads again (offline, from the phone's copy)
  // before anything is logged against the day before.
  const shownDay = useRef(null);
  shownDay.current = today?.date ?? null;
  useWhenBack(() => {
    const day = patientToday(me);
    if (day && shownDay.current && shownDay.current < day) load();
  }, [], { everyMs: 60_000 });
  // After the outbox has sent sets, the server's counts include them: fetch again.
  const sentBefore = useRef(0);
  useEffect(() => {
    const sent = Object.keys(outbox.answers || {}).length;
    if (sent && sent !== sentBefore.current) load();
    sentBefore.current = sent;
  }, [outbox.answers]);

  if (error) return html`<${Screen} title=${t('today_title')}><${ErrorNote} error=${error} onRetry=${load} /><//>`;
  if (!today) return html`<${Screen} title=${t('today_title')}><p aria-busy="true">${t('loading')}</p><//>`;

  const waiting = waitingCounts(outbox.pending, today.date, outbox.sent, today.fetched_at ?? 0);
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

  const save = async ({ item, side, reps, pain, load, log }) => {
    if (log) return mendSet(log, { reps, pain, load_kg: load });
    const body = { client_id: newClientId(), date: today.date, exercise: item.exercise, reps, load_kg: load, pain };
    if (item.session) body.session = item.session;
    if (side) body.side = side;
    await enqueue(me.id, 'set', body, { holdMs: UNDO_MS });
    lastLoads.current[itemKey(item)] = load;
    setLogging(null);
    if (item.fromPlayer) {
      const finished = (side ? item.bySide[side] : item.done) + 1 >= item.sets;
      const seconds = finished ? item.rest_seconds.after_exercise : item.rest_seconds.between_sets;
      const next = { ends_at: Date.now() + seconds * 1000, seconds, after_exercise: finished };
      setRest(next);
      kvSet(restKey, next);
    }
    clearTimeout(toastTimer.current);
    setToast({ client_id: body.client_id, text: t('set_logged') });
    toastTimer.current = setTimeout(() => setToast(null), UNDO_MS);
    await announce();
    later();
    requestBackgroundSync();
  };
  const mendSet = async (log, changes) => {
    setLogging(null);
    if (!(await amend(log.client_id, changes))) {
      await enqueue(me.id, 'set_edit', { client_id: newClientId(), id: log.id, date: log.date, changes });
    }
    setToast({ text: t('set_changed') });
    clearTimeout(toastTimer.current);
    toastTimer.current = setTimeout(() => setToast(null), 3000);
    setMending((n) => n + 1);
    await announce();
    later(250);
    requestBackgroundSync();
  };
  const deleteSet = async (log) => {
    if (!confirm(t('delete_set_confirm', { name: exerciseName(log.exercise), reps: log.reps }))) return;
    if (!(await withdraw(log.client_id))) {
      const body = { client_id: newClientId(), id: log.id, date: log.date, exercise: log.exercise, session: log.session };
      if (log.side && today.items.some((i) => i.logged_by_side)) body.side = log.side;
      await enqueue(me.id, 'set_delete', body);
    }
    setToast({ text: t('set_deleted') });
    clearTimeout(toastTimer.current);
    toastTimer.current = setTimeout(() => setToast(null), 3000);
    setMending((n) => n + 1);
    await announce();
    later(250);
    requestBackgroundSync();
  };
  const logFrom = (item, side) => {
    const done = side ? item.bySide[side] : item.done;
    const key = `${itemKey(item)}|${side ?? ''}`;
    if (done >= item.sets && !extraAsked.current.has(key)) {
      if (!confirm(t('extra_set_confirm', { sets: item.sets }))) return false;
      extraAsked.current.add(key);
    }
    return true;
  };
  const startSet = async (item, side) => {
    if (!logFrom(item, side)) return;
    const { Player } = await loadPlayer();
    setRest(null);
    kvSet(restKey, null);
    setPlaying({ item: { ...item, name: exerciseName(item.exercise) }, side, Player });
  };
  const undo = async () => {
    if (toast && (await cancel(toast.client_id))) {
      setToast({ text: t('undone') });
      toastTimer.current = setTimeout(() => setToast(null), 2000);
      await announce();
    }
  };

  if (playing) {
    const { Player, item, side } = playing;
    return html`<${Screen} title=${t('today_title')}>
      <${Player} item=${item} side=${side} onClose=${() => setPlaying(null)}
        onFinish=${(reps) => { setPlaying(null); setLogging({ item: { ...item, fromPlayer: true }, side, reps: Math.max(reps, 1) }); }} />
    <//>`;
  }

  return html`<${Screen} title=${t('today_title')}>
    ${cached && html`<p class="note" data-testid="today-copy">${today.copy_of ? t('cached_day_note', { date: formatDate(today.copy_of) }) : t('cached_note', { date: formatDate(today.date) })}</p>`}
    ${rest && html`<${Rest} rest=${rest} onEnd=${() => { setRest(null); kvSet(restKey, null); }} />`}
    <p class="subtitle">${formatDate(today.date)}${today.week && !today.where ? ` · ${t('week_of', { week: today.week })}` : ''}</p>
    ${today.where && html`<p class="where" data-testid="where">${t(`where_${today.where.change}`, today.where)}</p>`}
    ${today.decision && html`<${Decision} decision=${today.decision} />`}
    ${today.state === 'red_flag' && html`<${Advice} advice=${today.advice} notice=${today.notice} />`}
    ${today.state === 'rest' && html`<p class="note">${t('state_rest')}</p>`}
    ${today.state === 'paused' && html`<p class="note">${t('state_paused')}</p>`}
    ${today.state === 'no_program' && html`<p class="note">${t('state_no_program')}</p>`}
    ${today.state === 'completed' && html`<p class="note">${t('state_completed')}</p>`}
    <${AfterWeek12} today=${today} onChange=${load} />
    ${today.visa_a_due && html`<div class="note prompt"><p>${t(today.visa_a_due === 'follow_up' ? 'visa_a_follow_up' : 'visa_a_prompt')}</p>
      ${today.outcome_review === 'asked' && html`<p>${t('outcome_review_asked')}</p>`}
      <${Link} class="button" href="/visa-a">${t('visa_a_open')}<//></div>`}
    ${today.outcome_review === 'sent' && html`<p class="note">${t('outcome_review_sent')}</p>`}
    ${today.state === 'training' && html`<${Ring} done=${done} total=${total} />`}
    ${today.progression && html`<div class="note prompt"><h2>${t('progression')}</h2><p>${today.progression.text}</p></div>`}
    ${items.length > 0 && html`<ul class="cards">${items.map((item) => html`<li key=${itemKey(item)}>
      <${ExerciseCard} item=${item} onLog=${(side) => logFrom(item, side) && setLogging({ item, side })}
        onStart=${(side) => startSet(item, side)} /></li>`)}</ul>`}
    ${today.state === 'training' && total > 0 && done >= total && html`<p class="note success">${t('all_done')}</p>`}
    ${today.pain_guide && ['training', 'maintenance'].includes(today.state) && html`<details class="guide"><summary>${t('pain_during')}</summary>
      <p>${today.pain_guide}</p></details>`}
    ${today.program && html`<${MendList} me=${me} today=${today} outbox=${outbox} refresh=${mending}
      onEdit=${(log) => setLogging({ item: { exercise: log.exercise, reps: log.reps, load_kg: log.load_kg }, log, reps: log.reps, pain: log.pain })}
      onDelete=${deleteSet} />`}
    ${!checkedIn(today, outbox, me.timezone) && html`<div class="note prompt" data-testid="checkin-prompt"><p>${t('checkin_prompt')}</p>
      <${Link} class="button secondary" href="/checkin">${t('checkin_open')}<//></div>`}
    ${logging && html`<${LogSheet} ...${logging} lastLoad=${lastLoads.current[itemKey(logging.item)]} onSave=${save} onCancel=${() => setLogging(null)} />`}
    ${toast && html`<div class="toast-space" aria-hidden="true"></div>`}
    ${toast && html`<div class="toast" role="status">
      <span>${toast.text}</span>
      ${toast.client_id && html`<button type="button" onClick=${undo}>${t('undo')}</button>`}
    </div>`}
  <//>`;
}

/** A clinician's decision on the patient's red flag: what it is and what to do now, with their note. */
function Decision({ decision }) {
  return html`<div class="note decision" role="status" data-testid="decision">
    <h2>${t(`decision_${decision.outcome}_title`)}</h2>
    <p>${t(`decision_${decision.outcome}`)}</p>
    ${decision.note && html`<p class="strong">${t('decision_note', { note: decision.note })}</p>`}
  </div>`;
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

function ExerciseCard({ item, onLog, onStart }) {
  const name = exerciseName(item.exercise);
  const session = item.session === 'am' ? t('session_am') : item.session === 'pm' ? t('session_pm') : '';
  const load = loadText(item);
  const full = item.bySide ? item.bySide.left >= item.sets && item.bySide.right >= item.sets : item.done >= item.sets;
  const logLabel = (side) => {
    const done = side ? item.bySide[side] >= item.sets : item.done >= item.sets;
    if (side) return t(done ? 'log_extra_side' : 'log_set_side', { side: t(side) });
    return t(done ? 'log_extra' : 'log_set');
  };
  const buttons = (side) => html`<div class="row">
    <button type="button" class="big" onClick=${() => onStart(side)}>${side ? t('start_set_side', { side: t(side) }) : t('start_set')}</button>
    <button type="button" class=${full ? 'secondary' : 'secondary'} onClick=${() => onLog(side)}>${logLabel(side)}</button>
  </div>`;
  return html`<article class=${`card${full ? ' done' : ''}`} aria-label=${session ? `${name}, ${session}` : name}>
    <h2>${name}${session && html` <span class="tag">${session}</span>`}${full && html` <span class="tag done-tag">${t('card_done')}</span>`}</h2>
    <p class="dose">${t('sets_reps', { sets: item.sets, reps: item.reps })}</p>
    <p>${item.tempo}</p>
    ${item.note && html`<p class="muted">${item.note}</p>`}
    <p data-testid="load">${t('load')}: ${load}</p>
    ${item.find_rm && html`<${FindRm} rm=${item.rm} />`}
    ${item.bySide
      ? html`<p class="count">${t('left')}: ${t('sets_done', { done: item.bySide.left, sets: item.sets })} ·
          ${t('right')}: ${t('sets_done', { done: item.bySide.right, sets: item.sets })}</p>
        ${buttons('left')}${buttons('right')}`
      : html`<p class="count" data-testid="count">${t('sets_done', { done: item.done, sets: item.sets })}</p>
        ${buttons(null)}`}
  </article>`;
}

function LogSheet({ item, side, reps: counted, pain: painBefore, log, lastLoad, onSave, onCancel }) {
  const [reps, setReps] = useState(counted ?? item.reps);
  const [pain, setPain] = useState(painBefore ?? 0);
  const [load, setLoad] = useState(log ? item.load_kg : (lastLoad ?? item.load_kg ?? item.suggested_load_kg ?? 0));
  const dialog = useRef(null);
  useEffect(() => {
    dialog.current?.showModal?.();
  }, []);
  const submit = (event) => {
    event.preventDefault();
    const kg = parseKg(load);
    if (!Number.isFinite(kg)) return; // KgInput has said why
    onSave({ item, side, reps: Number(reps), pain, load: kg, log });
  };
  return html`<dialog ref=${dialog} class="sheet" aria-labelledby="log-title" onCancel=${onCancel}>
    <form onSubmit=${submit}>
      <h2 id="log-title">${log ? t('change_set_title', { name: exerciseName(item.exercise) }) : exerciseName(item.exercise)}${side ? ` (${t(side)})` : ''}</h2>
      <div class="field"><label for="reps">${t('reps')}</label>
        <input id="reps" type="number" inputmode="numeric" min="1" max="100" required value=${reps}
          onInput=${(e) => setReps(e.currentTarget.value)} /></div>
      <div class="field"><label for="load">${item.find_rm && !log ? t('find_rm_load') : `${t('load')} (kg)`}</label>
        <${KgInput} id="load" required value=${load} onInput=${setLoad} /></div>
      <${PainInput} id="pain" label=${t('pain_during')} value=${pain} onInput=${setPain} />
      <p class="muted">${t('pain_guide_short')}</p>
      <div class="row">
        <button type="button" class="secondary" onClick=${onCancel}>${t('cancel')}</button>
        <button type="submit" class="big">${log ? t('save_change') : t('save_set')}</button>
      </div>
    </form>
  </dialog>`;
}

/** The rest between sets: counted from when it ends (epoch ms), so it is right the moment the phone wakes. */
function Rest({ rest, onEnd }) {
  const [, tick] = useState(0);
  const left = restLeft(rest.ends_at);
  useEffect(() => {
    const timer = setInterval(() => tick((n) => n + 1), 250);
    const wake = () => tick((n) => n + 1);
    document.addEventListener('visibilitychange', wake);
    return () => {
      clearInterval(timer);
      document.removeEventListener('visibilitychange', wake);
    };
  }, []);
  const ended = useRef(false);
  useEffect(() => {
    if (left > 0 || ended.current) return;
    ended.current = true;
    kvGet('player:cues').then((cues) => {
      if (cues?.sound) loadPlayer().then((m) => m.signal(cues, 1320));
      else if (cues?.vibrate) navigator.vibrate?.(200);
    });
  }, [left]);
  return html`<div class="note rest" data-testid="rest">
    ${left > 0
      ? html`<p><span>${rest.after_exercise ? t('rest_exercise') : t('rest_sets')}</span>
          <strong class="rest-clock" role="timer" aria-label=${t('rest_left', { time: clock(left) })} data-seconds=${left}>${clock(left)}</strong></p>`
      : html`<p role="status">${t('rest_over')}</p>`}
    <button type="button" class="secondary" onClick=${onEnd}>${left > 0 ? t('skip_rest') : t('dismiss')}</button>
  </div>`;
}

/** The sets of today and yesterday, as the server has them and as they wait on the phone, to mend. */
function MendList({ me, today, outbox, refresh, onEdit, onDelete }) {
  const [stored, setStored] = useState(null);
  const yesterday = yesterdayOf(today.date);
  useEffect(() => {
    let live = true;
    api(`/api/v1/logs/?from=${yesterday}&to=${today.date}`)
      .then((data) => {
        if (!live) return;
        setStored(data.results ?? data);
        kvSet(answerKey('mend', me.id), data.results ?? data);
      })
      // offline: the phone's copy, of these two days only (a copy of earlier days holds sets no longer changeable)
      .catch(() => kvGet(answerKey('mend', me.id)).then((copy) => live && setStored((copy || []).filter((l) => l.date >= yesterday))));
    return () => {
      live = false;
    };
  }, [refresh, outbox.sent.length]);
  if (!stored) return null;
  const mends = [...outbox.pending, ...outbox.sent].filter((e) => e.kind === 'set_delete' || e.kind === 'set_edit');
  const deleted = new Set(mends.filter((e) => e.kind === 'set_delete').map((e) => e.body.id));
  const edits = Object.fromEntries(mends.filter((e) => e.kind === 'set_edit').map((e) => [e.body.id, e.body.changes]));
  const known = new Set(stored.map((l) => l.client_id));
  const waiting = outbox.pending
    .filter((e) => e.kind === 'set' && e.body.date >= yesterday && !known.has(e.client_id))
    .map((e) => ({ ...e.body, id: null }));
  const logs = [...stored.filter((l) => !deleted.has(l.id)).map((l) => ({ ...l, ...(edits[l.id] || {}) })), ...waiting]
    .sort((a, b) => (a.date === b.date ? 0 : a.date < b.date ? 1 : -1));
  if (!logs.length) return null; // nothing to change: no empty section to open
  return html`<details class="mend" data-testid="mend">
    <summary>${t('mend_title', { n: logs.length })}</summary>
    <p class="muted">${t('mend_help')}</p>
    <ul class="mend-list">${logs.map((log) => html`<li key=${log.client_id} data-client=${log.client_id}>
      <span>${log.date === today.date ? t('today_word') : t('yesterday_word')}: ${exerciseName(log.exercise)}${log.session ? ` (${t(`session_${log.session}`)})` : ''} ·
        ${t('set_summary', { reps: log.reps, kg: formatNumber(Number(log.load_kg)), pain: log.pain })}</span>
      <span class="row">
        <button type="button" class="secondary" onClick=${() => onEdit(log)}
          aria-label=${t('change_set_named', { name: exerciseName(log.exercise), reps: log.reps })}>${t('change')}</button>
        <button type="button" class="secondary" onClick=${() => onDelete(log)}
          aria-label=${t('delete_set_named', { name: exerciseName(log.exercise), reps: log.reps })}>${t('delete')}</button>
      </span>
    </li>`)}</ul>
  </details>`;
}
