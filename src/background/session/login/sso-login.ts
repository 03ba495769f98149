// SSO login (Matrix spec, client-server API "Client login via SSO"): which identity providers a
// homeserver offers, the browser's auth window to one of them, and the `loginToken` the homeserver
// hands back on the extension's redirect URL. The window's final URL carries that token: it is never
// logged, returned or put into an error message. No browser API here; the window comes in as `WebAuthFlow`.
import * as v from 'valibot';
import { IdentityProvider, type LoginMethods } from '../../../shared/protocol/background-to-ui';
import { createLogger } from '../../../shared/log';

const log = createLogger('bg:sso');

/** The homeserver's answer could not be used; the message is for the user. */
export class LoginMethodsUnavailable extends Error {}

/** SSO did not end with a login token; the message is for the user and carries no secret. */
export class SsoLoginFailed extends Error {}

/** `identity.launchWebAuthFlow` and `identity.getRedirectURL`, passed in (adapters/web-auth-flow.ts). */
export type WebAuthFlow = {
  redirectUrl(): string;
  /** Opens `url` interactively; resolves with the URL that reached `redirectUrl()`. */
  launch(url: string): Promise<string | undefined>;
};

// GET /_matrix/client/v3/login. Loose: servers add flow types and fields we do not use.
const LoginFlowsResponse = v.looseObject({
  flows: v.array(v.looseObject({ type: v.string(), identity_providers: v.optional(v.array(v.unknown())) })),
});

/** The login methods in a `GET /login` body. A malformed provider is left out, not fatal. */
export function parseLoginFlows(body: unknown): LoginMethods {
  const parsed = v.safeParse(LoginFlowsResponse, body);
  if (!parsed.success) throw new LoginMethodsUnavailable('The homeserver did not list its login methods');
  const { flows } = parsed.output;
  const sso = flows.find((flow) => flow.type === 'm.login.sso');
  const ssoProviders = sso
    ? (sso.identity_providers ?? []).flatMap((candidate) => {
        const provider = v.safeParse(IdentityProvider, candidate);
        return provider.success ? [{ id: provider.output.id, name: provider.output.name }] : [];
      })
    : null;
  return { hasPasswordLogin: flows.some((flow) => flow.type === 'm.login.password'), ssoProviders };
}

export async function fetchLoginMethods(homeserverUrl: string, fetchFn: typeof fetch = boundFetch): Promise<LoginMethods> {
  // The popup asks while the user types a URL: a server that never answers must not keep it waiting.
  const response = await fetchFn(`${baseOf(homeserverUrl)}/_matrix/client/v3/login`, { signal: AbortSignal.timeout(15_000) }).catch(
    () => {
      throw new LoginMethodsUnavailable('The homeserver could not be reached');
    },
  );
  if (!response.ok) throw new LoginMethodsUnavailable(`The homeserver answered ${response.status} when asked how to log in`);
  return parseLoginFlows(await response.json().catch(() => undefined));
}

/** Where the auth window starts: the homeserver sends the user on to the IdP from there. */
export function ssoRedirectUrl(homeserverUrl: string, idpId: string | null, redirectUrl: string): string {
  const provider = idpId === null ? '' : `/${encodeURIComponent(idpId)}`;
  return `${baseOf(homeserverUrl)}/_matrix/client/v3/login/sso/redirect${provider}?redirectUrl=${encodeURIComponent(redirectUrl)}`;
}

/**
 * The `loginToken` from the URL the auth window ended on. Refuses a URL that is not the extension's
 * redirect address (origin and path) or that does not carry exactly one plausible token.
 */
export function loginTokenFrom(finalUrl: string, redirectUrl: string): string {
  const expected = new URL(redirectUrl);
  let url: URL;
  try {
    url = new URL(finalUrl);
  } catch {
    throw new SsoLoginFailed('Single sign-on ended on an address that is not a URL');
  }
  if (url.origin !== expected.origin || url.pathname !== expected.pathname) {
    throw new SsoLoginFailed('Single sign-on ended somewhere other than the extension’s own redirect address');
  }
  const tokens = url.searchParams.getAll('loginToken');
  if (tokens.length === 0) throw new SsoLoginFailed('The homeserver did not hand back a login token');
  const [token] = tokens;
  // Printable ASCII without spaces, as the spec's opaque tokens are; more than one is ambiguous.
  if (tokens.length > 1 || !token || !/^[\x21-\x7e]{1,4096}$/.test(token)) {
    throw new SsoLoginFailed('The homeserver handed back a malformed login token');
  }
  return token;
}

/** Runs the auth window for one identity provider and returns the login token it ended with. */
export async function obtainLoginToken(homeserverUrl: string, idpId: string | null, flow: WebAuthFlow): Promise<string> {
  const redirectUrl = flow.redirectUrl();
  let finalUrl: string | undefined;
  try {
    finalUrl = await flow.launch(ssoRedirectUrl(homeserverUrl, idpId, redirectUrl));
  } catch (error) {
    // The browser's words differ (Chrome: "The user did not approve access.", Firefox: "User cancelled
    // or denied access."); they go to the log only.
    log.warn('auth window ended without a redirect', error instanceof Error ? error.message : String(error));
  }
  if (!finalUrl) throw new SsoLoginFailed('Single sign-on did not finish: the window was closed or the sign-in page failed');
  return loginTokenFrom(finalUrl, redirectUrl);
}

function baseOf(homeserverUrl: string): string {
  return homeserverUrl.replace(/\/+$/, '');
}

/** Browsers throw "Illegal invocation" when `fetch` is called detached from the global object. */
const boundFetch: typeof fetch = (input, init) => globalThis.fetch(input, init);
