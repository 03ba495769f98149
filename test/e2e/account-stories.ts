// Several accounts at once (issues #5, #6, #18) on a real browser: add a second account in the popup,
// widgets then act for it and the approval window names it; switching back finds the first account's
// grants where they were; logging one out keeps the other. And the switch while a page keeps
// re-creating a granted widget's frame: no host negotiated under one account ever acts as the other.
import { expect, inject } from 'vitest';
import type { IEvent } from 'matrix-js-sdk';
import { Direction } from 'matrix-js-sdk';
import { textOf, waitForValue, type ExtensionBrowser, type SitePage, type Surface } from '../support/browser-driver';
import { eventually, homeserverUrl, roomMessages, sharedRoom, type TestUser } from '../support/homeserver';
import { approvalReady, approvedIn, openWidget } from './grant-scenarios';
import { openAccountSwitcher, showSettings } from './popup-views';
import { logInThroughPopup, sendFromWidget } from './user-story';

const isActive = (user: TestUser) => `document.querySelector('#user-id')?.textContent === ${JSON.stringify(user.userId)}`;
const isListed = (user: TestUser) => `!!document.querySelector('#account-list li[data-user-id="${user.userId}"]')`;

/** "Add another account" in the popup: `user` logs in and becomes the active account. */
export async function addAccountThroughPopup(ui: Surface, user: TestUser): Promise<void> {
  await openAccountSwitcher(ui);
  await ui.click('#add-account');
  await ui.type('#homeserver', homeserverUrl());
  await ui.type('#username', user.username);
  await ui.type('#password', user.password);
  await ui.click('#login');
  await waitForValue(ui, isActive(user), `${user.userId} active in the popup`);
}

export async function severalAccounts(browser: ExtensionBrowser, { alice, bob }: { alice: TestUser; bob: TestUser }): Promise<void> {
  const roomId = await sharedRoom(alice, bob, 'Two accounts');
  await logInThroughPopup(browser, alice);

  const site = await openWidget(browser, roomId);
  const first = await approvalReady(browser);
  expect(await textOf(first, '#account')).toBe(alice.userId);
  await first.click('#approve');
  await approvedIn(await site.widget(inject('widgetOrigin')));

  // Add Bob: he becomes the active account; the running widget is closed and asks again, for him.
  const ui = await browser.openExtensionUi();
  await addAccountThroughPopup(ui, bob);
  await waitForValue(ui, isListed(alice), 'Alice listed to switch to');
  // Back to the site's tab (the popup's tab was in front): an approval opens for the tab the user is on.
  await site.bringToFront();
  await site.reload();
  const second = await approvalReady(browser);
  expect(await textOf(second, '#account')).toBe(bob.userId);
  await second.click('#approve');
  const bobWidget = await site.widget(inject('widgetOrigin'));
  await approvedIn(bobWidget);
  const bobsMessage = await sendFromWidget(bobWidget, 'sent for bob');
  const onServer = await eventually('Bob’s message', async () => (await roomMessages(alice, roomId)).find((event) => event.event_id === bobsMessage));
  expect(onServer.sender).toBe(bob.userId);

  // Back to Alice: her grant is still there, so no approval window; the widget acts for her.
  await openAccountSwitcher(ui);
  await ui.click(`#account-list li[data-user-id="${alice.userId}"] .switch-account`);
  await waitForValue(ui, isActive(alice), 'Alice active again');
  await site.bringToFront();
  await site.reload();
  const aliceWidget = await site.widget(inject('widgetOrigin'));
  expect(await approvedIn(aliceWidget)).toHaveLength(2);
  expect((await browser.extensionPageUrls()).filter((url) => url.includes('/approval/'))).toEqual([]);
  const alicesMessage = await sendFromWidget(aliceWidget, 'sent for alice');
  expect((await eventually('Alice’s message', async () => (await roomMessages(bob, roomId)).find((event) => event.event_id === alicesMessage))).sender).toBe(alice.userId);

  // Logging Alice out (in settings) leaves Bob logged in and active.
  await showSettings(ui);
  await ui.click('#logout');
  await waitForValue(ui, isActive(bob), 'Bob active after Alice logged out');
  expect(await ui.evaluate<number>(`document.querySelectorAll('#account-list li').length`)).toBe(0);
  await ui.close();
  await site.close();
}

/** What the race widget (demo/widget/race.ts) keeps of its requests and replies. */
type Ledger = {
  requests: { requestId: string; action: string }[];
  replies: Record<string, number>;
  sent: string[];
  error: string | null;
  approved: string[];
  isDone: boolean;
};

export type SwitchRaceFigures = {
  framesMade: number;
  framesMadeWhileSwitching: number;
  sentAsAliceBeforeBobsGrant: number;
  witnesses: number;
  witnessesClosedBySwitch: number;
  requestsAnswered: number;
  approvalWindowsForBob: number;
};

/** Every m.room.message of the room, oldest first, as the homeserver has them. */
async function allRoomMessages(user: TestUser, roomId: string): Promise<Partial<IEvent>[]> {
  const events: Partial<IEvent>[] = [];
  let from: string | null = null;
  for (;;) {
    const page = await user.client.createMessagesRequest(roomId, from, 500, Direction.Backward);
    events.push(...page.chunk.filter((event) => event.type === 'm.room.message'));
    if (!page.end || page.chunk.length === 0) return events.reverse();
    from = page.end;
  }
}

/** The race frame a message names (`race <frame> <n>`), or undefined for any other message. */
function frameOf(event: Partial<IEvent>): string | undefined {
  return /^race (race-\d+) \d+$/.exec(String(event.content?.['body'] ?? ''))?.[1];
}

async function askBackground<T>(ui: Surface, message: unknown): Promise<T> {
  return ui.evaluate<T>(`(async () => {
    const api = globalThis.browser ?? globalThis.chrome;
    const reply = await api.runtime.sendMessage(${JSON.stringify(message)});
    if (!reply.ok) throw new Error(reply.error.message);
    return reply.value;
  })()`);
}

/** The race frames still on the page, by their `window.name`. */
async function raceFrames(site: SitePage, count: number): Promise<Map<string, Surface>> {
  const frames = new Map<string, Surface>();
  for (let index = 0; index < count; index++) {
    const frame = await site.widget(`${inject('widgetOrigin')}/race.html`, index);
    frames.set(await frame.evaluate<string>('window.name'), frame);
  }
  return frames;
}

/**
 * The next armed approval window and the account it names. A window whose frame the page removed
 * meanwhile closes again; a site whose windows vanished often waits behind the popup's Review (row 36),
 * which is pressed here as the user would.
 */
async function nextArmedApproval(browser: ExtensionBrowser, ui: Surface): Promise<{ approval: SitePage; account: string }> {
  return eventually(
    'an armed approval window',
    async () => {
      const open = (await browser.extensionPageUrls()).filter((url) => url.includes('/approval/'));
      if (open.length === 0) {
        await askBackground(ui, { kind: 'reviewApprovals' });
        return undefined;
      }
      const approval = await browser.nextApprovalWindow();
      const armed = `!!document.querySelector('#approval') && !document.querySelector('#approve').disabled && document.querySelector('#account')?.textContent`;
      const account = await waitForValue<string>(approval, armed, 'the armed approval', 5_000).catch(() => undefined);
      return account ? { approval, account } : undefined;
    },
    60_000,
  );
}

/**
 * Alice and Bob are both logged in; a page embeds a widget granted under Alice, and keeps removing
 * and re-creating its frame (every 50–100 ms) while the user switches to Bob in the popup. Every
 * event a race frame sent before Bob granted anything is Alice's, each frame acts as one account
 * only, every request a surviving frame made got exactly one reply, and the frames re-created after
 * the switch ask under Bob.
 */
export async function switchWhileFramesChurn(browser: ExtensionBrowser, { alice, bob }: { alice: TestUser; bob: TestUser }): Promise<SwitchRaceFigures> {
  const roomId = await sharedRoom(alice, bob, 'Switch race');
  await logInThroughPopup(browser, bob);
  const ui = await browser.openExtensionUi();
  await addAccountThroughPopup(ui, alice);
  await openAccountSwitcher(ui);
  await waitForValue(ui, isListed(bob), 'Bob listed to switch to');

  // Alice grants the widget (remembered), and its first frame sends for her.
  const site = await browser.openPage(`${inject('siteOrigin')}/switch-race?room=${encodeURIComponent(roomId)}`);
  const first = await approvalReady(browser);
  expect(await textOf(first, '#account')).toBe(alice.userId);
  expect(await first.evaluate<boolean>(`document.querySelector('#remember').checked`)).toBe(true);
  await first.click('#approve');
  // The site's tab in front: its timers run at full speed, and an approval opens for it.
  await site.bringToFront();
  await eventually('the first frame sending for Alice', async () => (await roomMessages(bob, roomId)).find((event) => frameOf(event) === 'race-0'));

  // The churn starts; once three re-created frames have sent for Alice too, the user switches to Bob.
  // The popup's tab stays behind the site's, so its button is pressed from script.
  await site.evaluate('window.startChurn()');
  await eventually('three re-created frames sending for Alice', async () => {
    const sending = new Set((await roomMessages(bob, roomId)).map(frameOf).filter((frame) => frame !== undefined && frame !== 'race-0'));
    return sending.size >= 3 ? sending : undefined;
  });
  const beforeSwitch = await site.evaluate<number>('window.raceFramesMade');
  await ui.evaluate(`(document.querySelector('#account-list li[data-user-id="${bob.userId}"] .switch-account').click(), true)`);
  await waitForValue(ui, isActive(bob), 'Bob active after the switch');
  const afterSwitch = await site.evaluate<number>('window.raceFramesMade');
  // Ten more frames re-created after the switch returned, then the page stops; the witnesses stay.
  await waitForValue(site, `window.raceFramesMade >= ${afterSwitch + 10}`, 'frames re-created after the switch');
  const witnessNames = await site.evaluate<string[]>('window.stopChurn()');
  const framesMade = await site.evaluate<number>('window.raceFramesMade');

  // The re-created widget asks again, under Bob; nothing was sent as Bob before he grants it.
  const { approval, account } = await nextArmedApproval(browser, ui);
  expect(account).toBe(bob.userId);
  const beforeBobsGrant = (await allRoomMessages(alice, roomId)).filter((event) => frameOf(event) !== undefined);
  expect(beforeBobsGrant.length).toBeGreaterThan(0);
  expect(beforeBobsGrant.filter((event) => event.sender !== alice.userId)).toEqual([]);
  await approval.click('#approve');
  await site.bringToFront();

  // The frame the page kept last was created after the switch: it sends for Bob now.
  const frames = await raceFrames(site, witnessNames.length);
  expect([...frames.keys()].sort()).toEqual([...witnessNames].sort());
  const last = frames.get(witnessNames.at(-1) as string) as Surface;
  // Frames that asked apart from the first (one window at a time) are asked about in turn: each
  // window names Bob too.
  let bobsWindows = 1;
  await eventually(
    'the last frame sending for Bob',
    async () => {
      if (await last.evaluate<boolean>('window.raceLedger.sent.length > 0')) return true;
      if ((await browser.extensionPageUrls()).some((url) => url.includes('/approval/'))) {
        const next = await nextArmedApproval(browser, ui);
        expect(next.account).toBe(bob.userId);
        await next.approval.click('#approve');
        bobsWindows += 1;
        await site.bringToFront();
      } else {
        await askBackground(ui, { kind: 'reviewApprovals' });
      }
      return undefined;
    },
    60_000,
  );
  // Told to stop, a frame posts no new request: once each of its requests has its reply, its ledger
  // is final. (A frame whose host was closed before it was asked anything, or that still waits for
  // an approval, has no request open: matrix-widget-api's capabilities exchange is the host's.)
  for (const frame of frames.values()) await frame.evaluate('(window.raceStop = true)');
  const settled = `(() => { const ledger = window.raceLedger; return ledger.requests.every(({ requestId }) => ledger.replies[requestId] >= 1) && ledger; })()`;
  const ledgers = new Map<string, Ledger>();
  for (const [name, frame] of frames) {
    const done = await waitForValue<Ledger>(frame, settled, `every request of ${name} answered`).catch(async (error: unknown) => {
      // What the frame had got to, for whoever reads the failure.
      throw new Error(`${String(error)}: ${name} ${await frame.evaluate<string>('JSON.stringify({ ...window.raceLedger, requests: window.raceLedger.requests.slice(-3) })')}`);
    });
    ledgers.set(name, done);
  }

  // Each surviving frame's requests: every one answered, exactly once (an error is an answer).
  const unanswered: string[] = [];
  const repeated: string[] = [];
  for (const [name, ledger] of ledgers) {
    for (const { requestId, action } of ledger.requests) {
      const replies = ledger.replies[requestId] ?? 0;
      if (replies === 0) unanswered.push(`${name} ${action} ${requestId}`);
      if (replies > 1) repeated.push(`${name} ${action} ${requestId} ×${replies}`);
    }
  }
  expect(unanswered).toEqual([]);
  expect(repeated).toEqual([]);

  // On the homeserver: each frame acted as one account only, and the last one as Bob.
  const all = (await allRoomMessages(alice, roomId)).filter((event) => frameOf(event) !== undefined);
  const senders = new Map<string, Set<string>>();
  for (const event of all) senders.set(frameOf(event) as string, (senders.get(frameOf(event) as string) ?? new Set()).add(String(event.sender)));
  expect([...senders].filter(([, who]) => who.size > 1).map(([frame, who]) => `${frame}: ${[...who].join(', ')}`)).toEqual([]);
  expect([...(senders.get(witnessNames.at(-1) as string) ?? [])]).toEqual([bob.userId]);
  // Every event id a frame was told is on the server from that frame's one account.
  const byId = new Map(all.map((event) => [event.event_id, event]));
  for (const [name, ledger] of ledgers) {
    for (const eventId of ledger.sent) expect(frameOf(byId.get(eventId) ?? {})).toBe(name);
  }
  // Witnesses that were sending for Alice when the switch came were stopped, with an answer.
  const closedBySwitch = [...ledgers].filter(([name, ledger]) => senders.get(name)?.has(alice.userId) && ledger.error !== null);
  expect(closedBySwitch.length).toBeGreaterThan(0);

  await ui.close();
  await site.close();
  return {
    framesMade,
    framesMadeWhileSwitching: afterSwitch - beforeSwitch,
    sentAsAliceBeforeBobsGrant: beforeBobsGrant.length,
    witnesses: ledgers.size,
    witnessesClosedBySwitch: closedBySwitch.length,
    requestsAnswered: [...ledgers.values()].reduce((sum, ledger) => sum + ledger.requests.length, 0),
    approvalWindowsForBob: bobsWindows,
  };
}
