// Issue #16: log in by Matrix ID in Firefox ESR, the homeserver found through its `.well-known`.
import { afterAll, beforeAll, describe, inject, it } from 'vitest';
import { startDiscoverableHomeserver, type DiscoverableHomeserver } from '../support/discoverable-homeserver';
import { launchFirefox, type FirefoxExtensionBrowser } from '../support/firefox';
import { logInByMatrixId } from './discovery-story';

describe('Firefox ESR: log in by Matrix ID', () => {
  let homeserver: DiscoverableHomeserver;
  let browser: FirefoxExtensionBrowser;

  beforeAll(async () => {
    homeserver = await startDiscoverableHomeserver();
    browser = await launchFirefox(inject('firefoxExtensionDir'));
  });
  afterAll(async () => {
    await browser?.close();
    await homeserver?.stop();
  });

  it('discovers the homeserver from the Matrix ID, takes the user name from it, and proposes it next time', async () => {
    await logInByMatrixId(browser, homeserver);
  });
});
