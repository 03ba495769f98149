// Several accounts at once (issues #5, #6, #18), in Chromium and Firefox ESR: adding, switching and
// logging out accounts in the popup, and switching while a page keeps re-creating a granted widget.
import { afterEach, beforeEach, describe, it } from 'vitest';
import type { ExtensionBrowser } from '../support/browser-driver';
import { ENGINES } from '../support/engines';
import { freshUser } from '../support/homeserver';
import { severalAccounts, switchWhileFramesChurn } from './account-stories';

describe.each(ENGINES)('$title: several accounts', (engine) => {
  let browser: ExtensionBrowser;

  // A browser per story: each starts logged out, with its own two accounts.
  beforeEach(async () => {
    browser = await engine.launch();
  });
  afterEach(async () => {
    await browser?.close();
  });

  it('adds an account, acts for the active one, switches back to the first one’s grants, logs one out', async () => {
    await severalAccounts(browser, { alice: await freshUser('alice'), bob: await freshUser('bob') });
  });

  it('never acts as the new account through a host of the old one while the page re-creates the widget during a switch', async () => {
    const figures = await switchWhileFramesChurn(browser, { alice: await freshUser('alice'), bob: await freshUser('bob') });
    console.log(`[switch race] ${engine.title}`, JSON.stringify(figures));
  });
});
