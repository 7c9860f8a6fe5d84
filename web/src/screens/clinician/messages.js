// The clinician's side of messaging and remote monitoring: the inbox (unread first), a patient's conversation
// with quick replies and "log the time", the time log with a start/stop timer, and the patient's RTM month.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../../api.js';
import { Thread } from '../../conversation.js';
import { kvDelete, kvGet, kvSet } from '../../db.js';
import { formatDateTime, formatMonth, t, tn } from '../../i18n.js';
import { newClientId } from '../../outbox.js';
import { paths } from '../../paths.js';
import { ErrorNote, html, Link, Screen, useLoad } from '../../ui.js';
import { useLive } from './common.js';
import { RtmRows } from './rtm.js';

export function MessagesInbox() {
  const [{ data, error }, retry] = useLive(() => api(paths.messagesInbox({ page_size: 200 })), []);
  return html`<${Screen} title=${t('msg_inbox_title')}>
    <${ErrorNote} error=${error} onRetry=${retry} />
    ${data && data.results.length === 0 && html`<p>${t('msg_inbox_empty')}</p>`}
    ${data && html`<ul class="flags-list">${data.results.map((row) => html`<li key=${row.patient} class="flag" data-testid="inbox-conversation">
      <h2><${Link} href=${`/patients/${row.patient}#messages`}>${row.name}<//></h2>
      <p class=${row.unread ? 'strong' : 'muted'}>${row.unread ? t('msg_unread', { n: row.unread }) : t('msg_all_read')}${' '}· <time datetime=${row.last_message_at}>${formatDateTime(row.last_message_at)}</time></p>
    </li>`)}</ul>`}
  <//>`;
}

// Whole minutes since ``start``, never rounded up: the minutes may be billed (RTM).
const minutesSince = (start) => Math.floor((Date.now() - start.getTime()) / 60_000);

export function Conversation({ patientId, me, onLogged }) {
  const [{ data, error }, retry] = useLive(() => api(paths.messages({ patient: patientId, page_size: 100 })), [patientId]);
  const [{ data: clinic }] = useLoad(() => api(paths.messagingClinic()));
  const [text, setText] = useState('');
  const [sent, setSent] = useState(false);
  const [logged, setLogged] = useState(null);
  const [opened] = useState(() => new Date());
  const [, tick] = useState(0);
  useEffect(() => { // the offer to log the time shows once a whole minute has passed
    if (!sent || logged) return undefined;
    const timer = setInterval(() => tick((n) => n + 1), 15_000);
    return () => clearInterval(timer);
  }, [sent, logged]);
  const [sendError, setSendError] = useState(null);
  useEffect(() => {
    if (data && location.hash === '#messages') document.getElementById('messages')?.scrollIntoView();
  }, [Boolean(data)]);
  useEffect(() => {
    for (const m of data?.results ?? []) {
      if (m.role === 'patient' && !m.read_by.some((r) => r.user === me.id)) api(paths.messageRead(m.id), { method: 'POST' }).catch(() => null);
    }
  }, [data]);
  const submit = async (event) => {
    event.preventDefault();
    try {
      await api(paths.messages(), { method: 'POST', body: { patient: patientId, body: text, client_id: newClientId() } });
      setText('');
      setSent(true);
      setSendError(null);
      retry();
    } catch (err) {
      setSendError(err);
    }
  };
  const logTime = async () => {
    const minutes = minutesSince(opened);
    try {
      await api(paths.timeEntries(), { method: 'POST', body: { patient: patientId, activity: 'messaging', minutes, started_at: opened.toISOString() } });
      setLogged(minutes);
      onLogged?.();
    } catch (err) {
      setSendError(err);
    }
  };
  return html`<section id="messages"><h2>${t('msg_title')}</h2>
    <${ErrorNote} error=${error} onRetry=${retry} />
    ${data && html`<${Thread} messages=${[...data.results].reverse()} me=${me} />`}
    <form onSubmit=${submit} class="compose">
      ${clinic?.quick_replies?.length > 0 && html`<div class="row" role="group" aria-label=${t('msg_quick_replies')}>
        ${clinic.quick_replies.map((q) => html`<button type="button" class="secondary" key=${q} onClick=${() => setText(q)}>${q}</button>`)}
      </div>`}
      <div class="field"><label for="reply-body">${t('msg_reply')}</label>
        <textarea id="reply-body" rows="3" maxlength="2000" required value=${text} onInput=${(e) => setText(e.currentTarget.value)}></textarea></div>
      <button type="submit">${t('msg_send')}</button>
    </form>
    <${ErrorNote} error=${sendError} />
    ${sent && !logged && (minutesSince(opened) >= 1
      ? html`<p class="note" role="status">${t('msg_log_time_offer')}${' '}<button type="button" class="secondary" onClick=${logTime}>${t('msg_log_time', { n: minutesSince(opened) })}</button></p>`
      : html`<p class="note" role="status">${t('msg_sent')}</p>`)}
    ${logged && html`<p class="note success" role="status">${tn('time_logged', logged)}</p>`}
  </section>`;
}

const MAX_ENTRY_MINUTES = 480; // the API's limit for one entry
const LONG_TIMER_MINUTES = 60; // longer: asked before logging (a timer forgotten overnight)

/** Minutes on this patient: a timer (the entry is stored when it stops) or by hand. A running timer is kept on
 * this device (its start and activity, per patient), so closing or reloading the page does not lose it; signing
 * out clears it with the rest of the device's data. */
export function TimeLog({ patientId, me, onLogged }) {
  const [started, setStarted] = useState(null);
  const [activity, setActivity] = useState('review');
  const [minutes, setMinutes] = useState('');
  const [status, setStatus] = useState(null);
  const [error, setError] = useState(null);
  const [, tick] = useState(0);
  const timerKey = `time-timer:${me.id}:${patientId}`; // this clinician's timer on this patient
  useEffect(() => {
    let live = true;
    kvGet(timerKey).then((saved) => {
      if (live && saved) {
        setStarted(new Date(saved.started));
        setActivity(saved.activity);
      }
    });
    return () => { live = false; };
  }, [timerKey]);
  useEffect(() => {
    if (!started) return undefined;
    const timer = setInterval(() => tick((n) => n + 1), 15_000);
    return () => clearInterval(timer);
  }, [started]);
  const start = () => {
    const now = new Date();
    setStarted(now);
    kvSet(timerKey, { started: now.toISOString(), activity });
  };
  const choose = (value) => {
    setActivity(value);
    if (started) kvSet(timerKey, { started: started.toISOString(), activity: value });
  };
  const log = async (count, startedAt) => {
    try {
      await api(paths.timeEntries(), { method: 'POST', body: { patient: patientId, activity, minutes: count, started_at: startedAt.toISOString() } });
      setStatus(tn('time_logged', count));
      setError(null);
      onLogged?.();
    } catch (err) {
      setError(err);
    }
  };
  const stop = async () => {
    // Whole minutes spent (what the button showed), never rounded up: the minutes may be billed (RTM).
    const count = Math.min(MAX_ENTRY_MINUTES, Math.floor((Date.now() - started.getTime()) / 60_000));
    const saved = await kvGet(timerKey);
    setStarted(null);
    if (saved?.started !== started.toISOString()) {
      setStatus(t('time_stopped_elsewhere')); // another tab stopped (and logged) this timer
      return;
    }
    await kvDelete(timerKey);
    if (count < 1) {
      setStatus(t('time_too_short'));
      return;
    }
    if (count > LONG_TIMER_MINUTES && !confirm(t('time_long_confirm', { n: count }))) {
      setMinutes(String(count)); // a timer left running: the minutes go to the field, to correct and log
      setStatus(t('time_long_kept'));
      return;
    }
    log(count, started);
  };
  const manual = (event) => {
    event.preventDefault();
    const count = Number(minutes);
    log(count, new Date(Date.now() - count * 60_000));
    setMinutes('');
  };
  return html`<section><h2>${t('time_title')}</h2>
    <div class="field"><label for="time-activity">${t('time_activity')}</label>
      <select id="time-activity" value=${activity} onChange=${(e) => choose(e.currentTarget.value)}>
        ${['review', 'messaging', 'call', 'setup'].map((a) => html`<option key=${a} value=${a}>${t(`activity_${a}`)}</option>`)}
      </select></div>
    <div class="row">
      ${started
        ? html`<button type="button" onClick=${stop}>${t('time_stop', { n: Math.floor((Date.now() - started.getTime()) / 60_000) })}</button>`
        : html`<button type="button" class="secondary" onClick=${start}>${t('time_start')}</button>`}
    </div>
    <form class="row" onSubmit=${manual}>
      <div class="field"><label for="time-minutes">${t('time_minutes')}</label>
        <input id="time-minutes" type="number" inputmode="numeric" min="1" max="480" required value=${minutes} onInput=${(e) => setMinutes(e.currentTarget.value)} /></div>
      <button type="submit" class="secondary">${t('time_log')}</button>
    </form>
    ${status && html`<p class="note success" role="status">${status}</p>`}
    <${ErrorNote} error=${error} />
  </section>`;
}

export function PatientRtm({ patientId, version }) {
  const [{ data, error }] = useLoad(() => api(paths.patientRtm(patientId)), [patientId, version]);
  if (error) return html`<${ErrorNote} error=${error} />`;
  if (!data || !data.enabled) return null;
  return html`<section><h2>${t('rtm_title_patient', { month: formatMonth(data.month) })}</h2><${RtmRows} report=${data} /></section>`;
}
