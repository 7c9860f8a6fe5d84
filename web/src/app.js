// The shell: who is signed in, the offline banner and outbox count, navigation, and the screen for the path.
import { useEffect, useState } from 'preact/hooks';
import { api, errorText, onSignedOut, session, signOut } from './api.js';
import { kvGet, kvSet } from './db.js';
import { formatDate, language, pickLanguage, setLanguage, t } from './i18n.js';
import { clearUser, discard } from './outbox.js';
import { loadRules } from './rules.js';
import { announce, onOutboxChange, startSyncTriggers, syncNow } from './sync.js';
import { html, Link, navigate, usePath } from './ui.js';
import { CheckIn } from './screens/checkin.js';
import { Inbox, Progress, Push, Reminders } from './screens/more.js';
import { SignIn } from './screens/signin.js';
import { Today } from './screens/today.js';
import { VisaA } from './screens/visa.js';

const CLINICIAN_NAV = {
  physio: [['/caseload', 'nav_caseload'], ['/flags', 'nav_flags'], ['/enrol', 'nav_enrol']],
  physician: [['/flags', 'nav_flags'], ['/caseload', 'nav_caseload']],
  admin: [['/caseload', 'nav_caseload'], ['/flags', 'nav_flags'], ['/enrol', 'nav_enrol']],
};

const PATIENT_NAV = [
  ['/today', 'nav_today'],
  ['/checkin', 'nav_checkin'],
  ['/progress', 'nav_progress'],
  ['/reminders', 'nav_reminders'],
  ['/inbox', 'nav_inbox'],
];

// The clinician's screens load only for clinicians: the patient's phone never downloads them.
let clinicianScreens = null;
function useClinicianScreens(needed) {
  const [screens, setScreens] = useState(clinicianScreens);
  useEffect(() => {
    if (needed && !screens) {
      import('./screens/clinician.js').then((module) => {
        clinicianScreens = module;
        setScreens(module);
      });
    }
  }, [needed]);
  return screens;
}

function useOnline() {
  const [online, setOnline] = useState(navigator.onLine);
  useEffect(() => {
    const on = () => setOnline(true);
    const off = () => setOnline(false);
    window.addEventListener('online', on);
    window.addEventListener('offline', off);
    return () => {
      window.removeEventListener('online', on);
      window.removeEventListener('offline', off);
    };
  }, []);
  return online;
}

export function App() {
  const [current, setCurrent] = useState(undefined);
  const [notice, setNotice] = useState(null);
  const [outbox, setOutbox] = useState({ pending: [], rejected: [], sent: [], answers: {} });
  const [, setClock] = useState(0);
  const [, setLang] = useState('en');
  const online = useOnline();
  const path = usePath();
  const screens = useClinicianScreens(Boolean(current?.me && current.me.role !== 'patient'));

  useEffect(() => {
    kvGet('language').then((saved) => {
      const code = pickLanguage(saved, navigator.languages || []);
      setLanguage(code);
      setLang(code);
    });
    session().then((s) => setCurrent(s?.me ? s : null));
    const offChange = onOutboxChange(setOutbox);
    const offSignedOut = onSignedOut(() => {
      setCurrent(null);
      setNotice(t('session_ended'));
    });
    return () => {
      offChange();
      offSignedOut();
    };
  }, []);
  useEffect(() => {
    document.getElementById('app')?.classList.toggle('clinician', Boolean(current?.me && current.me.role !== 'patient'));
    if (!current?.me) return;
    loadRules().then(() => setClock((c) => c + 1)); // the screens show the server's rules
    tellServerLanguage(current.me);
    startSyncTriggers();
    announce();
    if (path === '/' || path === '/signin') navigate(home(current.me.role), { replace: true });
  }, [current?.me?.id]);

  // An entry in its undo window is saved on the phone, not yet a sync to wait for: the badge changes when
  // the window ends.
  const now = Date.now();
  const held = outbox.pending.filter((e) => e.not_before > now);
  const waiting = outbox.pending.length - held.length;
  useEffect(() => {
    if (!held.length) return undefined;
    const timer = setTimeout(() => setClock((n) => n + 1), Math.min(...held.map((e) => e.not_before)) - Date.now() + 50);
    return () => clearTimeout(timer);
  }, [outbox]);

  const changeLanguage = async (code) => {
    setLanguage(code);
    setLang(code);
    await kvSet('language', code);
    if (current?.me) tellServerLanguage(current.me);
  };
  const doSignOut = async () => {
    const unsent = outbox.pending.length;
    if (unsent && !confirm(t('sign_out_unsent', { n: unsent }))) return;
    const user = current.me.id;
    await signOut();
    await clearUser(user);
    setNotice(null);
    navigate('/', { replace: true });
  };

  if (current === undefined) return html`<main id="main"><p aria-busy="true">${t('loading')}</p></main>`;
  if (!current) {
    return html`<main id="main"><${SignIn} notice=${notice} onLanguage=${changeLanguage}
      onSignedIn=${(s) => { setNotice(null); setCurrent(s); }} /></main>`;
  }
  const me = current.me;
  const patient = me.role === 'patient';
  return html`
    <a class="skip" href="#main">${t('skip')}</a>
    <header class="top">
      <span class="brand">${t('app_name')}</span>
      <span class="status" role="status" aria-live="polite" data-testid="sync-status">
        ${!online && html`<span class="badge offline">${t('offline')}</span>`}
        ${held.length > 0 && html`<span class="badge">${t('saved_on_phone')}</span>`}
        ${waiting > 0 && html`<span class="badge">${t('waiting_sync', { n: waiting })}</span>`}
      </span>
      <button type="button" class="link" onClick=${doSignOut}>${t('sign_out')}</button>
    </header>
    ${!online && html`<p class="banner">${t('offline_banner')}</p>`}
    ${outbox.rejected.length > 0 && html`<section class="rejected" role="alert">
      <h2>${t('rejected_title')}</h2><p>${t('rejected_help')}</p>
      <ul>${outbox.rejected.map((e) => html`<li key=${e.client_id}>
        <span>${t(`entry_${e.kind}`)} ${e.body.date ? formatDate(e.body.date) : ''}: ${describeErrors(e)}</span>
        <button type="button" class="secondary" onClick=${async () => { await discard(e.client_id); announce(); }}>${t('dismiss')}</button>
      </li>`)}</ul></section>`}
    ${!patient && html`<nav class="clinician-nav" aria-label=${t('nav_main')}>
      ${(CLINICIAN_NAV[me.role] || []).map(([href, key]) => html`<${Link} key=${href} href=${href}
        aria-current=${path === href ? 'page' : undefined}>${t(key)}<//>`)}
    </nav>`}
    ${me.role === 'physician' && screens && html`<${screens.RedFlagWatch} />`}
    <main id="main" class=${patient ? '' : 'wide'}>${patient ? patientScreen(path, me, outbox) : clinicianScreen(path, me, screens)}</main>
    ${patient && html`<nav class="tabs" aria-label=${t('nav_main')}>
      ${PATIENT_NAV.map(([href, key]) => html`<${Link} key=${href} href=${href} aria-current=${path === href ? 'page' : undefined}>${t(key)}<//>`)}
    </nav>`}
  `;
}

/** The server writes notes, advice and notifications in the language the app shows: it is told the choice
 * (offline, it keeps the last one it was told, and the requests' Accept-Language says the rest). */
function tellServerLanguage(me) {
  if (me.language === language()) return;
  api('/api/v1/me/', { method: 'PATCH', body: { language: language() } }).then(
    async (answer) => {
      me.language = answer.language; // kept with the session: the next start does not ask again
      const stored = await kvGet('session');
      if (stored?.me) await kvSet('session', { ...stored, me: { ...stored.me, language: answer.language } });
    },
    () => {},
  );
}

function describeErrors(entry) {
  return errorText(entry.status ?? 400, entry.errors);
}

function home(role) {
  return role === 'patient' ? '/today' : role === 'physician' ? '/flags' : '/caseload';
}

function clinicianScreen(path, me, screens) {
  if (!screens) return html`<p aria-busy="true">${t('loading')}</p>`;
  const { Caseload, Enrol, FlagsInbox, PatientPage } = screens;
  const patient = path.match(/^\/patients\/(\d+)\/?$/);
  if (patient) return html`<${PatientPage} key=${patient[1]} id=${Number(patient[1])} me=${me} />`;
  if (path === '/flags') return html`<${FlagsInbox} me=${me} /><div class="screen"><${Push} me=${me} /></div>`;
  if (path === '/enrol' && me.role !== 'physician') return html`<${Enrol} me=${me} />`;
  return html`<${Caseload} me=${me} />`;
}

function patientScreen(path, me, outbox) {
  switch (path) {
    case '/checkin':
      return html`<${CheckIn} me=${me} />`;
    case '/visa-a':
      return html`<${VisaA} me=${me} />`;
    case '/progress':
      return html`<${Progress} me=${me} />`;
    case '/reminders':
      return html`<${Reminders} me=${me} />`;
    case '/inbox':
      return html`<${Inbox} me=${me} />`;
    default:
      return html`<${Today} me=${me} outbox=${outbox} />`;
  }
}

export { syncNow };
