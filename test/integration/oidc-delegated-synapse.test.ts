// OIDC-native login end to end in Node, homeserver side included: a second real Synapse, started
// here, delegates authentication through its `matrix_authentication_service` integration to a stand-in
// for MAS (scripts/mas-stand-in.mjs: the real oidc-provider plus the introspection and provisioning
// MAS does for Synapse). Discovery through Synapse, registration, the auth window (an HTTP walk),
// the code exchange, whoami with the new token, the session adopted by MatrixSession, an expired
// access token renewed by js-sdk with the refresh token and saved, logout revoking the tokens, and a
// refused refresh token ending the account.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Accounts } from '../../src/background/session/accounts';
import { MatrixSession, NotLoggedIn } from '../../src/background/session/matrix-session';
import { OidcClientStore } from '../../src/background/session/login/oidc-client-store';
import { discoverDelegation } from '../../src/background/session/login/oidc-discovery';
import { loginOptions, loginWithOidc } from '../../src/background/session/login/oidc-native';
import { AccountSessions, SessionStore, type StoredSession } from '../../src/background/session/session-store';
import type { WebAuthFlow } from '../../src/background/session/login/sso-login';
import { startDelegatingHomeserver, type DelegatingHomeserver } from '../support/delegating-homeserver';
import { eventually } from '../support/homeserver';
import { memoryStore } from '../support/memory-store';
import { walkSsoLogin } from '../support/sso-over-http';

const REDIRECT = 'https://abcdefghijklmnopabcdefghijklmnop.chromiumapp.org/';
/** Seconds. Short, so the test sees an access token expire and js-sdk renew it. */
const ACCESS_TOKEN_TTL = 6;

let synapse: DelegatingHomeserver;

beforeAll(async () => {
  synapse = await startDelegatingHomeserver({ accessTokenTtl: ACCESS_TOKEN_TTL });
}, 120_000);

afterAll(async () => {
  await synapse?.stop();
});

function walkingFlow(username: string): WebAuthFlow {
  return { redirectUrl: () => REDIRECT, launch: async (url) => (await walkSsoLogin(url, REDIRECT, username)).finalUrl };
}

describe('OIDC-native login with Synapse delegating to a MAS stand-in', () => {
  it('finds the service through Synapse’s auth_metadata and offers nothing else', async () => {
    expect(await discoverDelegation(synapse.baseUrl, fetch)).toMatchObject({
      authServer: { issuer: synapse.issuer },
      scopeSpelling: 'stable',
    });
    expect(await loginOptions(synapse.baseUrl)).toEqual({ hasPasswordLogin: false, ssoProviders: null, oidcIssuer: synapse.issuer });
  });

  it('signs in, renews an expired access token with the refresh token and saves it, and logs out', async () => {
    const username = `oidc-${randomBytes(5).toString('hex')}`;
    const oidc = await loginWithOidc(synapse.baseUrl, { flow: walkingFlow(username), clients: new OidcClientStore(memoryStore()) });
    expect(oidc).toMatchObject({ userId: `@${username}:localhost`, issuer: synapse.issuer, homeserverUrl: synapse.baseUrl });
    expect(oidc.refreshToken).toEqual(expect.any(String));

    const storage = memoryStore();
    const session = new MatrixSession(new SessionStore(storage));
    await session.adoptOidcSession(oidc);
    const status = await session.status();
    expect(status.session).toEqual({ userId: oidc.userId, deviceId: oidc.deviceId, homeserverUrl: synapse.baseUrl });
    // No token reaches the popup.
    expect(JSON.stringify(status)).not.toContain(oidc.accessToken);
    expect(JSON.stringify(status)).not.toContain(oidc.refreshToken);
    const client = await session.requireClient();
    expect(await client.whoami()).toMatchObject({ user_id: oidc.userId, device_id: oidc.deviceId });
    const saved = () => storage.get('current') as Promise<StoredSession>;
    // (On a slow machine js-sdk may have renewed the tokens already; which refresh token is saved is checked below.)
    expect((await saved()).oidc).toMatchObject({ issuer: synapse.issuer, clientId: oidc.clientId, refreshToken: expect.any(String) });

    // Once the homeserver refuses the first access token (it expired), js-sdk renews it and retries.
    await eventually('the homeserver to refuse the first access token', async () => {
      const response = await fetch(`${synapse.baseUrl}/_matrix/client/v3/account/whoami`, {
        headers: { authorization: `Bearer ${oidc.accessToken}` },
      });
      return response.status === 401 ? true : undefined;
    });
    expect(await client.whoami()).toMatchObject({ user_id: oidc.userId, device_id: oidc.deviceId });
    const renewed = await saved();
    expect(renewed.accessToken).not.toBe(oidc.accessToken);
    expect(renewed.oidc?.refreshToken).toEqual(expect.any(String));
    expect(renewed.oidc?.refreshToken).not.toBe(oidc.refreshToken);
    expect(await synapse.provider.AccessToken.find(renewed.accessToken)).toBeDefined();

    // Logout revokes the tokens at the service (MAS would then delete the device on Synapse).
    await session.logout();
    expect(await storage.get('current')).toBeUndefined();
    expect(await synapse.provider.RefreshToken.find(renewed.oidc?.refreshToken ?? '')).toBeUndefined();
    expect(await synapse.provider.AccessToken.find(renewed.accessToken)).toBeUndefined();
  });

  it('ends the account when the service refuses the refresh token (the session was ended there)', async () => {
    const username = `oidc-${randomBytes(5).toString('hex')}`;
    const oidc = await loginWithOidc(synapse.baseUrl, { flow: walkingFlow(username), clients: new OidcClientStore(memoryStore()) });
    const storage = memoryStore();
    const accounts = new Accounts(new AccountSessions(storage), { persistence: 'memory' });
    await accounts.loginWithOidc(oidc);
    const client = await accounts.requireClient();
    // The service forgets the session (as MAS does when the user ends it in its account page).
    await (await synapse.provider.RefreshToken.find(oidc.refreshToken ?? ''))?.destroy();
    await eventually('the homeserver to refuse the access token', async () => {
      const response = await fetch(`${synapse.baseUrl}/_matrix/client/v3/account/whoami`, {
        headers: { authorization: `Bearer ${oidc.accessToken}` },
      });
      return response.status === 401 ? true : undefined;
    });

    // js-sdk tries the refresh token, the service refuses it: the account ends, the user is told.
    await expect(client.whoami()).rejects.toMatchObject({ errcode: 'M_UNKNOWN_TOKEN' });
    const status = await eventually('the account to end', async () => {
      const current = await accounts.status();
      return current.endedSessions.length > 0 ? current : undefined;
    });
    expect(status).toMatchObject({ session: null, accounts: [], endedSessions: [{ userId: oidc.userId, homeserverUrl: synapse.baseUrl }] });
    expect(await storage.get(`account:${oidc.userId}`)).toBeUndefined();
    await expect(accounts.requireClient()).rejects.toBeInstanceOf(NotLoggedIn);
  });
});
