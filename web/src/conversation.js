// A conversation between a patient and the care team, as both sides see it: newest at the bottom, the
// sender's role, read receipts, the clinic's automatic out-of-hours notice, and what still waits in the outbox.
import { formatDateTime, language, t } from './i18n.js';
import { html, Link } from './ui.js';

/** The server's messages (newest first, as the API pages them) and the outbox's not yet listed, oldest first. */
export function thread(serverMessages = [], outboxEntries = []) {
  const listed = new Set(serverMessages.map((m) => m.client_id));
  const waiting = outboxEntries
    .filter((e) => e.kind === 'message' && !listed.has(e.body.client_id))
    .map((e) => ({ id: `local-${e.client_id}`, client_id: e.client_id, role: 'patient', kind: 'text', body: e.body.body,
      created_at: new Date(e.created_at).toISOString(), read_by: [], waiting: e.state !== 'sent' }));
  return [...serverMessages].reverse().concat(waiting);
}

export function weekdays(days) {
  const names = new Intl.DateTimeFormat(language(), { weekday: 'short' });
  return days.map((d) => names.format(new Date(Date.UTC(2024, 0, 1 + d, 12)))).join(', '); // 1 Jan 2024 was a Monday
}

export function OpeningHours({ clinic }) {
  if (!clinic) return null;
  return html`<p class="note" data-testid="opening-hours">
    ${t('msg_hours', { days: weekdays(clinic.open_weekdays), from: clinic.opens_at, to: clinic.closes_at })}
    ${' '}${t('msg_reply_within', { hours: clinic.reply_within_hours })}
    ${!clinic.open_now && html`<br /><strong>${t('msg_closed_now')}</strong>`}
  </p>`;
}

function Notice({ forPatient }) {
  return html`<p>${t('msg_out_of_hours')} ${forPatient && html`<${Link} href="/checkin">${t('msg_open_checkin')}<//>`}</p>`;
}

/** ``me``: the reader; their own messages show on the right with a read mark. */
export function Thread({ messages, me }) {
  if (!messages.length) return html`<p class="muted">${t('msg_none')}</p>`;
  const forPatient = me.role === 'patient';
  return html`<ol class="thread" aria-label=${t('msg_thread')}>
    ${messages.map((m) => {
      const mine = forPatient ? m.role === 'patient' : m.author === me.id;
      return html`<li key=${m.id} class=${`bubble${mine ? ' mine' : ''}${m.kind === 'out_of_hours' ? ' notice' : ''}`}>
        <span class="who">${mine ? t('msg_you') : t(`author_${m.role}`)}</span>
        ${m.kind === 'out_of_hours' ? html`<${Notice} forPatient=${forPatient} />` : html`<p>${m.body}</p>`}
        <span class="muted small">
          <time datetime=${m.created_at}>${formatDateTime(m.created_at)}</time>
          ${m.waiting ? ` · ${t('msg_waiting')}` : mine && m.read_by?.length ? ` · ${t('msg_read')}` : ''}
        </span>
      </li>`;
    })}
  </ol>`;
}
