// Several accounts at once (issues #5, #6) on real Chromium: add a second account in the popup,
// widgets then act for it and the approval window names it; switching back finds the first
// account's grants where they were; logging one out keeps the other.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { textOf, waitForValue } from '../support/browser-driver';
import { launchChromium, type ChromiumExtensionBrowser } from '../support/chromium';
import { eventually, freshUser, roomMessages, sharedRoom } from '../support/homeserver';
import { approvalReady, approvedIn, openWidget } from './grant-scenarios';
import { openAccountSwitcher, showSettings } from './popup-views';
import { logInThroughPopup, sendFromWidget } from './user-story';

describe('Chromium: several accounts', () => {
  let browser: ChromiumExtensionBrowser;

  beforeAll(async () => {
    browser = await launchChromium(inject('chromeExtensionDir'));
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('adds an account, acts for the active one, switches back to the first one’s grants, logs one out', async () => {
    const alice = await freshUser('alice');
    const bob = await freshUser('bob');
    const roomId = await sharedRoom(alice, bob, 'Two accounts');
    await logInThroughPopup(browser, alice);

    const site = await openWidget(browser, roomId);
    const first = await approvalReady(browser);
    expect(await textOf(first, '#account')).toBe(alice.userId);
    await first.click('#approve');
    await approvedIn(await site.widget(inject('widgetOrigin')));

    // Add Bob: he becomes the active account; the running widget is closed and asks again, for him.
    const ui = await browser.openExtensionUi();
    await openAccountSwitcher(ui);
    await ui.click('#add-account');
    await ui.type('#homeserver', inject('homeserverUrl'));
    await ui.type('#username', bob.username);
    await ui.type('#password', bob.password);
    await ui.click('#login');
    await waitForValue(ui, `document.querySelector('#user-id')?.textContent === ${JSON.stringify(bob.userId)}`, 'Bob active in the popup');
    await waitForValue(ui, `!!document.querySelector('#account-list li[data-user-id="${alice.userId}"]')`, 'Alice listed to switch to');
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
    await waitForValue(ui, `document.querySelector('#user-id')?.textContent === ${JSON.stringify(alice.userId)}`, 'Alice active again');
    await site.reload();
    const aliceWidget = await site.widget(inject('widgetOrigin'));
    expect(await approvedIn(aliceWidget)).toHaveLength(2);
    expect((await browser.extensionPageUrls()).filter((url) => url.includes('/approval/'))).toEqual([]);
    const alicesMessage = await sendFromWidget(aliceWidget, 'sent for alice');
    expect((await eventually('Alice’s message', async () => (await roomMessages(bob, roomId)).find((event) => event.event_id === alicesMessage))).sender).toBe(alice.userId);

    // Logging Alice out (in settings) leaves Bob logged in and active.
    await showSettings(ui);
    await ui.click('#logout');
    await waitForValue(ui, `document.querySelector('#user-id')?.textContent === ${JSON.stringify(bob.userId)}`, 'Bob active after Alice logged out');
    expect(await ui.evaluate<number>(`document.querySelectorAll('#account-list li').length`)).toBe(0);
    await ui.close();
    await site.close();
  });
});
