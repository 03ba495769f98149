// Issue #7 load, at a size CI runs in seconds (test/e2e/load-scenario.ts; `npm run bench` runs the
// full 20 s and reports delivery times), in both browsers: 10 widgets in 3 tabs sending at 50 events/s
// each while a peer sends at 200 events/s, all into one room, so every widget receives everyone's
// events. Nothing may be lost or doubled, every request gets one reply, and each widget sees the
// room's order.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ExtensionBrowser } from '../support/browser-driver';
import { ENGINES } from '../support/engines';
import { freshUser, sharedRoom } from '../support/homeserver';
import { CI_LOAD, runLoad, type LoadRun } from './load-scenario';
import { logInThroughPopup } from './user-story';

/** What the run shows against the room's order, summed over the widgets (printed, then asserted). */
function tally(run: LoadRun): { lost: number; duplicates: number; reordered: number; deliveries: number; replies: number } {
  let lost = 0;
  let duplicates = 0;
  let reordered = 0;
  let deliveries = 0;
  let replies = 0;
  for (const widget of run.widgets) {
    const got = new Set(widget.received);
    lost += run.roomOrder.filter((id) => !got.has(id)).length;
    duplicates += widget.received.length - got.size;
    deliveries += widget.received.length;
    // Out of place: received where the room's order has another event.
    reordered += widget.received.filter((id, index) => run.roomOrder[index] !== id).length;
    replies += Object.values(widget.replies).reduce((sum, count) => sum + count, 0);
  }
  return { lost, duplicates, reordered, deliveries, replies };
}

describe.each(ENGINES)('$title: load', (engine) => {
  let browser: ExtensionBrowser;

  beforeAll(async () => {
    browser = await engine.launch();
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
    console.log(`[load] ${engine.title}`, JSON.stringify({ events: run.roomOrder.length, ...tally(run) }));
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
