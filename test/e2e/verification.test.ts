// Issue #5 in both browsers: set-up, recovery key with key backup, logout wipe, emoji verification.
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { ExtensionBrowser } from '../support/browser-driver';
import { ENGINES } from '../support/engines';
import { setUpThenRecoverAfterLogout, verifyByEmojiBothWays } from './verification';

describe.each(ENGINES)('$title: verification', (engine) => {
  let browser: ExtensionBrowser;

  beforeAll(async () => {
    browser = await engine.launch();
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
