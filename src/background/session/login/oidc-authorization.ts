// The pure parts of the authorization code flow (MSC2964, RFC 6749 §4.1, PKCE RFC 7636): the client's
// registration metadata (MSC2966), the device-scoped scope (MSC2967), and the checks on the URL the
// auth window ends on. No browser API and no I/O; the code and state in that URL are never logged or
// put into an error message.
import type { OAuthRegistrationRequest } from 'matrix-js-sdk';
import type { ScopeSpelling } from './oidc-discovery';

/** OIDC sign-in did not end with a usable code or token; the message is for the user and carries no secret. */
export class OidcLoginFailed extends Error {
  /** The service's RFC 6749 error code, when it answered with one. */
  readonly oauthError: string | undefined;

  constructor(message: string, oauthError?: string) {
    super(message);
    this.oauthError = oauthError;
  }
}

export const CLIENT_NAME = 'Matrix Widget Bridge';

/** MSC2967: device IDs in a scope are unreserved URI characters (RFC 3986 §2.3). */
const DEVICE_ID = /^[A-Za-z0-9._~-]{1,255}$/;

const SCOPE_PREFIX: Record<ScopeSpelling, string> = {
  stable: 'urn:matrix:client',
  unstable: 'urn:matrix:org.matrix.msc2967.client',
};

/**
 * The scope to ask for: the whole client-server API, for one device the extension names itself
 * (MSC2967). The homeserver creates that device when the token is first used.
 */
export function matrixScope(deviceId: string, spelling: ScopeSpelling): string {
  if (!DEVICE_ID.test(deviceId)) throw new RangeError('a device ID in a scope must be 1–255 unreserved characters');
  const prefix = SCOPE_PREFIX[spelling];
  return `${prefix}:api:* ${prefix}:device:${deviceId}`;
}

/**
 * Whether the token response granted everything asked for. RFC 6749 §5.1: an absent `scope` means
 * exactly what was requested; a narrower one would leave the device without API access.
 */
export function isScopeGranted(granted: string | undefined, requested: string): boolean {
  if (granted === undefined) return true;
  const tokens = new Set(granted.split(' ').filter(Boolean));
  return requested.split(' ').every((scope) => tokens.has(scope));
}

/**
 * MSC2966 "application_type": `native` for loopback http or private-use-scheme redirects, `web` for
 * https ones, which is what both browsers give extensions (Chrome `https://<id>.chromiumapp.org/`,
 * Firefox `https://<hash>.extensions.allizom.org/`).
 */
export function applicationTypeFor(redirectUrl: string): 'web' | 'native' {
  const url = new URL(redirectUrl);
  if (url.protocol === 'https:' && !['127.0.0.1', '[::1]', 'localhost'].includes(url.hostname)) return 'web';
  return 'native';
}

/**
 * What the extension registers as (MSC2966). A web client's redirect URIs must share the host of its
 * `client_uri` (the spec's "common base"; MAS refuses others), and the only https host the extension
 * owns is its redirect host, so that is the `client_uri` too. It is a public client: there is no
 * secret an extension could keep from its users, so PKCE protects the code.
 */
export function clientMetadata(redirectUrl: string): OAuthRegistrationRequest {
  const applicationType = applicationTypeFor(redirectUrl);
  const url = new URL(redirectUrl);
  return {
    client_name: CLIENT_NAME,
    client_uri: applicationType === 'web' ? `${url.origin}/` : redirectUrl,
    application_type: applicationType,
    redirect_uris: [redirectUrl],
    response_types: ['code'],
    grant_types: ['authorization_code', 'refresh_token'],
    token_endpoint_auth_method: 'none',
  };
}

/** An unguessable `state` for one authorization request (RFC 6749 §10.12): 32 random bytes, base64url. */
export function newState(random: (bytes: Uint8Array) => Uint8Array = (bytes) => crypto.getRandomValues(bytes)): string {
  const bytes = random(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export type ExpectedResponse = {
  redirectUrl: string;
  state: string;
  issuer: string;
  /** RFC 9207: the server promised to name itself in `iss`. */
  isIssRequired: boolean;
};

/**
 * The authorization code in the URL the auth window ended on (response_mode=query). Refuses another
 * address than the extension's redirect, a missing, repeated or different `state` (a response to
 * some other request), an `iss` naming another server (RFC 9207 mix-up defence), and error responses.
 */
export function authorizationCodeFrom(finalUrl: string, expected: ExpectedResponse): string {
  const url = URL.parse(finalUrl);
  if (!url) throw new OidcLoginFailed('Sign-in ended on an address that is not a URL');
  const redirect = new URL(expected.redirectUrl);
  if (url.origin !== redirect.origin || url.pathname !== redirect.pathname) {
    throw new OidcLoginFailed('Sign-in ended somewhere other than the extension’s own redirect address');
  }
  const params = url.searchParams;
  const states = params.getAll('state');
  if (states.length !== 1 || states[0] !== expected.state) {
    throw new OidcLoginFailed('The sign-in answer does not belong to this sign-in');
  }
  const issuers = params.getAll('iss');
  if (issuers.length > 1 || (issuers.length === 1 && issuers[0] !== expected.issuer) || (expected.isIssRequired && issuers.length === 0)) {
    throw new OidcLoginFailed('The sign-in answer came from another sign-in service');
  }
  const error = params.get('error');
  if (error !== null) {
    // RFC 6749 §4.1.2.1: an ASCII error code; the description is the server's prose, not shown.
    const code = /^[\x20-\x21\x23-\x5b\x5d-\x7e]{1,64}$/.test(error) ? error : 'unknown error';
    const message = code === 'access_denied' ? 'The sign-in was cancelled or refused' : `The sign-in service refused: ${code}`;
    throw new OidcLoginFailed(message, code);
  }
  const codes = params.getAll('code');
  const [code] = codes;
  if (codes.length !== 1 || !code || !/^[\x21-\x7e]{1,4096}$/.test(code)) {
    throw new OidcLoginFailed('The sign-in service handed back a missing or malformed code');
  }
  return code;
}
