// A real OpenID provider (the npm package oidc-provider) that Synapse uses as its upstream SSO
// identity provider, for the tests and `npm start`. Loopback only: its development login form takes
// any login and password, and the login becomes the account (`sub`, `preferred_username`, `name`).
// The package says so at every start; those notices are kept off the console (withoutDevelopmentNotices).
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import http from 'node:http';
import Provider from 'oidc-provider';

/**
 * Starts the provider on 127.0.0.1 (a free port unless `port` is given) with one confidential client,
 * Synapse, allowed to return to `redirectUris` (Synapse's `/_synapse/client/oidc/callback`).
 */
export async function startOidcProvider({ redirectUris, port = 0 }) {
  const server = http.createServer();
  const listenPort = await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server.address().port));
  });
  const issuer = `http://127.0.0.1:${listenPort}`;
  const client = { clientId: 'synapse', clientSecret: randomBytes(16).toString('hex') };
  // A signing key of our own: without one the package signs with a well-known development key.
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const provider = withoutDevelopmentNotices(() => new Provider(issuer, {
    clients: [
      {
        client_id: client.clientId,
        client_secret: client.clientSecret,
        redirect_uris: redirectUris,
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'local-rs256', alg: 'RS256', use: 'sig' }] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    claims: { openid: ['sub'], profile: ['preferred_username', 'name'] },
    // Synapse reads the profile from the ID token when it asked for `openid`; by default the package
    // keeps scope claims out of the ID token (they would only be at the userinfo endpoint).
    conformIdTokenClaims: false,
    findAccount: (_ctx, sub) => ({
      accountId: sub,
      claims: () => ({ sub, preferred_username: sub, name: sub }),
    }),
    loadExistingGrant: grantForSynapse,
    // Seconds. Explicit, so the package does not print a notice for each default it falls back to.
    ttl: { AuthorizationCode: 60, Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, IdToken: 600 },
    features: { devInteractions: { enabled: true } },
  }));
  server.on('request', provider.callback());
  return {
    issuer,
    ...client,
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(() => resolve(undefined)));
    },
  };
}

/**
 * Synapse is this provider's own (first-party) client, as with a company's single sign-on: users are
 * not asked to consent to sharing their profile with it, so a login is one form. The grant covers
 * exactly what Synapse asked for.
 */
async function grantForSynapse(ctx) {
  const { oidc } = ctx;
  const grantId = oidc.result?.consent?.grantId ?? oidc.session.grantIdFor(oidc.client.clientId);
  if (grantId) return oidc.provider.Grant.find(grantId);
  const grant = new oidc.provider.Grant({ clientId: oidc.client.clientId, accountId: oidc.session.accountId });
  grant.addOIDCScope([...oidc.requestParamScopes].join(' '));
  grant.addOIDCClaims([...oidc.requestParamClaims]);
  await grant.save();
  return grant;
}

/**
 * Runs `construct` with the package's notices about its development-only parts (in-memory storage,
 * the development login form) kept off the console: they are what this loopback stand-in is made of,
 * and said on every start they would bury the lines `npm start` prints for the user. Any other
 * warning still shows.
 */
function withoutDevelopmentNotices(construct) {
  const warn = console.warn;
  console.warn = (...args) => {
    if (!String(args[0]).includes('quick start development-only')) warn(...args);
  };
  try {
    return construct();
  } finally {
    console.warn = warn;
  }
}
