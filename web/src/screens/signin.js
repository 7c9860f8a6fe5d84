import { useEffect, useState } from 'preact/hooks';
import { describeError, signIn, signInWithSso, ssoInfo } from '../api.js';
import { language, LANGUAGES, t } from '../i18n.js';
import { html, Link } from '../ui.js';

/** The one-time code a single sign-on hands back in the address's fragment (``/signin#sso=…``), taken out
 * of the address at once so it stays in no history entry. */
function takeSsoCode() {
  const match = location.hash.match(/^#sso=([\w-]+)$/);
  if (!match) return null;
  history.replaceState(history.state, '', location.pathname);
  return match[1];
}

export function SignIn({ onSignedIn, notice, onLanguage }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [otp, setOtp] = useState('');
  const [askOtp, setAskOtp] = useState(false);
  const [error, setError] = useState(
    new URLSearchParams(location.search).get('sso') === 'failed' ? t('sso_failed') : null,
  );
  const [busy, setBusy] = useState(false);
  const [sso, setSso] = useState(null);
  useEffect(() => {
    const code = takeSsoCode();
    if (code) {
      setBusy(true);
      signInWithSso(code).then(onSignedIn, (err) => {
        setError(describeError(err));
        setBusy(false);
      });
    }
    ssoInfo().then(setSso, () => setSso({ enabled: false }));
  }, []);
  const submit = async (event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await signIn(username.trim(), password, askOtp ? otp.trim() : undefined));
    } catch (err) {
      const code = err?.data?.code;
      if (code === 'otp_required') {
        setAskOtp(true);
        setError(null);
        document.getElementById('otp')?.focus();
      } else {
        setError(code === 'otp_invalid' ? t('otp_invalid') : describeError(err));
      }
      setBusy(false);
    }
  };
  return html`<section class="screen signin">
    <h1 tabindex="-1">${t('sign_in_title')}</h1>
    ${notice && html`<p class="note" role="status">${notice}</p>`}
    ${busy && !username && html`<p aria-busy="true">${t('signing_in')}</p>`}
    <form onSubmit=${submit}>
      <div class="field"><label for="username">${t('sign_in_name')}</label>
        <input id="username" name="username" autocomplete="username" autocapitalize="none" required value=${username}
          onInput=${(e) => setUsername(e.currentTarget.value)} /></div>
      <div class="field"><label for="password">${t('password')}</label>
        <input id="password" name="password" type="password" autocomplete="current-password" required value=${password}
          onInput=${(e) => setPassword(e.currentTarget.value)} /></div>
      ${askOtp && html`<div class="field"><label for="otp">${t('otp_code')}</label>
        <p class="hint" id="otp-hint">${t('otp_hint')}</p>
        <input id="otp" name="otp" autocomplete="one-time-code" autocapitalize="none" required value=${otp}
          aria-describedby="otp-hint" onInput=${(e) => setOtp(e.currentTarget.value)} /></div>`}
      ${error && html`<p class="note error" role="alert">${error}</p>`}
      <button type="submit" class="big" disabled=${busy}>${t('sign_in')}</button>
    </form>
    <p><${Link} href="/reset-password">${t('forgot_password')}<//></p>
    ${sso?.enabled && html`<p class="sso"><a class="button secondary" href=${sso.login_url}>
      ${t('sso_button', { provider: sso.provider })}</a></p>`}
    <${LanguagePicker} onLanguage=${onLanguage} />
  </section>`;
}

/** The app's language: on the sign-in screen, and for a signed-in patient under Reminders. */
export function LanguagePicker({ onLanguage }) {
  return html`<div class="field"><label for="language">${t('language')}</label>
    <select id="language" value=${language()} onChange=${(e) => onLanguage(e.currentTarget.value)}>
      ${Object.entries(LANGUAGES).map(([code, name]) => html`<option value=${code}>${name}</option>`)}
    </select></div>`;
}
