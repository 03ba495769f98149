// OIDC-native login's client side (MSC3861) with matrix-js-sdk's real OAuth helpers against a real
// OAuth 2.0 server started here (oidc-provider, configured for dynamic registration, PKCE and refresh
// tokens; scripts/matrix-auth-server.mjs). The browser's auth window is replaced by an HTTP walk
// through the server's login and consent forms. The homeserver side (a Synapse delegating to this
// server through a MAS stand-in: whoami, js-sdk's refresh in a MatrixClient) is
// oidc-delegated-synapse.test.ts.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OAuth2, TokenRefreshLogoutError, type AccessTokens } from 'matrix-js-sdk';
// Not exported from the package root: js-sdk's token manager builds it for a MatrixClient given a
// refresh token. Used here directly, as the client does, to see the server's rotation and revocation.
import { TokenRefresher } from 'matrix-js-sdk/lib/oauth/tokenRefresher.js';
import { startMatrixAuthServer } from '../../scripts/matrix-auth-server.mjs';
import { matrixScope } from '../../src/background/session/login/oidc-authorization';
import { OidcClientStore } from '../../src/background/session/login/oidc-client-store';
import { discoverDelegation } from '../../src/background/session/login/oidc-discovery';
import { parseAuthMetadata, type AuthServer } from '../../src/background/session/login/oidc-metadata';
import { authorizeDevice, loginOptions } from '../../src/background/session/login/oidc-native';
import type { WebAuthFlow } from '../../src/background/session/login/sso-login';
import { homeserverUrl } from '../support/homeserver';
import { memoryStore } from '../support/memory-store';
import { walkSsoLogin } from '../support/sso-over-http';

/** A Chrome extension's redirect address (Chrome gives `https://<extension id>.chromiumapp.org/`). */
const REDIRECT = 'https://abcdefghijklmnopabcdefghijklmnop.chromiumapp.org/';

let authServer: Awaited<ReturnType<typeof startMatrixAuthServer>>;
let metadata: AuthServer;
const registrations: string[] = [];

beforeAll(async () => {
  authServer = await startMatrixAuthServer();
  authServer.provider.on('registration_create.success', (_ctx: unknown, client: { clientId: string }) => registrations.push(client.clientId));
  const response = await fetch(`${authServer.issuer}/.well-known/openid-configuration`);
  metadata = parseAuthMetadata(await response.json());
});

afterAll(async () => {
  await authServer?.stop();
});

/**
 * The auth window, as an HTTP walk that signs in as `username` and consents. Like the browser's, it
 * answers only once the window reaches the redirect address; a walk that ends on some page is a
 * window the user closes (undefined).
 */
function walkingFlow(username: string, seen: string[] = []): WebAuthFlow {
  return {
    redirectUrl: () => REDIRECT,
    launch: async (url) => {
      seen.push(url);
      const { finalUrl } = await walkSsoLogin(url, REDIRECT, username);
      return finalUrl.startsWith(REDIRECT) ? finalUrl : undefined;
    },
  };
}

const user = () => `oidc-${randomBytes(5).toString('hex')}`;

describe('OIDC-native login against a real OAuth 2.0 server', () => {
  it('accepts the server’s metadata', () => {
    expect(metadata.issuer).toBe(authServer.issuer);
    expect(metadata.code_challenge_methods_supported).toContain('S256');
    expect(metadata.registration_endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
  });

  it('registers once, signs in with PKCE for a device-scoped token, and reuses the registration', async () => {
    const clients = new OidcClientStore(memoryStore());
    const seen: string[] = [];
    const first = await authorizeDevice({ authServer: metadata, scopeSpelling: 'stable' }, { flow: walkingFlow(user(), seen), clients });

    expect(registrations).toContain(first.clientId);
    expect(await clients.clientIdFor(metadata.issuer, REDIRECT)).toBe(first.clientId);
    const authorizationUrl = new URL(seen[0] ?? '');
    expect(authorizationUrl.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorizationUrl.searchParams.get('response_mode')).toBe('query');
    expect(authorizationUrl.searchParams.get('scope')).toBe(matrixScope(first.deviceId, 'stable'));
    expect(first.tokens.token_type).toBe('Bearer');
    expect(first.tokens.refresh_token).toEqual(expect.any(String));
    expect(first.tokens.scope?.split(' ').sort()).toEqual(matrixScope(first.deviceId, 'stable').split(' ').sort());

    const registered = registrations.length;
    const second = await authorizeDevice({ authServer: metadata, scopeSpelling: 'unstable' }, { flow: walkingFlow(user()), clients });
    expect(registrations).toHaveLength(registered);
    expect(second.clientId).toBe(first.clientId);
    expect(second.deviceId).not.toBe(first.deviceId);
    expect(second.tokens.scope).toContain(`urn:matrix:org.matrix.msc2967.client:device:${second.deviceId}`);
  });

  it('registers as a web client whose redirect address shares its client_uri’s host (MSC2966)', async () => {
    const clients = new OidcClientStore(memoryStore());
    const { clientId } = await authorizeDevice({ authServer: metadata, scopeSpelling: 'stable' }, { flow: walkingFlow(user()), clients });
    const client = await authServer.provider.Client.find(clientId);
    expect(client?.metadata()).toMatchObject({
      client_name: 'Matrix Widget Bridge',
      client_uri: 'https://abcdefghijklmnopabcdefghijklmnop.chromiumapp.org/',
      application_type: 'web',
      redirect_uris: [REDIRECT],
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
    });
  });

  it('registers anew after the service no longer knows the stored registration', async () => {
    const clients = new OidcClientStore(memoryStore());
    await clients.remember({ issuer: metadata.issuer, redirectUrl: REDIRECT, clientId: 'forgotten-by-the-service' });
    // The service shows its error page; the window never reaches the redirect address.
    await expect(authorizeDevice({ authServer: metadata, scopeSpelling: 'stable' }, { flow: walkingFlow(user()), clients })).rejects.toThrow(
      'did not finish',
    );
    expect(await clients.clientIdFor(metadata.issuer, REDIRECT)).toBeUndefined();
    const { clientId } = await authorizeDevice({ authServer: metadata, scopeSpelling: 'stable' }, { flow: walkingFlow(user()), clients });
    expect(registrations).toContain(clientId);
    expect(await clients.clientIdFor(metadata.issuer, REDIRECT)).toBe(clientId);
  });

  it('refuses a code exchanged without the PKCE verifier of its request', async () => {
    const clients = new OidcClientStore(memoryStore());
    const clientId = (await authorizeDevice({ authServer: metadata, scopeSpelling: 'stable' }, { flow: walkingFlow(user()), clients })).clientId;
    const genuine = new OAuth2(metadata, { clientId });
    const url = await genuine.generateAuthorizationCodeGrantUrl('some-state', REDIRECT, 'query');
    const code = new URL((await walkSsoLogin(url, REDIRECT, user())).finalUrl).searchParams.get('code') ?? '';
    // Someone who caught the code but not the verifier that never left the extension.
    const thief = new OAuth2(metadata, { clientId });
    await expect(thief.completeAuthorizationCodeGrant(code, REDIRECT)).rejects.toMatchObject({ error: 'invalid_grant' });
    // The refusal was the verifier's doing: the request that holds it still gets its tokens.
    expect((await genuine.completeAuthorizationCodeGrant(code, REDIRECT)).access_token).toEqual(expect.any(String));
  });

  it('refreshes once as a MatrixClient would, then the spent refresh token is refused; revocation ends the session', async () => {
    const clients = new OidcClientStore(memoryStore());
    const { clientId, deviceId, tokens } = await authorizeDevice(
      { authServer: metadata, scopeSpelling: 'stable' },
      { flow: walkingFlow(user()), clients },
    );
    const saved: AccessTokens[] = [];
    const refresher = new TokenRefresher(new OAuth2(metadata, { clientId, deviceId }), (fresh) => {
      saved.push(fresh);
    });

    const fresh = await refresher.refreshTokens(tokens.refresh_token ?? '');
    expect(saved).toEqual([fresh]);
    expect(fresh.accessToken).not.toBe(tokens.access_token);
    expect(fresh.refreshToken).toEqual(expect.any(String));
    expect(fresh.refreshToken).not.toBe(tokens.refresh_token);
    expect(fresh.expiry?.getTime()).toBeGreaterThan(Date.now());

    // The server rotates refresh tokens: the old one is spent, which is why the new one is saved
    // before use (matrix-session.ts). Reusing it is treated as theft and ends the grant.
    await expect(refresher.refreshTokens(tokens.refresh_token ?? '')).rejects.toBeInstanceOf(TokenRefreshLogoutError);

    const { clientId: otherClient, tokens: other } = await authorizeDevice(
      { authServer: metadata, scopeSpelling: 'stable' },
      { flow: walkingFlow(user()), clients },
    );
    expect(otherClient).toBe(clientId);
    const oauth = new OAuth2(metadata, { clientId });
    await oauth.revokeToken(other.refresh_token ?? '', 'refresh_token');
    await expect(new TokenRefresher(oauth, () => undefined).refreshTokens(other.refresh_token ?? '')).rejects.toBeInstanceOf(
      TokenRefreshLogoutError,
    );
  });

  it('says the test homeserver does not delegate, and offers its own methods', async () => {
    expect(await discoverDelegation(homeserverUrl(), fetch)).toBeNull();
    const options = await loginOptions(homeserverUrl());
    expect(options.oidcIssuer).toBeNull();
    expect(options.hasPasswordLogin).toBe(true);
  });
});
