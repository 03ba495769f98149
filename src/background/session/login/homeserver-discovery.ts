// Finds the homeserver of a Matrix ID, a server name or a URL, as every Matrix client does (the
// client-server API's "Server Discovery"): GET `<server>/.well-known/matrix/client`, take
// `m.homeserver.base_url` and check it answers `/_matrix/client/versions`; without a `.well-known`
// (404), the server name itself may be the homeserver. Runs in the background, which may reach any
// origin (host permissions); the popup only learns the result.
import type { DiscoveryView } from '../../../shared/protocol/background-to-ui';
import {
  homeserverBaseUrl,
  isVersionsResponse,
  parseLoginTarget,
  parseWellKnown,
  serverNameOrigin,
  versionsUrl,
  wellKnownUrl,
} from '../../../shared/core/homeserver-discovery';

const REQUEST_TIMEOUT_MS = 10_000;

export type Fetch = (url: string, init: RequestInit) => Promise<Response>;

/** An answer, or undefined when nothing answered (no such host, refused, timed out). */
async function get(fetchFn: Fetch, url: string): Promise<{ status: number; body: string } | undefined> {
  try {
    // No cookies: discovery is anonymous, as the spec's requests are.
    const response = await fetchFn(url, { credentials: 'omit', headers: { accept: 'application/json' }, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    return { status: response.status, body: await response.text() };
  } catch {
    return undefined;
  }
}

async function answersAsHomeserver(fetchFn: Fetch, baseUrl: string): Promise<'yes' | 'no' | 'unreachable'> {
  const answer = await get(fetchFn, versionsUrl(baseUrl));
  if (!answer) return 'unreachable';
  return answer.status === 200 && isVersionsResponse(answer.body) ? 'yes' : 'no';
}

type WellKnownOutcome = DiscoveryView | 'absent' | 'unreachable';

/** The spec's steps on `<origin>/.well-known/matrix/client`: a found and checked homeserver, a failure, or none there. */
async function fromWellKnown(fetchFn: Fetch, origin: string): Promise<WellKnownOutcome> {
  const answer = await get(fetchFn, wellKnownUrl(origin));
  if (!answer) return 'unreachable';
  if (answer.status === 404) return 'absent'; // IGNORE: no delegation
  if (answer.status !== 200 || answer.body.trim() === '') return { found: false, problem: 'invalidWellKnown', at: wellKnownUrl(origin) };
  const wellKnown = parseWellKnown(answer.body);
  if (wellKnown.kind === 'failPrompt') return { found: false, problem: 'invalidWellKnown', at: wellKnownUrl(origin) };
  if (wellKnown.kind === 'failError') return { found: false, problem: 'invalidBaseUrl', at: wellKnownUrl(origin) };
  const check = await answersAsHomeserver(fetchFn, wellKnown.baseUrl);
  return check === 'yes' ? { found: true, homeserverUrl: wellKnown.baseUrl } : { found: false, problem: 'baseUrlNotHomeserver', at: wellKnown.baseUrl };
}

export async function discoverHomeserver(input: string, fetchFn: Fetch = (url, init) => fetch(url, init)): Promise<DiscoveryView> {
  const target = parseLoginTarget(input);
  if (!target) return { found: false, problem: 'invalidInput', at: input.trim() };

  if (target.kind === 'url') {
    // A URL is taken as the homeserver itself; if it is none, it may be the server's website,
    // whose `.well-known` names the homeserver (`https://example.org` → `https://matrix.example.org`).
    const direct = await answersAsHomeserver(fetchFn, target.url);
    if (direct === 'yes') return { found: true, homeserverUrl: target.url };
    if (direct === 'unreachable') return { found: false, problem: 'unreachable', at: target.url };
    const origin = new URL(target.url).origin;
    const delegated = await fromWellKnown(fetchFn, origin);
    if (typeof delegated === 'object' && delegated.found) return delegated;
    return { found: false, problem: 'noHomeserver', at: target.url };
  }

  const origin = serverNameOrigin(target.serverName);
  const delegated = await fromWellKnown(fetchFn, origin);
  if (delegated === 'unreachable') return { found: false, problem: 'unreachable', at: target.serverName };
  if (delegated !== 'absent') return delegated;
  // No `.well-known`: the server name itself, if it is a homeserver.
  const baseUrl = homeserverBaseUrl(origin) ?? origin;
  const direct = await answersAsHomeserver(fetchFn, baseUrl);
  if (direct === 'yes') return { found: true, homeserverUrl: baseUrl };
  return { found: false, problem: direct === 'unreachable' ? 'unreachable' : 'noHomeserver', at: target.serverName };
}
