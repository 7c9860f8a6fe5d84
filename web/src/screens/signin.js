import { useState } from 'preact/hooks';
import { describeError, signIn } from '../api.js';
import { language, LANGUAGES, t } from '../i18n.js';
import { html } from '../ui.js';

export function SignIn({ onSignedIn, notice, onLanguage }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await signIn(username.trim(), password));
    } catch (err) {
      setError(describeError(err));
      setBusy(false);
    }
  };
  return html`<section class="screen signin">
    <h1 tabindex="-1">${t('sign_in_title')}</h1>
    ${notice && html`<p class="note" role="status">${notice}</p>`}
    <form onSubmit=${submit}>
      <div class="field"><label for="username">${t('username')}</label>
        <input id="username" name="username" autocomplete="username" autocapitalize="none" required value=${username}
          onInput=${(e) => setUsername(e.currentTarget.value)} /></div>
      <div class="field"><label for="password">${t('password')}</label>
        <input id="password" name="password" type="password" autocomplete="current-password" required value=${password}
          onInput=${(e) => setPassword(e.currentTarget.value)} /></div>
      ${error && html`<p class="note error" role="alert">${error}</p>`}
      <button type="submit" class="big" disabled=${busy}>${t('sign_in')}</button>
    </form>
    <div class="field"><label for="language">${t('language')}</label>
      <select id="language" value=${language()} onChange=${(e) => onLanguage(e.currentTarget.value)}>
        ${Object.entries(LANGUAGES).map(([code, name]) => html`<option value=${code}>${name}</option>`)}
      </select></div>
  </section>`;
}
