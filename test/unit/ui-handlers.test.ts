// The background's answers to the popup and the approval window (ui-handlers.ts): only the
// extension's own pages are answered, a malformed request is refused with what was wrong (never
// echoing it), each handler does its job against the services, and errors become reply codes.
// The browser (runtime id and URLs) is a fake; so are the services, which record what was asked.
import type { Runtime } from 'webextension-polyfill';
import { MatrixError } from 'matrix-js-sdk';
import { describe, expect, it, vi } from 'vitest';

vi.mock('webextension-polyfill', () => ({
  default: {
    runtime: { id: 'our-extension', getURL: (path: string) => `chrome-extension://our-extension/${path}` },
    // Where the last homeserver is remembered: nothing yet.
    storage: { local: { get: async () => ({}), set: async () => undefined } },
  },
}));

const { handleUiMessage, isExtensionPage } = await import('../../src/background/ui-handlers');
const { NotLoggedIn } = await import('../../src/background/session/matrix-session');
type Services = import('../../src/background/services').Services;

const POPUP: Runtime.MessageSender = { id: 'our-extension', url: 'chrome-extension://our-extension/popup.html' };
const STATUS = { loggedIn: true, marker: 'the status' };
const ACCOUNT = '@ann:hs';
const WIDGET = { siteOrigin: 'https://site.example', widgetUrl: 'https://widget.example/w', widgetId: 'w' };

function fakeServices(options: { userId?: string | undefined } = {}) {
  const calls: string[] = [];
  const record =
    (name: string, result: unknown = undefined) =>
    async (...args: unknown[]) => {
      calls.push(`${name}(${args.map((arg) => JSON.stringify(arg)).join(', ')})`);
      return result;
    };
  let userId = 'userId' in options ? options.userId : ACCOUNT;
  const services = {
    accounts: {
      status: async () => STATUS,
      userId: async () => userId,
      login: async (...args: unknown[]) => {
        calls.push(`login(${args.map((arg) => JSON.stringify(arg)).join(', ')})`);
        userId = '@new:hs';
      },
      logout: record('logout', ACCOUNT),
      switchTo: record('switchTo'),
      joinedRooms: record('joinedRooms', [{ roomId: '!room:hs', name: 'Room' }]),
      roomNames: async () => new Map([['!room:hs', 'Room']]),
    },
    hosts: {
      closeAll: record('closeAll'),
      closeSite: record('closeSite'),
      grantsChanged: record('grantsChanged'),
      inTab: record('inTab', []),
    },
    grants: {
      removeAccount: record('grants.removeAccount'),
      removeSite: record('grants.removeSite'),
      revoke: record('revoke'),
      // No decision stored: "Revoke all" then leaves no empty one behind (nothing to keep listed).
      decisionFor: async () => undefined,
      recordDecision: record('recordDecision'),
      list: async (account: string) =>
        account === ACCOUNT
          ? [
              { siteOrigin: 'https://b.example', roomId: '!room:hs' },
              { siteOrigin: 'https://a.example', roomId: '!room:hs' },
              { siteOrigin: 'https://a.example › https://ads.example', roomId: '!room:hs' },
            ]
          : [],
    },
    audit: { removeAccount: record('audit.removeAccount'), removeSite: record('audit.removeSite'), record: record('audit.record'), entries: record('audit.entries', []) },
    sites: {
      isEnabled: async (siteOrigin: string) => siteOrigin !== 'https://off.example',
      disabledSites: async () => ['https://off.example'],
      setEnabled: record('setEnabled'),
      forget: record('forget'),
    },
    approvals: {
      pending: async (approvalId: string) => ({
        identity: { account: ACCOUNT, ...WIDGET },
        widgetOrigin: 'https://widget.example',
        capabilities: [],
        roomHint: undefined,
        isRoomFixed: false,
        purpose: approvalId === 'identity-approval' ? 'identity' : 'capabilities',
      }),
      pendingFromSameSite: () => 0,
      decide: record('decide'),
    },
  } as unknown as Services;
  return { services, calls };
}

describe('handleUiMessage: who may ask', () => {
  it.each([
    ['a content script on a web page', { id: 'our-extension', url: 'https://site.example/page', tab: { id: 1 } }],
    ['another extension’s page', { id: 'other-extension', url: 'chrome-extension://other-extension/popup.html' }],
    ['our id claimed by a page of another extension', { id: 'our-extension', url: 'chrome-extension://other-extension/popup.html' }],
    ['another extension naming one of our pages', { id: 'other-extension', url: 'chrome-extension://our-extension/popup.html' }],
    ['a sender without a URL', { id: 'our-extension' }],
  ])('refuses %s with forbiddenSender, before doing anything', async (_what, sender) => {
    const { services, calls } = fakeServices();
    const reply = await handleUiMessage({ kind: 'logout' }, sender as Runtime.MessageSender, services);
    expect(reply).toEqual({ ok: false, error: { code: 'forbiddenSender', message: 'Only the extension’s own pages may ask this' } });
    expect(calls).toEqual([]);
  });

  it('recognises the extension’s own pages', () => {
    expect(isExtensionPage(POPUP)).toBe(true);
    expect(isExtensionPage({ id: 'our-extension', url: 'chrome-extension://our-extension/approval.html?id=1' })).toBe(true);
  });
});

describe('handleUiMessage: malformed requests', () => {
  it.each([
    ['not an object', 'logout', undefined],
    ['an unknown kind', { kind: 'deleteEverything' }, 'kind'],
    ['a login without a password', { kind: 'login', homeserverUrl: 'https://hs.example', username: 'ann', password: '' }, 'password: password is empty'],
    ['a homeserver that is not http(s)', { kind: 'getLoginFlows', homeserverUrl: 'ftp://hs.example' }, 'homeserverUrl: must be an http(s) URL'],
    ['a tab id that is not an integer', { kind: 'listTabWidgets', tabId: 1.5 }, 'tabId'],
  ])('refuses %s as invalidMessage, saying what was wrong', async (_what, raw, says) => {
    const { services, calls } = fakeServices();
    const reply = await handleUiMessage(raw, POPUP, services);
    expect(reply.ok).toBe(false);
    if (reply.ok) return;
    expect(reply.error.code).toBe('invalidMessage');
    expect(reply.error.message.length).toBeGreaterThan(0);
    if (says) expect(reply.error.message).toContain(says);
    expect(calls).toEqual([]);
  });

  it('never echoes what it refused', async () => {
    const { services } = fakeServices();
    const secret = 'hunter2-'.repeat(200); // longer than a password may be
    const reply = await handleUiMessage({ kind: 'login', homeserverUrl: 'https://hs.example', username: 'ann', password: secret }, POPUP, services);
    expect(reply.ok).toBe(false);
    expect(JSON.stringify(reply)).not.toContain('hunter2');
  });
});

describe('handleUiMessage: the handlers', () => {
  it('answers getStatus with the accounts’ status', async () => {
    const { services } = fakeServices();
    // No homeserver remembered yet (the fake has no storage.local entry): the form's default applies.
    expect(await handleUiMessage({ kind: 'getStatus' }, POPUP, services)).toEqual({ ok: true, value: { ...STATUS, lastHomeserverUrl: null } });
  });

  it('logs in, and closes the widgets of the account that was active before', async () => {
    const { services, calls } = fakeServices();
    const reply = await handleUiMessage({ kind: 'login', homeserverUrl: 'https://hs.example', username: ' ann ', password: 'pw' }, POPUP, services);
    expect(reply).toEqual({ ok: true, value: STATUS });
    expect(calls).toEqual(['login("https://hs.example", "ann", "pw")', 'closeAll("Another account became active")']);
  });

  it('closes no widget when nobody was logged in', async () => {
    const { services, calls } = fakeServices({ userId: undefined });
    await handleUiMessage({ kind: 'login', homeserverUrl: 'https://hs.example', username: 'ann', password: 'pw' }, POPUP, services);
    expect(calls).toEqual(['login("https://hs.example", "ann", "pw")']);
  });

  it('logs out: closes the widgets first, then forgets the account’s grants and activity', async () => {
    const { services, calls } = fakeServices();
    expect(await handleUiMessage({ kind: 'logout' }, POPUP, services)).toEqual({ ok: true, value: { ...STATUS, lastHomeserverUrl: null } });
    expect(calls).toEqual(['closeAll("Logged out")', 'logout()', `grants.removeAccount("${ACCOUNT}")`, `audit.removeAccount("${ACCOUNT}")`]);
  });

  it('revokes for the active account, records it, and tells the running widgets', async () => {
    const { services, calls } = fakeServices();
    const request = { kind: 'revokeGrant', widget: WIDGET, roomId: '!room:hs', hostInstance: null, capabilities: ['m.send.event:m.room.message'] };
    expect(await handleUiMessage(request, POPUP, services)).toEqual({ ok: true, value: { revoked: true } });
    const identity = JSON.stringify({ account: ACCOUNT, ...WIDGET });
    expect(calls[0]).toBe(`revoke(${identity}, "!room:hs", {"hostInstance":null}, ["m.send.event:m.room.message"])`);
    expect(calls[1]).toMatch(/^audit\.record\(.*"action":"revoked".*"detail":"m\.send\.event:m\.room\.message"/);
    expect(calls[2]).toBe(`grantsChanged(${identity}, "!room:hs")`);
  });

  it('refuses a revoke with notLoggedIn when no account is active', async () => {
    const { services, calls } = fakeServices({ userId: undefined });
    const reply = await handleUiMessage({ kind: 'revokeGrant', widget: WIDGET, roomId: '!room:hs', hostInstance: null, capabilities: null }, POPUP, services);
    expect(reply).toEqual({ ok: false, error: { code: 'notLoggedIn', message: new NotLoggedIn().message } });
    expect(calls).toEqual([]);
  });

  it('switches a site off: its widgets close, and the sites come back sorted with their grants (nested ones under the top site)', async () => {
    const { services, calls } = fakeServices();
    const reply = await handleUiMessage({ kind: 'setSiteEnabled', siteOrigin: 'https://a.example', isEnabled: false }, POPUP, services);
    expect(calls).toEqual(['setEnabled("https://a.example", false)', 'closeSite("https://a.example")']);
    expect(reply).toEqual({
      ok: true,
      value: [
        { siteOrigin: 'https://a.example', isEnabled: true, grantCount: 2 },
        { siteOrigin: 'https://b.example', isEnabled: true, grantCount: 1 },
        { siteOrigin: 'https://off.example', isEnabled: false, grantCount: 0 },
      ],
    });
  });

  it('forgets a site: its widgets close, then its grants, its activity and its switch go', async () => {
    const { services, calls } = fakeServices();
    await handleUiMessage({ kind: 'removeSite', siteOrigin: 'https://a.example' }, POPUP, services);
    expect(calls).toEqual(['closeSite("https://a.example")', 'grants.removeSite("https://a.example")', 'audit.removeSite("https://a.example")', 'forget("https://a.example")']);
  });

  it('passes the approval window’s decision on, and lists no rooms for an identity request', async () => {
    const { services, calls } = fakeServices();
    const decision = { roomId: '!room:hs', approved: ['m.send.event:m.room.message'], remember: true };
    expect(await handleUiMessage({ kind: 'decideApproval', approvalId: 'a1', ...decision }, POPUP, services)).toEqual({ ok: true, value: { accepted: true } });
    expect(calls).toEqual([`decide("a1", ${JSON.stringify(decision)})`]);
    calls.length = 0;
    const identity = await handleUiMessage({ kind: 'getApproval', approvalId: 'identity-approval' }, POPUP, services);
    expect(identity).toMatchObject({ ok: true, value: { approvalId: 'identity-approval', account: ACCOUNT, purpose: 'identity', rooms: [] } });
    expect(calls).toEqual([]);
    const capabilities = await handleUiMessage({ kind: 'getApproval', approvalId: 'a2' }, POPUP, services);
    expect(capabilities).toMatchObject({ ok: true, value: { rooms: [{ roomId: '!room:hs', name: 'Room' }] } });
  });
});

describe('handleUiMessage: errors as reply codes', () => {
  async function replyWhenStatusThrows(error: unknown) {
    const { services } = fakeServices();
    (services.accounts as unknown as { status: () => Promise<never> }).status = () => Promise.reject(error);
    return handleUiMessage({ kind: 'getStatus' }, POPUP, services);
  }

  it('maps a refused password to loginFailed and other homeserver errors to homeserverError, with the server’s words', async () => {
    expect(await replyWhenStatusThrows(new MatrixError({ errcode: 'M_FORBIDDEN', error: 'Invalid password' }, 403))).toEqual({
      ok: false,
      error: { code: 'loginFailed', message: 'Invalid password' },
    });
    expect(await replyWhenStatusThrows(new MatrixError({ errcode: 'M_LIMIT_EXCEEDED', error: 'Too many requests' }, 429))).toEqual({
      ok: false,
      error: { code: 'homeserverError', message: 'Too many requests' },
    });
  });

  it('says the homeserver could not be reached when fetch failed', async () => {
    expect(await replyWhenStatusThrows(new TypeError('fetch failed'))).toEqual({ ok: false, error: { code: 'homeserverError', message: 'The homeserver could not be reached' } });
  });

  it('answers anything else as internal, without its message', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const reply = await replyWhenStatusThrows(new Error('token syt_secret in a stack'));
    expect(reply).toEqual({ ok: false, error: { code: 'internal', message: 'Something went wrong in the extension' } });
  });
});
