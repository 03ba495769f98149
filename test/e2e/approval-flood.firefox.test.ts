// Issue #18, finding 1, in Firefox ESR: the same flood as in Chromium.
import { afterAll, beforeAll, describe, inject, it } from 'vitest';
import { launchFirefox, type FirefoxExtensionBrowser } from '../support/firefox';
import { freshUser } from '../support/homeserver';
import { floodLeavesTheExtensionUsable } from './approval-flood';
import { logInThroughPopup } from './user-story';

describe('Firefox: an approval flood', () => {
  let browser: FirefoxExtensionBrowser;

  beforeAll(async () => {
    browser = await launchFirefox(inject('firefoxExtensionDir'));
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('keeps one window, bounded storage, and the other sites working while a page floods', async () => {
    const alice = await freshUser('alice');
    const bob = await freshUser('bob');
    await logInThroughPopup(browser, alice);
    const figures = await floodLeavesTheExtensionUsable(browser, { alice, bob });
    console.log('[flood] Firefox', JSON.stringify(figures));
  });
});
