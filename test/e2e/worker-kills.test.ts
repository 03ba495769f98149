// Issue #7: exactly-once sends across a killed background. The background (Chromium's service worker,
// Firefox's event page) is stopped at random points during 50 sends: before the request reaches it, while
// the homeserver request is in flight, or after it answered. Every event must be on the server exactly once
// and every request get exactly one reply.
// Issue #8: pushed events too, now that they go out in batches and the saved sync is written late.
// Issue #18: the same stories in Firefox ESR, whose event page is terminated on demand
// (test/support/firefox-background.ts).
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { waitForValue, type ExtensionBrowser, type Surface } from '../support/browser-driver';
import { ENGINES } from '../support/engines';
import { freshUser, roomMessages, sendText, sharedRoom, type TestUser } from '../support/homeserver';
import { approvalReady, approvedIn, openGrantedWidget, openWidget } from './grant-scenarios';
import { logInThroughPopup } from './user-story';

const SENDS = 50;
const PUSHES = 20;
const WHILE_AWAY = 5;

/**
 * Counts, in the widget's window, every send_event the host pushes (before the widget's own
 * de-duplication), from now on: a second call starts the count afresh.
 */
const COUNT_PUSHES = `(() => {
  window.__pushes = {};
  if (window.__countingPushes) return true;
  window.__countingPushes = true;
  window.addEventListener('message', (event) => {
    const data = event.data;
    if (data && data.api === 'toWidget' && data.action === 'send_event' && !data.response && data.data) {
      window.__pushes[data.data.event_id] = (window.__pushes[data.data.event_id] ?? 0) + 1;
    }
  });
  return true;
})()`;

/** Each sent event with the number of times it reached `widget`, for those that did not arrive exactly once. */
async function notPushedOnce(widget: Surface, sent: string[], name: string): Promise<string[]> {
  const pushes = await widget.evaluate<Record<string, number>>('window.__pushes');
  return sent.map((id, index) => `${name}-${index}: ${pushes[id] ?? 0}`).filter((line) => !line.endsWith(': 1'));
}

describe.each(ENGINES)('$title: a killed background loses nothing', (engine) => {
  let browser: ExtensionBrowser;
  let alice: TestUser;
  let bob: TestUser;
  let roomId: string;
  let widget: Surface;

  beforeAll(async () => {
    browser = await engine.launch();
    alice = await freshUser('alice');
    bob = await freshUser('bob');
    roomId = await sharedRoom(bob, alice, 'Kill room');
    await logInThroughPopup(browser, alice);
    const granted = await openGrantedWidget(browser, roomId);
    widget = granted.widget;
    expect(granted.approved).toHaveLength(2);
    await widget.evaluate(`(() => {
      window.__killReplies = {};
      window.addEventListener('message', (event) => {
        const data = event.data;
        if (data && data.api === 'fromWidget' && String(data.requestId).startsWith('kill-') && data.response) {
          (window.__killReplies[data.requestId] ??= []).push(data.response);
        }
      });
      window.__wakeReplies = {};
      window.addEventListener('message', (event) => {
        const data = event.data;
        if (data && data.api === 'fromWidget' && String(data.requestId).startsWith('wake-') && data.response) {
          window.__wakeReplies[data.requestId] = data.response;
        }
      });
      return true;
    })()`);
    await widget.evaluate(COUNT_PUSHES);
  });
  afterAll(async () => {
    await browser?.close();
  });

  it(`sends ${SENDS} messages while the background is stopped at random points: each lands once, each gets one reply`, async () => {
    const delays: number[] = [];
    for (let index = 0; index < SENDS; index++) {
      const requestId = `kill-${index}`;
      await widget.evaluate(
        `parent.postMessage(${JSON.stringify({
          api: 'fromWidget',
          widgetId: 'demo-chat',
          requestId,
          action: 'send_event',
          data: { type: 'm.room.message', content: { msgtype: 'm.text', body: requestId } },
        })}, '*')`,
      );
      // 0–60 ms: before the request reaches the background, during the homeserver call, or after the reply.
      const delay = Math.floor(Math.random() * 60);
      delays.push(delay);
      await new Promise((resolve) => setTimeout(resolve, delay));
      await browser.background.stop();
      await waitForValue(widget, `(window.__killReplies[${JSON.stringify(requestId)}] ?? []).length > 0`, `the reply to ${requestId}`);
    }
    const replies = await widget.evaluate<Record<string, { event_id?: string; error?: unknown }[]>>('window.__killReplies');
    const repeated = Object.entries(replies).filter(([, list]) => list.length !== 1);
    const messages = await roomMessages(bob, roomId);
    const bodies = messages.map((event) => String(event.content?.['body'] ?? '')).filter((body) => body.startsWith('kill-'));
    const counts = new Map<string, number>();
    for (const body of bodies) counts.set(body, (counts.get(body) ?? 0) + 1);
    console.log(
      `[kills] ${engine.title}: background stopped ${SENDS} times, ${Math.min(...delays)}–${Math.max(...delays)} ms after each of ${SENDS} sends;` +
        ` ${counts.size} distinct events on the server, ${bodies.length - counts.size} duplicates, ${SENDS - counts.size} lost,` +
        ` ${repeated.length} requests answered other than once`,
    );
    expect(Object.keys(replies)).toHaveLength(SENDS);
    expect(repeated).toEqual([]);
    expect(Object.values(replies).filter(([reply]) => !reply?.event_id)).toEqual([]);
    expect([...counts.values()].filter((count) => count !== 1)).toEqual([]);
    expect(counts.size).toBe(SENDS);
  });

  it(`pushes ${PUSHES} messages from a peer while the background is stopped at random points: each reaches the widget once`, async () => {
    const sent: string[] = [];
    for (let index = 0; index < PUSHES; index++) {
      sent.push(await sendText(bob, roomId, `pushed-${index}`));
      // 0–60 ms after the send: before its sync, while the event is on its way, or after it was pushed.
      await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 60)));
      await browser.background.stop();
      // The widget's next request wakes the background (the relay reconnects to send it).
      await widget.evaluate(
        `parent.postMessage(${JSON.stringify({ api: 'fromWidget', widgetId: 'demo-chat', requestId: `wake-${index}`, action: 'supported_api_versions', data: {} })}, '*')`,
      );
      await waitForValue(widget, `window.__wakeReplies['wake-${index}'] !== undefined`, `the reply to wake-${index}`);
    }
    await waitForValue(
      widget,
      `${JSON.stringify(sent)}.every((id) => (window.__pushes[id] ?? 0) > 0)`,
      'every pushed message in the widget',
      60_000,
    ).catch(() => undefined);
    const wrong = await notPushedOnce(widget, sent, 'pushed');
    console.log(`[kills] ${engine.title}: background stopped ${PUSHES} times during ${PUSHES} pushes; ${PUSHES - wrong.length} reached the widget exactly once, other: ${JSON.stringify(wrong)}`);
    expect(wrong).toEqual([]);
  });

  it(`gives two widgets in two tabs the ${WHILE_AWAY} messages a peer sent right after the background stopped, once each`, async () => {
    // The second tab shows the same widget in the same room: the grant is remembered, nothing is asked.
    const otherTab = await openWidget(browser, roomId);
    const other = await otherTab.widget(inject('widgetOrigin'));
    expect(await approvedIn(other)).toHaveLength(2);
    await other.evaluate(COUNT_PUSHES);
    await widget.evaluate(COUNT_PUSHES);
    // Neither widget speaks after the stop: their relays must come back by themselves, both of them,
    // before the new background's sync hands the peer's messages on (before, each came back only with
    // its next message or its 20 s keep-alive, and a widget back after the sync never got them).
    await browser.background.stop();
    const sent: string[] = [];
    for (let index = 0; index < WHILE_AWAY; index++) sent.push(await sendText(bob, roomId, `away-${index}`));
    const allArrived = (surface: Surface) =>
      waitForValue(surface, `${JSON.stringify(sent)}.every((id) => (window.__pushes[id] ?? 0) > 0)`, 'every message sent while away', 30_000).catch(() => undefined);
    await Promise.all([allArrived(widget), allArrived(other)]);
    expect([...(await notPushedOnce(widget, sent, 'first tab')), ...(await notPushedOnce(other, sent, 'second tab'))]).toEqual([]);
    await otherTab.close();
  });

  it('keeps an approval open across a stopped background: the open window still decides, and the widget gets what it was given', async () => {
    const otherRoom = await sharedRoom(bob, alice, 'Approval across a stop');
    const site = await openWidget(browser, otherRoom);
    const approval = await approvalReady(browser);
    const approvalUrl = approval.url();
    // Stopped while the user reads the request: the widget's relay reconnects and asks again.
    await browser.background.stop();
    await approval.click('#approve');
    const widgetNow = await site.widget(inject('widgetOrigin'));
    expect(await approvedIn(widgetNow)).toHaveLength(2);
    // One window for the one request: the new background did not ask again in a second one.
    expect((await browser.extensionPageUrls()).filter((url) => url.includes('/approval/') && url !== approvalUrl)).toEqual([]);
    await site.close();
  });
});
