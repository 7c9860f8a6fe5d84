// The clinician's first screen: the caseload by risk (the fuller clinician app builds on this).
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { ErrorNote, html, Screen } from '../ui.js';

export function Caseload() {
  const [state, setState] = useState({ rows: null, error: null });
  const load = () =>
    api('/api/v1/patients/?ordering=risk&page_size=50').then(
      (page) => setState({ rows: page.results ?? page, error: null }),
      (error) => setState({ rows: null, error }),
    );
  useEffect(() => {
    load();
  }, []);
  if (state.error) return html`<${Screen} title=${t('clinician_title')}><${ErrorNote} error=${state.error} onRetry=${load} /><//>`;
  if (!state.rows) return html`<${Screen} title=${t('clinician_title')}><p aria-busy="true">${t('loading')}</p><//>`;
  return html`<${Screen} title=${t('clinician_title')}>
    <table class="caseload"><thead><tr><th scope="col">Patient</th><th scope="col">7-day adherence</th><th scope="col">Open flags</th></tr></thead>
      <tbody>${state.rows.map((row) => html`<tr key=${row.id}>
        <th scope="row">${row.username ?? row.id}</th>
        <td>${row.adherence_7d == null ? '–' : `${Math.round(row.adherence_7d * 100)}%`}</td>
        <td>${row.open_flags}</td></tr>`)}</tbody></table>
  <//>`;
}
