// Issue #7: the homeserver is down when the background starts (in Chromium and Firefox ESR since issue #18). The popup says so, and the line goes away
// by itself once the server is back; the same when it goes away while the popup is open. The extension talks to the real Synapse through a fault proxy
// (test/support/fault-proxy.ts) that can play "gone": every connection reset.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { textOf, waitForValue, type ExtensionBrowser } from '../support/browser-driver';
import { ENGINES } from '../support/engines';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy';
import { freshUser, homeserverUrl } from '../support/homeserver';
import { showSettings } from './popup-views';
import { logInThroughPopup } from './user-story';

const UNREACHABLE = `document.querySelector('#homeserver-unreachable')?.textContent`;

describe.each(ENGINES)('$title: homeserver down at background start', (engine) => {
  let browser: ExtensionBrowser;
  let proxy: FaultProxy;

  beforeAll(async () => {
    proxy = await startFaultProxy(homeserverUrl());
    browser = await engine.launch();
  });
  afterAll(async () => {
    await browser?.close();
    await proxy?.stop();
  });

  it('shows the homeserver as unreachable in the popup, and clears the line when it is back (also while the popup is open)', async () => {
    await logInThroughPopup(browser, await freshUser('alice'), proxy.url);
    // Synced once, as a user's extension would have been before.
    const before = await browser.openExtensionUi();
    await waitForValue(before, `!document.querySelector('#first-sync') && /SYNCING|PREPARED/.test(document.querySelector('#sync-status')?.dataset.syncState ?? '')`, 'the first sync');
    expect(await before.evaluate(UNREACHABLE)).toBeFalsy();
    await before.close();

    proxy.setDown(true);
    // A mark in the background's global scope: gone after a real stop, so the popup below meets a cold background.
    await browser.background.evaluate('globalThis.__testMark = "before stop"');
    await browser.background.stop();
    const popup = await browser.openExtensionUi();
    expect(await browser.background.evaluate('globalThis.__testMark ?? "fresh background"')).toBe('fresh background');
    const line = await waitForValue<string>(popup, UNREACHABLE, 'the unreachable line', 60_000).catch(async (error: unknown) => {
      throw new Error(`${String(error)}; the popup showed: ${await textOf(popup, '#logged-in')}`);
    });
    expect(line).toContain(proxy.url);
    // Still logged in: the session is not given up because the server is away.
    expect(await textOf(popup, '#user-id')).toMatch(/^@alice-/);

    proxy.setDown(false);
    await waitForValue(popup, `!${UNREACHABLE} && /SYNCING|PREPARED/.test(document.querySelector('#sync-status').dataset.syncState)`, 'the line to clear', 90_000);
    // The popup has nothing left to wait for (synced, and the homeserver has confirmed whether the
    // account has an encryption identity), so it stops asking; a change now must be told to it.
    await showSettings(popup);
    await waitForValue(popup, `document.querySelector('#device-verification')?.dataset.state === 'noIdentity'`, 'the encryption identity answer');

    proxy.setDown(true);
    expect(await waitForValue<string>(popup, UNREACHABLE, 'the unreachable line while the popup is open', 90_000)).toContain(proxy.url);
    proxy.setDown(false);
    await waitForValue(popup, `!${UNREACHABLE}`, 'the line to clear again', 90_000);
    await popup.close();
  });
});
