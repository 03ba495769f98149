// Issue #18, finding 1, in Chromium: a page that floods the approval queue without a click.
import { afterAll, beforeAll, describe, inject, it } from 'vitest';
import { launchChromium, type ChromiumExtensionBrowser } from '../support/chromium';
import { freshUser } from '../support/homeserver';
import { floodLeavesTheExtensionUsable } from './approval-flood';
import { logInThroughPopup } from './user-story';

describe('Chromium: an approval flood', () => {
  let browser: ChromiumExtensionBrowser;

  beforeAll(async () => {
    browser = await launchChromium(inject('chromeExtensionDir'));
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('keeps one window, bounded storage, and the other sites working while a page floods', async () => {
    const alice = await freshUser('alice');
    const bob = await freshUser('bob');
    await logInThroughPopup(browser, alice);
    const figures = await floodLeavesTheExtensionUsable(browser, { alice, bob });
    console.log('[flood] Chromium', JSON.stringify(figures));
  });
});
