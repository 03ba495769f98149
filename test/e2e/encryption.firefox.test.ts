// Issue #5 on real Firefox ESR (event page): an encrypted room both ways and a late room key.
import { afterAll, beforeAll, describe, inject, it } from 'vitest';
import type { ExtensionBrowser } from '../support/browser-driver';
import { launchFirefox } from '../support/firefox';
import { lateKeyArrives, runEncryptedRoomStory, type EncryptedStory } from './encrypted-room';

describe('Firefox ESR: encrypted rooms', () => {
  let browser: ExtensionBrowser;
  let story: EncryptedStory;

  beforeAll(async () => {
    browser = await launchFirefox(inject('firefoxExtensionDir'));
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
});
