// The foundation user story (issue #3, steps 2–6), written once and run in each browser.
import { expect, inject } from 'vitest';
import { textOf, waitForValue, type ExtensionBrowser, type SitePage, type Surface } from '../support/browser-driver';
import { eventually, freshUser, homeserverUrl, roomMessages, sendText, sharedRoom, type TestUser } from '../support/homeserver';

export type StoryState = { alice: TestUser; bob: TestUser; roomId: string; site: SitePage; widget: Surface };

const hasMessage = (eventId: string): string => `!!document.querySelector('#messages li[data-event-id="${eventId}"]')`;

/** Logs `user` in with the popup's password form; `homeserver` defaults to the test Synapse. */
export async function logInThroughPopup(browser: ExtensionBrowser, user: TestUser, homeserver = homeserverUrl()): Promise<void> {
  const ui = await browser.openExtensionUi();
  await waitForValue(ui, `!document.querySelector('#logged-out').hidden`, 'the login form');
  await ui.type('#homeserver', homeserver);
  await ui.type('#username', user.username);
  await ui.type('#password', user.password);
  await ui.click('#login');
  const shownUser = await waitForValue<string>(ui, `document.querySelector('#user-id')?.textContent`, 'the logged-in view');
  expect(shownUser).toBe(user.userId);
  await ui.close();
}

/** Sends `body` from the widget's own text box and returns the event ID the host replied with. */
export async function sendFromWidget(widget: Surface, body: string): Promise<string> {
  const before = await textOf(widget, '#last-sent');
  await widget.type('#body', body);
  // Typing into a tab that is not in front reaches nothing, and the widget then sends nothing:
  // say so here rather than wait for a reply to a request that was never made.
  expect(await widget.evaluate<string>(`document.querySelector('#body').value`), 'the typed text in the widget').toBe(body);
  await widget.click('#send');
  return waitForValue<string>(
    widget,
    `(() => { const sent = document.querySelector('#last-sent').textContent; const error = document.querySelector('#last-error').textContent; if (error) throw new Error(error); return sent && sent !== ${JSON.stringify(before)} ? sent : ''; })()`,
    `the widget's send of "${body}"`,
  );
}

export async function runUserStory(browser: ExtensionBrowser): Promise<StoryState> {
  const siteOrigin = inject('siteOrigin');
  const widgetOrigin = inject('widgetOrigin');
  const alice = await freshUser('alice');
  const bob = await freshUser('bob');
  const roomId = await sharedRoom(bob, alice, 'Demo room');
  const earlier = await sendText(bob, roomId, 'said before the widget existed');

  // 2. Log in through the real popup UI.
  await logInThroughPopup(browser, alice);

  // 3. A page on one origin embeds the widget from another, with a room hint.
  const site = await browser.openPage(`${siteOrigin}/?room=${encodeURIComponent(roomId)}`);
  expect(new URL(siteOrigin).origin).not.toBe(new URL(widgetOrigin).origin);

  // 4. An extension-owned approval window shows who asks for what, with the hinted room preselected.
  const approval = await browser.nextApprovalWindow();
  expect(approval.url()).toMatch(/^(chrome|moz)-extension:\/\//);
  await waitForValue(approval, `!document.querySelector('#approval').hidden`, 'the approval form');
  expect(await textOf(approval, '#site-origin')).toBe(siteOrigin);
  expect(await textOf(approval, '#widget-origin')).toBe(widgetOrigin);
  expect(await textOf(approval, '#account')).toBe(alice.userId);
  // The user is told that the site sees what the widget is given (the widget answers through it).
  expect(await textOf(approval, '#site-sees')).toContain(siteOrigin);
  expect(await approval.evaluate(`document.querySelector('#room').value`)).toBe(roomId);
  const capabilityTexts = await approval.evaluate<string>(`document.querySelector('#capabilities').textContent`);
  expect(capabilityTexts).toContain('Send messages in the room as you');
  expect(capabilityTexts).toContain('See messages in the room');
  // The window leads with what that adds up to, for the room picked.
  expect(await textOf(approval, '#intents')).toBe('Acts as youSend messages as you in this roomSeesSee messages in this room');
  await waitForValue(approval, `!document.querySelector('#approve').disabled`, 'the armed Allow button');
  await approval.click('#approve');

  const widget = await site.widget(widgetOrigin);
  await waitForValue(widget, `document.querySelector('#status').textContent === 'ready'`, 'the widget to be ready');
  const approved = JSON.parse(await textOf(widget, '#approved')) as string[];
  expect(approved.sort()).toEqual(
    ['org.matrix.msc2762.receive.event:m.room.message', 'org.matrix.msc2762.send.event:m.room.message'].sort(),
  );
  await waitForValue(widget, hasMessage(earlier), 'the room history in the widget');

  // 5. The widget sends; the homeserver has it (the peer reads it) and the widget shows the server echo.
  const sentId = await sendFromWidget(widget, 'hello from the widget');
  const onServer = await eventually('the peer to see the widget message', async () =>
    (await roomMessages(bob, roomId)).find((event) => event.event_id === sentId),
  );
  expect(onServer.sender).toBe(alice.userId);
  expect(onServer.content?.['body']).toBe('hello from the widget');
  await waitForValue(widget, hasMessage(sentId), 'the server echo in the widget');

  // ... and the peer's message arrives live.
  const liveId = await sendText(bob, roomId, 'live from the peer');
  await waitForValue(widget, hasMessage(liveId), 'the peer message live in the widget');

  // 6. A reload does not ask again: the grant is remembered.
  await site.reload();
  const reloaded = await site.widget(widgetOrigin);
  await waitForValue(reloaded, `document.querySelector('#status').textContent === 'ready'`, 'the reloaded widget');
  expect(JSON.parse(await textOf(reloaded, '#approved'))).toHaveLength(2);
  expect((await browser.extensionPageUrls()).filter((url) => url.includes('/approval/'))).toEqual([]);
  return { alice, bob, roomId, site, widget: reloaded };
}

/**
 * The page itself (not the widget frame) posts a perfect imitation of a fromWidget request, and
 * dispatches one as an event that claims the widget's window and origin. Neither may have an effect
 * or get a reply; a legitimate send afterwards proves the relay was listening.
 */
export async function forgedPageMessageIsIgnored(state: StoryState): Promise<void> {
  const { site, widget, bob, roomId } = state;
  await site.evaluate(`(() => {
    window.__replies = [];
    // The page sees all traffic to its window (the widget's own replies to the host included);
    // only an answer to the forged request id would be a reply to the forgery.
    window.addEventListener('message', (event) => { if (event.data && event.data.requestId === 'forged-1' && event.data.response) window.__replies.push(event.data); });
    window.postMessage({ api: 'fromWidget', widgetId: 'demo-chat', requestId: 'forged-1', action: 'send_event',
      data: { type: 'm.room.message', content: { msgtype: 'm.text', body: 'forged by the page' } } }, '*');
    // The same, as a synthetic event that names the widget's window and origin (not isTrusted).
    // Firefox 153 refuses a cross-origin window as the source of a constructed MessageEvent.
    try {
      window.dispatchEvent(new MessageEvent('message', {
        data: { api: 'fromWidget', widgetId: 'demo-chat', requestId: 'forged-2', action: 'send_event',
          data: { type: 'm.room.message', content: { msgtype: 'm.text', body: 'forged as the widget' } } },
        origin: new URL(document.getElementById('widget-1').src).origin,
        source: document.getElementById('widget-1').contentWindow,
      }));
    } catch {}
    return true;
  })()`);
  const legitimateId = await sendFromWidget(widget, 'sent after the forgery');
  const messages = await eventually('the legitimate message on the server', async () => {
    const all = await roomMessages(bob, roomId);
    return all.some((event) => event.event_id === legitimateId) ? all : undefined;
  });
  expect(messages.map((event) => event.content?.['body'])).not.toContain('forged by the page');
  expect(messages.map((event) => event.content?.['body'])).not.toContain('forged as the widget');
  expect(await site.evaluate<unknown[]>('window.__replies')).toEqual([]);
}

/**
 * matrix-widget-api reuses a request id once its request was answered (ids are `widgetapi-<ms>`),
 * so the host must answer a reused id again; only a duplicate of an in-flight request is a replay.
 */
export async function requestIdsFollowThePackage(widget: Surface): Promise<void> {
  const replies = await widget.evaluate<{ sequential: number; duplicated: number }>(`(async () => {
    const widgetId = new URLSearchParams(location.search).get('widgetId');
    const request = (requestId, action = 'supported_api_versions', data = {}) => ({ api: 'fromWidget', widgetId, requestId, action, data });
    const counts = {};
    window.addEventListener('message', (event) => {
      if (event.data?.response) counts[event.data.requestId] = (counts[event.data.requestId] ?? 0) + 1;
    });
    const replyTo = (requestId) => new Promise((resolve) => {
      const check = () => (counts[requestId] ? resolve() : setTimeout(check, 10));
      check();
    });
    const target = document.referrer ? new URL(document.referrer).origin : '*';
    // The same id twice in sequence, the second after the first was answered: two replies.
    window.parent.postMessage(request('reused-id'), target);
    await replyTo('reused-id');
    window.parent.postMessage(request('reused-id'), target);
    await new Promise((resolve) => { const check = () => (counts['reused-id'] >= 2 ? resolve() : setTimeout(check, 10)); check(); });
    // The same id twice at once, the second while the first is in flight (a forward read waits for
    // the homeserver; the latest events may come from the client's timeline at once): one reply. A
    // second one would come from a homeserver call of its own, started before that of a later read
    // with another id, so the later read's reply is the signal to count by (the host's decision
    // itself is shown exactly by test/unit/request-intake.test.ts).
    const read = (requestId) => request(requestId, 'org.matrix.msc2876.read_events', { type: 'm.room.message', limit: 1, dir: 'f' });
    window.parent.postMessage(read('duplicated-id'), target);
    window.parent.postMessage(read('duplicated-id'), target);
    window.parent.postMessage(read('after-duplicate'), target);
    await replyTo('duplicated-id');
    await replyTo('after-duplicate');
    return { sequential: counts['reused-id'], duplicated: counts['duplicated-id'] };
  })()`);
  expect(replies).toEqual({ sequential: 2, duplicated: 1 });
}
