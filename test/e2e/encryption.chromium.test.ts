// Issue #5 on real Chromium: an encrypted room both ways, a late room key, and crypto that survives
// a stopped service worker.
import { afterAll, beforeAll, describe, inject, it } from 'vitest';
import { launchChromium, type ChromiumExtensionBrowser } from '../support/chromium';
import { lateKeyArrives, runEncryptedRoomStory, stillEncryptsBothWays, type EncryptedStory } from './encrypted-room';

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
});
