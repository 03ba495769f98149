// Issue #7 load, at a size CI runs in seconds: 10 widgets in 3 tabs sending at 50 events/s each
// while a peer sends at 200 events/s, all into one room, so every widget receives everyone's events.
// Nothing may be lost or doubled, every request gets one reply, and each widget sees the room's order.
// (Timing is reported by `npm run bench`, never asserted here.)
import { Direction } from 'matrix-js-sdk';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { waitForValue, type SitePage, type Surface } from '../support/browser-driver';
import { launchChromium, type ChromiumExtensionBrowser } from '../support/chromium';
import { eventually, freshUser, sendText, sharedRoom, type TestUser } from '../support/homeserver';
import { approvalReady, openWidget } from './grant-scenarios';
import { logInThroughPopup } from './user-story';

const TABS = [4, 3, 3];
const SENDS_PER_WIDGET = 20;
const WIDGET_RATE_PER_S = 50;
const PEER_SENDS = 100;
const PEER_RATE_PER_S = 200;

/** Installed in a widget frame: records the load events pushed to it, in arrival order, and sends on request. */
const INSTRUMENT = `(() => {
  window.__loadReceived = [];
  window.__loadReplies = {};
  window.addEventListener('message', (event) => {
    const data = event.data;
    if (data?.api === 'toWidget' && data.action === 'send_event' && !data.response && String(data.data?.content?.body ?? '').startsWith('load ')) {
      window.__loadReceived.push(data.data.event_id);
    }
    if (data?.api === 'fromWidget' && data.response && String(data.requestId).startsWith('load-')) {
      window.__loadReplies[data.requestId] = (window.__loadReplies[data.requestId] ?? 0) + 1;
    }
  });
  window.__loadSend = async (label, count, ratePerSecond) => {
    const widgetId = new URLSearchParams(location.search).get('widgetId');
    for (let index = 0; index < count; index++) {
      parent.postMessage({ api: 'fromWidget', widgetId, requestId: 'load-' + label + '-' + index, action: 'send_event',
        data: { type: 'm.room.message', content: { msgtype: 'm.text', body: 'load ' + label + ' ' + index } } }, '*');
      await new Promise((resolve) => setTimeout(resolve, 1000 / ratePerSecond));
    }
    return true;
  };
  return true;
})()`;

async function roomOrder(user: TestUser, roomId: string): Promise<string[]> {
  const ids: string[] = [];
  let from: string | null = null;
  for (;;) {
    const page = await user.client.createMessagesRequest(roomId, from, 500, Direction.Backward);
    for (const event of page.chunk) if (String(event.content?.['body'] ?? '').startsWith('load ')) ids.push(event.event_id);
    if (!page.end || page.chunk.length === 0) break;
    from = page.end;
  }
  return ids.reverse();
}

describe('Chromium: load', () => {
  let browser: ChromiumExtensionBrowser;

  beforeAll(async () => {
    browser = await launchChromium(inject('chromeExtensionDir'));
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('loses nothing and keeps room order with 10 widgets in 3 tabs and a fast peer', async () => {
    const alice = await freshUser('alice');
    const bob = await freshUser('bob');
    const roomId = await sharedRoom(bob, alice, 'Load room');
    await logInThroughPopup(browser, alice);

    const pages: SitePage[] = [];
    const widgets: Surface[] = [];
    for (const [tab, count] of TABS.entries()) {
      const page = await openWidget(browser, roomId, inject('siteOrigin'), count);
      pages.push(page);
      // Widget ids repeat across tabs (demo-chat, demo-chat-2, …): only the first tab asks.
      if (tab === 0) for (let index = 0; index < count; index++) await (await approvalReady(browser)).click('#approve');
      for (let index = 0; index < count; index++) {
        const widget = await page.widget(inject('widgetOrigin'), index);
        await waitForValue(widget, `document.querySelector('#status').textContent === 'ready' && document.querySelector('#approved').textContent.length > 2`, 'a ready widget');
        await widget.evaluate(INSTRUMENT);
        widgets.push(widget);
      }
    }
    expect(widgets).toHaveLength(10);

    const widgetSends = widgets.map((widget, index) => widget.evaluate(`window.__loadSend('w${index}', ${SENDS_PER_WIDGET}, ${WIDGET_RATE_PER_S})`));
    const peerSends: Promise<string>[] = [];
    for (let index = 0; index < PEER_SENDS; index++) {
      peerSends.push(sendText(bob, roomId, `load peer ${index}`));
      await new Promise((resolve) => setTimeout(resolve, 1000 / PEER_RATE_PER_S));
    }
    await Promise.all([...widgetSends, ...peerSends]);

    const total = widgets.length * SENDS_PER_WIDGET + PEER_SENDS;
    const expected = await eventually('every load event on the server', async () => {
      const order = await roomOrder(bob, roomId);
      return order.length === total ? order : undefined;
    }, 60_000);
    for (const [index, widget] of widgets.entries()) {
      const received = await eventually(
        `widget ${index} to receive all ${total} events`,
        async () => {
          const got = await widget.evaluate<string[]>('window.__loadReceived');
          return got.length >= total ? got : undefined;
        },
        60_000,
      );
      expect(received).toEqual(expected);
      const replies = await widget.evaluate<Record<string, number>>('window.__loadReplies');
      expect(Object.keys(replies)).toHaveLength(SENDS_PER_WIDGET);
      expect(Object.values(replies).every((count) => count === 1)).toBe(true);
    }
    for (const page of pages) await page.close();
  }, 180_000);
});
