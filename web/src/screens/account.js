// Without a sign-in: accepting an invitation (/invite#token) and a forgotten password (/reset-password, and
// /reset-password#uid=…&token=… from the e-mail). Tokens travel in the fragment: no server log sees them.
import { useState } from 'preact/hooks';
import { post, startSession } from '../api.js';
import { t } from '../i18n.js';
import { paths } from '../paths.js';
import { html, Link } from '../ui.js';

function reasonOf(err) {
  return err instanceof TypeError ? t('network_error') : err.message;
}

/** Two password fields that must agree; calls onSubmit(password). */
function NewPassword({ submitLabel, onSubmit }) {
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event) => {
    event.preventDefault();
    if (password !== repeat) {
      setError(t('passwords_differ'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await onSubmit(password);
    } catch (err) {
      setError(reasonOf(err));
      setBusy(false);
    }
  };
  return html`<form onSubmit=${submit}>
    <div class="field"><label for="new-password">${t('new_password')}</label>
      <input id="new-password" type="password" autocomplete="new-password" required minlength="8" value=${password}
        aria-describedby="password-help" onInput=${(e) => setPassword(e.currentTarget.value)} />
      <p class="hint" id="password-help">${t('password_help')}</p></div>
    <div class="field"><label for="repeat-password">${t('repeat_password')}</label>
      <input id="repeat-password" type="password" autocomplete="new-password" required minlength="8" value=${repeat}
        onInput=${(e) => setRepeat(e.currentTarget.value)} /></div>
    ${error && html`<p class="note error" role="alert">${error}</p>`}
    <button type="submit" class="big" disabled=${busy}>${submitLabel}</button>
  </form>`;
}

export function AcceptInvite({ onSignedIn }) {
  const token = location.hash.slice(1);
  if (!token) {
    return html`<section class="screen"><h1 tabindex="-1">${t('invite_title')}</h1>
      <p class="note error" role="alert">${t('invite_no_token')}</p></section>`;
  }
  const accept = async (password) => {
    const tokens = await post(paths.invitationAccept(token), { password });
    history.replaceState(null, '', '/invite'); // the spent token leaves the address bar and the history
    onSignedIn(await startSession(tokens));
  };
  return html`<section class="screen signin">
    <h1 tabindex="-1">${t('invite_title')}</h1>
    <p>${t('invite_intro')}</p>
    <${NewPassword} submitLabel=${t('invite_submit')} onSubmit=${accept} />
  </section>`;
}

export function ResetPassword() {
  const link = new URLSearchParams(location.hash.slice(1));
  const [email, setEmail] = useState('');
  const [done, setDone] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  if (link.get('uid') && link.get('token')) {
    if (done) {
      return html`<section class="screen signin"><h1 tabindex="-1">${t('reset_title')}</h1>
        <p class="note" role="status">${t('reset_done')}</p><${Link} class="button" href="/">${t('sign_in')}<//></section>`;
    }
    const confirm = async (password) => {
      await post(paths.passwordResetConfirm(), { uid: link.get('uid'), token: link.get('token'), password });
      history.replaceState(null, '', '/reset-password');
      setDone(true);
    };
    return html`<section class="screen signin"><h1 tabindex="-1">${t('reset_title')}</h1>
      <${NewPassword} submitLabel=${t('reset_save')} onSubmit=${confirm} /></section>`;
  }
  const ask = async (event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      setDone((await post(paths.passwordReset(), { email: email.trim() })).detail);
    } catch (err) {
      setError(reasonOf(err));
    }
    setBusy(false);
  };
  return html`<section class="screen signin"><h1 tabindex="-1">${t('reset_title')}</h1>
    ${done ? html`<p class="note" role="status">${t('reset_sent')}</p>` : html`<form onSubmit=${ask}>
      <p>${t('reset_intro')}</p>
      <div class="field"><label for="reset-email">${t('email')}</label>
        <input id="reset-email" type="email" autocomplete="email" required value=${email}
          onInput=${(e) => setEmail(e.currentTarget.value)} /></div>
      ${error && html`<p class="note error" role="alert">${error}</p>`}
      <button type="submit" class="big" disabled=${busy}>${t('reset_send')}</button>
    </form>`}
    <p><${Link} href="/">${t('back_to_sign_in')}<//></p>
  </section>`;
}
