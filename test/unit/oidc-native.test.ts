// The pure parts of OIDC-native login (MSC3861): the device-scoped scope, the registration metadata,
// the checks on the URL the auth window ends on, the server metadata the extension accepts, discovery
// through a homeserver's answers, and the stored client registrations.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  applicationTypeFor,
  authorizationCodeFrom,
  clientMetadata,
  isScopeGranted,
  matrixScope,
  newState,
  OidcLoginFailed,
  type ExpectedResponse,
} from '../../src/background/session/login/oidc-authorization';
import { OidcClientStore } from '../../src/background/session/login/oidc-client-store';
import { discoverDelegation } from '../../src/background/session/login/oidc-discovery';
import { isSecureOrLoopback, OidcUnavailable, parseAuthMetadata } from '../../src/background/session/login/oidc-metadata';
import { loginOptions } from '../../src/background/session/login/oidc-native';
import { StoredSession } from '../../src/background/session/session-store';
import { parseMessage } from '../../src/shared/protocol/errors';
import { UiToBackground } from '../../src/shared/protocol/ui-to-background';
import * as v from 'valibot';
import { memoryStore } from '../support/memory-store';

const CHROME_REDIRECT = 'https://abcdefghijklmnopabcdefghijklmnop.chromiumapp.org/';
const FIREFOX_REDIRECT = 'https://0123456789abcdef0123456789abcdef01234567.extensions.allizom.org/';
const ISSUER = 'https://auth.example.org/';

describe('matrixScope', () => {
  it('asks for the whole API and one device, in the spelling the server understands (MSC2967)', () => {
    expect(matrixScope('ABCDEFGHIJ', 'stable')).toBe('urn:matrix:client:api:* urn:matrix:client:device:ABCDEFGHIJ');
    expect(matrixScope('ABCDEFGHIJ', 'unstable')).toBe(
      'urn:matrix:org.matrix.msc2967.client:api:* urn:matrix:org.matrix.msc2967.client:device:ABCDEFGHIJ',
    );
  });

  it.each(['', 'has space', 'a:b', 'x'.repeat(256), 'ü', 'a/b'])('refuses the device ID %j', (deviceId) => {
    expect(() => matrixScope(deviceId, 'stable')).toThrow(RangeError);
  });

  it('keeps any unreserved device ID a single scope token', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9._~-]{1,64}$/), (deviceId) => {
        expect(matrixScope(deviceId, 'stable').split(' ')).toEqual(['urn:matrix:client:api:*', `urn:matrix:client:device:${deviceId}`]);
      }),
    );
  });
});

describe('isScopeGranted', () => {
  const requested = matrixScope('DEVICE', 'stable');
  it.each([
    ['absent (RFC 6749 §5.1: as requested)', undefined, true],
    ['the same, in another order', 'urn:matrix:client:device:DEVICE urn:matrix:client:api:*', true],
    ['more than asked', `${requested} openid`, true],
    ['without the device', 'urn:matrix:client:api:*', false],
    ['another device', 'urn:matrix:client:api:* urn:matrix:client:device:OTHER', false],
    ['empty', '', false],
  ])('granted %s', (_name, granted, expected) => {
    expect(isScopeGranted(granted, requested)).toBe(expected);
  });
});

describe('client registration metadata (MSC2966)', () => {
  it.each([
    ['Chrome', CHROME_REDIRECT],
    ['Firefox', FIREFOX_REDIRECT],
  ])('registers %s’s https redirect as a web client whose client_uri has the same host', (_browser, redirectUrl) => {
    const metadata = clientMetadata(redirectUrl);
    expect(metadata).toEqual({
      client_name: 'Matrix Widget Bridge',
      client_uri: redirectUrl,
      application_type: 'web',
      redirect_uris: [redirectUrl],
      response_types: ['code'],
      grant_types: ['authorization_code', 'refresh_token'],
      token_endpoint_auth_method: 'none',
    });
  });

  it.each([
    ['http://127.0.0.1:5173/callback', 'native'],
    ['http://[::1]/cb', 'native'],
    ['org.example.app:/callback', 'native'],
    ['https://localhost/cb', 'native'],
    ['https://app.example.org/cb', 'web'],
  ])('calls %s a %s redirect', (redirectUrl, expected) => {
    expect(applicationTypeFor(redirectUrl)).toBe(expected);
  });
});

describe('newState', () => {
  it('is 32 random bytes in base64url', () => {
    const states = new Set(Array.from({ length: 50 }, () => newState()));
    expect(states.size).toBe(50);
    for (const state of states) expect(state).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('takes its bytes from the given source', () => {
    const bytes = Uint8Array.from({ length: 32 }, (_, index) => index * 8);
    expect(newState((target) => (target.set(bytes), target))).toBe(Buffer.from(bytes).toString('base64url'));
  });
});

describe('authorizationCodeFrom', () => {
  const expected: ExpectedResponse = { redirectUrl: CHROME_REDIRECT, state: 'the-state', issuer: ISSUER, isIssRequired: false };
  const answer = (query: string) => `${CHROME_REDIRECT}?${query}`;

  it('takes the code from the extension’s redirect address', () => {
    expect(authorizationCodeFrom(answer('code=abc.DEF-123&state=the-state'), expected)).toBe('abc.DEF-123');
    expect(authorizationCodeFrom(answer(`code=c&state=the-state&iss=${encodeURIComponent(ISSUER)}`), expected)).toBe('c');
  });

  it.each([
    ['another origin', 'https://evil.example/?code=c&state=the-state'],
    ['a look-alike host', 'https://abcdefghijklmnopabcdefghijklmnop.chromiumapp.org.evil.example/?code=c&state=the-state'],
    ['another path', `${CHROME_REDIRECT}other?code=c&state=the-state`],
    ['not a URL', 'not a url'],
    ['no state', answer('code=c')],
    ['another state', answer('code=c&state=other')],
    ['two states', answer('code=c&state=the-state&state=the-state')],
    ['another issuer (mix-up)', answer('code=c&state=the-state&iss=https%3A%2F%2Fevil.example%2F')],
    ['two issuers', answer(`code=c&state=the-state&iss=${encodeURIComponent(ISSUER)}&iss=${encodeURIComponent(ISSUER)}`)],
    ['no code', answer('state=the-state')],
    ['two codes', answer('code=a&code=b&state=the-state')],
    ['a code with a space', answer('code=a%20b&state=the-state')],
    ['a code in the fragment only', `${CHROME_REDIRECT}?state=the-state#code=c`],
    ['an error', answer('error=access_denied&state=the-state')],
  ])('refuses %s', (_name, finalUrl) => {
    expect(() => authorizationCodeFrom(finalUrl, expected)).toThrow(OidcLoginFailed);
  });

  it('keeps the service’s error code for the caller', () => {
    expect(() => authorizationCodeFrom(answer('error=unauthorized_client&state=the-state'), expected)).toThrow(
      expect.objectContaining({ oauthError: 'unauthorized_client' }),
    );
    expect(() => authorizationCodeFrom(answer('code=c&state=other'), expected)).toThrow(expect.objectContaining({ oauthError: undefined }));
  });

  it('refuses an answer without `iss` from a server that promised one (RFC 9207)', () => {
    expect(() => authorizationCodeFrom(answer('code=c&state=the-state'), { ...expected, isIssRequired: true })).toThrow(OidcLoginFailed);
  });

  it('names the server’s error code but not its prose, and never echoes the code', () => {
    expect(() => authorizationCodeFrom(answer('error=access_denied&state=the-state'), expected)).toThrow('cancelled or refused');
    expect(() => authorizationCodeFrom(answer('error=invalid_scope&error_description=%3Cb%3Ehi&state=the-state'), expected)).toThrow(
      'The sign-in service refused: invalid_scope',
    );
    expect(() => authorizationCodeFrom(answer('error=%22%5C&state=the-state'), expected)).toThrow('unknown error');
    try {
      authorizationCodeFrom(answer('code=SECRETCODE&state=wrong'), expected);
    } catch (error) {
      expect(String(error)).not.toContain('SECRETCODE');
    }
  });

  it('refuses every state but the expected one', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }).filter((state) => state !== 'the-state'), (state) => {
        const url = new URL(CHROME_REDIRECT);
        url.searchParams.set('code', 'c');
        url.searchParams.set('state', state);
        expect(() => authorizationCodeFrom(url.href, expected)).toThrow(OidcLoginFailed);
      }),
    );
  });
});

/** What Synapse 1.163 passes on from the Matrix Authentication Service (trimmed). */
const MAS_METADATA = {
  issuer: ISSUER,
  authorization_endpoint: 'https://auth.example.org/authorize',
  token_endpoint: 'https://auth.example.org/oauth2/token',
  registration_endpoint: 'https://auth.example.org/oauth2/registration',
  revocation_endpoint: 'https://auth.example.org/oauth2/revoke',
  jwks_uri: 'https://auth.example.org/oauth2/keys.json',
  response_types_supported: ['code', 'id_token', 'code id_token'],
  response_modes_supported: ['form_post', 'query', 'fragment'],
  grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials', 'urn:ietf:params:oauth:grant-type:device_code'],
  code_challenge_methods_supported: ['plain', 'S256'],
  authorization_response_iss_parameter_supported: true,
  account_management_uri: 'https://auth.example.org/account/',
  prompt_values_supported: ['none', 'login', 'create'],
};

describe('parseAuthMetadata', () => {
  it('accepts a Matrix Authentication Service’s metadata and keeps only what the flow uses', () => {
    const parsed = parseAuthMetadata(MAS_METADATA);
    expect(parsed.issuer).toBe(ISSUER);
    expect(parsed.authorization_response_iss_parameter_supported).toBe(true);
    expect(parsed).not.toHaveProperty('jwks_uri');
  });

  it.each([
    ['no registration endpoint', { registration_endpoint: undefined }],
    ['no revocation endpoint', { revocation_endpoint: undefined }],
    ['a plain-http token endpoint off loopback', { token_endpoint: 'http://auth.example.org/token' }],
    ['credentials in an endpoint', { authorization_endpoint: 'https://user:pw@auth.example.org/authorize' }],
    ['an issuer with a query', { issuer: 'https://auth.example.org/?tenant=1' }],
    ['no S256 (PKCE)', { code_challenge_methods_supported: ['plain'] }],
    ['no refresh tokens', { grant_types_supported: ['authorization_code'] }],
    ['no code response type', { response_types_supported: ['id_token'] }],
    ['no query response mode', { response_modes_supported: ['fragment'] }],
    ['a non-URL endpoint', { token_endpoint: 'token' }],
  ])('refuses %s', (_name, change) => {
    expect(() => parseAuthMetadata({ ...MAS_METADATA, ...change })).toThrow(OidcUnavailable);
  });

  it.each([null, 'text', [], 42])('refuses %j', (body) => {
    expect(() => parseAuthMetadata(body)).toThrow(OidcUnavailable);
  });

  it('says what is wrong without echoing the server’s values', () => {
    expect(() => parseAuthMetadata({ ...MAS_METADATA, token_endpoint: 'http://leak.example/secret-path' })).toThrow(/token_endpoint/);
    try {
      parseAuthMetadata({ ...MAS_METADATA, token_endpoint: 'http://leak.example/secret-path' });
    } catch (error) {
      expect(String(error)).not.toContain('leak.example');
    }
  });

  it.each([
    ['https://auth.example.org/', true],
    ['http://127.0.0.1:8080/', true],
    ['http://localhost/', true],
    ['http://[::1]:1/', true],
    ['http://auth.example.org/', false],
    ['http://127.0.0.1.evil.example/', false],
    ['ftp://auth.example.org/', false],
    ['https://u:p@auth.example.org/', false],
    ['nonsense', false],
  ])('calls %s secure or loopback: %s', (url, expected) => {
    expect(isSecureOrLoopback(url)).toBe(expected);
  });
});

/** A homeserver's answers by path, as a fetch function: status and JSON body. */
function answering(routes: Record<string, [number, unknown]>): typeof fetch & { asked: string[] } {
  const asked: string[] = [];
  const fetchFn = async (input: string | URL | Request) => {
    const url = String(input);
    asked.push(url);
    const [status, body] = routes[url] ?? [404, { errcode: 'M_UNRECOGNIZED', error: 'Unrecognized request' }];
    return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  };
  return Object.assign(fetchFn, { asked }) as typeof fetch & { asked: string[] };
}

const HS = 'https://matrix.example.org';
const STABLE = `${HS}/_matrix/client/v1/auth_metadata`;
const UNSTABLE = `${HS}/_matrix/client/unstable/org.matrix.msc2965/auth_metadata`;
const ISSUER_ONLY = `${HS}/_matrix/client/unstable/org.matrix.msc2965/auth_issuer`;

describe('discoverDelegation', () => {
  it('takes the stable endpoint first (stable scopes)', async () => {
    const fetchFn = answering({ [STABLE]: [200, MAS_METADATA], [UNSTABLE]: [200, MAS_METADATA] });
    expect(await discoverDelegation(`${HS}/`, fetchFn)).toEqual({ authServer: parseAuthMetadata(MAS_METADATA), scopeSpelling: 'stable' });
    expect(fetchFn.asked).toEqual([STABLE]);
  });

  it('falls back to the unstable MSC2965 endpoint (unstable scopes)', async () => {
    const fetchFn = answering({ [UNSTABLE]: [200, MAS_METADATA] });
    expect(await discoverDelegation(HS, fetchFn)).toMatchObject({ scopeSpelling: 'unstable' });
  });

  it('follows the oldest form, an issuer, to its OpenID discovery document', async () => {
    const fetchFn = answering({
      [ISSUER_ONLY]: [200, { issuer: ISSUER }],
      'https://auth.example.org/.well-known/openid-configuration': [200, MAS_METADATA],
    });
    expect(await discoverDelegation(HS, fetchFn)).toMatchObject({ authServer: { issuer: ISSUER }, scopeSpelling: 'unstable' });
  });

  it('refuses a discovery document that names another issuer (RFC 8414 §3.3)', async () => {
    const fetchFn = answering({
      [ISSUER_ONLY]: [200, { issuer: ISSUER }],
      'https://auth.example.org/.well-known/openid-configuration': [200, { ...MAS_METADATA, issuer: 'https://evil.example/' }],
    });
    await expect(discoverDelegation(HS, fetchFn)).rejects.toThrow(OidcUnavailable);
  });

  it.each([
    ['404 everywhere (Synapse without delegation)', {}],
    ['405', { [STABLE]: [405, {}], [UNSTABLE]: [405, {}], [ISSUER_ONLY]: [405, {}] }],
    ['400 M_UNRECOGNIZED', { [STABLE]: [400, { errcode: 'M_UNRECOGNIZED' }] }],
  ] as const)('says a homeserver does not delegate on %s', async (_name, routes) => {
    expect(await discoverDelegation(HS, answering(routes as Record<string, [number, unknown]>))).toBeNull();
  });

  it('refuses a delegation it cannot use instead of treating it as none', async () => {
    await expect(discoverDelegation(HS, answering({ [STABLE]: [200, { ...MAS_METADATA, registration_endpoint: undefined }] }))).rejects.toThrow(
      OidcUnavailable,
    );
  });

  it('reports a server error or an unreachable server', async () => {
    await expect(discoverDelegation(HS, answering({ [STABLE]: [502, {}] }))).rejects.toThrow(OidcUnavailable);
    const unreachable = (async () => {
      throw new TypeError('fetch failed');
    }) as typeof fetch;
    await expect(discoverDelegation(HS, unreachable)).rejects.toThrow('could not be reached');
  });
});

describe('loginOptions', () => {
  it('offers only the OpenID service of a homeserver that delegates, not its /login', async () => {
    const fetchFn = answering({ [STABLE]: [200, MAS_METADATA], [`${HS}/_matrix/client/v3/login`]: [200, { flows: [{ type: 'm.login.password' }] }] });
    expect(await loginOptions(HS, fetchFn)).toEqual({ hasPasswordLogin: false, ssoProviders: null, oidcIssuer: ISSUER });
    expect(fetchFn.asked).not.toContain(`${HS}/_matrix/client/v3/login`);
  });

  it('offers a homeserver’s own methods when it does not delegate', async () => {
    const fetchFn = answering({ [`${HS}/_matrix/client/v3/login`]: [200, { flows: [{ type: 'm.login.password' }] }] });
    expect(await loginOptions(HS, fetchFn)).toEqual({ hasPasswordLogin: true, ssoProviders: null, oidcIssuer: null });
  });
});

describe('OidcClientStore', () => {
  it('keeps one registration per server and redirect address', async () => {
    const clients = new OidcClientStore(memoryStore());
    await clients.remember({ issuer: ISSUER, redirectUrl: CHROME_REDIRECT, clientId: 'chrome-client' });
    await clients.remember({ issuer: ISSUER, redirectUrl: FIREFOX_REDIRECT, clientId: 'firefox-client' });
    await clients.remember({ issuer: 'https://other.example/', redirectUrl: CHROME_REDIRECT, clientId: 'other-client' });
    expect(await clients.clientIdFor(ISSUER, CHROME_REDIRECT)).toBe('chrome-client');
    expect(await clients.clientIdFor(ISSUER, FIREFOX_REDIRECT)).toBe('firefox-client');
    expect(await clients.clientIdFor('https://other.example/', CHROME_REDIRECT)).toBe('other-client');
    expect(await clients.clientIdFor('https://unknown.example/', CHROME_REDIRECT)).toBeUndefined();

    await clients.forget(ISSUER, CHROME_REDIRECT);
    expect(await clients.clientIdFor(ISSUER, CHROME_REDIRECT)).toBeUndefined();
    expect(await clients.clientIdFor(ISSUER, FIREFOX_REDIRECT)).toBe('firefox-client');
  });

  it('survives being rebuilt from the same storage (a stopped worker)', async () => {
    const storage = memoryStore();
    await new OidcClientStore(storage).remember({ issuer: ISSUER, redirectUrl: CHROME_REDIRECT, clientId: 'kept' });
    expect(await new OidcClientStore(storage).clientIdFor(ISSUER, CHROME_REDIRECT)).toBe('kept');
  });

  it('does not trust a damaged record, or one under another key than its content names', async () => {
    const storage = memoryStore();
    const clients = new OidcClientStore(storage);
    await clients.remember({ issuer: ISSUER, redirectUrl: CHROME_REDIRECT, clientId: 'good' });
    const [key] = [...storage.entries.keys()];
    await storage.put(key ?? '', { issuer: ISSUER, redirectUrl: CHROME_REDIRECT, clientId: '' });
    expect(await clients.clientIdFor(ISSUER, CHROME_REDIRECT)).toBeUndefined();
    await storage.put(key ?? '', { issuer: 'https://evil.example/', redirectUrl: CHROME_REDIRECT, clientId: 'swapped' });
    expect(await clients.clientIdFor(ISSUER, CHROME_REDIRECT)).toBeUndefined();
  });

  it('leaves the saved session’s key alone', async () => {
    const storage = memoryStore();
    await storage.put('current', { kept: true });
    await new OidcClientStore(storage).remember({ issuer: ISSUER, redirectUrl: CHROME_REDIRECT, clientId: 'c' });
    expect(await storage.get('current')).toEqual({ kept: true });
  });
});

describe('the saved session', () => {
  const base = { homeserverUrl: HS, userId: '@a:example.org', deviceId: 'DEVICE', accessToken: 'at', storeKey: 'k' };
  it('reads sessions saved before OIDC existed, and OIDC ones with or without a refresh token', () => {
    expect(v.safeParse(StoredSession, base).success).toBe(true);
    expect(v.safeParse(StoredSession, { ...base, oidc: { issuer: ISSUER, clientId: 'c', refreshToken: 'rt' } }).success).toBe(true);
    expect(v.safeParse(StoredSession, { ...base, oidc: { issuer: ISSUER, clientId: 'c' } }).success).toBe(true);
    expect(v.safeParse(StoredSession, { ...base, oidc: { issuer: ISSUER } }).success).toBe(false);
  });
});

describe('the loginOidc message', () => {
  it('names only the homeserver', () => {
    expect(parseMessage(UiToBackground, { kind: 'loginOidc', homeserverUrl: 'https://hs.example' }).ok).toBe(true);
    expect(parseMessage(UiToBackground, { kind: 'loginOidc', homeserverUrl: 'file:///etc/passwd' }).ok).toBe(false);
    expect(parseMessage(UiToBackground, { kind: 'loginOidc' }).ok).toBe(false);
  });
});
