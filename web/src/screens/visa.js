// The VISA-A questionnaire as published: items 1–6 on 0–10, item 7's four answers, item 8 as its three
// branches. The score is shown at the end; the questionnaire goes through the outbox.
import { useState } from 'preact/hooks';
import { t } from '../i18n.js';
import { enqueue, newClientId } from '../outbox.js';
import { requestBackgroundSync, syncNow } from '../sync.js';
import { rules } from '../rules.js';
import { ITEM7, ITEM8, unanswered, visaScore } from '../visa.js';
import { html, Link, Screen } from '../ui.js';

export function VisaA({ me }) {
  const [items, setItems] = useState([null, null, null, null, null, null]);
  const [item7, setItem7] = useState(null);
  const [branch, setBranch] = useState(null);
  const [item8, setItem8] = useState(null);
  const [result, setResult] = useState(null);
  const [missing, setMissing] = useState([]); // the question numbers left unanswered at the last send

  const answers = [...items, item7, item8];
  // the answers the server scores by; the published ones until its rules have been read
  const served = rules().visa_a;
  const scale = { item7: served?.item_7_values ?? ITEM7, item8: served?.item_8_branches ?? ITEM8 };
  const submit = async (event) => {
    event.preventDefault();
    const left = unanswered(answers, branch, scale);
    setMissing(left);
    if (left.length) {
      document.getElementById(`visa-q${left[0]}`)?.scrollIntoView({ block: 'center' });
      return;
    }
    const body = { client_id: newClientId(), answered_at: new Date().toISOString(), answers, item8_branch: branch };
    await enqueue(me.id, 'visa_a', body);
    setResult({ score: visaScore(answers), sent: false });
    requestBackgroundSync();
    const stored = (await syncNow())?.[body.client_id];
    if (stored) setResult({ score: stored.score, sent: true });
  };

  if (result) {
    return html`<${Screen} title=${t('visa_title')}>
      <p class="score" role="status" data-testid="visa-score">
        ${result.sent ? t('visa_score', { score: result.score }) : t('visa_score_offline', { score: result.score })}</p>
      <${Link} class="button" href="/today">${t('back_today')}<//>
    <//>`;
  }
  const setItem = (i, v) => setItems(items.map((old, j) => (j === i ? v : old)));
  return html`<${Screen} title=${t('visa_title')}>
    <p>${t('visa_intro')}</p>
    <form onSubmit=${submit} novalidate>
      ${items.map((value, i) => html`<fieldset class=${`scale${missing.includes(i + 1) ? ' missing' : ''}`} key=${i} id=${`visa-q${i + 1}`}>
        <legend>${t(`visa_q${i + 1}`)}</legend>
        <div class="scale-row">${Array.from({ length: 11 }, (_, v) => html`<label class="pill">
          <input type="radio" name=${`q${i + 1}`} value=${v} checked=${value === v} onChange=${() => setItem(i, v)} />
          <span>${v}</span></label>`)}</div>
      </fieldset>`)}
      <fieldset id="visa-q7" class=${missing.includes(7) ? 'missing' : ''}><legend>${t('visa_q7')}</legend>
        ${scale.item7.map((v) => html`<label class="check" key=${v}>
          <input type="radio" name="q7" value=${v} checked=${item7 === v} onChange=${() => setItem7(v)} />
          <span>${t(`visa_q7_${v}`)}</span></label>`)}
      </fieldset>
      <fieldset id="visa-q8" class=${missing.includes(8) ? 'missing' : ''}><legend>${t('visa_q8')}</legend>
        ${Object.keys(scale.item8).map((b) => html`<label class="check" key=${b}>
          <input type="radio" name="q8-branch" value=${b} checked=${branch === b}
            onChange=${() => { setBranch(b); setItem8(null); }} />
          <span>${t(`visa_q8_${b}`)}</span></label>`)}
      </fieldset>
      ${branch && html`<fieldset><legend>${t('visa_q8_how_long')}</legend>
        ${scale.item8[branch].map((v, k) => html`<label class="check" key=${`${branch}${v}`}>
          <input type="radio" name="q8" value=${v} checked=${item8 === v} onChange=${() => setItem8(v)} />
          <span>${t(`visa_q8_${branch}_opts`).split('|')[k]}</span></label>`)}
      </fieldset>`}
      ${missing.length > 0 && html`<p class="note error" role="alert" data-testid="visa-missing">
        ${t(missing.length === 1 ? 'visa_unanswered_one' : 'visa_unanswered', { list: missing.join(', ') })}</p>`}
      <button type="submit" class="big">${t('visa_submit')}</button>
    </form>
  <//>`;
}
