// The RTM report of a month: per patient the 30-day periods, data days and device code, the management
// minutes and codes, "on track for billing"; a CSV for the billing office. The server reckons every code.
import { useState } from 'preact/hooks';
import { api, download } from '../../api.js';
import { formatDate, t } from '../../i18n.js';
import { paths } from '../../paths.js';
import { ErrorNote, html, Link, localToday, Screen, useLoad } from '../../ui.js';

const codes = (list) => list.map((c) => (c.units > 1 ? `${c.code} ×${c.units}` : c.code)).join(', ') || '–';

export function RtmRows({ report, names = false }) {
  if (!report.patients.length) return html`<p>${t('rtm_none')}</p>`;
  return html`<div class="table-wrap"><table class="caseload rtm">
    <thead><tr>
      ${names && html`<th scope="col">${t('col_patient')}</th>`}
      <th scope="col">${t('rtm_period')}</th><th scope="col">${t('rtm_data_days')}</th><th scope="col">${t('rtm_device')}</th>
      <th scope="col">${t('rtm_minutes')}</th><th scope="col">${t('rtm_interactive')}</th><th scope="col">${t('rtm_management')}</th>
    </tr></thead>
    <tbody>${report.patients.map((row) => {
      const periods = row.periods.length ? row.periods : [null];
      return periods.map((p, i) => html`<tr key=${`${row.patient}-${i}`} data-testid="rtm-row">
        ${names && html`<td>${i === 0 ? html`<${Link} href=${`/patients/${row.patient}`}>${row.name}<//>` : ''}</td>`}
        <td>${p ? `${formatDate(p.start)} – ${formatDate(p.end)}` : '–'}</td>
        <td>${p ? `${p.data_days}/30` : 0}${p && !p.complete ? ` (${p.start > localToday() ? t('rtm_not_begun') : p.on_track ? t('rtm_on_track') : t('rtm_off_track')})` : ''}</td>
        <td>${p?.device_code ?? '–'}${i === 0 && row.setup_code ? `, ${row.setup_code}` : ''}</td>
        <td>${i === 0 ? row.management_minutes : ''}</td>
        <td>${i === 0 ? (row.interactive_communication ? t('yes') : t('no')) : ''}</td>
        <td>${i === 0 ? codes(row.management_codes) : ''}</td>
      </tr>`);
    })}</tbody>
  </table></div>`;
}

function thisMonth() {
  const now = new Date();
  return `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}`;
}

export function RtmReport() {
  const [month, setMonth] = useState(thisMonth());
  const [csvError, setCsvError] = useState(null);
  const [{ data, error }, retry] = useLoad(() => api(paths.rtm({ month })), [month]);
  const saveCsv = async () => {
    try {
      const blob = await download(paths.rtm({ month, format: 'csv' }));
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = `rtm-${month}.csv`;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      setCsvError(null);
    } catch (err) {
      setCsvError(err);
    }
  };
  return html`<${Screen} title=${t('rtm_title')}>
    <div class="row">
      <div class="field"><label for="rtm-month">${t('rtm_month')}</label>
        <input id="rtm-month" type="month" value=${month} onChange=${(e) => e.currentTarget.value && setMonth(e.currentTarget.value)} /></div>
      <button type="button" class="secondary" onClick=${saveCsv}>${t('rtm_csv')}</button>
    </div>
    <${ErrorNote} error=${error || csvError} onRetry=${retry} />
    ${data && !data.enabled && html`<p class="note">${t('rtm_off')}</p>`}
    ${data?.enabled && html`<p class="muted small">${t(`rtm_rule_${data.data_day_rule}`)}</p><${RtmRows} report=${data} names=${true} />
      <details><summary>${t('rtm_rules')}</summary><ul class="small">${data.rules.map((r) => html`<li key=${r.code}><strong>${r.code}</strong> ${r.description} (${r.source})</li>`)}</ul></details>`}
  <//>`;
}
