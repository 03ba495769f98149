// Issue #14, the toolkit part: a widget built on the published @matrix-widget-toolkit/api
// (demo/toolkit-widget), embedded by the toolkit's registration URL as a template, reads the room's
// name and members, sends, and observes live events, with no hand-written URL parameter. Run by
// each browser's main suite after the user story (so the user is logged in).
import { expect, inject } from 'vitest';
import { textOf, waitForValue, type ExtensionBrowser, type Surface } from '../support/browser-driver';
import { eventually, roomMessages, sendText, sharedRoom } from '../support/homeserver';
import type { StoryState } from './user-story';

const FRAME = '#toolkit-widget';

/** Sends from the widget's form; the event id it shows, or the error it shows. */
async function sendFromToolkitWidget(widget: Surface, body: string): Promise<string> {
  const before = await textOf(widget, '#last-sent');
  await widget.type('#body', body);
  await widget.click('#send-button');
  const outcome = await waitForValue<{ sent?: string; error?: string }>(
    widget,
    `(() => { const sent = document.querySelector('#last-sent').textContent; const error = document.querySelector('#last-error').textContent;
      return error ? { error } : sent && sent !== ${JSON.stringify(before)} ? { sent } : undefined; })()`,
    `the toolkit widget's send of "${body}"`,
  );
  if (outcome.error) throw new Error(`the toolkit widget reported: ${outcome.error}`);
  return outcome.sent!;
}

export async function toolkitWidgetReadsSendsAndObserves(browser: ExtensionBrowser, story: StoryState): Promise<void> {
  const { alice, bob } = story;
  const widgetOrigin = inject('widgetOrigin');
  const roomName = `Toolkit room ${browser.name}`;
  const roomId = await sharedRoom(bob, alice, roomName);
  const site = await browser.openPage(`${inject('siteOrigin')}/toolkit?room=${encodeURIComponent(roomId)}`);
  const template = await site.evaluate<string>(`document.querySelector('${FRAME}').dataset.matrixWidgetSrc`);
  // The page wrote variables only: every parameter the toolkit reads is a `$variable` to fill.
  const templateUrl = new URL(template);
  const fragment = new URLSearchParams(templateUrl.hash.slice(templateUrl.hash.indexOf('?') + 1));
  for (const value of [...templateUrl.searchParams.values(), ...fragment.values()]) expect(value).toMatch(/^\$/);

  // One window: the template consent, then the toolkit's capability request.
  const approval = await browser.nextApprovalWindow();
  await waitForValue(approval, `!!document.querySelector('form[data-purpose="template"]')`, 'the template consent');
  expect(await site.evaluate(`document.querySelector('${FRAME}').getAttribute('src')`)).toBeNull();
  expect(await approval.evaluate(`document.querySelector('#room').value`)).toBe(roomId);
  await waitForValue(approval, `!document.querySelector('#approve').disabled`, 'the armed Open button');
  await approval.click('#approve');
  await waitForValue(approval, `!!document.querySelector('#capabilities')`, 'the capability request in the same window');
  expect(await approval.evaluate(`document.querySelector('#room').dataset.roomId`)).toBe(roomId);
  await waitForValue(approval, `!document.querySelector('#approve').disabled`, 'the armed Allow button');
  await approval.click('#approve');

  const widget = await site.widget(widgetOrigin);
  const status = await waitForValue<string>(
    widget,
    `(() => { const status = document.querySelector('#status').textContent; return ['ready', 'failed', 'missing widget parameters', 'capabilities refused'].includes(status) ? status : ''; })()`,
    'the toolkit widget to start',
  );
  expect({ status, error: await textOf(widget, '#last-error') }).toEqual({ status: 'ready', error: '' });
  // The toolkit found its parameters in the fragment the extension filled.
  expect(await textOf(widget, '#user')).toBe(alice.userId);

  // Read through the toolkit's observeStateEvents: the room's name and both joined members.
  await waitForValue(widget, `document.querySelector('#room-name').textContent === ${JSON.stringify(roomName)}`, 'the room name in the widget');
  const members = await waitForValue<string[]>(
    widget,
    `(() => { const ids = [...document.querySelectorAll('#members li')].map((item) => item.dataset.userId); return ids.length === 2 ? ids : undefined; })()`,
    'both members in the widget',
  );
  expect(members.sort()).toEqual([alice.userId, bob.userId].sort());

  // Sent through sendRoomEvent: on the homeserver, from alice.
  const sentId = await sendFromToolkitWidget(widget, 'hello from the toolkit widget');
  const onServer = await eventually('the toolkit widget message on the server', async () =>
    (await roomMessages(bob, roomId)).find((event) => event.event_id === sentId),
  );
  expect(onServer.sender).toBe(alice.userId);

  // Observed through observeRoomEvents: the peer's message arrives while the widget runs.
  const liveId = await sendText(bob, roomId, 'hello toolkit, from bob');
  const live = await waitForValue<{ sender: string; body: string }>(
    widget,
    `(() => { const item = document.querySelector('#messages li[data-event-id=${JSON.stringify(liveId)}]');
      return item && { sender: item.querySelector('.sender').textContent, body: item.querySelector('.body').textContent }; })()`,
    "bob's live message in the widget",
  );
  expect(live).toEqual({ sender: bob.userId, body: 'hello toolkit, from bob' });
  expect(await widget.evaluate(`document.querySelectorAll('#messages li[data-event-id=${JSON.stringify(sentId)}]').length`)).toBe(1);
  expect((await browser.extensionPageUrls()).filter((url) => url.includes('/approval/'))).toEqual([]);
  await site.close();
}
