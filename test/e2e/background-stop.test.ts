// The harness's background stop (test/support/browser-driver.ts, ExtensionBrowser.background) is a real one in
// both browsers: what the background held in its global scope is gone, and the fresh background serves the
// widget from what the extension persisted (the session in IndexedDB, the grant), without a second login.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExtensionBrowser } from '../support/browser-driver';
import { ENGINES } from '../support/engines';
import { eventually, freshUser, roomMessages, sharedRoom } from '../support/homeserver';
import { openGrantedWidget } from './grant-scenarios';
import { logInThroughPopup, sendFromWidget } from './user-story';

describe.each(ENGINES)('$title: the background stopped on demand', (engine) => {
  let browser: ExtensionBrowser;

  beforeAll(async () => {
    browser = await engine.launch();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('loses its global scope, and the next one serves the widget from the persisted session', async () => {
    const alice = await freshUser('alice');
    const bob = await freshUser('bob');
    const roomId = await sharedRoom(bob, alice, 'Stop room');
    await logInThroughPopup(browser, alice);
    const { widget } = await openGrantedWidget(browser, roomId);
    await sendFromWidget(widget, 'before the stop');

    await browser.background.evaluate('globalThis.__testMark = "before stop"');
    expect(await browser.background.evaluate('globalThis.__testMark')).toBe('before stop');
    await browser.background.stop();
    // The widget's next request is what wakes the background (its relay reconnects to send it).
    const afterId = await sendFromWidget(widget, 'after the stop');
    expect(await browser.background.evaluate('globalThis.__testMark ?? "fresh background"')).toBe('fresh background');
    const event = await eventually('the message sent after the stop', async () =>
      (await roomMessages(bob, roomId)).find((candidate) => candidate.event_id === afterId),
    );
    expect(event.sender).toBe(alice.userId);
    expect((await browser.extensionPageUrls()).filter((url) => url.includes('/approval/'))).toEqual([]);
  });
});
