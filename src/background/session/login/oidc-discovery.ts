// Whether a homeserver delegates authentication to an OAuth 2.0 server (MSC3861), and which one
// (MSC2965). Asks the stable endpoint first, then the unstable spellings older servers answer. `fetch`
// comes in as an argument, so this runs in Node tests as in the worker.
import * as v from 'valibot';
import { OidcUnavailable, parseAuthMetadata, type AuthServer } from './oidc-metadata';

/**
 * Which spelling of the Matrix scopes the server understands (MSC2967). Servers that answer the
 * stable `/v1/auth_metadata` implement the stable spec (v1.15); those that only know the unstable
 * endpoints predate it.
 */
export type ScopeSpelling = 'stable' | 'unstable';

export type Delegation = { authServer: AuthServer; scopeSpelling: ScopeSpelling };

/** How long one discovery request may take: the popup asks while the user types. */
const REQUEST_TIMEOUT_MS = 15_000;

const UNSTABLE = '/_matrix/client/unstable/org.matrix.msc2965';

/** What `getJson` answers for an endpoint the server does not know. */
const NOT_OFFERED = Symbol('not offered');

const IssuerResponse = v.object({ issuer: v.pipe(v.string(), v.url()) });

/**
 * The server the homeserver delegates to, or null when it does not delegate (it does not know the
 * endpoints). Throws `OidcUnavailable` when it delegates to a server the extension cannot use, or
 * cannot be asked.
 */
export async function discoverDelegation(homeserverUrl: string, fetchFn: typeof fetch): Promise<Delegation | null> {
  const base = homeserverUrl.replace(/\/+$/, '');
  const stable = await getJson(`${base}/_matrix/client/v1/auth_metadata`, fetchFn);
  if (stable !== NOT_OFFERED) return { authServer: parseAuthMetadata(stable), scopeSpelling: 'stable' };
  const unstable = await getJson(`${base}${UNSTABLE}/auth_metadata`, fetchFn);
  if (unstable !== NOT_OFFERED) return { authServer: parseAuthMetadata(unstable), scopeSpelling: 'unstable' };
  // The oldest form names only the issuer; its metadata is at the issuer's OpenID discovery address.
  const issuerBody = await getJson(`${base}${UNSTABLE}/auth_issuer`, fetchFn);
  if (issuerBody === NOT_OFFERED) return null;
  const issuer = v.safeParse(IssuerResponse, issuerBody);
  if (!issuer.success) throw new OidcUnavailable('The homeserver named its sign-in service in a form the extension does not understand');
  const discovery = await getJson(`${issuer.output.issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`, fetchFn);
  if (discovery === NOT_OFFERED) throw new OidcUnavailable('The homeserver’s sign-in service does not describe itself');
  const authServer = parseAuthMetadata(discovery);
  // RFC 8414 §3.3: metadata that names another issuer than the one asked about is not to be used.
  if (authServer.issuer !== issuer.output.issuer) {
    throw new OidcUnavailable('The homeserver’s sign-in service describes itself as another server');
  }
  return { authServer, scopeSpelling: 'unstable' };
}

/**
 * The JSON body of a GET, or NOT_OFFERED when the server does not know the endpoint. Synapse says
 * 404 M_UNRECOGNIZED; other servers say 405, or 400 with that errcode.
 */
async function getJson(url: string, fetchFn: typeof fetch): Promise<unknown> {
  const response = await fetchFn(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) }).catch(
    () => {
      throw new OidcUnavailable('The homeserver could not be reached');
    },
  );
  const body: unknown = await response.json().catch(() => undefined);
  if (response.status === 404 || response.status === 405) return NOT_OFFERED;
  if (response.status === 400 && isUnrecognized(body)) return NOT_OFFERED;
  if (!response.ok) throw new OidcUnavailable(`The homeserver answered ${response.status} when asked how to sign in`);
  return body;
}

function isUnrecognized(body: unknown): boolean {
  return typeof body === 'object' && body !== null && (body as { errcode?: unknown }).errcode === 'M_UNRECOGNIZED';
}
