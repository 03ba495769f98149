// The conformance widget (demo/widget/conformance.ts) run through the real extension: it calls the
// host with matrix-widget-api's own client methods; the user approves what it asks for.
import { expect, inject } from 'vitest';
import { waitForValue, type ExtensionBrowser } from '../support/browser-driver';
import { freshUser, sharedRoom, type TestUser } from '../support/homeserver';
import { approvalReady } from './grant-scenarios';
import { logInThroughPopup } from './user-story';

type Check = { name: string; ok: boolean; detail: string };

/**
 * `loggedIn`: the users of a browser already logged in as `alice`; fresh ones otherwise.
 * `hidesTabs`: the browser hides a tab when another one comes to the front (headless Firefox does,
 * headless Chromium keeps every page visible): then the page is hidden and shown again, and the
 * widget must hear both as toWidget `visibility`.
 */
export async function runConformance(browser: ExtensionBrowser, loggedIn?: { alice: TestUser; bob: TestUser }, hidesTabs = false): Promise<Check[]> {
  const alice = loggedIn?.alice ?? (await freshUser('alice'));
  const bob = loggedIn?.bob ?? (await freshUser('bob'));
  const roomId = await sharedRoom(bob, alice, 'Conformance room');
  // bob is the power-level 100 creator; alice needs power to set the topic.
  await bob.client.setPowerLevel(roomId, alice.userId, 100);
  // Room account data for the widget to read back (read_room_account_data).
  await alice.client.setRoomAccountData(roomId, 'org.example.conformance' as never, { hello: 'widget' } as never);
  if (!loggedIn) await logInThroughPopup(browser, alice);
  const site = await browser.openPage(`${inject('siteOrigin')}/conformance?room=${encodeURIComponent(roomId)}`);
  // 1: the capabilities; 2: OpenID (identity); 3: renegotiation (room fixed).
  for (let window = 0; window < 3; window++) await (await approvalReady(browser)).click('#approve');
  const widget = await site.widget(`${inject('widgetOrigin')}/conformance.html`);
  await waitForValue(widget, 'window.conformance && window.conformance.done', 'the conformance run', 60_000);
  const results = await widget.evaluate<Check[]>('window.conformance.results');
  if (hidesTabs) {
    const other = await browser.openPage('about:blank');
    await other.bringToFront();
    await waitForValue(widget, 'window.conformance.visibility.includes(false)', 'visibility false in the widget');
    await site.bringToFront();
    await waitForValue(widget, 'window.conformance.visibility.at(-1) === true', 'visibility true again in the widget');
    await other.close();
  }
  await site.close();
  expect(results.length).toBeGreaterThanOrEqual(15);
  return results;
}
