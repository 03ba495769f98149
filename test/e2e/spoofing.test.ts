// Issue #7: forged Widget API traffic from every place an attacker can post from — the embedding
// page (posted, or dispatched as an event naming the widget), a sibling frame of a third origin, a
// same-origin sibling on another path, a frame nested in it, the widget frame after it navigated,
// and malformed or oversized messages from the widget itself. None may act with the widget's
// grants; the real widget and a copy of it beside it (same URL and widget id, so every widget-origin
// port on the page is told apart by a frame challenge) keep working. In Chromium and Firefox ESR; the
// content script's own world is reached in Chromium only (see that case).
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { waitForValue, type ExtensionBrowser, type SitePage, type Surface } from '../support/browser-driver';
import { launchChromium, type ChromiumExtensionBrowser } from '../support/chromium';
import { ENGINES } from '../support/engines';
import { eventually, freshUser, roomMessages, sharedRoom, type TestUser } from '../support/homeserver';
import { approvalReady, approvedIn } from './grant-scenarios';
import { logInThroughPopup, sendFromWidget } from './user-story';

type Source = 'page' | 'pageAsWidget' | 'sibling' | 'sameOriginSibling' | 'nested' | 'widget';
type Case = { name: string; source: Source; target: 'parent' | 'top'; message: (requestId: string, roomId: string) => unknown };

const request = (action: string, data: unknown, extra: Record<string, unknown> = {}) => (requestId: string) => ({
  api: 'fromWidget',
  widgetId: 'demo-chat',
  requestId,
  action,
  data,
  ...extra,
});

/** Messages that would act with the widget's grants if they were accepted from the wrong place. */
const FORGERIES: { name: string; message: (requestId: string, roomId: string) => unknown }[] = [
  { name: 'send_event into the bound room', message: (id) => request('send_event', { type: 'm.room.message', content: { msgtype: 'm.text', body: id } })(id) },
  { name: 'send_event naming the room', message: (id, roomId) => request('send_event', { type: 'm.room.message', room_id: roomId, content: { msgtype: 'm.text', body: id } })(id) },
  { name: 'read_events', message: (id) => request('org.matrix.msc2876.read_events', { type: 'm.room.message', limit: 5 })(id) },
  { name: 'get_openid', message: (id) => request('get_openid', {})(id) },
  { name: 'request_capabilities for every room', message: (id) => request('org.matrix.msc2974.request_capabilities', { capabilities: ['m.timeline:*'] })(id) },
  { name: 'a reply to the host’s capabilities request', message: (id) => ({ api: 'toWidget', widgetId: 'demo-chat', requestId: id, action: 'capabilities', data: {}, response: { capabilities: ['m.timeline:*'] } }) },
  { name: 'the id of another widget', message: (id) => ({ ...(request('send_event', { type: 'm.room.message', content: { msgtype: 'm.text', body: id } })(id) as object), widgetId: 'demo-chat-2' }) },
  { name: 'an oversized widget id', message: (id) => ({ ...(request('send_event', { type: 'm.room.message', content: { msgtype: 'm.text', body: id } })(id) as object), widgetId: 'w'.repeat(10_000) }) },
];

/** From the widget itself: malformed, oversized, wrong-direction or out-of-room requests. */
const FROM_THE_WIDGET: { name: string; message: (requestId: string, roomId: string) => unknown }[] = [
  { name: 'api toWidget without a response', message: (id) => ({ api: 'toWidget', widgetId: 'demo-chat', requestId: id, action: 'send_event', data: { type: 'm.room.message', content: { body: id } } }) },
  { name: 'data as an array', message: (id) => request('send_event', [{ type: 'm.room.message', content: { body: id } }])(id) },
  { name: 'an oversized request id', message: (id) => request('send_event', { type: 'm.room.message', content: { msgtype: 'm.text', body: id } })(`${id}-${'x'.repeat(10_000)}`) },
  { name: 'a "." event type aimed at power levels', message: (id) => request('send_event', { type: '.', state_key: 'm.room.power_levels', content: { users: {}, body: id } })(id) },
  { name: 'a room it was not granted', message: (id) => request('send_event', { type: 'm.room.message', room_id: '!not-granted:localhost', content: { msgtype: 'm.text', body: id } })(id) },
  { name: 'an oversized event (over the homeserver limit)', message: (id) => request('send_event', { type: 'm.room.message', content: { msgtype: 'm.text', body: `${id} ${'x'.repeat(70_000)}` } })(id) },
];

const CASES: Case[] = [
  ...FORGERIES.map((forgery) => ({ ...forgery, source: 'page' as const, target: 'parent' as const })),
  // The page dispatches a synthetic MessageEvent that names the widget's window and origin: only
  // `isTrusted` tells it from the real thing (seen in Chromium 156, where the relay sees both alike).
  ...FORGERIES.map((forgery) => ({ ...forgery, source: 'pageAsWidget' as const, target: 'parent' as const })),
  ...FORGERIES.flatMap((forgery) => (['parent', 'top'] as const).map((target) => ({ ...forgery, source: 'sibling' as const, target }))),
  ...FORGERIES.map((forgery) => ({ ...forgery, source: 'sameOriginSibling' as const, target: 'parent' as const })),
  ...FORGERIES.flatMap((forgery) => (['parent', 'top'] as const).map((target) => ({ ...forgery, source: 'nested' as const, target }))),
  ...FROM_THE_WIDGET.map((attempt) => ({ ...attempt, source: 'widget' as const, target: 'parent' as const })),
];

describe.each(ENGINES)('$title: forged Widget API traffic', (engine) => {
  let browser: ExtensionBrowser;
  let alice: TestUser;
  let bob: TestUser;
  let roomId: string;
  let site: SitePage;
  let widget: Surface;
  let copy: Surface;

  beforeAll(async () => {
    browser = await engine.launch();
    alice = await freshUser('alice');
    bob = await freshUser('bob');
    roomId = await sharedRoom(bob, alice, 'Spoofing room');
    await logInThroughPopup(browser, alice);
    site = await browser.openPage(`${inject('siteOrigin')}/spoof?room=${encodeURIComponent(roomId)}`);
    // The real widget asks first and is approved; attacker frames that speak get windows of their own.
    const approval = await approvalReady(browser);
    expect(await approval.evaluate(`document.querySelector('#widget-url').textContent`)).toBe(`${inject('widgetOrigin')}/index.html`);
    await approval.click('#approve');
    // The copy of the widget (same URL, same widget id) joined that approval.
    widget = await widgetNamed(site, 'widget');
    copy = await widgetNamed(site, 'widget-copy');
    expect(await approvedIn(widget)).toHaveLength(2);
    expect(await approvedIn(copy)).toHaveLength(2);
  });
  afterAll(async () => {
    await browser?.close();
  });

  it(`refuses ${CASES.length} forged or malformed messages, and the widget keeps working`, async () => {
    expect(CASES.length).toBeGreaterThanOrEqual(50);
    const third = inject('secondSiteOrigin');
    const frames: Record<Exclude<Source, 'page' | 'pageAsWidget'>, Surface> = {
      widget,
      sibling: await site.widget(`${third}/attacker.html?sibling=1`),
      sameOriginSibling: await site.widget(`${inject('widgetOrigin')}/attacker.html`),
      nested: await site.widget(`${third}/attacker.html?nested=1`),
    };
    await site.evaluate(`(() => {
      window.__spoofReplies = [];
      window.addEventListener('message', (event) => {
        // A host's reply to a fromWidget request (forgeries that carry a response field are not replies).
        if (event.data && event.data.api === 'fromWidget' && String(event.data.requestId).startsWith('spoof-') && event.data.response) window.__spoofReplies.push(event.data.requestId);
      });
      return true;
    })()`);
    await widget.evaluate(`(() => {
      window.__replies = [];
      window.addEventListener('message', (event) => {
        if (event.data && event.data.api === 'fromWidget' && String(event.data.requestId).startsWith('spoof-') && event.data.response) window.__replies.push(event.data);
      });
      return true;
    })()`);
    const ids = CASES.map((_, index) => `spoof-${index}`);
    for (const [index, attack] of CASES.entries()) {
      const message = JSON.stringify(attack.message(ids[index] as string, roomId));
      if (attack.source === 'page') await site.evaluate(`window.postMessage(${message}, '*')`);
      else if (attack.source === 'pageAsWidget') {
        // As the page's own script (a script element). Firefox 153 refuses a cross-origin frame's
        // window as `source` (a TypeError, page script or not): there the page cannot build this
        // forgery, and sends the nearest it can, the widget's origin without a source ("no-source:").
        const init = `{ data: ${message}, origin: ${JSON.stringify(inject('widgetOrigin'))} }`;
        const dispatch = `try { window.dispatchEvent(new MessageEvent('message', { ...${init}, source: document.getElementById('widget').contentWindow })); window.__dispatched.push(${JSON.stringify(ids[index])}); } catch (error) { if (!(error instanceof TypeError)) throw error; window.dispatchEvent(new MessageEvent('message', ${init})); window.__dispatched.push(${JSON.stringify(`no-source:${ids[index]}`)}); }`;
        await site.evaluate(`(() => { window.__dispatched ??= []; const script = document.createElement('script'); script.textContent = ${JSON.stringify(dispatch)}; document.head.append(script); script.remove(); return true; })()`);
      }
      else await frames[attack.source].evaluate(`${attack.target}.postMessage(${message}, '*')`);
    }

    // Every synthetic event was dispatched: in Chromium as the exact forgery, in Firefox as the one it lets a page build.
    const dispatched = CASES.flatMap((attack, index) => (attack.source === 'pageAsWidget' ? [ids[index] as string] : []));
    const built = await site.evaluate<string[]>('window.__dispatched');
    if (engine.name === 'chromium') expect(built).toEqual(dispatched);
    else expect(built.map((id) => id.replace(/^no-source:/, ''))).toEqual(dispatched);
    console.log(`[spoofing] ${engine.title}: synthetic events`, built.every((id) => id.startsWith('no-source:')) ? 'without source (refused by the browser)' : built.join(' '));

    // The legitimate widget and its copy still work, and by the time their messages are on the
    // server the forgeries posted before them have been dealt with.
    const legitimate = [await sendFromWidget(widget, 'still working'), await sendFromWidget(copy, 'the copy too')];
    const onServer = await eventually('the legitimate messages', async () => {
      const messages = await roomMessages(bob, roomId);
      return legitimate.every((eventId) => messages.some((event) => event.event_id === eventId)) ? messages : undefined;
    });
    const bodies = onServer.map((event) => String(event.content?.['body'] ?? ''));
    expect(bodies.filter((body) => body.startsWith('spoof-'))).toEqual([]);
    const state = await bob.client.roomState(roomId);
    expect(state.filter((event) => event.type === 'm.room.power_levels' && event.content['body'])).toEqual([]);
    // The page saw no reply to any forgery (frames that spoke are hosted as themselves, not as the widget).
    expect(await site.evaluate<string[]>('window.__spoofReplies')).toEqual([]);
    // The widget's own refused attempts were answered with errors, never with success.
    const widgetReplies = await widget.evaluate<{ requestId: string; response: { error?: { message: string }; event_id?: string } }[]>(`window.__replies`);
    expect(widgetReplies.filter((reply) => reply.response.event_id)).toEqual([]);
    expect(widgetReplies.length).toBeGreaterThanOrEqual(3); // '.' type, foreign room, oversized event: refused with errors
    expect(widgetReplies.every((reply) => typeof reply.response.error?.message === 'string')).toBe(true);

    // Only the real widget holds a grant.
    const popup = await browser.openExtensionUi();
    await waitForValue(popup, `!!document.querySelector('#grants [data-grant-room]')`, 'the grants');
    const grantedWidgets = await popup.evaluate<string[]>(`[...document.querySelectorAll('#grants [data-grant-room]')].map((card) => card.dataset.widgetUrl)`);
    expect(grantedWidgets).toEqual([`${inject('widgetOrigin')}/index.html`]);
    await popup.close();
  });

  it('gives a navigated widget frame’s new document none of the old grants', async () => {
    const widgetOrigin = inject('widgetOrigin');
    await site.evaluate(`document.getElementById('widget').src = ${JSON.stringify(`${widgetOrigin}/attacker.html?navigated=1`)}`);
    const navigated = await site.widget(`${widgetOrigin}/attacker.html?navigated=1`);
    await navigated.evaluate(
      `parent.postMessage(${JSON.stringify({ api: 'fromWidget', widgetId: 'demo-chat', requestId: 'after-navigation', action: 'send_event', data: { type: 'm.room.message', content: { msgtype: 'm.text', body: 'spoof-after-navigation' } } })}, '*')`,
    );
    // Back to the real widget: its grant still holds, without a new approval.
    await site.evaluate(`document.getElementById('widget').src = ${JSON.stringify(`${widgetOrigin}/index.html?widgetId=demo-chat`)}`);
    const back = await widgetNamed(site, 'widget');
    expect(await approvedIn(back)).toHaveLength(2);
    const sent = await sendFromWidget(back, 'back again');
    const messages = await eventually('the message after navigating back', async () => {
      const all = await roomMessages(bob, roomId);
      return all.some((event) => event.event_id === sent) ? all : undefined;
    });
    expect(messages.map((event) => event.content?.['body'])).not.toContain('spoof-after-navigation');
  });
});

// Chromium only: the code must run in the content script's own isolated world, which CDP names as an
// execution context. WebDriver BiDi in Firefox 153 lists no realm of a WebExtension content script,
// so there is nothing to evaluate in (docs/security.md, "Firefox").
describe('Chromium: a content script is not an extension page', () => {
  let browser: ChromiumExtensionBrowser;

  beforeAll(async () => {
    browser = await launchChromium(inject('chromeExtensionDir'));
    await logInThroughPopup(browser, await freshUser('carol'));
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('refuses the popup and approval messages (login, grants, decisions) from a content script', async () => {
    // Code running in the content script's own isolated world, as if the page had compromised it.
    // (Cross-origin frames live in other processes, so this page's session sees the top frame only.)
    const page = await browser.context.newPage();
    const cdp = await browser.context.newCDPSession(page);
    const contexts: { id: number; name: string; origin: string }[] = [];
    cdp.on('Runtime.executionContextCreated', (event) => contexts.push(event.context));
    await cdp.send('Runtime.enable');
    await page.goto(`${inject('siteOrigin')}/`);
    const contentWorld = await waitForContext(() => contexts.find((context) => context.name === 'Matrix Widget Bridge'));
    const ask = async (message: unknown) =>
      (
        await cdp.send('Runtime.evaluate', {
          contextId: contentWorld.id,
          expression: `chrome.runtime.sendMessage(${JSON.stringify(message)})`,
          awaitPromise: true,
          returnByValue: true,
        })
      ).result.value as { ok: boolean; error?: { code: string } };
    for (const message of [
      { kind: 'listGrants' },
      { kind: 'getStatus' },
      { kind: 'decideApproval', approvalId: 'x', roomId: null, approved: [], remember: true },
      { kind: 'revokeGrant', widget: { siteOrigin: 'https://a.example', widgetUrl: 'https://w.example/', widgetId: 'w' }, roomId: '', hostInstance: null, capabilities: null },
      { kind: 'logout' },
    ]) {
      expect(await ask(message)).toEqual({ ok: false, error: { code: 'forbiddenSender', message: expect.any(String) } });
    }
    await cdp.detach();
    await page.close();
    // Still logged in: the logout above was refused.
    const popup = await browser.openExtensionUi();
    await waitForValue(popup, `!!document.querySelector('#user-id')`, 'the logged-in popup');
    await popup.close();
  });
});

/** The real widget's frame named `name` (the page's iframe name), once it holds the widget. */
async function widgetNamed(site: SitePage, name: string): Promise<Surface> {
  return eventually(`the widget frame ${name}`, async () => {
    for (const index of [0, 1]) {
      const frame = await site.widget(`${inject('widgetOrigin')}/index.html`, index).catch(() => undefined);
      if (frame && (await frame.evaluate<string>('window.name').catch(() => '')) === name) return frame;
    }
    return undefined;
  });
}

async function waitForContext<T>(find: () => T | undefined): Promise<T> {
  return eventually('the content script world', async () => find());
}
