// Issue #5 on real Chromium: an encrypted room both ways, a late room key, and crypto that survives
// a stopped service worker and a browser restart on the same profile.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { waitForValue } from '../support/browser-driver';
import { launchChromium, type ChromiumExtensionBrowser } from '../support/chromium';
import { deviceVerificationState, lateKeyArrives, runEncryptedRoomStory, shownDeviceId, stillEncryptsBothWays, type EncryptedStory } from './encrypted-room';

describe('Chromium: encrypted rooms', () => {
  let browser: ChromiumExtensionBrowser;
  let story: EncryptedStory;

  beforeAll(async () => {
    browser = await launchChromium(inject('chromeExtensionDir'));
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

  it('keeps encrypting and decrypting after the service worker was stopped', async () => {
    await browser.stopServiceWorker();
    await stillEncryptsBothWays(story, 'after the worker stopped');
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
