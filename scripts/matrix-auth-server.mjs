// An OAuth 2.0 authorization server shaped the way Matrix's next-generation auth expects one (MSC3861:
// MSC2966 dynamic client registration, MSC2964 code grant with PKCE, refresh tokens, MSC4254
// revocation, MSC2967 device-scoped scopes), built on the npm package oidc-provider, for the tests.
// It is not the Matrix Authentication Service: no homeserver trusts it by itself. Loopback only; its
// development login form takes any login and password, and the login becomes the account.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import http from 'node:http';
import Provider from 'oidc-provider';

/** The resource the Matrix scopes are granted for (RFC 8707): any absolute URI the server knows. */
export const MATRIX_RESOURCE = 'urn:matrix:client-server-api';

/** MSC2967 scopes, stable and unstable spelling: the whole API, or one device. */
const MATRIX_SCOPE = /^urn:matrix:(?:client|org\.matrix\.msc2967\.client):(?:api:\*|device:[A-Za-z0-9._~-]{1,255})$/;

/**
 * Starts the server on 127.0.0.1 (a free port unless `port` is given). `accessTokenTtl` is in seconds;
 * `discovery` adds fields to its metadata document.
 */
export async function startMatrixAuthServer({ port = 0, accessTokenTtl = 300, discovery = {} } = {}) {
  const server = http.createServer();
  const listenPort = await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server.address().port));
  });
  const issuer = `http://127.0.0.1:${listenPort}`;
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const provider = new Provider(issuer, {
    jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'local-rs256', alg: 'RS256', use: 'sig' }] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    findAccount: (_ctx, sub) => ({ accountId: sub, claims: () => ({ sub }) }),
    features: {
      devInteractions: { enabled: true },
      // Open registration, as Matrix clients expect: any client may register itself.
      registration: { enabled: true },
      // A client revokes its own tokens only (logout, MSC4254); others' are left alone silently (RFC 7009).
      revocation: { enabled: true, allowedPolicy: (_ctx, client, token) => token.clientId === client.clientId },
      resourceIndicators: {
        enabled: true,
        // Matrix clients name no resource: their access tokens are for the homeserver.
        defaultResource: () => MATRIX_RESOURCE,
        useGrantedResource: () => true,
        getResourceServerInfo: (ctx, resource) => {
          if (resource !== MATRIX_RESOURCE) throw new Provider.errors.InvalidTarget();
          // The device scope is dynamic: allow the Matrix scopes this request (or its code or refresh
          // token) carries.
          return { scope: matrixScopesOf(ctx).join(' '), accessTokenFormat: 'opaque', accessTokenTTL: accessTokenTtl };
        },
      },
    },
    scopes: ['openid', 'offline_access'],
    // Matrix clients get a refresh token without asking for offline_access (MSC2964).
    issueRefreshToken: (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    pkce: { required: () => true },
    // As MAS does (its OAuth endpoints answer any origin). The package's default lets a public client
    // call the token endpoint only from its redirect URI's origin, and an extension's requests come
    // from chrome-extension:// or moz-extension://, never from its redirect host.
    clientBasedCORS: () => true,
    discovery,
    // Seconds. Explicit, so the package does not print a notice for each default it falls back to.
    ttl: {
      AccessToken: accessTokenTtl,
      AuthorizationCode: 60,
      Interaction: 600,
      Session: 3600,
      Grant: 3600,
      IdToken: 600,
      RefreshToken: 3600,
    },
  });
  server.on('request', provider.callback());
  return {
    issuer,
    provider,
    /** Lets another handler answer some paths first (see mas-stand-in.mjs); it returns true when it did. */
    intercept(handler) {
      server.removeAllListeners('request');
      const fallback = provider.callback();
      server.on('request', (request, response) => {
        Promise.resolve(handler(request, response)).then(
          (isHandled) => isHandled || fallback(request, response),
          (error) => {
            response.statusCode = 500;
            response.end(String(error));
          },
        );
      });
    },
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(() => resolve(undefined)));
    },
  };
}

function matrixScopesOf(ctx) {
  const { params = {}, entities = {} } = ctx.oidc ?? {};
  const carried = [params.scope, entities.AuthorizationCode?.scope, entities.RefreshToken?.scope, entities.RotatedRefreshToken?.scope];
  const scopes = carried.flatMap((scope) => (typeof scope === 'string' ? scope.split(' ') : []));
  return [...new Set(scopes.filter((scope) => MATRIX_SCOPE.test(scope)))];
}
