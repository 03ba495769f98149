// Issue #5 in each browser: making the extension's device trusted, and logging out cleanly.
// - First-time set-up in the popup, history restored from key backup after a fresh login with the
//   recovery key (read_events returns messages from before that login, decrypted), logout wipes.
// - Emoji verification with the user's other device (the Node peer), started from either side;
//   afterwards the peer sees the extension's device as cross-signed.
import { expect } from 'vitest';
import { waitForValue, type ExtensionBrowser, type SitePage } from '../support/browser-driver';
import { cryptoPeer, encryptedRoom, rawEvent, waitForDeviceKeys, type CryptoPeer } from '../support/crypto-peer';
import { eventually, freshUser, type TestUser } from '../support/homeserver';
import { nextVerificationRequest, peerSas, within } from '../support/peer-verification';
import { deviceIdIn, shownInWidget } from './encrypted-room';
import { openGrantedWidget } from './grant-scenarios';
import { showSettings } from './popup-views';
import { logInThroughPopup, sendFromWidget } from './user-story';

/** The state shown, once the popup has settled (the first sync's progress line gone, so nothing moves under a click). */
const stateIs = (state: string) => `document.querySelector('#device-verification')?.dataset.state === '${state}' && !document.querySelector('#first-sync')`;

async function logOutThroughPopup(browser: ExtensionBrowser): Promise<void> {
  const ui = await browser.openExtensionUi();
  await showSettings(ui);
  await ui.click('#logout');
  await waitForValue(ui, `!!document.querySelector('#logged-out')`, 'the login form after logout');
  await ui.close();
}

/** The extension's IndexedDB databases (the worker's and its pages' storage are the same origin). */
async function databaseNames(browser: ExtensionBrowser): Promise<string[]> {
  const ui = await browser.openExtensionUi();
  const names = await ui.evaluate<string[]>(`indexedDB.databases().then((list) => list.map((database) => database.name))`);
  await ui.close();
  return names;
}

async function backedUpSessions(user: TestUser): Promise<number> {
  const version = await user.client.http.authedRequest<{ version?: string }>('GET' as never, '/room_keys/version').catch(() => undefined);
  if (!version?.version) return 0;
  const { rooms } = await user.client.http.authedRequest<{ rooms: Record<string, { sessions: Record<string, unknown> }> }>(
    'GET' as never,
    '/room_keys/keys',
    { version: version.version },
  );
  return Object.values(rooms).reduce((count, room) => count + Object.keys(room.sessions).length, 0);
}

export async function setUpThenRecoverAfterLogout(browser: ExtensionBrowser): Promise<void> {
  const alice = await freshUser('alice');
  const bob = await freshUser('bob');
  const roomId = await encryptedRoom(bob, alice, 'Backed-up room');
  await logInThroughPopup(browser, alice);

  // 1. First-time set-up: cross-signing, secret storage, key backup; the recovery key is shown once.
  const ui = await browser.openExtensionUi();
  await showSettings(ui);
  await waitForValue(ui, stateIs('noIdentity'), 'the set-up offer');
  const firstDevice = await deviceIdIn(ui);
  await ui.type('#setup-password', alice.password);
  await ui.click('#set-up-encryption');
  const recoveryKey = await waitForValue<string>(ui, `document.querySelector('#new-recovery-key')?.textContent`, 'the new recovery key');
  expect(recoveryKey).toMatch(/^E[sT][a-zA-Z0-9 ]+$/);
  await waitForValue(ui, stateIs('verified'), 'the device verified by its own new identity');
  await ui.close();

  // 2. Messages both ways in an encrypted room; their keys go to the backup.
  const bobPeer = await cryptoPeer(bob);
  try {
    const { site, widget } = await openGrantedWidget(browser, roomId);
    await waitForDeviceKeys(bobPeer, alice.userId);
    const fromWidget = await sendFromWidget(widget, 'history from the widget');
    const { event_id: fromPeer } = await bobPeer.client.sendTextMessage(roomId, 'history from the peer');
    await shownInWidget(widget, fromPeer, 'the peer message');
    await eventually('both room keys in the backup', async () => ((await backedUpSessions(alice)) >= 2 ? true : undefined), 30_000);
    await site.close();

    // 3. Logout: the device is deleted on the server, its stores and the grants are gone.
    await logOutThroughPopup(browser);
    const { devices } = await alice.client.getDevices();
    expect(devices.map((device) => device.device_id)).not.toContain(firstDevice);
    expect((await databaseNames(browser)).filter((name) => name.includes(firstDevice))).toEqual([]);

    // 4. A fresh login is a new, unverified device; the recovery key verifies it and restores keys.
    await logInThroughPopup(browser, alice);
    const again = await browser.openExtensionUi();
    await showSettings(again);
    await waitForValue(again, stateIs('unverified'), 'the new device unverified');
    const secondDevice = await deviceIdIn(again);
    expect(secondDevice).not.toBe(firstDevice);
    await again.type('#recovery-key', 'EsTc not a recovery key');
    await again.click('#use-recovery-key');
    expect(await waitForValue<string>(again, `document.querySelector('#verification-error')?.textContent`, 'the refusal')).toMatch(/recovery key/);
    await again.type('#recovery-key', recoveryKey);
    await again.click('#use-recovery-key');
    await waitForValue(again, stateIs('verified'), 'the device verified by the recovery key');
    await waitForValue(again, `document.querySelector('#backup-progress')?.dataset.finished === 'true'`, 'the backup restored');
    await again.close();
    // The user's identity signed the new device (what any other client checks).
    const aliceView = await cryptoPeer(alice);
    try {
      const status = await eventually('the new device cross-signed', async () => {
        const found = await aliceView.client.getCrypto()?.getDeviceVerificationStatus(alice.userId, secondDevice);
        return found?.signedByOwner ? found : undefined;
      });
      expect(status.signedByOwner).toBe(true);
    } finally {
      aliceView.stop();
    }

    // 5. The widget reads the history from before this login, decrypted.
    const reopened = await openGrantedWidget(browser, roomId);
    expect(await shownInWidget(reopened.widget, fromWidget, 'the widget’s old message, decrypted')).toContain('history from the widget');
    expect(await shownInWidget(reopened.widget, fromPeer, 'the peer’s old message, decrypted')).toContain('history from the peer');
    expect((await rawEvent(bob, roomId, fromPeer)).type).toBe('m.room.encrypted');
    await reopened.site.close();
    await logOutThroughPopup(browser);
  } finally {
    bobPeer.stop();
  }
}

async function verifiedByEmoji(ui: SitePage, peer: CryptoPeer, peerSide: Awaited<ReturnType<typeof peerSas>>, userId: string, deviceId: string) {
  const shown = await waitForValue<string>(ui, `[...document.querySelectorAll('#sas-emoji li')].map((item) => item.dataset.name).join(',')`, 'the emoji in the popup');
  expect(shown.split(',')).toEqual(peerSide.emojiNames);
  expect(peerSide.emojiNames).toHaveLength(7);
  await ui.click('#emoji-match');
  await peerSide.confirm();
  await peerSide.verified;
  await waitForValue(ui, stateIs('verified'), 'the popup to show the device verified');
  const status = await eventually('the peer to see the device cross-signed', async () => {
    const found = await peer.client.getCrypto()?.getDeviceVerificationStatus(userId, deviceId);
    return found?.crossSigningVerified ? found : undefined;
  });
  expect(status.crossSigningVerified).toBe(true);
}

export async function verifyByEmojiBothWays(browser: ExtensionBrowser): Promise<void> {
  const alice = await freshUser('alice');
  const otherDevice = await cryptoPeer(alice);
  try {
    await otherDevice.setUpCrossSigning(alice.password);
    await logInThroughPopup(browser, alice);

    // The extension asks; the other device accepts; the extension starts the comparison.
    const ui = await browser.openExtensionUi();
    await showSettings(ui);
    await waitForValue(ui, stateIs('unverified'), 'an unverified device');
    const deviceId = await deviceIdIn(ui);
    await waitForDeviceKeys(otherDevice, alice.userId, deviceId);
    const incoming = nextVerificationRequest(otherDevice.client);
    await ui.click('#request-verification');
    const request = await incoming.catch(async (error: unknown) => {
      // Say what the popup showed: an error from the background, or where the request stood.
      const shown = await ui.evaluate<string>(`(document.querySelector('#verification-error')?.textContent ?? '') + ' | ' + (document.querySelector('#verification-progress')?.outerHTML ?? 'no progress') + ' | busy: ' + document.querySelector('#request-verification')?.disabled`);
      throw new Error(`${String(error)}; the popup showed: ${shown}`);
    });
    await within('the peer to accept', request.accept());
    await verifiedByEmoji(ui, otherDevice, await peerSas(request, { startsIt: false }), alice.userId, deviceId);
    await ui.close();

    // A new login is a new device; this time the other device asks and the popup accepts.
    await logOutThroughPopup(browser);
    await logInThroughPopup(browser, alice);
    const again = await browser.openExtensionUi();
    await showSettings(again);
    await waitForValue(again, stateIs('unverified'), 'the new device unverified');
    const newDeviceId = await deviceIdIn(again);
    await waitForDeviceKeys(otherDevice, alice.userId, newDeviceId);
    const outgoing = await within('the peer’s request to go out', otherDevice.client.getCrypto()!.requestDeviceVerification(alice.userId, newDeviceId));
    await waitForValue(again, `!!document.querySelector('#accept-verification')`, 'the incoming request in the popup');
    await again.click('#accept-verification');
    await verifiedByEmoji(again, otherDevice, await peerSas(outgoing, { startsIt: true }), alice.userId, newDeviceId);
    await again.close();
    await logOutThroughPopup(browser);
  } finally {
    otherDevice.stop();
  }
}
