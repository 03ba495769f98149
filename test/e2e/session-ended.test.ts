// The homeserver ends the extension's session (the user removes its device from another client's
// session list): the open popup says so at once, offers to log in again at the same homeserver, and
// keeps saying so until the user logs in again or dismisses the notice. In Chromium and Firefox ESR (issue #18).
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { waitForValue, type ExtensionBrowser } from '../support/browser-driver';
import { ENGINES } from '../support/engines';
import { freshUser, removeDeviceAsUser } from '../support/homeserver';
import { showSettings } from './popup-views';
import { logInThroughPopup } from './user-story';

const deviceShown = `document.querySelector('#device-id')?.dataset.deviceId`;
const noticeFor = (userId: string) => `document.querySelector('#ended-sessions .session-ended[data-user-id=${JSON.stringify(userId)}]')?.textContent`;

describe.each(ENGINES)('$title: a session the homeserver ended', (engine) => {
  let browser: ExtensionBrowser;

  beforeAll(async () => {
    browser = await engine.launch();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('tells the user in the popup until they log in again or dismiss it', async () => {
    const alice = await freshUser('alice');
    await logInThroughPopup(browser, alice);
    const popup = await browser.openExtensionUi();
    await waitForValue(popup, `!document.querySelector('#first-sync') && /SYNCING|PREPARED/.test(document.querySelector('#sync-status')?.dataset.syncState ?? '')`, 'the first sync');
    await showSettings(popup);
    const firstDevice = await waitForValue<string>(popup, deviceShown, 'the device id');

    await removeDeviceAsUser(alice, firstDevice);
    // The popup stays open: the background tells it (the long poll in flight may run out first).
    const notice = await waitForValue<string>(popup, noticeFor(alice.userId), 'the ended-session notice', 60_000);
    expect(notice).toContain(`Your session for ${alice.userId} was ended on the homeserver. Log in again to keep using widgets.`);
    expect(await popup.evaluate<boolean>(`!!document.querySelector('#logged-out') && !document.querySelector('#logged-in')`)).toBe(true);
    expect(await popup.evaluate<string>(`document.querySelector('#homeserver').value`)).toBe(inject('homeserverUrl'));
    await popup.close();

    // Still there the next time the popup opens; gone once the user logged in again.
    const later = await browser.openExtensionUi();
    await waitForValue(later, noticeFor(alice.userId), 'the notice after reopening');
    await later.close();
    await logInThroughPopup(browser, alice);
    const relogged = await browser.openExtensionUi();
    await showSettings(relogged);
    const secondDevice = await waitForValue<string>(relogged, deviceShown, 'the new device id');
    expect(secondDevice).not.toBe(firstDevice);
    expect(await relogged.evaluate(`document.querySelectorAll('#ended-sessions .session-ended').length`)).toBe(0);

    // Ended again: this time the user dismisses the notice.
    await removeDeviceAsUser(alice, secondDevice);
    await waitForValue(relogged, noticeFor(alice.userId), 'the notice for the second device', 60_000);
    await relogged.click(`#ended-sessions .session-ended[data-user-id=${JSON.stringify(alice.userId)}] .dismiss-ended`);
    await waitForValue(relogged, `!document.querySelector('#ended-sessions')`, 'the notice to go');
    await relogged.close();
    const afterDismiss = await browser.openExtensionUi();
    await waitForValue(afterDismiss, `!!document.querySelector('#logged-out')`, 'the login form');
    expect(await afterDismiss.evaluate(`document.querySelectorAll('#ended-sessions').length`)).toBe(0);
    await afterDismiss.close();
  });
});
