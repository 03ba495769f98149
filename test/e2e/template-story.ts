// Issue #14: a widget embedded by its URL template (`data-matrix-widget-src`), which the extension
// fills only after the user consented, in one approval window: the room and what the URL tells,
// then (in the same window) the widget's capabilities. Run by each browser's main suite, after the
// user story (so the user is logged in).
import { expect, inject } from 'vitest';
import { textOf, waitForValue, type ExtensionBrowser, type SitePage } from '../support/browser-driver';
import { eventually, homeserverUrl, roomMessages, sharedRoom, type TestUser } from '../support/homeserver';
import { sendFromWidget, type StoryState } from './user-story';

const FRAME = '#widget-1';

/** The extension's device: the account's device that is not the test client's own. */
export async function extensionDeviceId(user: TestUser): Promise<string> {
  const { devices } = await user.client.getDevices();
  const others = devices.filter((device) => device.device_id !== user.client.getDeviceId());
  expect(others).toHaveLength(1);
  return others[0]!.device_id;
}

async function openTemplatedSite(browser: ExtensionBrowser, roomId: string): Promise<SitePage> {
  return browser.openPage(`${inject('siteOrigin')}/templated?template=1&room=${encodeURIComponent(roomId)}`);
}

export async function templatedWidgetInOneApproval(browser: ExtensionBrowser, story: StoryState): Promise<void> {
  const { alice, bob } = story;
  const widgetOrigin = inject('widgetOrigin');
  const roomId = await sharedRoom(bob, alice, 'Template room');
  const site = await openTemplatedSite(browser, roomId);

  // Nothing is loaded, so nothing about the user is in the page, before the user decided.
  const approval = await browser.nextApprovalWindow();
  await waitForValue(approval, `!!document.querySelector('form[data-purpose="template"]')`, 'the template consent');
  expect(await site.evaluate(`document.querySelector('${FRAME}').getAttribute('src')`)).toBeNull();
  const deviceId = await extensionDeviceId(alice);
  const facts = await textOf(approval, '#template-facts');
  expect(facts).toContain(alice.userId);
  expect(facts).toContain(deviceId);
  expect(facts).toContain(homeserverUrl());
  expect(await textOf(approval, '#widget-origin')).toContain(widgetOrigin);
  expect(await textOf(approval, '#site-sees')).toContain(inject('siteOrigin'));
  expect(await approval.evaluate(`document.querySelector('#room').value`)).toBe(roomId);
  await waitForValue(approval, `!document.querySelector('#approve').disabled`, 'the armed Open button');
  await approval.click('#approve');

  // The same window goes on to the widget's own request, for the room chosen above.
  await waitForValue(approval, `!!document.querySelector('#capabilities')`, 'the capability request in the same window');
  expect(await approval.evaluate(`document.querySelector('#room').dataset.roomId`)).toBe(roomId);
  await waitForValue(approval, `!document.querySelector('#approve').disabled`, 'the armed Allow button');
  await approval.click('#approve');

  const widget = await site.widget(widgetOrigin);
  await waitForValue(widget, `document.querySelector('#status').textContent === 'ready'`, 'the templated widget to be ready');
  const learned = JSON.parse(await textOf(widget, '#learned')) as Record<string, string>;
  expect(learned).toMatchObject({ userId: alice.userId, deviceId, baseUrl: homeserverUrl(), roomId });
  expect(['light', 'dark']).toContain(learned['theme']);
  expect(learned['lang']).toMatch(/^[a-z]{2}/);
  // What the window said the site can see: the frame's address, now filled.
  expect(await site.evaluate<string>(`document.querySelector('${FRAME}').src`)).toContain(encodeURIComponent(alice.userId));

  const sentId = await sendFromWidget(widget, 'hello from a templated widget');
  const onServer = await eventually('the templated widget message on the server', async () =>
    (await roomMessages(bob, roomId)).find((event) => event.event_id === sentId),
  );
  expect(onServer.sender).toBe(alice.userId);
  expect((await browser.extensionPageUrls()).filter((url) => url.includes('/approval/'))).toEqual([]);

  // Remembered: a reload fills and loads it without a window.
  await site.reload();
  const reloaded = await site.widget(widgetOrigin);
  await waitForValue(reloaded, `document.querySelector('#status').textContent === 'ready'`, 'the reloaded templated widget');
  expect(JSON.parse(await textOf(reloaded, '#learned'))).toMatchObject({ userId: alice.userId, roomId });
  expect(JSON.parse(await textOf(reloaded, '#approved'))).toHaveLength(2);
  expect((await browser.extensionPageUrls()).filter((url) => url.includes('/approval/'))).toEqual([]);
  await site.close();
}

/** A remembered "Deny" leaves the frame empty, and a reload neither loads it nor asks again. */
export async function deniedTemplateStaysEmpty(browser: ExtensionBrowser, story: StoryState): Promise<void> {
  const { alice, bob } = story;
  const roomId = await sharedRoom(bob, alice, 'Declined template room');
  const site = await openTemplatedSite(browser, roomId);
  const approval = await browser.nextApprovalWindow();
  await waitForValue(approval, `!!document.querySelector('form[data-purpose="template"]')`, 'the template consent');
  await waitForValue(approval, `!document.querySelector('#deny').disabled`, 'the armed Deny button');
  await approval.click('#deny');
  await eventually('the window to close', async () =>
    (await browser.extensionPageUrls()).some((url) => url.includes('/approval/')) ? undefined : true,
  );
  expect(await site.evaluate(`document.querySelector('${FRAME}').getAttribute('src')`)).toBeNull();
  await site.reload();
  // The reloaded page's request is answered from the remembered denial: a probe page loaded after
  // it proves the background has handled it (its own template gets its window, ours none).
  const probeRoom = await sharedRoom(bob, alice, 'Probe room');
  const probe = await openTemplatedSite(browser, probeRoom);
  const probeApproval = await browser.nextApprovalWindow();
  await waitForValue(probeApproval, `!!document.querySelector('form[data-purpose="template"]')`, 'the probe consent');
  // Had the reload asked again, its window (for the first room) would have come first.
  expect(await probeApproval.evaluate(`document.querySelector('#room').value`)).toBe(probeRoom);
  expect(await site.evaluate(`document.querySelector('${FRAME}').getAttribute('src')`)).toBeNull();
  await probeApproval.close();
  await probe.close();
  await site.close();
}
