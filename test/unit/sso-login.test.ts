// The pure parts of SSO login: reading a homeserver's login flows, the URL the auth window opens, and
// taking the login token from the URL it ends on (refusing anything else).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  loginTokenFrom,
  LoginMethodsUnavailable,
  obtainLoginToken,
  parseLoginFlows,
  SsoLoginFailed,
  ssoRedirectUrl,
  type WebAuthFlow,
} from '../../src/background/session/login/sso-login';
import { parseMessage } from '../../src/shared/protocol/errors';
import { UiToBackground } from '../../src/shared/protocol/ui-to-background';

const REDIRECT = 'https://abcdefghijklmnopabcdefghijklmnop.chromiumapp.org/';

describe('parseLoginFlows', () => {
  it('reads what Synapse 1.163 answers with an OIDC provider', () => {
    const body = {
      flows: [
        { type: 'm.login.sso', identity_providers: [{ id: 'oidc-local', name: 'Local OpenID' }] },
        { type: 'm.login.token' },
        { type: 'm.login.password' },
        { type: 'm.login.application_service' },
      ],
    };
    expect(parseLoginFlows(body)).toEqual({ hasPasswordLogin: true, ssoProviders: [{ id: 'oidc-local', name: 'Local OpenID' }] });
  });

  it.each([
    ['password only', [{ type: 'm.login.password' }], { hasPasswordLogin: true, ssoProviders: null }],
    ['SSO without a choice of provider', [{ type: 'm.login.sso' }], { hasPasswordLogin: false, ssoProviders: [] }],
    [
      'fields it does not use (icon, brand, MSC3824)',
      [{ type: 'm.login.sso', 'org.matrix.msc3824.delegated_oidc_compatibility': true, identity_providers: [{ id: 'gh', name: 'GitHub', icon: 'mxc://x/y', brand: 'github' }] }],
      { hasPasswordLogin: false, ssoProviders: [{ id: 'gh', name: 'GitHub' }] },
    ],
    [
      'providers the spec does not allow, left out',
      [
        {
          type: 'm.login.sso',
          identity_providers: [
            { id: '../../admin', name: 'Path' },
            { id: 'ok', name: '' },
            { id: 'x'.repeat(256), name: 'Long' },
            { name: 'No id' },
            'not an object',
            { id: 'good~id.1_-', name: 'Good' },
          ],
        },
      ],
      { hasPasswordLogin: false, ssoProviders: [{ id: 'good~id.1_-', name: 'Good' }] },
    ],
    ['no flows at all', [], { hasPasswordLogin: false, ssoProviders: null }],
  ])('%s', (_name, flows, expected) => {
    expect(parseLoginFlows({ flows })).toEqual(expected);
  });

  it.each([
    ['not an object', 'flows'],
    ['no flows', {}],
    ['flows not a list', { flows: { type: 'm.login.sso' } }],
    ['a flow without a type', { flows: [{ identity_providers: [] }] }],
    ['providers not a list', { flows: [{ type: 'm.login.sso', identity_providers: { id: 'a' } }] }],
  ])('refuses a body with %s', (_name, body) => {
    expect(() => parseLoginFlows(body)).toThrow(LoginMethodsUnavailable);
  });
});

describe('ssoRedirectUrl', () => {
  it('names the provider and the extension redirect address, encoded', () => {
    expect(ssoRedirectUrl('http://127.0.0.1:8008/', 'oidc-local', REDIRECT)).toBe(
      `http://127.0.0.1:8008/_matrix/client/v3/login/sso/redirect/oidc-local?redirectUrl=${encodeURIComponent(REDIRECT)}`,
    );
  });

  it('leaves the provider out when there is no choice, and keeps a path prefix', () => {
    expect(ssoRedirectUrl('https://example.org/matrix//', null, REDIRECT)).toBe(
      `https://example.org/matrix/_matrix/client/v3/login/sso/redirect?redirectUrl=${encodeURIComponent(REDIRECT)}`,
    );
  });
});

describe('loginTokenFrom', () => {
  it('takes the token the homeserver appended', () => {
    expect(loginTokenFrom(`${REDIRECT}?loginToken=syl_abc_123`, REDIRECT)).toBe('syl_abc_123');
  });

  it('takes any opaque printable token back exactly as the homeserver sent it', () => {
    const printable = fc.string({ minLength: 1, maxLength: 200, unit: fc.integer({ min: 0x21, max: 0x7e }).map((code) => String.fromCharCode(code)) });
    fc.assert(
      fc.property(printable, (token) => loginTokenFrom(`${REDIRECT}?loginToken=${encodeURIComponent(token)}`, REDIRECT) === token),
    );
  });

  it.each([
    ['no token', `${REDIRECT}?error=access_denied`],
    ['an empty token', `${REDIRECT}?loginToken=`],
    ['two tokens', `${REDIRECT}?loginToken=a&loginToken=b`],
    ['a token with a space', `${REDIRECT}?loginToken=a%20b`],
    ['a token with a control character', `${REDIRECT}?loginToken=a%0Ab`],
    ['another extension', 'https://ponmlkjihgfedcbaponmlkjihgfedcba.chromiumapp.org/?loginToken=t'],
    ['a host that only starts like ours', `https://abcdefghijklmnopabcdefghijklmnop.chromiumapp.org.evil.example/?loginToken=t`],
    ['plain http', `http://abcdefghijklmnopabcdefghijklmnop.chromiumapp.org/?loginToken=t`],
    ['another path', `${REDIRECT}elsewhere?loginToken=t`],
    ['not a URL', 'loginToken=t'],
  ])('refuses %s', (_name, finalUrl) => {
    expect(() => loginTokenFrom(finalUrl, REDIRECT)).toThrow(SsoLoginFailed);
  });

  it('never puts the URL or the token into its refusal', () => {
    const error = (() => {
      try {
        loginTokenFrom('https://evil.example/?loginToken=secret-token-1', REDIRECT);
      } catch (caught) {
        return caught as Error;
      }
      return undefined;
    })();
    expect(error?.message).toBeTruthy();
    expect(error?.message).not.toContain('secret-token-1');
    expect(error?.message).not.toContain('evil.example');
  });
});

describe('obtainLoginToken', () => {
  /** A stand-in for the browser's auth window that ends as told and remembers where it was sent. */
  function authWindow(ending: () => Promise<string | undefined>): WebAuthFlow & { opened: string[] } {
    const opened: string[] = [];
    return { opened, redirectUrl: () => REDIRECT, launch: (url) => (opened.push(url), ending()) };
  }

  it('opens the homeserver’s SSO redirect for the provider and returns the token', async () => {
    const flow = authWindow(async () => `${REDIRECT}?loginToken=tok`);
    expect(await obtainLoginToken('http://hs.example', 'oidc-local', flow)).toBe('tok');
    expect(flow.opened).toEqual([ssoRedirectUrl('http://hs.example', 'oidc-local', REDIRECT)]);
  });

  it('says plainly when the window was closed, without the browser’s wording', async () => {
    const flow = authWindow(() => Promise.reject(new Error('The user did not approve access.')));
    const error = await obtainLoginToken('http://hs.example', null, flow).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SsoLoginFailed);
    expect((error as Error).message).toMatch(/did not finish/);
  });

  it('refuses a window that ends without a URL or without a token', async () => {
    await expect(obtainLoginToken('http://hs.example', null, authWindow(async () => undefined))).rejects.toBeInstanceOf(SsoLoginFailed);
    await expect(obtainLoginToken('http://hs.example', null, authWindow(async () => REDIRECT))).rejects.toBeInstanceOf(SsoLoginFailed);
  });
});

describe('SSO messages from the popup', () => {
  it('accepts a provider id or null', () => {
    for (const idpId of ['oidc-local', null]) {
      expect(parseMessage(UiToBackground, { kind: 'loginSso', homeserverUrl: 'https://hs.example', idpId }).ok).toBe(true);
    }
  });

  it.each(['', '../admin', 'a b', 'x'.repeat(256)])('refuses the provider id %j', (idpId) => {
    const result = parseMessage(UiToBackground, { kind: 'loginSso', homeserverUrl: 'https://hs.example', idpId });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain('idpId');
  });

  it('refuses a login-flows lookup for a URL that is not http(s)', () => {
    expect(parseMessage(UiToBackground, { kind: 'getLoginFlows', homeserverUrl: 'file:///etc/passwd' }).ok).toBe(false);
  });
});
