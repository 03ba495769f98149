// Issue #6 scenarios on real browsers: approve a subset, deny and remember, revoke live from the
// popup, grants that must not leak across site or room, and queued approvals.
import { expect, inject } from 'vitest';
import { textOf, waitForValue, type ExtensionBrowser, type SitePage, type Surface } from '../support/browser-driver';
import { eventually, roomMessages, sharedRoom, type TestUser } from '../support/homeserver';
import { sendFromWidget } from './user-story';

export const SEND = 'org.matrix.msc2762.send.event:m.room.message';
export const RECEIVE = 'org.matrix.msc2762.receive.event:m.room.message';

export type Accounts = { alice: TestUser; bob: TestUser };

export async function openWidget(browser: ExtensionBrowser, roomId: string, origin = inject('siteOrigin'), widgets = 1): Promise<SitePage> {
  return browser.openPage(`${origin}/?room=${encodeURIComponent(roomId)}&widgets=${widgets}`);
}

export async function approvalReady(browser: ExtensionBrowser): Promise<SitePage> {
  const approval = await browser.nextApprovalWindow();
  await waitForValue(approval, `!!document.querySelector('#approval')`, 'the approval form');
  await waitForValue(approval, `!document.querySelector('#approve').disabled`, 'the armed Allow button');
  return approval;
}

export async function approvedIn(widget: Surface): Promise<string[]> {
  await waitForValue(widget, `document.querySelector('#status').textContent === 'ready'`, 'the widget to be ready');
  return (JSON.parse(await textOf(widget, '#approved')) as string[]).sort();
}

/** The demo widget in `roomId`, approved with everything it asks for; `approved` is what it got. */
export async function openGrantedWidget(browser: ExtensionBrowser, roomId: string): Promise<{ site: SitePage; widget: Surface; approved: string[] }> {
  const site = await openWidget(browser, roomId);
  await (await approvalReady(browser)).click('#approve');
  const widget = await site.widget(inject('widgetOrigin'));
  return { site, widget, approved: await approvedIn(widget) };
}

async function noApprovalWindowOpen(browser: ExtensionBrowser): Promise<void> {
  expect((await browser.extensionPageUrls()).filter((url) => url.includes('/approval/'))).toEqual([]);
}

/** Unticking a capability grants exactly the rest. */
export async function approveSubset(browser: ExtensionBrowser, { alice, bob }: Accounts): Promise<void> {
  const roomId = await sharedRoom(bob, alice, 'Subset room');
  const site = await openWidget(browser, roomId);
  const approval = await approvalReady(browser);
  await approval.click(`input[data-capability="${RECEIVE}"]`);
  await approval.click('#approve');
  const widget = await site.widget(inject('widgetOrigin'));
  expect(await approvedIn(widget)).toEqual([SEND]);
  // Reading was not granted: the widget's history request is refused, sending works.
  await waitForValue(widget, `document.querySelector('#last-error').textContent.includes('Not allowed to read')`, 'the refused read');
  await widget.evaluate(`document.querySelector('#last-error').textContent = ''`);
  const sent = await sendFromWidget(widget, 'sent with send only');
  await eventually('the message on the server', async () => (await roomMessages(bob, roomId)).find((event) => event.event_id === sent));
  await site.close();
}

/** "Deny" with "remember" is remembered: the reload asks nothing and the widget gets nothing. */
export async function denyIsRemembered(browser: ExtensionBrowser, { alice, bob }: Accounts): Promise<void> {
  const roomId = await sharedRoom(bob, alice, 'Denied room');
  const site = await openWidget(browser, roomId);
  const approval = await approvalReady(browser);
  await approval.click('#deny');
  expect(await approvedIn(await site.widget(inject('widgetOrigin')))).toEqual([]);
  await site.reload();
  expect(await approvedIn(await site.widget(inject('widgetOrigin')))).toEqual([]);
  await noApprovalWindowOpen(browser);
  await site.close();
}

/** Closing the approval window is "deny for now": nothing granted, nothing remembered. */
export async function closingTheWindowDeniesForNow(browser: ExtensionBrowser, { alice, bob }: Accounts): Promise<void> {
  const roomId = await sharedRoom(bob, alice, 'Closed window room');
  const site = await openWidget(browser, roomId);
  const approval = await approvalReady(browser);
  await approval.close();
  expect(await approvedIn(await site.widget(inject('widgetOrigin')))).toEqual([]);
  await site.reload();
  const again = await approvalReady(browser);
  await again.click('#approve');
  expect(await approvedIn(await site.widget(inject('widgetOrigin')))).toEqual([RECEIVE, SEND].sort());
  await site.close();
}

/** Revoking one capability in the popup: the running widget is told at once and refused next time. */
export async function revokeWhileRunning(browser: ExtensionBrowser, { alice, bob }: Accounts): Promise<void> {
  const roomId = await sharedRoom(bob, alice, 'Revoke room');
  const site = await openWidget(browser, roomId);
  const approval = await approvalReady(browser);
  await approval.click('#approve');
  const widget = await site.widget(inject('widgetOrigin'));
  expect(await approvedIn(widget)).toEqual([RECEIVE, SEND].sort());
  await sendFromWidget(widget, 'before the revoke');

  const popup = await browser.openExtensionUi();
  const card = `[data-grant-room="${roomId}"]`;
  await waitForValue(popup, `!!document.querySelector('${card} button[data-revoke="${SEND}"]')`, 'the grant in the popup');
  await popup.click(`${card} button[data-revoke="${SEND}"]`);
  await waitForValue(popup, `!document.querySelector('${card} button[data-revoke="${SEND}"]')`, 'the revoked capability to go');

  // notify_capabilities reached the widget ...
  await waitForValue(widget, `document.querySelector('#approved').textContent === ${JSON.stringify(JSON.stringify([RECEIVE]))}`, 'notify_capabilities');
  // ... and the very next send is refused, with nothing reaching the server.
  await widget.type('#body', 'after the revoke');
  await widget.click('#send');
  const error = await waitForValue<string>(widget, `document.querySelector('#last-error').textContent`, 'the refusal');
  expect(error).toContain('Not allowed to send');
  expect((await roomMessages(bob, roomId)).map((event) => event.content?.['body'])).not.toContain('after the revoke');

  // The activity log shows what the widget did, and the revoke.
  await popup.click(`${card} details summary`);
  const activity = await waitForValue<string>(popup, `document.querySelector('${card} .activity')?.textContent`, 'the activity log');
  expect(activity).toContain('m.room.message');
  await popup.close();
  await site.close();
}

/** A grant is for one site, widget and room: the same widget elsewhere asks again. */
export async function grantsStayInTheirPlace(browser: ExtensionBrowser, { alice, bob }: Accounts): Promise<void> {
  const roomA = await sharedRoom(bob, alice, 'Room A');
  const roomB = await sharedRoom(bob, alice, 'Room B');
  const first = await openWidget(browser, roomA);
  await (await approvalReady(browser)).click('#approve');
  expect(await approvedIn(await first.widget(inject('widgetOrigin')))).toHaveLength(2);
  await first.close();

  // Same widget URL, same room, another site: asked again, and the window names the other site.
  const elsewhere = await openWidget(browser, roomA, inject('secondSiteOrigin'));
  const secondSiteApproval = await approvalReady(browser);
  expect(await textOf(secondSiteApproval, '#site-origin')).toBe(inject('secondSiteOrigin'));
  await secondSiteApproval.click('#deny');
  expect(await approvedIn(await elsewhere.widget(inject('widgetOrigin')))).toEqual([]);
  await elsewhere.close();

  // Same site, same widget, another room: asked again.
  const otherRoom = await openWidget(browser, roomB);
  const roomApproval = await approvalReady(browser);
  expect(await roomApproval.evaluate(`document.querySelector('#room').value`)).toBe(roomB);
  await roomApproval.click('#deny');
  expect(await approvedIn(await otherRoom.widget(inject('widgetOrigin')))).toEqual([]);
  await otherRoom.close();
}

/** Two widgets asking at once: one window at a time, each decided on its own. */
export async function queuedApprovals(browser: ExtensionBrowser, { alice, bob }: Accounts, badgeText: () => Promise<string>): Promise<void> {
  const roomId = await sharedRoom(bob, alice, 'Two widgets room');
  const site = await openWidget(browser, roomId, inject('siteOrigin'), 2);
  const first = await approvalReady(browser);
  await eventually('both requests to be pending', async () => ((await badgeText()) === '2' ? true : undefined));
  expect((await browser.extensionPageUrls()).filter((url) => url.includes('/approval/'))).toHaveLength(1);
  await first.click('#approve');
  const second = await approvalReady(browser);
  await second.click('#deny');
  const approvals = await Promise.all([0, 1].map(async (index) => approvedIn(await site.widget(inject('widgetOrigin'), index))));
  expect(approvals.map((list) => list.length).sort()).toEqual([0, 2]);
  await eventually('the badge to clear', async () => ((await badgeText()) === '' ? true : undefined));
  await site.close();
}
