// Issue #14: Element Call's published embedded build, embedded by its template on an ordinary page,
// joins a call through the extension: one approval flow (the template, then the capabilities) and
// the OpenID consent; its MatrixRTC membership reaches the real Synapse with the extension's device,
// and when the page goes away the delayed leave event it scheduled ends it. No LiveKit SFU runs (the
// JWT service is the local stand-in), so no media flows. Run by each browser's main suite after the
// user story (the user is logged in).
import { expect, inject } from 'vitest';
import { Method } from 'matrix-js-sdk';
import { waitForValue, type ExtensionBrowser, type SitePage } from '../support/browser-driver';
import { eventually, sharedRoom, type TestUser } from '../support/homeserver';
import { extensionDeviceId } from './template-story';
import type { StoryState } from './user-story';

const CALL_MEMBER = 'org.matrix.msc3401.call.member';
type StateEvent = { type: string; state_key: string; sender: string; content: Record<string, unknown> };
type DelayedEvent = { delay_id: string; room_id: string; type: string; state_key?: string };

/** A room `owner` made, `member` joined, where members may send call membership (as Element sets it). */
async function callRoom(owner: TestUser, member: TestUser): Promise<string> {
  const roomId = await sharedRoom(owner, member, 'Call room');
  const levels = (await owner.client.getStateEvent(roomId, 'm.room.power_levels', '')) as { events?: Record<string, number> };
  await owner.client.sendStateEvent(roomId, 'm.room.power_levels' as never, { ...levels, events: { ...levels.events, [CALL_MEMBER]: 0 } } as never, '');
  return roomId;
}

async function callMemberships(observer: TestUser, roomId: string): Promise<StateEvent[]> {
  const state = (await observer.client.roomState(roomId)) as unknown as StateEvent[];
  return state.filter((event) => event.type === CALL_MEMBER);
}

/** The user's delayed events the homeserver holds (MSC4140 lists them per user, whichever device). */
async function scheduledDelayedEvents(user: TestUser): Promise<DelayedEvent[]> {
  const { delayed_events: events } = await user.client.http.authedRequest<{ delayed_events: DelayedEvent[] }>(
    Method.Get,
    '/delayed_events',
    undefined,
    undefined,
    { prefix: '/_matrix/client/unstable/org.matrix.msc4140' },
  );
  return events;
}

async function approveCall(browser: ExtensionBrowser, screenshotPath: string | undefined): Promise<void> {
  const approval = await browser.nextApprovalWindow();
  await waitForValue(approval, `!!document.querySelector('form[data-purpose="template"]')`, 'the template consent');
  await waitForValue(approval, `!document.querySelector('#approve').disabled`, 'the armed Open button');
  await approval.click('#approve');
  await waitForValue(approval, `!!document.querySelector('#capabilities')`, 'Element Call’s capability request');
  await waitForValue(approval, `!document.querySelector('#approve').disabled`, 'the armed Allow button');
  // Its whole request, said as intents: calls first, in this room, never "another room".
  expect(await approval.evaluate<number>(`document.querySelectorAll('#capabilities input[data-capability]').length`)).toBeGreaterThan(40);
  const intents = await approval.evaluate<string[]>(`[...document.querySelectorAll('#intents li strong')].map((item) => item.textContent)`);
  expect(intents[0]).toBe('Take part in calls in this room');
  expect(intents.join(' ')).not.toMatch(/another room|every room|Unrecognised|Unknown/);
  // The decision is on screen at the window's size although the request is long (the body scrolls).
  expect(
    await approval.evaluate<boolean>(
      `(() => { const body = document.querySelector('.consent-body'); const allow = document.querySelector('#approve').getBoundingClientRect(); const deny = document.querySelector('#deny').getBoundingClientRect(); return body.scrollHeight > body.clientHeight && allow.bottom <= innerHeight && deny.bottom <= innerHeight && allow.top >= 0; })()`,
    ),
  ).toBe(true);
  if (screenshotPath) await approval.screenshot(screenshotPath, { width: 480, height: 700 });
  await approval.click('#approve');
  // Element Call asks for an OpenID token for the JWT service: a consent of its own.
  const identity = await browser.nextApprovalWindow();
  await waitForValue(identity, `!document.querySelector('#approve')?.disabled`, 'the armed OpenID consent');
  await identity.click('#approve');
}

/**
 * The user opens the call page, approves once (and OpenID), and is in the call: the membership is on
 * the server for the extension's device, with a delayed leave Element Call keeps postponing. The
 * page goes away without hanging up, and the homeserver sends that leave once the delay runs out.
 * Element Call waits meanwhile for an SFU that never answers (the stand-in's silent port).
 */
export async function elementCallJoinsAndLeaves(browser: ExtensionBrowser, story: StoryState, screenshotPath?: string): Promise<void> {
  const { alice, bob } = story;
  const roomId = await callRoom(bob, alice);
  const deviceId = await extensionDeviceId(alice);
  const site: SitePage = await browser.openPage(`${inject('siteOrigin')}/call?room=${encodeURIComponent(roomId)}`);
  await approveCall(browser, screenshotPath);

  const joined = await eventually(
    'the call membership of the extension’s device',
    async () =>
      (await callMemberships(bob, roomId)).find((event) => event.sender === alice.userId && event.content['device_id'] === deviceId),
    60_000,
  );
  expect(joined.state_key).toContain(deviceId);
  // It got its LiveKit token from the transport Synapse advertises: the stand-in.
  expect(JSON.stringify(joined.content['foci_preferred'])).toContain(inject('livekitServiceUrl'));
  expect((await scheduledDelayedEvents(alice)).some((event) => event.room_id === roomId && event.state_key === joined.state_key)).toBe(true);

  await site.close();
  await eventually(
    'the delayed leave to end the membership',
    async () => {
      const now = (await callMemberships(bob, roomId)).find((event) => event.state_key === joined.state_key);
      return now && Object.keys(now.content).length === 0 ? true : undefined;
    },
    90_000,
  );
  expect((await scheduledDelayedEvents(alice)).filter((event) => event.room_id === roomId)).toEqual([]);
}
