// Issue #16: log in by Matrix ID in Chromium, the homeserver found through its `.well-known`.
import { afterAll, beforeAll, describe, inject, it } from 'vitest';
import { startDiscoverableHomeserver, type DiscoverableHomeserver } from '../support/discoverable-homeserver';
import { launchChromium, type ChromiumExtensionBrowser } from '../support/chromium';
import { logInByMatrixId } from './discovery-story';

describe('Chromium: log in by Matrix ID', () => {
  let homeserver: DiscoverableHomeserver;
  let browser: ChromiumExtensionBrowser;

  beforeAll(async () => {
    homeserver = await startDiscoverableHomeserver();
    browser = await launchChromium(inject('chromeExtensionDir'));
  });
  afterAll(async () => {
    await browser?.close();
    await homeserver?.stop();
  });

  it('discovers the homeserver from the Matrix ID, takes the user name from it, and proposes it next time', async () => {
    await logInByMatrixId(browser, homeserver);
  });
});
