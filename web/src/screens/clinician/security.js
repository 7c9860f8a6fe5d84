// Two-factor sign-in for clinicians: set up an authenticator app (scan the server's QR code, or type the
// secret), confirm with a first code, and keep the recovery codes shown once.
import { useState } from 'preact/hooks';
import { api } from '../../api.js';
import { t } from '../../i18n.js';
import { paths } from '../../paths.js';
import { ErrorNote, html, Screen, useLoad } from '../../ui.js';

export function Security({ onEnrolled }) {
  const [status, reload] = useLoad(() => api(paths.mfa()), []);
  const [pending, setPending] = useState(null); // {secret, otpauth_url, qr_svg}
  const [code, setCode] = useState('');
  const [codes, setCodes] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const start = async () => {
    setError(null);
    setBusy(true);
    try {
      setPending(await api(paths.mfaTotp(), { method: 'POST' }));
    } catch (err) {
      setError(err);
    }
    setBusy(false);
  };
  const confirm = async (event) => {
    event.preventDefault();
    setError(null);
    setBusy(true);
    try {
      const answer = await api(paths.mfaTotpConfirm(), { method: 'POST', body: { otp: code.trim() } });
      setCodes(answer.recovery_codes);
      setPending(null);
    } catch (err) {
      setError(err);
    }
    setBusy(false);
  };
  if (codes) {
    return html`<${Screen} title=${t('mfa_title')}>
      <p role="status">${t('mfa_on')}</p>
      <h2>${t('mfa_recovery_title')}</h2>
      <p>${t('mfa_recovery_help')}</p>
      <ul class="recovery-codes" data-testid="recovery-codes">${codes.map((c) => html`<li key=${c}><code>${c}</code></li>`)}</ul>
      ${onEnrolled && html`<button type="button" onClick=${onEnrolled}>${t('mfa_codes_saved')}</button>`}
    <//>`;
  }
  const mfa = status.data;
  return html`<${Screen} title=${t('mfa_title')}>
    ${status.error && html`<${ErrorNote} error=${status.error} onRetry=${reload} />`}
    ${mfa?.enrol_now && html`<p class="note" role="alert">${t('mfa_required')}</p>`}
    ${mfa && !pending && html`<p>${mfa.totp ? t('mfa_status_on', { n: mfa.recovery_codes_left }) : t('mfa_status_off')}</p>
      <button type="button" onClick=${start} disabled=${busy}>${mfa.totp ? t('mfa_replace') : t('mfa_start')}</button>`}
    ${pending && html`<div class="mfa-setup">
      <p>${t('mfa_scan')}</p>
      <div class="qr" role="img" aria-label=${t('mfa_qr_label')} dangerouslySetInnerHTML=${{ __html: pending.qr_svg }}></div>
      <p>${t('mfa_secret')} <code data-testid="totp-secret">${pending.secret}</code></p>
      <form onSubmit=${confirm}>
        <div class="field"><label for="mfa-code">${t('otp_code')}</label>
          <input id="mfa-code" inputmode="numeric" autocomplete="one-time-code" required value=${code}
            onInput=${(e) => setCode(e.currentTarget.value)} /></div>
        <button type="submit" disabled=${busy}>${t('mfa_confirm')}</button>
      </form>
    </div>`}
    <${ErrorNote} error=${error} />
  <//>`;
}
