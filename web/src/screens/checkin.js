// The morning check-in: pain, stiffness, the red-flag questions in plain words. A red-flag answer shows the
// advice at once, from the app itself when offline; the check-in goes through the outbox like a set.
import { useEffect, useState } from 'preact/hooks';
import { answerKey, kvGet, kvSet } from '../db.js';
import { t } from '../i18n.js';
import { enqueue, newClientId } from '../outbox.js';
import { requestBackgroundSync, syncNow } from '../sync.js';
import { html, Link, PainInput, patientDay, Screen } from '../ui.js';
import { checkedIn } from './today.js';
import { Advice, bundledAdvice, RED_FLAG_KINDS } from './advice.js';

export function CheckIn({ me, outbox }) {
  const doneToday = useDoneToday(me, outbox);
  const [pain, setPain] = useState(0);
  const [stiffness, setStiffness] = useState(0);
  const [flags, setFlags] = useState([]);
  const [done, setDone] = useState(null); // {advice, told}
  const [busy, setBusy] = useState(false);

  const toggle = (answer) => setFlags(flags.includes(answer) ? flags.filter((f) => f !== answer) : [...flags, answer]);
  const submit = async (event) => {
    event.preventDefault();
    setBusy(true);
    const body = {
      client_id: newClientId(),
      answered_at: new Date().toISOString(), // dated by the server: the patient's day at this instant
      morning_pain: pain,
      morning_stiffness_minutes: Number(stiffness),
      red_flags: flags,
    };
    await enqueue(me.id, 'checkin', body);
    // Show the advice before anything else can go wrong: it must not wait for the network.
    setDone({ advice: bundledAdvice(flags), told: flags.length ? t('advice_told_offline') : null });
    kvSet(answerKey('checkin', me.id), patientDay(me)).catch(() => {}); // the day of the last sent
    requestBackgroundSync();
    const answers = await syncNow();
    const stored = answers?.[body.client_id];
    // The server's advice names the clinic, and it alone knows "worse than usual" (morning_worse)
    if (stored?.advice?.length || (stored && flags.length)) {
      setDone({ advice: stored.advice?.length ? stored.advice : bundledAdvice(flags), told: flags.length ? t('advice_told') : null });
    }
    setBusy(false);
  };

  if (done) {
    return html`<${Screen} title=${t('checkin_title')}>
      ${done.advice.length ? html`<${Advice} advice=${done.advice} told=${done.told} />` : html`<p class="note success" role="status">${t('checkin_saved')}</p>`}
      <${Link} class="button" href="/today">${t('back_today')}<//>
    <//>`;
  }
  return html`<${Screen} title=${t('checkin_title')}>
    ${doneToday && html`<p class="note" data-testid="checkin-done">${t('checkin_done_today')}</p>`}
    <form onSubmit=${submit}>
      <${PainInput} id="morning-pain" label=${t('morning_pain')} value=${pain} onInput=${setPain} zones=${false} />
      <div class="field"><label for="stiffness">${t('stiffness')}</label>
        <input id="stiffness" type="number" inputmode="numeric" min="0" max="1440" required value=${stiffness}
          onInput=${(e) => setStiffness(e.currentTarget.value)} /></div>
      <fieldset class="flags"><legend>${t('red_flags_legend')}</legend>
        ${Object.keys(RED_FLAG_KINDS).map((answer) => html`<label class="check" key=${answer}>
          <input type="checkbox" name="red_flags" value=${answer} checked=${flags.includes(answer)} onChange=${() => toggle(answer)} />
          <span>${t(`rf_${answer}`)}</span></label>`)}
      </fieldset>
      <button type="submit" class="big" disabled=${busy}>${t('send_checkin')}</button>
    </form>
  <//>`;
}

/** Whether today's check-in is already stored or on its way: sent from this phone today, or so said by Today's
 * last answer here (a copy of an earlier day says nothing of today). */
function useDoneToday(me, outbox) {
  const [known, setKnown] = useState({ copy: null, last: null });
  useEffect(() => {
    Promise.all([kvGet(answerKey('today', me.id)), kvGet(answerKey('checkin', me.id))]).then(([copy, last]) => setKnown({ copy, last }));
  }, [me.id]);
  const day = patientDay(me);
  const today = known.copy?.date === day ? known.copy : { date: day, checked_in: false };
  return known.last === day || checkedIn(today, outbox, me.timezone);
}
