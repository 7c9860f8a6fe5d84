// The shell: who is signed in, the offline banner and outbox count, navigation, and the screen for the path.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, errorText, onSignedOut, rememberMe, session, signOut } from './api.js';
import { kvGet, kvSet } from './db.js';
import { formatDate, hasText, language, pickLanguage, setLanguage, t } from './i18n.js';
import { clearUser, discard } from './outbox.js';
import { paths } from './paths.js';
import { applyClinicLook, clinic, clinicLogo, loadRules } from './rules.js';
import { announce, onOutboxChange, startSyncTriggers, syncNow } from './sync.js';
import { html, Link, navigate, patientDay, usePath, useWhenBack } from './ui.js';
import { CheckIn } from './screens/checkin.js';
import { Messages } from './screens/messages.js';
import { Inbox, Progress, Push, Reminders } from './screens/more.js';
import { AcceptInvite, ResetPassword } from './screens/account.js';
import { SignIn } from './screens/signin.js';
import { Today } from './screens/today.js';
import { VisaA } from './screens/visa.js';

const CLINICIAN_NAV = {
  physio: [['/caseload', 'nav_caseload'], ['/flags', 'nav_flags'], ['/messages', 'nav_messages'], ['/rtm', 'nav_rtm'], ['/enrol', 'nav_enrol'], ['/security', 'nav_security']],
  physician: [['/flags', 'nav_flags'], ['/messages', 'nav_messages'], ['/caseload', 'nav_caseload'], ['/security', 'nav_security']],
  admin: [['/caseload', 'nav_caseload'], ['/flags', 'nav_flags'], ['/messages', 'nav_messages'], ['/rtm', 'nav_rtm'], ['/enrol', 'nav_enrol'], ['/clinic', 'nav_clinic'], ['/security', 'nav_security']],
  clinic_admin: [['/clinic', 'nav_clinic'], ['/security', 'nav_security']],
};

const PATIENT_NAV = [
  ['/today', 'nav_today'],
  ['/checkin', 'nav_checkin'],
  ['/progress', 'nav_progress'],
  ['/messages', 'nav_messages'],
  ['/reminders', 'nav_reminders'],
  ['/inbox', 'nav_inbox'],
];

// The introduction and Learn load when shown: their long texts stay out of the patient's first download.
let learnModule = null;
function useLearn(needed) {
  const [module, setModule] = useState(learnModule);
  useEffect(() => {
    if (needed && !module) {
      import('./screens/learn.js').then((loaded) => {
        learnModule = loaded;
        setModule(loaded);
      });
    }
  }, [needed]);
  return module;
}

/** The introduction is seen once per account: stored on the server; offline, on the phone until it is. */
async function markOnboarded(current) {
  const key = `onboarded:${current.me.id}`;
  await kvSet(key, true);
  try {
    const { onboarded_at } = await api(paths.onboarding(), { method: 'POST' });
    const stored = await kvGet('session'); // the tokens as they are now (a refresh may have rotated them)
    const next = { ...stored, me: { ...stored.me, onboarded_at } };
    await kvSet('session', next);
    return next;
  } catch {
    return current; // sent again at the next start
  }
}

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
  const [introduce, setIntroduce] = useState(false); // the introduction, from the first sign-in or from Learn
  const learn = useLearn(introduce || path === '/learn');
  // A clinic that requires a second factor: a clinician without one sees only its set-up until it is done.
  const [mustEnrol, setMustEnrol] = useState(false);
  useOpenedDays(current?.me);

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
    if (current.me.role !== 'patient') api(paths.mfa()).then((m) => setMustEnrol(Boolean(m.enrol_now)), () => {});
    loadRules().then(() => {
      applyClinicLook(); // the clinic's colour as the accent
      setClock((c) => c + 1); // the screens show the server's rules
    });
    tellServerLanguage(current.me, languageTold);
    startSyncTriggers();
    announce();
    if (path === '/' || path === '/signin') navigate(home(current.me.role), { replace: true });
    if (current.me.role === 'patient' && current.me.onboarded_at === null) {
      kvGet(`onboarded:${current.me.id}`).then((seen) => (seen ? markOnboarded(current).then(setCurrent) : setIntroduce(true)));
    }
  }, [current?.me?.id]);
  const introduced = async () => {
    setIntroduce(false);
    if (current.me.onboarded_at == null) setCurrent(await markOnboarded(current));
  };

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

  // The screen is keyed by the language the server writes in: once it has been told a new one, the screen
  // loads again, so no text stays in the language before (exercise advice, notes, notices).
  const [serverLanguage, setServerLanguage] = useState(null);
  const languageTold = (code) => setServerLanguage(code);
  const changeLanguage = async (code) => {
    setLanguage(code);
    setLang(code);
    await kvSet('language', code);
    if (current?.me) tellServerLanguage(current.me, languageTold);
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
  if (path === '/invite' || path === '/reset-password') {
    // Opened from an e-mail, a text message or a QR code: shown whether or not someone is signed in here.
    const signedIn = (s) => {
      setNotice(null);
      setCurrent(s);
      navigate(home(s.me.role), { replace: true });
    };
    return html`<main id="main">${path === '/invite' ? html`<${AcceptInvite} onSignedIn=${signedIn} />` : html`<${ResetPassword} />`}</main>`;
  }
  if (!current) {
    return html`<main id="main"><${SignIn} notice=${notice} onLanguage=${changeLanguage}
      onSignedIn=${(s) => { setNotice(null); setCurrent(s); }} /></main>`;
  }
  const me = current.me;
  const patient = me.role === 'patient';
  return html`
    <a class="skip" href="#main">${t('skip')}</a>
    <header class="top">
      <span class="brand">${clinicLogo() && html`<img class="clinic-logo" src=${clinicLogo()} alt="" />`}${t('app_name')}
        ${clinic()?.name && html`<span class="clinic-name" data-testid="clinic-name"> · ${clinic().name}</span>`}</span>
      <span class="status" role="status" aria-live="polite" data-testid="sync-status">
        ${!online && html`<span class="badge offline">${t('offline')}</span>`}
        ${held.length > 0 && html`<span class="badge">${t('saved_on_phone')}</span>`}
        ${waiting > 0 && html`<span class="badge">${t('waiting_sync', { n: waiting })}</span>`}
      </span>
      ${patient && html`<${Link} href="/learn" aria-current=${path === '/learn' ? 'page' : undefined}>${t('nav_learn')}<//>`}
      <button type="button" class="link" onClick=${doSignOut}>${t('sign_out')}</button>
    </header>
    ${!online && html`<p class="banner">${t('offline_banner')}</p>`}
    ${outbox.rejected.length > 0 && html`<section class="rejected" role="alert">
      <h2>${t('rejected_title')}</h2><p>${t('rejected_help')}</p>
      <ul>${outbox.rejected.map((e) => html`<li key=${e.client_id}>
        <span>${hasText(`entry_${e.kind}`) ? t(`entry_${e.kind}`) : e.kind} ${e.body.date ? formatDate(e.body.date) : ''}: ${describeErrors(e)}</span>
        <button type="button" class="secondary" onClick=${async () => { await discard(e.client_id); announce(); }}>${t('dismiss')}</button>
      </li>`)}</ul></section>`}
    ${!patient && html`<nav class="clinician-nav" aria-label=${t('nav_main')}>
      ${(CLINICIAN_NAV[me.role] || []).map(([href, key]) => html`<${Link} key=${href} href=${href}
        aria-current=${path === href ? 'page' : undefined}>${t(key)}<//>`)}
    </nav>`}
    ${me.role === 'physician' && screens && html`<${screens.RedFlagWatch} />`}
    <main id="main" key=${serverLanguage || 'first'} class=${patient ? '' : 'wide'}>${patient ? patientScreen(path, me, outbox, { learn, introduce, introduced, again: () => setIntroduce(true), onLanguage: changeLanguage }) : mustEnrol && screens ? html`<${screens.Security} onEnrolled=${() => setMustEnrol(false)} />` : clinicianScreen(path, me, screens)}</main>
    ${patient && html`<nav class="tabs" aria-label=${t('nav_main')}>
      ${PATIENT_NAV.map(([href, key]) => html`<${Link} key=${href} href=${href} aria-current=${path === href ? 'page' : undefined}>${t(key)}<//>`)}
    </nav>`}
  `;
}

/** A patient's app tells the server each day it is used (an RTM access day): when it starts, when it comes back
 * to the screen and when the network does, once a patient-local day. The answer renews the time zone kept with
 * the session (the patient's day the app counts by). */
function useOpenedDays(me) {
  const told = useRef(null);
  const tell = () => {
    const day = me?.role === 'patient' && document.visibilityState === 'visible' ? patientDay(me) : null;
    if (!day || told.current === day) return;
    told.current = day;
    api(paths.me()).then(
      (fresh) => rememberMe(me, { timezone: fresh.timezone }),
      () => {
        told.current = null; // offline or refused: told at the next chance
      },
    );
  };
  useEffect(() => {
    told.current = null; // another account signed in
    tell();
  }, [me?.id]);
  useWhenBack(tell, [me?.id]);
}

/** The server writes notes, advice and notifications in the language the app shows: it is told the choice
 * (offline, it keeps the last one it was told, and the requests' Accept-Language says the rest). */
function tellServerLanguage(me, onTold = () => {}) {
  if (me.language === language()) return;
  const before = me.language; // empty: the server followed Accept-Language, the app's language already
  api('/api/v1/me/', { method: 'PATCH', body: { language: language() } }).then(
    async (answer) => {
      await rememberMe(me, { language: answer.language }); // kept with the session: the next start does not ask again
      if (before && before !== answer.language) onTold(answer.language); // reload what it wrote before
    },
    () => {},
  );
}

function describeErrors(entry) {
  return errorText(entry.status ?? 400, entry.errors);
}

function home(role) {
  if (role === 'clinic_admin') return '/clinic';
  return role === 'patient' ? '/today' : role === 'physician' ? '/flags' : '/caseload';
}

function clinicianScreen(path, me, screens) {
  if (!screens) return html`<p aria-busy="true">${t('loading')}</p>`;
  const { Caseload, Clinic, Enrol, FlagsInbox, MessagesInbox, PatientPage, RtmReport } = screens;
  const patient = path.match(/^\/patients\/(\d+)\/?$/);
  if (patient) return html`<${PatientPage} key=${patient[1]} id=${Number(patient[1])} me=${me} />`;
  if (path === '/flags') return html`<${FlagsInbox} me=${me} /><div class="screen"><${Push} me=${me} /></div>`;
  if (path === '/enrol' && me.role !== 'physician') return html`<${Enrol} me=${me} />`;
  if (path === '/security') return html`<${screens.Security} />`;
  if (me.role === 'clinic_admin' || (path === '/clinic' && me.role === 'admin')) return html`<${Clinic} me=${me} />`;
  if (path === '/messages') return html`<${MessagesInbox} me=${me} />`;
  if (path === '/rtm' && me.role !== 'physician') return html`<${RtmReport} me=${me} />`;
  return html`<${Caseload} me=${me} />`;
}

function patientScreen(path, me, outbox, { learn, introduce, introduced, again, onLanguage }) {
  if (introduce || path === '/learn') {
    if (!learn) return html`<p aria-busy="true">${t('loading')}</p>`;
    if (introduce) return html`<${learn.Onboarding} onDone=${introduced} />`;
    return html`<${learn.Learn} onAgain=${again} />`;
  }
  switch (path) {
    case '/checkin':
      return html`<${CheckIn} me=${me} outbox=${outbox} />`;
    case '/visa-a':
      return html`<${VisaA} me=${me} />`;
    case '/progress':
      return html`<${Progress} me=${me} />`;
    case '/reminders':
      return html`<${Reminders} me=${me} onLanguage=${onLanguage} />`;
    case '/inbox':
      return html`<${Inbox} me=${me} />`;
    case '/messages':
      return html`<${Messages} me=${me} outbox=${outbox} />`;
    default:
      return html`<${Today} me=${me} outbox=${outbox} />`;
  }
}

export { syncNow };
