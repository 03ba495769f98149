// Issue #5 on real Firefox ESR: set-up, recovery key with key backup, logout wipe, emoji verification.
import { afterAll, beforeAll, describe, inject, it } from 'vitest';
import type { ExtensionBrowser } from '../support/browser-driver';
import { launchFirefox } from '../support/firefox';
import { setUpThenRecoverAfterLogout, verifyByEmojiBothWays } from './verification';

describe('Firefox ESR: verification', () => {
  let browser: ExtensionBrowser;

  beforeAll(async () => {
    browser = await launchFirefox(inject('firefoxExtensionDir'));
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
