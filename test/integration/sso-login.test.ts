// SSO login's background side against the real Synapse and the real local OpenID provider, with the
// browser's auth window replaced by an HTTP walk: login methods, the login token on the extension's
// redirect address, and m.login.token turning it into a session. The browser e2e is sso.*.test.ts.
import { randomBytes } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { chromeRedirectUrl } from '../../scripts/extension-ids.mjs';
import { LOCAL_IDP_ID, LOCAL_IDP_NAME } from '../../scripts/synapse.mjs';
import { MatrixSession } from '../../src/background/session/matrix-session';
import { SessionStore } from '../../src/background/session/session-store';
import { fetchLoginMethods, loginTokenFrom, LoginMethodsUnavailable, ssoRedirectUrl } from '../../src/background/session/login/sso-login';
import { homeserverUrl } from '../support/homeserver';
import { memoryStore } from '../support/memory-store';
import { walkSsoLogin } from '../support/sso-over-http';

describe('SSO login against Synapse and the local OpenID provider', () => {
  it('finds the provider among the homeserver’s login methods', async () => {
    expect(await fetchLoginMethods(homeserverUrl())).toEqual({
      hasPasswordLogin: true,
      ssoProviders: [{ id: LOCAL_IDP_ID, name: LOCAL_IDP_NAME }],
    });
  });

  it('says so when a homeserver cannot be asked', async () => {
    // A port nothing listens on: the loopback refuses at once.
    await expect(fetchLoginMethods('http://127.0.0.1:9')).rejects.toBeInstanceOf(LoginMethodsUnavailable);
  });

  it('turns the login token from a trusted redirect into a session, once', async () => {
    const redirectUrl = chromeRedirectUrl(inject('chromeExtensionDir'));
    const username = `sso-${randomBytes(5).toString('hex')}`;
    const { finalUrl } = await walkSsoLogin(ssoRedirectUrl(homeserverUrl(), LOCAL_IDP_ID, redirectUrl), redirectUrl, username);
    const loginToken = loginTokenFrom(finalUrl, redirectUrl);

    const session = new MatrixSession(new SessionStore(memoryStore()));
    await session.loginWithToken(homeserverUrl(), loginToken);
    const status = await session.status();
    expect(status.session?.userId).toBe(`@${username}:localhost`);
    expect(JSON.stringify(status)).not.toContain(loginToken);
    expect((await (await session.requireClient()).whoami()).user_id).toBe(`@${username}:localhost`);

    // Login tokens are single-use: a replay is refused by the homeserver.
    const replay = new MatrixSession(new SessionStore(memoryStore()));
    await expect(replay.loginWithToken(homeserverUrl(), loginToken)).rejects.toMatchObject({ httpStatus: 403 });
  });

  it('stops at Synapse’s confirmation page for a redirect address it does not trust', async () => {
    const stranger = 'https://ponmlkjihgfedcbaponmlkjihgfedcba.chromiumapp.org/';
    const end = await walkSsoLogin(ssoRedirectUrl(homeserverUrl(), LOCAL_IDP_ID, stranger), stranger, `sso-${randomBytes(5).toString('hex')}`);
    expect(end.finalUrl.startsWith(stranger)).toBe(false);
    expect(end.page).toContain('Continue to your account');
  });
});
