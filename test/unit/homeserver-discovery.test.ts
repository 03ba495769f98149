// Issue #16: the login form's one field (a Matrix ID, a server name or a URL) and Server Discovery
// as the client-server API specifies it, against a fake network.
import { describe, expect, it } from 'vitest';
import { discoverHomeserver, type Fetch } from '../../src/background/session/login/homeserver-discovery';
import {
  homeserverBaseUrl,
  isServerName,
  isVersionsResponse,
  parseLoginTarget,
  parseWellKnown,
  serverNameOrigin,
} from '../../src/shared/core/homeserver-discovery';

describe('what the login field names', () => {
  it('reads a Matrix ID: its localpart and its server name', () => {
    expect(parseLoginTarget(' @ann:example.org ')).toEqual({ kind: 'matrixId', userId: '@ann:example.org', localpart: 'ann', serverName: 'example.org' });
    expect(parseLoginTarget('@ann:localhost:8008')).toMatchObject({ localpart: 'ann', serverName: 'localhost:8008' });
    expect(parseLoginTarget('@ann:[::1]:8448')).toMatchObject({ serverName: '[::1]:8448' });
  });

  it('reads a server name, with or without a port', () => {
    expect(parseLoginTarget('example.org')).toEqual({ kind: 'serverName', serverName: 'example.org' });
    expect(parseLoginTarget('127.0.0.1:8448')).toEqual({ kind: 'serverName', serverName: '127.0.0.1:8448' });
  });

  it('reads a URL, without its trailing slash', () => {
    expect(parseLoginTarget('https://matrix-client.matrix.org/')).toEqual({ kind: 'url', url: 'https://matrix-client.matrix.org' });
    expect(parseLoginTarget('http://127.0.0.1:8008')).toEqual({ kind: 'url', url: 'http://127.0.0.1:8008' });
    expect(parseLoginTarget('https://example.org/matrix/')).toEqual({ kind: 'url', url: 'https://example.org/matrix' });
  });

  it('refuses what is none of them', () => {
    for (const text of ['', '  ', '@ann', '@:example.org', '@ann:', '@a b:example.org', 'exa mple.org', 'example.org:0', 'example.org:70000', 'example..org', '-example.org',
      'ftp://example.org', 'https://user:pw@example.org', 'https://example.org/?a=1', 'https://', `@${'a'.repeat(260)}:example.org`]) {
      expect(parseLoginTarget(text), text).toBeUndefined();
    }
  });

  it('checks the server_name grammar', () => {
    expect(isServerName('matrix.org')).toBe(true);
    expect(isServerName('localhost:8448')).toBe(true);
    expect(isServerName('[2001:db8::1]:443')).toBe(true);
    expect(isServerName('example.org/path')).toBe(false);
    expect(isServerName('')).toBe(false);
  });

  it('uses https, and http only for this machine', () => {
    expect(serverNameOrigin('example.org')).toBe('https://example.org');
    expect(serverNameOrigin('example.org:8448')).toBe('https://example.org:8448');
    expect(serverNameOrigin('localhost:8008')).toBe('http://localhost:8008');
    expect(serverNameOrigin('127.0.0.1:8448')).toBe('http://127.0.0.1:8448');
    expect(serverNameOrigin('[::1]:8448')).toBe('http://[::1]:8448');
    expect(serverNameOrigin('127.example.org')).toBe('https://127.example.org');
    expect(serverNameOrigin('localhost.example.org')).toBe('https://localhost.example.org');
  });

  it('normalises a base URL', () => {
    expect(homeserverBaseUrl('https://matrix.example.org/')).toBe('https://matrix.example.org');
    expect(homeserverBaseUrl('https://MATRIX.example.org')).toBe('https://matrix.example.org');
    expect(homeserverBaseUrl('javascript:alert(1)')).toBeUndefined();
    expect(homeserverBaseUrl('not a url')).toBeUndefined();
  });
});

describe('the .well-known/matrix/client body', () => {
  it('gives m.homeserver.base_url', () => {
    expect(parseWellKnown('{"m.homeserver":{"base_url":"https://matrix-client.matrix.org/"},"m.identity_server":{"base_url":"https://vector.im"}}')).toEqual({
      kind: 'found',
      baseUrl: 'https://matrix-client.matrix.org',
    });
  });

  it('is FAIL_PROMPT when it is no JSON object or has no base_url', () => {
    for (const body of ['', 'not json', '[]', 'null', '"x"', '{}', '{"m.homeserver":{}}', '{"m.homeserver":{"base_url":42}}', '{"m.homeserver":"https://x.org"}']) {
      expect(parseWellKnown(body).kind, body).toBe('failPrompt');
    }
  });

  it('is FAIL_ERROR when base_url is no http(s) URL', () => {
    expect(parseWellKnown('{"m.homeserver":{"base_url":"matrix.example.org"}}')).toEqual({ kind: 'failError', problem: 'invalidBaseUrl' });
    expect(parseWellKnown('{"m.homeserver":{"base_url":"ftp://matrix.example.org"}}')).toEqual({ kind: 'failError', problem: 'invalidBaseUrl' });
  });

  it('takes a versions answer only with a list of versions', () => {
    expect(isVersionsResponse('{"versions":["r0.6.1","v1.11"],"unstable_features":{}}')).toBe(true);
    for (const body of ['{}', '{"versions":[]}', '{"versions":[1]}', '<html>', '{"versions":"v1.1"}']) expect(isVersionsResponse(body), body).toBe(false);
  });
});

const VERSIONS = JSON.stringify({ versions: ['v1.11'] });

/** A network of `url → [status, body]`; a missing URL does not answer (TypeError, as fetch throws). */
function network(routes: Record<string, [number, string]>): { fetch: Fetch; asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    fetch: (url) => {
      asked.push(url);
      const route = routes[url];
      if (!route) return Promise.reject(new TypeError('Failed to fetch'));
      return Promise.resolve(new Response(route[1], { status: route[0] }));
    },
  };
}

describe('discovery', () => {
  it('follows .well-known to the base URL and checks it answers as a homeserver', async () => {
    const net = network({
      'https://example.org/.well-known/matrix/client': [200, '{"m.homeserver":{"base_url":"https://matrix.example.org/"}}'],
      'https://matrix.example.org/_matrix/client/versions': [200, VERSIONS],
    });
    expect(await discoverHomeserver('@ann:example.org', net.fetch)).toEqual({ found: true, homeserverUrl: 'https://matrix.example.org' });
    expect(net.asked).toEqual(['https://example.org/.well-known/matrix/client', 'https://matrix.example.org/_matrix/client/versions']);
  });

  it('without a .well-known (404), takes the server name itself when it is a homeserver', async () => {
    const net = network({
      'http://localhost:8008/.well-known/matrix/client': [404, ''],
      'http://localhost:8008/_matrix/client/versions': [200, VERSIONS],
    });
    expect(await discoverHomeserver('localhost:8008', net.fetch)).toEqual({ found: true, homeserverUrl: 'http://localhost:8008' });
  });

  it('says when nothing there is a homeserver, and when nothing answers', async () => {
    const none = network({ 'https://example.org/.well-known/matrix/client': [404, ''], 'https://example.org/_matrix/client/versions': [404, 'Not found'] });
    expect(await discoverHomeserver('example.org', none.fetch)).toEqual({ found: false, problem: 'noHomeserver', at: 'example.org' });
    expect(await discoverHomeserver('@ann:nowhere.invalid', network({}).fetch)).toEqual({ found: false, problem: 'unreachable', at: 'nowhere.invalid' });
  });

  it('FAIL_PROMPT: an error status or a broken .well-known', async () => {
    for (const route of [[500, 'oops'], [200, ''], [200, '<html>'], [200, '{"m.homeserver":{}}']] as [number, string][]) {
      const net = network({ 'https://example.org/.well-known/matrix/client': route });
      expect(await discoverHomeserver('example.org', net.fetch)).toEqual({ found: false, problem: 'invalidWellKnown', at: 'https://example.org/.well-known/matrix/client' });
    }
  });

  it('FAIL_ERROR: a base_url that is no URL, or that does not answer as a homeserver', async () => {
    const notUrl = network({ 'https://example.org/.well-known/matrix/client': [200, '{"m.homeserver":{"base_url":"matrix.example.org"}}'] });
    expect(await discoverHomeserver('example.org', notUrl.fetch)).toMatchObject({ found: false, problem: 'invalidBaseUrl' });
    const notHomeserver = network({
      'https://example.org/.well-known/matrix/client': [200, '{"m.homeserver":{"base_url":"https://matrix.example.org"}}'],
      'https://matrix.example.org/_matrix/client/versions': [502, 'Bad gateway'],
    });
    expect(await discoverHomeserver('example.org', notHomeserver.fetch)).toEqual({ found: false, problem: 'baseUrlNotHomeserver', at: 'https://matrix.example.org' });
  });

  it('takes a URL as the homeserver, or follows its site’s .well-known', async () => {
    const direct = network({ 'https://matrix-client.matrix.org/_matrix/client/versions': [200, VERSIONS] });
    expect(await discoverHomeserver('https://matrix-client.matrix.org/', direct.fetch)).toEqual({ found: true, homeserverUrl: 'https://matrix-client.matrix.org' });
    expect(direct.asked).toEqual(['https://matrix-client.matrix.org/_matrix/client/versions']);
    const site = network({
      'https://matrix.org/_matrix/client/versions': [404, ''],
      'https://matrix.org/.well-known/matrix/client': [200, '{"m.homeserver":{"base_url":"https://matrix-client.matrix.org"}}'],
      'https://matrix-client.matrix.org/_matrix/client/versions': [200, VERSIONS],
    });
    expect(await discoverHomeserver('https://matrix.org', site.fetch)).toEqual({ found: true, homeserverUrl: 'https://matrix-client.matrix.org' });
    expect(await discoverHomeserver('https://nowhere.invalid', network({}).fetch)).toEqual({ found: false, problem: 'unreachable', at: 'https://nowhere.invalid' });
  });

  it('refuses text that names nothing, without a request', async () => {
    const net = network({});
    expect(await discoverHomeserver('not a server', net.fetch)).toEqual({ found: false, problem: 'invalidInput', at: 'not a server' });
    expect(net.asked).toEqual([]);
  });
});
