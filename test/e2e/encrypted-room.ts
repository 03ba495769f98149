// Issue #5 in each browser: an end-to-end encrypted room through the extension, against a peer with
// real Rust crypto. The homeserver only ever holds ciphertext; the widget only ever sees plaintext.
import { expect } from 'vitest';
import { waitForValue, type ExtensionBrowser, type Surface } from '../support/browser-driver';
import { cryptoPeer, encryptedRoom, rawEvent, waitForDeviceKeys, type CryptoPeer } from '../support/crypto-peer';
import { eventually, freshUser, sendText, type TestUser } from '../support/homeserver';
import { openGrantedWidget } from './grant-scenarios';
import { showMainView, showSettings } from './popup-views';
import { logInThroughPopup, sendFromWidget } from './user-story';

export type EncryptedStory = { alice: TestUser; bob: TestUser; peer: CryptoPeer; roomId: string; widget: Surface };

const messageText = (eventId: string): string =>
  `[...document.querySelectorAll('#messages li[data-event-id="${eventId}"]')].map((item) => item.textContent).join('|')`;

/** Waits until the widget shows the event, and returns its text (every copy, joined by |). */
export function shownInWidget(widget: Surface, eventId: string, what: string): Promise<string> {
  return waitForValue<string>(widget, messageText(eventId), what);
}

/** The device id, from the popup's settings view (opened if it is not showing). */
export async function deviceIdIn(ui: Surface): Promise<string> {
  await showSettings(ui);
  return waitForValue<string>(ui, `document.querySelector('#device-id')?.dataset.deviceId`, 'the device id');
}

/** The device id the popup shows (it opens and closes one). */
export async function shownDeviceId(browser: ExtensionBrowser): Promise<string> {
  const ui = await browser.openExtensionUi();
  const deviceId = await deviceIdIn(ui);
  await ui.close();
  return deviceId;
}

export async function deviceVerificationState(browser: ExtensionBrowser): Promise<string> {
  const ui = await browser.openExtensionUi();
  // Firefox's popup tab is kept between looks, maybe still on the settings view.
  await showMainView(ui);
  // The first sync shows as progress, and the popup follows it until it is through.
  await waitForValue(ui, `!!document.querySelector('#user-id') && !document.querySelector('#first-sync')`, 'the first sync to finish');
  await showSettings(ui);
  const state = await waitForValue<string>(ui, `document.querySelector('#device-verification')?.dataset.state`, 'the device state');
  await ui.close();
  return state;
}

export async function runEncryptedRoomStory(browser: ExtensionBrowser): Promise<EncryptedStory> {
  const alice = await freshUser('alice');
  const bob = await freshUser('bob');
  const roomId = await encryptedRoom(bob, alice, 'Encrypted room');
  await logInThroughPopup(browser, alice);
  // Crypto loaded in the worker; a fresh account has no cross-signing identity yet.
  expect(await deviceVerificationState(browser)).toBe('noIdentity');

  const peer = await cryptoPeer(bob);
  const { widget } = await openGrantedWidget(browser, roomId);
  await waitForDeviceKeys(peer, alice.userId);

  // Widget → peer: ciphertext on the server, plaintext for the peer and in the widget's echo.
  const sentId = await sendFromWidget(widget, 'encrypted hello from the widget');
  const onServer = await rawEvent(bob, roomId, sentId);
  expect(onServer.type).toBe('m.room.encrypted');
  expect(JSON.stringify(onServer.content)).not.toContain('encrypted hello');
  expect(await eventually('the peer to decrypt', () => peer.decryptedBody(roomId, sentId))).toBe('encrypted hello from the widget');
  expect(await shownInWidget(widget, sentId, 'the decrypted echo')).toContain('encrypted hello from the widget');

  // Peer → widget.
  const { event_id: peerId } = await peer.client.sendTextMessage(roomId, 'encrypted hello from the peer');
  expect((await rawEvent(bob, roomId, peerId)).type).toBe('m.room.encrypted');
  expect(await shownInWidget(widget, peerId, 'the peer message, decrypted')).toContain('encrypted hello from the peer');
  return { alice, bob, peer, roomId, widget };
}

/** `bob` sends a clear message into the room (no crypto of his own) and waits until the widget shows it. */
async function clearMessageShown(bob: TestUser, roomId: string, widget: Surface, body: string): Promise<void> {
  const eventId = await sendText(bob, roomId, body);
  await shownInWidget(widget, eventId, `"${body}" in the widget`);
}

/** The peer withholds the room key, then shares it: the widget gets the event once, decrypted. */
export async function lateKeyArrives({ bob, peer, roomId, widget }: EncryptedStory): Promise<void> {
  await peer.holdRoomKeys(roomId);
  const { event_id: lateId } = await peer.client.sendTextMessage(roomId, 'decrypted once the key came');
  // It must not show without its key. What proves the extension had it: later events, pushed in room
  // order. The first may be handed on from the sync answer before js-sdk processed that answer; js-sdk
  // asks for the next answer only once it has, so the second, sent after the first showed, comes in a
  // later sync than the withheld event, whose decryption js-sdk tried (and failed, locally) before.
  // (The worker's own decision is not visible from a page: test/integration/encryption.test.ts
  // waits for it exactly.)
  await clearMessageShown(bob, roomId, widget, 'a clear message after the withheld key');
  await clearMessageShown(bob, roomId, widget, 'a second one, a sync later');
  expect(await widget.evaluate<string>(messageText(lateId))).toBe('');
  await peer.releaseRoomKeys();
  const shown = await shownInWidget(widget, lateId, 'the late-decrypted event');
  expect(shown).toContain('decrypted once the key came');
  // Anything more the extension made of the late event would be in the widget before a later one.
  await clearMessageShown(bob, roomId, widget, 'a clear message after the late one');
  expect((await widget.evaluate<string>(messageText(lateId))).split('|')).toHaveLength(1);
  expect(await widget.evaluate<string>(`document.querySelector('#messages').textContent`)).not.toMatch(/Unable to decrypt/i);
}

/** Both directions still work: what the worker keeps of crypto survived whatever happened before. */
export async function stillEncryptsBothWays({ bob, peer, roomId, widget }: EncryptedStory, label: string): Promise<void> {
  const sentId = await sendFromWidget(widget, `widget ${label}`);
  expect((await rawEvent(bob, roomId, sentId)).type).toBe('m.room.encrypted');
  expect(await eventually('the peer to decrypt', () => peer.decryptedBody(roomId, sentId))).toBe(`widget ${label}`);
  const { event_id: peerId } = await peer.client.sendTextMessage(roomId, `peer ${label}`);
  expect(await shownInWidget(widget, peerId, `the peer message ${label}`)).toContain(`peer ${label}`);
}
