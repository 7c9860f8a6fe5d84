// Progress (charts), reminders (times, time zone, push on this phone) and the notifications inbox.
import { useEffect, useState } from 'preact/hooks';
import { api, NoticeError, rememberMe, withCopy } from '../api.js';
import { BarChart, LineChart } from '../charts.js';
import { answerKey, kvDelete, kvGet, kvSet } from '../db.js';
import { formatDate, formatDateTime, formatDay, formatTime, t } from '../i18n.js';
import { rules } from '../rules.js';
import { ErrorNote, html, Screen, useLoad } from '../ui.js';
import { LanguagePicker } from './signin.js';

const rows = (page) => (Array.isArray(page) ? page : page.results);

export function Progress({ me }) {
  const pid = me.patient;
  const cacheKey = answerKey('progress', me.id); // the last answer, shown offline
  const [{ data, error }, retry] = useLoad(() => withCopy(cacheKey, async () => {
    const [adherence, checkins, visa] = await Promise.all([
      api(`/api/v1/patients/${pid}/adherence/`),
      api('/api/v1/checkins/?page_size=500'), // oldest first: a whole program and its year after in one page
      api('/api/v1/visa-a/'),
    ]);
    return { adherence, checkins: rows(checkins), visa: rows(visa) };
  }));
  if (error) return html`<${Screen} title=${t('progress_title')}><${ErrorNote} error=${error} onRetry=${retry} /><//>`;
  if (!data) return html`<${Screen} title=${t('progress_title')}><p aria-busy="true">${t('loading')}</p><//>`;
  const weeks = data.adherence.weeks.filter((w) => w.prescribed_sets > 0);
  const overall = data.adherence.overall;
  const mark = rules().adherent_at_least;
  const painAbove = rules().pain_above;
  return html`<${Screen} title=${t('progress_title')}>
    ${data.cached && html`<p class="note" data-testid="progress-copy">${t('copy_note', { when: formatDateTime(data.fetched_at) })}</p>`}
    ${overall != null && html`<p class="subtitle">${t('adherence_overall', { pct: Math.round(overall * 100) })}</p>`}
    ${weeks.length
      ? html`<${BarChart} label=${t('adherence_by_week')} yTitle=${t('axis_sets_done')}
          target=${mark} targetLabel=${t('target_adherence', { pct: Math.round(mark * 100) })}
          bars=${weeks.map((w) => ({ label: t('week_short', { week: w.week }), value: w.adherence, text: t('chart_week', { week: w.week, pct: Math.round((w.adherence ?? 0) * 100) }) }))} />`
      : html`<p>${t('no_data')}</p>`}
    ${data.checkins.length
      ? html`<${LineChart} label=${t('pain_trend')} yTitle=${t('axis_pain')} ticks=${[0, 2, 4, 6, 8, 10]}
          line=${painAbove} lineLabel=${t('pain_line', { n: painAbove })}
          points=${lastOfEachDay(data.checkins).slice(-30).map((c) => ({ label: formatDay(c.date), value: c.morning_pain, text: t('chart_pain', { date: formatDate(c.date), n: c.morning_pain }) }))} />`
      : null}
    ${data.visa.length
      ? html`<${LineChart} label=${t('visa_history')} max=${100} ticks=${[0, 25, 50, 75, 100]} yTitle=${t('axis_visa')}
          note=${t('visa_meaning')}
          points=${data.visa.map((v) => ({ label: formatDay(v.date), value: v.score, text: t('chart_visa', { date: formatDate(v.date), score: v.score }) }))} />`
      : null}
  <//>`;
}

/** One check-in a day, the day's last (as the physio's timeline shows it): rows in date order. */
export function lastOfEachDay(rows) {
  return [...new Map(rows.map((row) => [row.date, row])).values()];
}

export function deviceTimeZone() {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

function urlBase64ToUint8Array(base64) {
  const padded = (base64 + '='.repeat((4 - (base64.length % 4)) % 4)).replace(/-/g, '+').replace(/_/g, '/');
  return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
}

export function Reminders({ me, onLanguage }) {
  const [{ data, error }, retry] = useLoad(() => api('/api/v1/me/reminders/'));
  const [form, setForm] = useState(null);
  const [saved, setSaved] = useState(null);
  useEffect(() => {
    if (data) setForm({ ...data, times: [...data.times] });
  }, [data]);
  if (error) return html`<${Screen} title=${t('reminders_title')}><${ErrorNote} error=${error} onRetry=${retry} /><//>`;
  if (!form) return html`<${Screen} title=${t('reminders_title')}><p aria-busy="true">${t('loading')}</p><//>`;
  const device = deviceTimeZone();
  const save = async (event, patch = {}) => {
    event?.preventDefault();
    setSaved(null);
    try {
      const next = await api('/api/v1/me/reminders/', { method: 'PATCH', body: { ...form, ...patch } });
      await rememberMe(me, { timezone: next.timezone }); // the day a check-in is dated by
      setForm({ ...next, times: [...next.times] });
      setSaved({ ok: true });
    } catch (err) {
      setSaved({ error: err });
    }
  };
  const setTime = (i, value) => setForm({ ...form, times: form.times.map((old, j) => (i === j ? value : old)) });
  return html`<${Screen} title=${t('reminders_title')}>
    <form onSubmit=${save}>
      <label class="check"><input type="checkbox" checked=${form.enabled} onChange=${(e) => setForm({ ...form, enabled: e.currentTarget.checked })} />
        <span>${t('reminders_enabled')}</span></label>
      <fieldset><legend>${t('reminder_times')}</legend>
        ${form.times.map((time, i) => html`<div class="row" key=${i}>
          <label class="visually-hidden" for=${`time-${i}`}>${t('reminder_times')} ${i + 1}</label>
          <input id=${`time-${i}`} type="time" required value=${time} onInput=${(e) => setTime(i, e.currentTarget.value)} />
          <button type="button" class="secondary" onClick=${() => setForm({ ...form, times: form.times.filter((_, j) => j !== i) })}>${t('remove_time', { time: formatTime(time) })}</button>
        </div>`)}
        ${form.times.length < 4 && html`<button type="button" class="secondary" onClick=${() => setForm({ ...form, times: [...form.times, '12:00'] })}>${t('add_time')}</button>`}
      </fieldset>
      <p data-testid="timezone">${t('timezone_line', { tz: form.timezone })}</p>
      ${device && device !== form.timezone && html`<button type="button" class="secondary" onClick=${(e) => save(e, { timezone: device })}>${t('timezone_update', { tz: device })}</button>`}
      <button type="submit" class="big">${t('save')}</button>
      ${saved?.ok && html`<p role="status" class="note success">${t('saved')}</p>`}
      <${ErrorNote} error=${saved?.error} />
    </form>
    <${Push} me=${me} />
    ${onLanguage && html`<section><h2>${t('language')}</h2><${LanguagePicker} onLanguage=${onLanguage} /></section>`}
  <//>`;
}

/** Web Push on this device: the permission prompt comes only after the patient taps. */
export function Push({ me }) {
  const supported = 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;
  const key = `push:${me.id}`;
  const [subscription, setSubscription] = useState(undefined);
  const [error, setError] = useState(null);
  useEffect(() => {
    kvGet(key).then((stored) => setSubscription(stored || null));
  }, []);
  if (!supported) return html`<section><h2>${t('push_title')}</h2><p>${t('push_unsupported')}</p></section>`;
  const turnOn = async () => {
    setError(null);
    try {
      if ((await Notification.requestPermission()) !== 'granted') throw new NoticeError(t('push_denied'));
      const { public_key: publicKey } = await api('/api/v1/push/vapid-public-key/');
      const registration = await navigator.serviceWorker.ready;
      const browserSub = await registration.pushManager.subscribe({
        userVisibleOnly: true,
        applicationServerKey: urlBase64ToUint8Array(publicKey),
      });
      const json = browserSub.toJSON();
      const stored = await api('/api/v1/push-subscriptions/', {
        method: 'POST',
        body: { endpoint: json.endpoint, keys: { p256dh: json.keys.p256dh, auth: json.keys.auth } },
      });
      await kvSet(key, { id: stored.id, endpoint: json.endpoint });
      setSubscription({ id: stored.id });
    } catch (err) {
      setError(err);
    }
  };
  const turnOff = async () => {
    setError(null);
    try {
      await api(`/api/v1/push-subscriptions/${subscription.id}/`, { method: 'DELETE' }).catch((err) => {
        if (err.status !== 404) throw err;
      });
      const registration = await navigator.serviceWorker.ready;
      await (await registration.pushManager.getSubscription())?.unsubscribe();
      await kvDelete(key);
      setSubscription(null);
    } catch (err) {
      setError(err);
    }
  };
  return html`<section><h2>${t('push_title')}</h2>
    ${subscription
      ? html`<p role="status">${t('push_is_on')}</p><button type="button" class="secondary" onClick=${turnOff}>${t('push_off')}</button>`
      : html`<button type="button" class="big" onClick=${turnOn} disabled=${subscription === undefined}>${t('push_on')}</button>`}
    <${ErrorNote} error=${error} />
  </section>`;
}

export function Inbox() {
  const [{ data, error }, retry] = useLoad(() => api('/api/v1/notifications/'));
  if (error) return html`<${Screen} title=${t('inbox_title')}><${ErrorNote} error=${error} onRetry=${retry} /><//>`;
  if (!data) return html`<${Screen} title=${t('inbox_title')}><p aria-busy="true">${t('loading')}</p><//>`;
  const list = rows(data);
  return html`<${Screen} title=${t('inbox_title')}>
    ${list.length === 0 && html`<p>${t('inbox_empty')}</p>`}
    <ul class="inbox">${list.map((n) => html`<li key=${n.id} class=${n.replaced_by ? 'replaced' : n.read_at ? '' : 'unread'}>
      <h2>${n.title}</h2>
      ${n.replaced_by
        ? html`<p class="strong">${t('replaced_notice')}</p><details><summary>${t('show_sent')}</summary><p>${n.body}</p></details>`
        : html`<p>${n.body}</p>`}
      <p class="muted"><time datetime=${n.created_at}>${formatDateTime(n.created_at)}</time></p>
    </li>`)}</ul>
  <//>`;
}
