// Issue #5 in Chromium and Firefox ESR: an encrypted room both ways, a late room key, and crypto that
// survives a stopped background (a service worker, an event page) and a browser restart on the same
// profile.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { waitForValue, type ExtensionBrowser } from '../support/browser-driver';
import { ENGINES } from '../support/engines';
import { deviceVerificationState, lateKeyArrives, runEncryptedRoomStory, shownDeviceId, stillEncryptsBothWays, type EncryptedStory } from './encrypted-room';

describe.each(ENGINES)('$title: encrypted rooms', (engine) => {
  let browser: ExtensionBrowser;
  let story: EncryptedStory;

  beforeAll(async () => {
    browser = await engine.launch();
  });
  afterAll(async () => {
    story?.peer.stop();
    await browser?.close();
  });

  it('encrypts the widget’s messages for the peer and decrypts the peer’s for the widget', async () => {
    story = await runEncryptedRoomStory(browser);
  });

  it('delivers an event whose key arrives late, once, decrypted', async () => {
    await lateKeyArrives(story);
  });

  it('keeps encrypting and decrypting after the background was stopped', async () => {
    await browser.background.stop();
    await stillEncryptsBothWays(story, 'after the background stopped');
  });

  it('keeps the session, the device and its keys across a browser restart on the same profile', async () => {
    const deviceBefore = await shownDeviceId(browser);
    browser = await browser.restart();
    expect(await shownDeviceId(browser)).toBe(deviceBefore);
    expect(await deviceVerificationState(browser)).toBe('noIdentity');
    // The grant is remembered: the widget opens without asking, and both directions still work.
    const site = await browser.openPage(`${inject('siteOrigin')}/?room=${encodeURIComponent(story.roomId)}`);
    const widget = await site.widget(inject('widgetOrigin'));
    await waitForValue(widget, `document.querySelector('#status').textContent === 'ready'`, 'the widget after the restart');
    await stillEncryptsBothWays({ ...story, widget }, 'after the browser restarted');
  });
});
