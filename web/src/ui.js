// Shared view helpers: htm bound to Preact, the router, small components.
import { h } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import htm from 'htm';
import { describeError } from './api.js';
import { formatNumber, parseKg, t } from './i18n.js';
import { zoneOf } from './rules.js';

export const html = htm.bind(h);

// Routing: plain paths (the server answers each with the app), history API, links with data-nav.
const routeListeners = new Set();

/** Today's date, YYYY-MM-DD, on the calendar of ``zone`` (an IANA name: the patient's, as the server counts
 * their days) or, without one, of this device (toISOString would give UTC's, a day off near midnight). */
export function localToday(now = new Date(), zone = null) {
  if (zone) {
    try {
      const parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(now);
      const part = (type) => parts.find((p) => p.type === type).value;
      return `${part('year')}-${part('month')}-${part('day')}`;
    } catch {
      // a zone this browser does not know: the device's calendar below
    }
  }
  const pad = (n) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** The patient's today by their time zone (``me.timezone``), as the server counts their days; undefined when the
 * zone is not known on this phone (a session from before the server said it). */
export function patientToday(me) {
  return me.timezone ? localToday(new Date(), me.timezone) : undefined;
}

/** The patient's today, else this device's: for what is only counted on the phone. */
export const patientDay = (me) => patientToday(me) ?? localToday();

/** Call ``check`` whenever the page is back on the screen or the network is back, and every ``everyMs`` while the
 * page is visible: for what must follow a day that has turned while the app stayed open. */
export function useWhenBack(check, deps = [], { everyMs = null } = {}) {
  useEffect(() => {
    const visible = () => document.visibilityState === 'visible' && check();
    document.addEventListener('visibilitychange', visible);
    window.addEventListener('online', visible);
    const timer = everyMs ? setInterval(visible, everyMs) : null;
    return () => {
      clearInterval(timer);
      document.removeEventListener('visibilitychange', visible);
      window.removeEventListener('online', visible);
    };
  }, deps);
}

export function navigate(path, { replace = false } = {}) {
  if (path === location.pathname + location.search) return;
  history[replace ? 'replaceState' : 'pushState']({}, '', path);
  for (const listener of routeListeners) listener(location.pathname);
  window.scrollTo(0, 0);
  // move focus to the new screen's heading, for keyboard and screen-reader users
  requestAnimationFrame(() => document.querySelector('main h1')?.focus());
}

/** Load ``load()`` now and when ``deps`` change; with ``live``, again when the window regains focus and every
 * minute while visible. A failed reload keeps what was shown and reports the error beside it. */
export function useLoad(load, deps = [], { live = false } = {}) {
  const [state, setState] = useState({ data: null, error: null, at: null });
  const run = () =>
    load().then(
      (data) => setState({ data, error: null, at: new Date() }),
      (error) => setState((old) => ({ ...old, error })),
    );
  useEffect(() => {
    run();
    if (!live) return undefined;
    const timer = setInterval(() => document.visibilityState === 'visible' && run(), LIVE_MS);
    window.addEventListener('focus', run);
    return () => {
      clearInterval(timer);
      window.removeEventListener('focus', run);
    };
  }, deps);
  return [state, run];
}
const LIVE_MS = 60_000;

export function usePath() {
  const [path, setPath] = useState(location.pathname);
  useEffect(() => {
    const onPop = () => setPath(location.pathname);
    routeListeners.add(setPath);
    window.addEventListener('popstate', onPop);
    return () => {
      routeListeners.delete(setPath);
      window.removeEventListener('popstate', onPop);
    };
  }, []);
  return path;
}

export function Link({ href, children, ...rest }) {
  const onClick = (event) => {
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    navigate(href);
  };
  return html`<a href=${href} onClick=${onClick} ...${rest}>${children}</a>`;
}

export function Screen({ title, children }) {
  return html`<section class="screen"><h1 tabindex="-1">${title}</h1>${children}</section>`;
}

export function ErrorNote({ error, onRetry }) {
  if (!error) return null;
  return html`<div class="note error" role="alert">
    <p>${describeError(error)}</p>
    ${onRetry && html`<button type="button" class="secondary" onClick=${onRetry}>${t('retry')}</button>`}
  </div>`;
}

/** A 0–10 pain control with Silbernagel's zones (docs/clinical.md §5): safe, acceptable, too much. */
const ZONE_CLASS = { safe: 'safe', acceptable: 'ok', too_much: 'high' };

/** The pain zone's class for ``value``, by the server's zones (rules.js). */
export function painZone(value) {
  return ZONE_CLASS[zoneOf(value)];
}

/** A weight in kg, typed with a decimal point or comma (``parseKg``): a text field with the decimal keypad, and the
 * browser's own message on submit when it is not a weight. ``value`` as the language writes it. */
export function KgInput({ id, value, onInput, required = false, placeholder }) {
  const typed = (event) => {
    const text = event.currentTarget.value;
    const kg = parseKg(text);
    event.currentTarget.setCustomValidity(Number.isNaN(kg) || (required && kg === null) ? t('kg_format') : '');
    onInput(text);
  };
  const shown = typeof value === 'number' ? formatNumber(value) : (value ?? '');
  return html`<input id=${id} type="text" inputmode="decimal" autocomplete="off" required=${required} value=${shown}
    placeholder=${placeholder} onInput=${typed} />`;
}

export function PainInput({ id, label, value, onInput, zones = true }) {
  const zone = painZone(value);
  const zoneText = { safe: t('zone_safe'), ok: t('zone_ok'), high: t('zone_high') }[zone];
  return html`<div class="field pain">
    <label for=${id}>${label}</label>
    <div class="pain-row">
      <input id=${id} type="range" min="0" max="10" step="1" value=${value}
        aria-valuetext=${zones ? `${t('pain_value', { n: value })}. ${zoneText}` : t('pain_value', { n: value })}
        onInput=${(e) => onInput(Number(e.currentTarget.value))} />
      <output for=${id} class=${`pain-value zone-${zone}`}>${value}</output>
    </div>
    ${zones && html`<ul class="zones" aria-hidden="true">
      <li class=${`zone-safe${zone === 'safe' ? ' on' : ''}`}>${t('zone_safe')}</li>
      <li class=${`zone-ok${zone === 'ok' ? ' on' : ''}`}>${t('zone_ok')}</li>
      <li class=${`zone-high${zone === 'high' ? ' on' : ''}`}>${t('zone_high')}</li>
    </ul>`}
  </div>`;
}

/** HSR with no load to start from (docs/clinical.md §10): how to find the RM, set by set (Today and the player). */
export function FindRm({ rm }) {
  return html`<div class="note prompt find-rm" data-testid="find-rm"><h3>${t('find_rm_title', { rm })}</h3>
    <p>${t('find_rm_help', { rm })}</p></div>`;
}
