// Issue #7 load, at a size CI runs in seconds (test/e2e/load-scenario.ts; `npm run bench` runs the
// full 20 s and reports delivery times): 10 widgets in 3 tabs sending at 50 events/s each while a
// peer sends at 200 events/s, all into one room, so every widget receives everyone's events.
// Nothing may be lost or doubled, every request gets one reply, and each widget sees the room's order.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium, type ChromiumExtensionBrowser } from '../support/chromium';
import { freshUser, sharedRoom } from '../support/homeserver';
import { CI_LOAD, runLoad } from './load-scenario';
import { logInThroughPopup } from './user-story';

describe('Chromium: load', () => {
  let browser: ChromiumExtensionBrowser;

  beforeAll(async () => {
    browser = await launchChromium(inject('chromeExtensionDir'));
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('loses nothing and keeps room order with 10 widgets in 3 tabs and a fast peer', async () => {
    const alice = await freshUser('alice');
    const peer = await freshUser('bob');
    const roomId = await sharedRoom(peer, alice, 'Load room');
    await logInThroughPopup(browser, alice);

    const run = await runLoad({ browser, alice, peer, roomId, siteOrigin: inject('siteOrigin'), widgetOrigin: inject('widgetOrigin'), size: CI_LOAD });

    const total = 10 * CI_LOAD.sendsPerWidget + CI_LOAD.peerSends;
    expect(run.roomOrder).toHaveLength(total);
    expect(new Set(run.roomOrder).size).toBe(total);
    expect(run.widgets).toHaveLength(10);
    for (const widget of run.widgets) {
      expect(widget.received).toEqual(run.roomOrder);
      expect(Object.keys(widget.replies)).toHaveLength(CI_LOAD.sendsPerWidget);
      expect(Object.values(widget.replies).every((count) => count === 1)).toBe(true);
    }
    // Every delivery was timed (the bench's figures come from the same records).
    expect(run.latencies.fromServer).toHaveLength(10 * total);
    expect(run.latencies.endToEnd).toHaveLength(10 * total);
  }, 180_000);
});
