// P2 (issue #8): event delivery. A Node peer sends a burst of messages; how long until the bench
// widget gets each one as `send_event` through the extension, vs a plain matrix-js-sdk client in a
// page of the same browser binary without the extension. Both receive the very same events at once.
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { waitForValue, type ExtensionBrowser, type Surface } from '../test/support/browser-driver';
import { freshUser, homeserverUrl, sendText, sharedRoom, type TestUser } from '../test/support/homeserver';
import { openReceivingBenchWidget, pooled, type Origins } from './bench-widget';
import { percentile, result, type Result } from './measures';

/** Sends in flight at once: a burst, as a busy room gives it, but bounded. */
const BURST_CONCURRENCY = 8;
const WARM_UP = 3;

type Delivery = { body: string; at: number };
/** A surface's `performance.now()` minus Node's at the same instant, known within ± `rtt` / 2. */
export type ClockOffset = { offset: number; rtt: number };

/**
 * The offset of a page's monotonic clock from Node's (Cristian's algorithm): Node reads its clock,
 * asks the page for `performance.now()`, reads its clock again; the fastest of `samples` exchanges
 * bounds the error by half its round trip. Both are monotonic clocks of one machine, so the offset
 * holds for the whole burst (it is taken before and after, and the mean used).
 */
export async function clockOffset(surface: Surface, samples = 15): Promise<ClockOffset> {
  let best: ClockOffset = { offset: Number.NaN, rtt: Number.POSITIVE_INFINITY };
  for (let index = 0; index < samples; index++) {
    const before = performance.now();
    const there = await surface.evaluate<number>('performance.now()');
    const after = performance.now();
    if (after - before < best.rtt) best = { offset: there - (before + after) / 2, rtt: after - before };
  }
  return best;
}

async function deliveriesWith(surface: Surface, prefix: string): Promise<Delivery[]> {
  return surface.evaluate<Delivery[]>(`window.deliveries.filter((delivery) => delivery.body.startsWith(${JSON.stringify(prefix)}))`);
}

/** Waits for `count` distinct messages; failing, says how many came (and whether a sync was limited). */
async function waitForDeliveries(surface: Surface, prefix: string, count: number, what: string): Promise<void> {
  const distinct = `new Set(window.deliveries.filter((delivery) => delivery.body.startsWith(${JSON.stringify(prefix)})).map((delivery) => delivery.body)).size`;
  try {
    await waitForValue(surface, `${distinct} >= ${count}`, what, 60_000 + count * 200);
  } catch (error) {
    const arrived = await surface.evaluate<number>(distinct);
    const limited = await surface.evaluate<number | null>(`window.gaps ? window.gaps.limitedSyncs : null`);
    const gaps = limited === null ? '' : `, ${limited} limited sync(s) of the room`;
    throw new Error(`${String(error)}: ${arrived} of ${count} arrived${gaps}`);
  }
}

/** When each message first arrived, in Node's clock (`offset` as from `clockOffset`). */
function arrivals(deliveries: readonly Delivery[], offset: number): Map<string, number> {
  const first = new Map<string, number>();
  for (const { body, at } of deliveries) if (!first.has(body)) first.set(body, at - offset);
  return first;
}

/** When the peer's send request of each message started and when its response (the event id) came. */
export type Sends = ReadonlyMap<string, { started: number; answered: number }>;

/**
 * Per message: arrival minus the answer to its send request (the server has the event). The burst:
 * the start of the first send to the last arrival.
 */
export function deliveryTimings(arrived: ReadonlyMap<string, number>, sends: Sends): { latencies: number[]; burst: number } {
  const latencies = [...sends].map(([body, { answered }]) => (arrived.get(body) ?? Number.NaN) - answered);
  const lastArrival = Math.max(...[...sends.keys()].map((body) => arrived.get(body) ?? Number.NaN));
  return { latencies, burst: lastArrival - Math.min(...[...sends.values()].map(({ started }) => started)) };
}

/**
 * P2: `ours.user` is logged in to the extension in `ours.browser`. A fresh peer sends `count`
 * messages (at most BURST_CONCURRENCY in flight) into a room with that user; the bench widget (ours)
 * and a plain js-sdk client page logged in as the same user in `withoutExtension` (baseline) record
 * arrivals. Latency of a message: from the response to the peer's send request (Node's clock; the
 * server has the event) to its arrival in the widget's `send_event` handler or the client's
 * `Timeline` listener (page clocks, mapped to Node's by `clockOffset`). Timed from the response, not
 * the request, so the server's write (tens of ms here, the same for both) does not dilute the
 * difference. Synapse wakes syncs as it persists, so an arrival could in principle beat the
 * response; the figures are kept signed. The burst: the first send's start to the last arrival.
 */
export async function measureEventDelivery(
  browserName: string,
  ours: { browser: ExtensionBrowser; user: TestUser },
  withoutExtension: ExtensionBrowser,
  origins: Origins,
  count: number,
): Promise<Result[]> {
  const peer = await freshUser('peer');
  const roomId = await sharedRoom(peer, ours.user, 'Delivery bench room');
  const { site, widget } = await openReceivingBenchWidget(ours.browser, origins, roomId);
  const basePage = await withoutExtension.openPage(`${origins.siteOrigin}/baseline/client.html`);
  try {
    await waitForValue(basePage, `typeof window.startBaselineClient === 'function'`, 'the baseline client page');
    const start = { baseUrl: homeserverUrl(), user: ours.user.username, password: ours.user.password, roomId };
    await basePage.evaluate(`window.startBaselineClient(${JSON.stringify(start)})`);

    // Both receivers live and past their first sync before anything is timed.
    const run = randomBytes(4).toString('hex');
    for (let index = 0; index < WARM_UP; index++) await sendText(peer, roomId, `warm-${run}-${index}`);
    await waitForDeliveries(widget, `warm-${run}-`, WARM_UP, 'the warm-up messages in the widget');
    await waitForDeliveries(basePage, `warm-${run}-`, WARM_UP, 'the warm-up messages in the baseline client');

    const prefix = `burst-${run}-`;
    const sends = new Map<string, { started: number; answered: number }>();
    const before = { ours: await clockOffset(widget), base: await clockOffset(basePage) };
    await pooled(count, BURST_CONCURRENCY, async (index) => {
      const body = `${prefix}${index}`;
      const started = performance.now();
      await sendText(peer, roomId, body);
      sends.set(body, { started, answered: performance.now() });
    });
    await waitForDeliveries(widget, prefix, count, 'the burst in the widget');
    await waitForDeliveries(basePage, prefix, count, 'the burst in the baseline client');
    const after = { ours: await clockOffset(widget), base: await clockOffset(basePage) };
    const oursTimes = deliveryTimings(arrivals(await deliveriesWith(widget, prefix), (before.ours.offset + after.ours.offset) / 2), sends);
    const baseTimes = deliveryTimings(arrivals(await deliveriesWith(basePage, prefix), (before.base.offset + after.base.offset) / 2), sends);
    const uncertainty = Math.max(before.ours.rtt, after.ours.rtt, before.base.rtt, after.base.rtt) / 2;
    const drift = Math.max(Math.abs(before.ours.offset - after.ours.offset), Math.abs(before.base.offset - after.base.offset));
    console.log(`[bench] P2 ${browserName}: page clocks matched to Node's within ±${uncertainty.toFixed(2)} ms, drift ${drift.toFixed(2)} ms`);
    return [
      result('P2 delivery p50', browserName, percentile(oursTimes.latencies, 0.5), percentile(baseTimes.latencies, 0.5), 'ms', count),
      result('P2 delivery p99', browserName, percentile(oursTimes.latencies, 0.99), percentile(baseTimes.latencies, 0.99), 'ms', count),
      result('P2 burst', browserName, oursTimes.burst, baseTimes.burst, 'ms', count),
    ];
  } finally {
    await basePage.close();
    await site.close();
  }
}
