// The patient's conversation with the care team. A message goes through the outbox like a set (client_id,
// exactly once), so it can be written offline; an answer shows at once while the app is open (the service
// worker passes on the push) and otherwise on the next look.
import { useEffect, useState } from 'preact/hooks';
import { api, withCopy } from '../api.js';
import { OpeningHours, Thread, thread } from '../conversation.js';
import { formatDateTime, t } from '../i18n.js';
import { answerKey } from '../db.js';
import { enqueue, newClientId } from '../outbox.js';
import { paths } from '../paths.js';
import { requestBackgroundSync, syncNow } from '../sync.js';
import { ErrorNote, html, Link, Screen, useLoad } from '../ui.js';

const POLL_MS = 15_000;

export function Messages({ me, outbox }) {
  const [{ data, error }, retry] = useLoad(() => withCopy(answerKey('messages', me.id), () => api(paths.messages({ page_size: 100 }))));
  const [{ data: clinic }] = useLoad(() => api(paths.messagingClinic()));
  const [text, setText] = useState('');
  const [signs, setSigns] = useState([]);
  useEffect(() => {
    const onPush = (event) => event.data?.type === 'push' && retry();
    navigator.serviceWorker?.addEventListener('message', onPush);
    const timer = setInterval(() => document.visibilityState === 'visible' && retry(), POLL_MS);
    return () => {
      navigator.serviceWorker?.removeEventListener('message', onPush);
      clearInterval(timer);
    };
  }, []);
  useEffect(() => {
    for (const m of data?.results ?? []) {
      if (m.role !== 'patient' && !m.read_by.some((r) => r.user === me.id)) {
        api(paths.messageRead(m.id), { method: 'POST' }).catch(() => null);
      }
    }
  }, [data]);
  useEffect(() => {
    if (outbox.sent.some((e) => e.kind === 'message')) retry();
  }, [outbox.sent.length]);

  const submit = async (event) => {
    event.preventDefault();
    const body = { client_id: newClientId(), body: text.trim() };
    if (!body.body) return;
    await enqueue(me.id, 'message', body);
    setText('');
    requestBackgroundSync();
    const stored = (await syncNow())?.[body.client_id];
    if (stored) {
      setSigns(stored.red_flag_signs ?? []);
      retry();
    }
  };

  return html`<${Screen} title=${t('msg_title')}>
    <${OpeningHours} clinic=${clinic} />
    <${ErrorNote} error=${error} onRetry=${retry} />
    ${data?.cached && html`<p class="note" data-testid="messages-copy">${t('copy_note', { when: formatDateTime(data.fetched_at) })}</p>`}
    <${Thread} messages=${thread(data?.results, [...outbox.pending, ...outbox.sent])} me=${me} />
    ${signs.length > 0 && html`<div class="advice" role="alert">
      <p>${t('msg_red_flag_offer')}</p><${Link} class="button" href="/checkin">${t('msg_open_checkin')}<//>
    </div>`}
    <form onSubmit=${submit} class="compose">
      <div class="field"><label for="message-body">${t('msg_write')}</label>
        <textarea id="message-body" rows="3" maxlength="2000" required value=${text}
          onInput=${(e) => setText(e.currentTarget.value)}></textarea></div>
      <button type="submit" class="big">${t('msg_send')}</button>
    </form>
    <p class="muted small">${t('msg_urgent_hint')}</p>
  <//>`;
}
