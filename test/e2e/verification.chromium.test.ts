// Issue #5 on real Chromium: set-up, recovery key with key backup, logout wipe, emoji verification.
import { afterAll, beforeAll, describe, inject, it } from 'vitest';
import { launchChromium, type ChromiumExtensionBrowser } from '../support/chromium';
import { setUpThenRecoverAfterLogout, verifyByEmojiBothWays } from './verification';

describe('Chromium: verification', () => {
  let browser: ChromiumExtensionBrowser;

  beforeAll(async () => {
    browser = await launchChromium(inject('chromeExtensionDir'));
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('sets encryption up, and after logout and a fresh login the recovery key restores trust and history', async () => {
    await setUpThenRecoverAfterLogout(browser);
  });

  it('verifies by emoji with the user’s other device, started from either side', async () => {
    await verifyByEmojiBothWays(browser);
  });
});
