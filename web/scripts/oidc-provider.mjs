// A real OpenID Connect provider (npm oidc-provider) for the tests of staff single sign-on: one confidential
// client that must use PKCE, the accounts given in OIDC_TEST_ACCOUNTS, and the package's own development
// sign-in form (type an account id as the login, any password). Listens on 127.0.0.1 only.
//
//   OIDC_TEST_ACCOUNTS='{"alice":{"email":"alice@clinic.test","email_verified":true,"rehab_role":"physio"}}' \
//   node web/scripts/oidc-provider.mjs PORT CLIENT_ID CLIENT_SECRET REDIRECT_URI [REDIRECT_URI …]
//
// Prints "ready <issuer>" once it listens. For tests only: its signing keys and cookie keys are throwaway.
import Provider from 'oidc-provider';

const [port, clientId, clientSecret, ...redirectUris] = process.argv.slice(2);
const accounts = JSON.parse(process.env.OIDC_TEST_ACCOUNTS || '{}');
const issuer = `http://127.0.0.1:${port}`;

const provider = new Provider(issuer, {
  clients: [{
    client_id: clientId,
    client_secret: clientSecret,
    redirect_uris: redirectUris,
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_post',
  }],
  pkce: { required: () => true },
  scopes: ['openid', 'email', 'profile'],
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'rehab_role'] },
  cookies: { keys: ['rehab-tracker-tests-only'] },
  features: { devInteractions: { enabled: true } },
  async findAccount(_ctx, sub) {
    if (!accounts[sub]) return undefined;
    return { accountId: sub, claims: async () => ({ sub, ...accounts[sub] }) };
  },
  // A first-party client: no consent screen (the grant is made on first use).
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope('openid email profile');
    grant.addOIDCClaims(['email', 'email_verified', 'name', 'rehab_role']);
    await grant.save();
    return grant;
  },
});
provider.on('server_error', (_ctx, error) => console.error('oidc-provider error:', error.message));

const server = provider.listen(Number(port), '127.0.0.1', () => console.log(`ready ${issuer}`));
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
