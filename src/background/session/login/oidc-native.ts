// OIDC-native login (MSC3861): the homeserver delegates authentication to an OAuth 2.0 server, the
// extension registers itself there (MSC2966), sends the user through the browser's auth window with
// PKCE (MSC2964) for a device-scoped token (MSC2967), and keeps the refresh token for js-sdk to renew
// the access token. Tokens go from here into the session store only: never into a log, an error
// message or a reply to another context. No browser API here; the window comes in as `WebAuthFlow`.
import { createClient, OAuth2, OAuth2HTTPError, type AccessTokens, type BearerTokenResponse, type MatrixClient } from 'matrix-js-sdk';
import type { LoginOptions } from '../../../shared/protocol/background-to-ui';
import { createLogger } from '../../../shared/log';
import { authorizationCodeFrom, clientMetadata, isScopeGranted, matrixScope, newState, OidcLoginFailed } from './oidc-authorization';
import type { OidcClientStore } from './oidc-client-store';
import { discoverDelegation, type Delegation } from './oidc-discovery';
import { OidcUnavailable } from './oidc-metadata';
import { fetchLoginMethods, type WebAuthFlow } from './sso-login';

const log = createLogger('bg:oidc');

/** A session obtained from the authorization server, ready for `MatrixSession.adoptOidcSession`. */
export type OidcSession = {
  homeserverUrl: string;
  userId: string;
  deviceId: string;
  accessToken: string;
  /** Absent when the server issued none: the session then ends when the access token expires. */
  refreshToken: string | undefined;
  issuer: string;
  clientId: string;
};

export type OidcDependencies = {
  flow: WebAuthFlow;
  clients: OidcClientStore;
  fetchFn?: typeof fetch;
};

/** Tokens for one new device, before the homeserver has been asked who they belong to. */
export type AuthorizedDevice = { clientId: string; deviceId: string; tokens: BearerTokenResponse };

/**
 * How the popup may offer to log in. A homeserver that delegates to an OpenID service gets that
 * service only: its `/login` is a compatibility layer (MSC3824) run by that service, and password or
 * m.login.sso there would bypass the consent screen the user should see for a new client.
 */
export async function loginOptions(homeserverUrl: string, fetchFn: typeof fetch = boundFetch): Promise<LoginOptions> {
  const delegation = await discoverDelegation(homeserverUrl, fetchFn);
  if (delegation) return { hasPasswordLogin: false, ssoProviders: null, oidcIssuer: delegation.authServer.issuer };
  return { ...(await fetchLoginMethods(homeserverUrl, fetchFn)), oidcIssuer: null };
}

/** The whole login: discovery, registration, the auth window, the code exchange, whoami. */
export async function loginWithOidc(homeserverUrl: string, dependencies: OidcDependencies): Promise<OidcSession> {
  const fetchFn = dependencies.fetchFn ?? boundFetch;
  const baseUrl = homeserverUrl.replace(/\/+$/, '');
  const delegation = await discoverDelegation(baseUrl, fetchFn);
  if (!delegation) throw new OidcUnavailable('This homeserver does not delegate sign-in to an OpenID Connect service');
  const { clientId, deviceId, tokens } = await authorizeDevice(delegation, dependencies);
  const whoami = await createClient({ baseUrl, accessToken: tokens.access_token, fetchFn }).whoami();
  // The device is the one this extension named in the scope; a token for any other would be a mix-up.
  if (whoami.device_id !== undefined && whoami.device_id !== deviceId) {
    throw new OidcLoginFailed('The homeserver assigned the new sign-in to another device');
  }
  log.info('signed in through', delegation.authServer.issuer);
  return {
    homeserverUrl: baseUrl,
    userId: whoami.user_id,
    deviceId,
    accessToken: tokens.access_token,
    refreshToken: tokens.refresh_token,
    issuer: delegation.authServer.issuer,
    clientId,
  };
}

/**
 * Registration (once per server and redirect address), the auth window and the code exchange. The
 * `state` and PKCE verifier live in this call only: if the worker stops while the window is open,
 * the answer has nobody to go to and the user signs in again.
 */
export async function authorizeDevice({ authServer, scopeSpelling }: Delegation, { flow, clients }: OidcDependencies): Promise<AuthorizedDevice> {
  const redirectUrl = flow.redirectUrl();
  const clientId = await registeredClient(authServer, redirectUrl, clients);
  const oauth = new OAuth2(authServer, { clientId });
  const { deviceId } = oauth.context;
  const scope = matrixScope(deviceId, scopeSpelling);
  const state = newState();
  const url = await oauth.generateAuthorizationCodeGrantUrl(state, redirectUrl, 'query', undefined, scope);
  let finalUrl: string | undefined;
  try {
    finalUrl = await flow.launch(url);
  } catch (error) {
    // The browsers' words differ; they go to the log only.
    log.warn('auth window ended without a redirect', error instanceof Error ? error.message : String(error));
  }
  if (!finalUrl) {
    // A service that no longer knows the client id shows an error page and cannot send the window
    // back (RFC 6749 §4.1.2.1), so the user closes it: registering again next time costs little.
    await clients.forget(authServer.issuer, redirectUrl);
    throw new OidcLoginFailed('Sign-in did not finish: the window was closed or the sign-in page failed');
  }
  let code: string;
  try {
    code = authorizationCodeFrom(finalUrl, {
      redirectUrl,
      state,
      issuer: authServer.issuer,
      isIssRequired: authServer.authorization_response_iss_parameter_supported === true,
    });
  } catch (error) {
    if (error instanceof OidcLoginFailed && (error.oauthError === 'invalid_client' || error.oauthError === 'unauthorized_client')) {
      await clients.forget(authServer.issuer, redirectUrl);
    }
    throw error;
  }
  let tokens: BearerTokenResponse;
  try {
    tokens = await oauth.completeAuthorizationCodeGrant(code, redirectUrl);
  } catch (error) {
    if (error instanceof OAuth2HTTPError && error.error === 'invalid_client') {
      // The server no longer knows this registration (cleaned up, or its database was reset).
      await clients.forget(authServer.issuer, redirectUrl);
      throw new OidcLoginFailed('The sign-in service no longer knows this extension; please sign in again');
    }
    log.warn('code exchange failed', error instanceof OAuth2HTTPError ? error.error : String(error));
    throw new OidcLoginFailed('The sign-in service did not accept the sign-in');
  }
  if (!isScopeGranted(tokens.scope, scope)) throw new OidcLoginFailed('The sign-in service did not grant access to your Matrix account');
  return { clientId, deviceId, tokens };
}

/** The stored registration with this server, or a new one (MSC2966 dynamic client registration). */
async function registeredClient(authServer: Delegation['authServer'], redirectUrl: string, clients: OidcClientStore): Promise<string> {
  const known = await clients.clientIdFor(authServer.issuer, redirectUrl);
  if (known) return known;
  const clientId = await OAuth2.registerClient(authServer, clientMetadata(redirectUrl)).catch((error: unknown) => {
    log.warn('client registration failed', error instanceof Error ? error.message : String(error));
    throw new OidcUnavailable('The homeserver’s sign-in service did not let the extension register');
  });
  await clients.remember({ issuer: authServer.issuer, redirectUrl, clientId });
  return clientId;
}

/** What an OIDC session's saved form carries besides the access token (see session-store.ts). */
export type OidcSessionRecord = { issuer: string; clientId: string; refreshToken?: string | undefined };

/**
 * The client options that let js-sdk renew the access token with the refresh token: on an expired
 * token it refreshes and calls `onTokenRefresh` before retrying, and awaits it, so the new
 * (rotated) refresh token is saved before anything uses it. Logout revokes both tokens.
 */
export function oidcClientOptions(
  record: OidcSessionRecord,
  onTokenRefresh: (tokens: AccessTokens) => Promise<void>,
): { oauthClientId: string; refreshToken?: string; onTokenRefresh: (tokens: AccessTokens) => Promise<void> } {
  return { oauthClientId: record.clientId, ...(record.refreshToken ? { refreshToken: record.refreshToken } : {}), onTokenRefresh };
}

/**
 * Makes the client's token refresher use the server that issued the tokens, or none. js-sdk asks the
 * homeserver's stable `/auth_metadata` each time it builds a refresher; a homeserver that now names
 * another issuer (or answers only the unstable endpoints) would get the refresh token sent to
 * whatever that says. `http.opts` is the object js-sdk's token manager reads the callback from.
 */
export function pinAuthServer(client: MatrixClient, homeserverUrl: string, issuer: string, fetchFn: typeof fetch = boundFetch): void {
  client.http.opts.authMetadataCallback = async () => {
    const delegation = await discoverDelegation(homeserverUrl, fetchFn);
    if (!delegation || delegation.authServer.issuer !== issuer) {
      throw new OidcUnavailable('The homeserver no longer delegates to the service this session came from');
    }
    return delegation.authServer;
  };
}

/** Browsers throw "Illegal invocation" when `fetch` is called detached from the global object. */
const boundFetch: typeof fetch = (input, init) => globalThis.fetch(input, init);
