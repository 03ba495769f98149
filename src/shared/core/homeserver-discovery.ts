// What the login form's one field names — a Matrix ID (`@ann:example.org`), a server name
// (`example.org`, `localhost:8008`) or a homeserver URL — and the rules of the client-server API's
// "Server Discovery" on what the server answers (`/.well-known/matrix/client`, `/_matrix/client/versions`).
// Pure: the background does the requests (session/login/homeserver-discovery.ts).

export type LoginTarget =
  /** A Matrix ID: its server name is discovered, its localpart is the user name. */
  | { kind: 'matrixId'; userId: string; localpart: string; serverName: string }
  | { kind: 'serverName'; serverName: string }
  /** A homeserver URL as typed (http or https), without a trailing slash. */
  | { kind: 'url'; url: string };

/** Matrix IDs are at most 255 characters (spec: "User Identifiers"); a URL gets more room. */
const MAX_USER_ID = 255;
const MAX_INPUT = 2048;

/** The spec's `server_name` grammar: an IPv4 address, a bracketed IPv6 address or a DNS name, and a port. */
const SERVER_NAME = /^(?:\[[0-9A-Fa-f:.]{2,45}\]|[A-Za-z0-9.-]{1,255})(?::(\d{1,5}))?$/;

export function isServerName(text: string): boolean {
  const match = SERVER_NAME.exec(text);
  if (!match) return false;
  const port = match[1];
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) return false;
  const host = hostOf(text);
  // A DNS name has no empty label and no label that starts or ends with a hyphen.
  return host.startsWith('[') || host.split('.').every((label) => label !== '' && !label.startsWith('-') && !label.endsWith('-'));
}

function hostOf(serverName: string): string {
  if (serverName.startsWith('[')) return serverName.slice(0, serverName.indexOf(']') + 1);
  const colon = serverName.lastIndexOf(':');
  return colon === -1 ? serverName : serverName.slice(0, colon);
}

/** What the field's text names, or undefined when it is none of the three (yet). */
export function parseLoginTarget(input: string): LoginTarget | undefined {
  const text = input.trim();
  if (text === '' || text.length > MAX_INPUT) return undefined;
  if (text.startsWith('@')) {
    // The localpart ends at the first colon; the rest is the server name.
    const colon = text.indexOf(':');
    if (colon < 2 || text.length > MAX_USER_ID) return undefined;
    const localpart = text.slice(1, colon);
    const serverName = text.slice(colon + 1);
    if (/[\s/@]/.test(localpart) || !isServerName(serverName)) return undefined;
    return { kind: 'matrixId', userId: text, localpart, serverName };
  }
  if (/^https?:\/\//i.test(text)) {
    const url = homeserverBaseUrl(text);
    return url === undefined ? undefined : { kind: 'url', url };
  }
  return isServerName(text) ? { kind: 'serverName', serverName: text } : undefined;
}

/**
 * Whether a host is this machine. Only there is plain http the default: a local homeserver
 * (`localhost:8008`, `127.0.0.1:8448`) rarely has a certificate, and nothing crosses a network.
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  return host === 'localhost' || host.endsWith('.localhost') || /^127(?:\.\d{1,3}){3}$/.test(host) || host === '[::1]';
}

/** Where a server name's `.well-known` lives and what it falls back to: `https://<name>`, or http on loopback. */
export function serverNameOrigin(serverName: string): string {
  return `${isLoopbackHost(hostOf(serverName)) ? 'http' : 'https'}://${serverName}`;
}

export function wellKnownUrl(origin: string): string {
  return `${origin}/.well-known/matrix/client`;
}

export function versionsUrl(baseUrl: string): string {
  return `${baseUrl}/_matrix/client/versions`;
}

/**
 * A homeserver base URL as the client uses it: http(s), no credentials, query or fragment, no
 * trailing slash (`https://matrix.example.org/` and `https://matrix.example.org` are one server).
 * Undefined when it is not such a URL.
 */
export function homeserverBaseUrl(text: string): string | undefined {
  if (!URL.canParse(text)) return undefined;
  const url = new URL(text);
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.username !== '' || url.password !== '') return undefined;
  if (url.search !== '' || url.hash !== '') return undefined;
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/**
 * What a `.well-known/matrix/client` body says. The spec's outcomes: a body that is no JSON object
 * or has no `m.homeserver.base_url` string is FAIL_PROMPT (ask the user); a base_url that is no URL
 * is FAIL_ERROR. (An `m.identity_server` is not used: the extension has no use for one.)
 */
export type WellKnown =
  | { kind: 'found'; baseUrl: string }
  | { kind: 'failPrompt'; problem: 'notJson' | 'noBaseUrl' }
  | { kind: 'failError'; problem: 'invalidBaseUrl' };

export function parseWellKnown(body: string): WellKnown {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { kind: 'failPrompt', problem: 'notJson' };
  }
  if (!isObject(json)) return { kind: 'failPrompt', problem: 'notJson' };
  const homeserver = json['m.homeserver'];
  const baseUrl = isObject(homeserver) ? homeserver['base_url'] : undefined;
  if (typeof baseUrl !== 'string' || baseUrl.trim() === '') return { kind: 'failPrompt', problem: 'noBaseUrl' };
  const normalized = homeserverBaseUrl(baseUrl.trim());
  return normalized === undefined ? { kind: 'failError', problem: 'invalidBaseUrl' } : { kind: 'found', baseUrl: normalized };
}

/** Whether a `/_matrix/client/versions` body is what a homeserver answers: `versions`, a list of strings. */
export function isVersionsResponse(body: string): boolean {
  try {
    const json: unknown = JSON.parse(body);
    return isObject(json) && Array.isArray(json['versions']) && json['versions'].length > 0 && json['versions'].every((version) => typeof version === 'string');
  } catch {
    return false;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Why discovery found no homeserver; the popup says each in words (`discoveryProblem_*`). */
export const DISCOVERY_PROBLEMS = [
  /** The text is no Matrix ID, server name or URL. */
  'invalidInput',
  /** Nothing answered at the server name (or URL): a typo, no network, or the server is down. */
  'unreachable',
  /** The server answered, but no `.well-known` names a homeserver and the server itself is none. */
  'noHomeserver',
  /** FAIL_PROMPT: the server's `.well-known/matrix/client` is broken (not JSON, no base_url, an error status). */
  'invalidWellKnown',
  /** FAIL_ERROR: its base_url is no http(s) URL. */
  'invalidBaseUrl',
  /** FAIL_ERROR: the base_url it names does not answer as a homeserver. */
  'baseUrlNotHomeserver',
] as const;
export type DiscoveryProblem = (typeof DISCOVERY_PROBLEMS)[number];
