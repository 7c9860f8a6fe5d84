// The caseload by risk: flags, adherence bars, pain trend, week, last log, VISA-A, filters and pages.
import { useRef, useState } from 'preact/hooks';
import { api } from '../../api.js';
import { t } from '../../i18n.js';
import { paths } from '../../paths.js';
import { ErrorNote, html, Link, Screen } from '../../ui.js';
import { Bar, FLAG_KINDS, label, PAGE_SIZE, painTrend, pct, PROTOCOLS, useLive } from './common.js';

export function Caseload() {
  const [filters, setFilters] = useState({ protocol: '', flag_kind: '', week: '', search: '' });
  const [page, setPage] = useState(1);
  const [search, setSearch] = useState('');
  const query = new URLSearchParams({ ordering: 'risk', page_size: PAGE_SIZE, page });
  for (const [k, v] of Object.entries(filters)) if (v) query.set(k, v);
  const [{ data, error, at }, retry] = useLive(() => api(`${paths.patients()}?${query}`), [query.toString()]);
  const set = (name) => (e) => {
    setFilters({ ...filters, [name]: e.currentTarget.value });
    setPage(1);
  };
  const debounce = useRef(null);
  const onSearch = (e) => {
    const value = e.currentTarget.value;
    setSearch(value);
    clearTimeout(debounce.current);
    debounce.current = setTimeout(() => {
      setFilters((old) => ({ ...old, search: value.trim() }));
      setPage(1);
    }, 300);
  };
  const pages = data ? Math.max(1, Math.ceil(data.count / PAGE_SIZE)) : 1;
  return html`<${Screen} title=${t('clinician_title')}>
    <form class="filters" onSubmit=${(e) => e.preventDefault()}>
      <div class="field"><label for="f-search">${t('filter_search')}</label>
        <input id="f-search" type="search" value=${search} onInput=${onSearch} /></div>
      <div class="field"><label for="f-protocol">${t('filter_protocol')}</label>
        <select id="f-protocol" value=${filters.protocol} onChange=${set('protocol')}>
          <option value="">${t('any')}</option>
          ${PROTOCOLS.map((p) => html`<option value=${p}>${t(`protocol_${p}`)}</option>`)}
        </select></div>
      <div class="field"><label for="f-flag">${t('filter_flag')}</label>
        <select id="f-flag" value=${filters.flag_kind} onChange=${set('flag_kind')}>
          <option value="">${t('any')}</option>
          ${FLAG_KINDS.map((k) => html`<option value=${k}>${label(k)}</option>`)}
        </select></div>
      <div class="field"><label for="f-week">${t('filter_week')}</label>
        <select id="f-week" value=${filters.week} onChange=${set('week')}>
          <option value="">${t('any')}</option>
          ${Array.from({ length: 12 }, (_, i) => html`<option value=${i + 1}>${i + 1}</option>`)}
        </select></div>
    </form>
    <${ErrorNote} error=${error} onRetry=${retry} />
    ${!data && !error && html`<p aria-busy="true">${t('loading')}</p>`}
    ${data && html`<div class="table-wrap"><table class="caseload">
      <caption class="muted">${t('page_of', { page, pages, count: data.count })} · ${t('updated_at', { time: at.toLocaleTimeString() })}</caption>
      <thead><tr>
        <th scope="col">${t('col_patient')}</th><th scope="col">${t('col_flags')}</th>
        <th scope="col">${t('col_adherence')}</th><th scope="col">${t('col_pain')}</th>
        <th scope="col">${t('col_week')}</th><th scope="col">${t('col_last_log')}</th>
        <th scope="col">${t('col_visa')}</th><th scope="col">${t('col_monitored')}</th>
      </tr></thead>
      <tbody>${data.results.map((row) => html`<tr key=${row.id} data-testid="caseload-row">
        <th scope="row"><${Link} href=${`/patients/${row.id}`}>${row.display_name || row.username}<//>
          <div class="muted small">${row.active_program ? t(`protocol_${row.active_program.protocol}`) : t('no_program')}</div></th>
        <td>${row.red_flag_open && html`<span class="badge danger">${t('badge_red_flag')}</span>`}
          ${row.physician_flag_open && !row.red_flag_open && html`<span class="badge warn">${t('badge_physician')}</span>`}
          ${row.open_flags > 0 && html`<span class="small"> ${t('open_count', { n: row.open_flags })}</span>`}
          ${row.progression_due && html`<span class="badge ok">${t('badge_progression')}</span>`}</td>
        <td><${Bar} value=${row.adherence_7d} name="7 d" /> ${pct(row.adherence_7d)}<br /><${Bar} value=${row.adherence_28d} name="28 d" /> ${pct(row.adherence_28d)}</td>
        <td>${painTrend(row.pain_trend)}</td>
        <td>${row.week ? `${row.week}/12` : '–'}</td>
        <td>${row.last_log_date ?? '–'}</td>
        <td>${row.latest_visa_a ?? '–'}</td>
        <td>${row.monitored_days_30d}/30</td>
      </tr>`)}</tbody></table></div>
      ${data.results.length === 0 && html`<p>${t('no_patients')}</p>`}
      <div class="row pager">
        <button type="button" class="secondary" disabled=${page <= 1} onClick=${() => setPage(page - 1)}>${t('previous')}</button>
        <button type="button" class="secondary" disabled=${page >= pages} onClick=${() => setPage(page + 1)}>${t('next')}</button>
      </div>`}
  <//>`;
}
