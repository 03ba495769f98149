// Issue #16 in both browsers: log in by Matrix ID, the homeserver found through its `.well-known`.
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { ExtensionBrowser } from '../support/browser-driver';
import { startDiscoverableHomeserver, type DiscoverableHomeserver } from '../support/discoverable-homeserver';
import { ENGINES } from '../support/engines';
import { logInByMatrixId } from './discovery-story';

describe.each(ENGINES)('$title: log in by Matrix ID', (engine) => {
  let homeserver: DiscoverableHomeserver;
  let browser: ExtensionBrowser;

  beforeAll(async () => {
    homeserver = await startDiscoverableHomeserver();
    browser = await engine.launch();
  });
  afterAll(async () => {
    await browser?.close();
    await homeserver?.stop();
  });

  it('discovers the homeserver from the Matrix ID, takes the user name from it, and proposes it next time', async () => {
    await logInByMatrixId(browser, homeserver);
  });
});
