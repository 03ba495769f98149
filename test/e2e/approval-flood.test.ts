// Issue #18, finding 1, in both browsers: a page that floods the approval queue without a click.
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { ExtensionBrowser } from '../support/browser-driver';
import { ENGINES } from '../support/engines';
import { freshUser } from '../support/homeserver';
import { floodLeavesTheExtensionUsable } from './approval-flood';
import { logInThroughPopup } from './user-story';

describe.each(ENGINES)('$title: an approval flood', (engine) => {
  let browser: ExtensionBrowser;

  beforeAll(async () => {
    browser = await engine.launch();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('keeps one window, bounded storage, and the other sites working while a page floods', async () => {
    const alice = await freshUser('alice');
    const bob = await freshUser('bob');
    await logInThroughPopup(browser, alice);
    const figures = await floodLeavesTheExtensionUsable(browser, { alice, bob });
    console.log(`[flood] ${engine.title}`, JSON.stringify(figures));
  });
});
