// P5 (issue #8): what an account in many rooms costs the background when widgets are granted two of
// them, vs the same account in a plain matrix-js-sdk client page. The background syncs only the
// granted rooms (src/background/session/sync/scoped-sync.ts); the plain client syncs every room.
import { performance } from 'node:perf_hooks';
import { waitForValue, type SitePage, type Surface } from '../test/support/browser-driver';
import type { ChromiumExtensionBrowser, JsHeap } from '../test/support/chromium';
import { startCountingProxy } from '../test/support/counting-proxy';
import { createRooms, freshUser, homeserverUrl, sendText } from '../test/support/homeserver';
import { logInThroughPopup } from '../test/e2e/user-story';
import { openReceivingBenchWidget, pooled, type Origins } from './bench-widget';
import { result, type Result } from './measures';

const GRANTED_ROOMS = 2;
/** Rooms created at once: Synapse is one process; more in flight only queue there. */
const CREATION_IN_FLIGHT = 8;

/** Waits until a live message with `body` reached `surface` (the bench widget or the baseline page). */
function delivered(surface: Surface, body: string, what: string): Promise<unknown> {
  return waitForValue(surface, `window.deliveries.some((delivery) => delivery.body === ${JSON.stringify(body)})`, what, 120_000);
}

function describeHeap(heap: JsHeap): string {
  const mb = (bytes: number | undefined) => `${((bytes ?? 0) / 2 ** 20).toFixed(1)} MB`;
  return `JS heap ${mb(heap.usedSize)} used of ${mb(heap.totalSize)}, array buffer and external string backing stores ${mb(heap.backingStorageSize)}`;
}

/**
 * P5, Chromium (the heap is read over CDP): a fresh account creates `rooms` rooms (named; with
 * `messagesPerRoom` messages each after their creation events), logs in to the extension, and the
 * bench widget is granted two of them through the real approval window (whose room picker lists
 * them all). Once a message sent into each granted room has reached its widget live (the first
 * sync is over and the scoped sync is live), the worker's JS heap is read after a full GC.
 * Baseline: the plain js-sdk client page (demo/baseline-host/client.html: no crypto, the
 * extension's own sync options) logged in as the same account in the same Chromium binary without
 * the extension, read the same way once it is past its first sync and a message sent into a
 * granted room has reached it live. Bytes synced: the body bytes of every /sync answer to each
 * client, from login to that point, counted by a pass-through proxy in front of Synapse (one per
 * client). n = rooms.
 */
export async function measureSyncScope(
  ours: ChromiumExtensionBrowser,
  withoutExtension: ChromiumExtensionBrowser,
  origins: Origins,
  rooms: number,
  messagesPerRoom = 0,
): Promise<Result[]> {
  const user = await freshUser('p5');
  const created = performance.now();
  const roomIds = await createRooms(user, rooms, (index) => `P5 room ${index}`, CREATION_IN_FLIGHT);
  await pooled(rooms * messagesPerRoom, CREATION_IN_FLIGHT, (index) => sendText(user, roomIds[index % rooms] ?? '', `history ${Math.floor(index / rooms)}`));
  console.log(`[bench] P5: created ${rooms} rooms (${messagesPerRoom} messages each) in ${((performance.now() - created) / 1000).toFixed(1)} s`);
  const granted = roomIds.slice(0, GRANTED_ROOMS);
  const oursProxy = await startCountingProxy(homeserverUrl());
  const baseProxy = await startCountingProxy(homeserverUrl());
  const sites: SitePage[] = [];
  let basePage: SitePage | undefined;
  try {
    await logInThroughPopup(ours, user, oursProxy.url);
    const widgets: Surface[] = [];
    for (const roomId of granted) {
      const asked = performance.now();
      const { site, widget } = await openReceivingBenchWidget(ours, origins, roomId);
      console.log(`[bench] P5: the approval window with ${rooms} rooms to pick from was granted ${((performance.now() - asked) / 1000).toFixed(1)} s after the widget opened`);
      sites.push(site);
      widgets.push(widget);
    }
    for (const [index, roomId] of granted.entries()) {
      const body = `p5-settled-${index}`;
      await sendText(user, roomId, body);
      await delivered(widgets[index] as Surface, body, `the message in granted room ${index}, in the widget`);
    }
    const oursHeap = await ours.jsHeap(`chrome-extension://${ours.extensionId}/background.js`);
    const oursBytes = oursProxy.syncBytes();
    console.log(`[bench] P5 ours: ${describeHeap(oursHeap)}; /sync ${oursBytes} B, all answers ${oursProxy.allBytes()} B (room picker reads included)`);

    const pageUrl = `${origins.siteOrigin}/baseline/client.html`;
    basePage = await withoutExtension.openPage(pageUrl);
    await waitForValue(basePage, `typeof window.startBaselineClient === 'function'`, 'the baseline client page');
    const start = { baseUrl: baseProxy.url, user: user.username, password: user.password, roomId: granted[0] };
    await basePage.evaluate(`window.startBaselineClient(${JSON.stringify(start)})`);
    await sendText(user, granted[0] ?? '', 'p5-settled-baseline');
    await delivered(basePage, 'p5-settled-baseline', 'the message in the baseline client');
    const baseHeap = await withoutExtension.jsHeap(pageUrl);
    const baseBytes = baseProxy.syncBytes();
    console.log(`[bench] P5 baseline: ${describeHeap(baseHeap)}; /sync ${baseBytes} B, all answers ${baseProxy.allBytes()} B`);
    return [
      result('P5 background heap', 'chromium', oursHeap.usedSize, baseHeap.usedSize, 'bytes', rooms),
      result('P5 bytes synced', 'chromium', oursBytes, baseBytes, 'bytes', rooms),
    ];
  } finally {
    await basePage?.close();
    for (const site of sites) await site.close();
    await oursProxy.stop();
    await baseProxy.stop();
  }
}
