// The load figures of issue #7 in `npm run bench` ("P6"): delivery times while 10 widgets in 3 tabs
// send 50 events/s each and a peer 200 events/s into one room for `seconds` (20 at full size), vs a
// plain js-sdk client page in a browser without the extension receiving the same events. Per
// receiving widget and event: "delivery" from the event's `origin_server_ts` (the server created it:
// what the extension adds; not from the answer to its send, which an overloaded server sends late) to
// its arrival, and "end to end" from the moment its send began (the widget posting the request, or
// the peer's request starting), which includes the server's queue when the offered load is more
// than the server takes. The run also checks what the test checks: a lost, doubled or reordered
// event fails the bench rather than flattering it.
import { isDeepStrictEqual } from 'node:util';
import { Preset } from 'matrix-js-sdk';
import type { ExtensionBrowser } from '../test/support/browser-driver';
import { freshUser, homeserverUrl, sharedRoom, type TestUser } from '../test/support/homeserver';
import { fullLoad, offeredLoad, runLoad, type LoadSize } from '../test/e2e/load-scenario';
import { sustainedRateInRoom } from './server-rate';
import type { Origins } from './bench-widget';
import { percentile, result, type Result } from './measures';

/** Where a widget's arrivals part from the room's order: counts, duplicates, missing, the first difference. */
function howItDiffers(received: readonly string[], roomOrder: readonly string[]): string {
  const seen = new Set(received);
  const missing = roomOrder.filter((id) => !seen.has(id)).length;
  const first = received.findIndex((id, index) => id !== roomOrder[index]);
  const at = (list: readonly string[], index: number) => list.slice(Math.max(0, index - 2), index + 3).join(' ');
  return `got ${received.length} (${seen.size} distinct, ${missing} missing); first difference at ${first}: got [${at(received, first)}], room [${at(roomOrder, first)}]`;
}

type Ours = { browser: ExtensionBrowser; user: TestUser };
type SyncHolds = { holds: number; heldMs: number; longestMs: number };

/** The sync hold's counters in the background (src/background/session/sync/sync-hold-record.ts). */
async function syncHolds(browser: ExtensionBrowser): Promise<SyncHolds> {
  return (await browser.background.evaluate<SyncHolds | undefined>('globalThis.mwbSyncHolds')) ?? { holds: 0, heldMs: 0, longestMs: 0 };
}

/**
 * One load run of `size` in a fresh room: fails on any loss, doubling or reordering; logs what was
 * achieved, the tail split at the plain client's arrival, and what the sync hold did meanwhile.
 */
async function loadRun(label: string, browserName: string, ours: Ours, withoutExtension: ExtensionBrowser, origins: Origins, size: LoadSize) {
  const peer = await freshUser('peer');
  const roomId = await sharedRoom(peer, ours.user, `Load bench room (${label})`);
  const basePage = await withoutExtension.openPage(`${origins.siteOrigin}/baseline/client.html`);
  try {
    const holdsBefore = await syncHolds(ours.browser);
    const run = await runLoad({ browser: ours.browser, alice: ours.user, peer, roomId, ...origins, size, baseline: { page: basePage, homeserverUrl: homeserverUrl() } });
    const holdsAfter = await syncHolds(ours.browser);
    // A worker that restarted meanwhile counts from zero again.
    const restarted = holdsAfter.holds < holdsBefore.holds;
    const holds = restarted ? holdsAfter : { holds: holdsAfter.holds - holdsBefore.holds, heldMs: holdsAfter.heldMs - holdsBefore.heldMs, longestMs: holdsAfter.longestMs };
    // In the order sync gives (the plain client's, when it got every event): where concurrent sends
    // forked the room's DAG, /messages orders the fork's events otherwise, and no client sees that live.
    const hasWholeBaseline = run.baselineOrder.length === run.roomOrder.length && isDeepStrictEqual([...run.baselineOrder].sort(), [...run.roomOrder].sort());
    const expected = hasWholeBaseline ? run.baselineOrder : run.roomOrder;
    const forked = run.baselineOrder.filter((id, index) => id !== run.roomOrder[index]).length;
    const lossy = run.widgets.findIndex((widget) => !isDeepStrictEqual(widget.received, expected));
    if (lossy >= 0) {
      throw new Error(
        `${label}: widget ${lossy} did not get the room's ${run.roomOrder.length} events exactly once, in ${hasWholeBaseline ? 'the plain client’s' : 'the room’s'} order: ${howItDiffers(run.widgets[lossy]!.received, expected)}`,
      );
    }
    const ms = (value: number) => `${Math.round(value)} ms`;
    console.log(
      `[bench] ${label} ${browserName}: ${run.roomOrder.length} events, ${run.latencies.fromServer.length} deliveries to ${run.widgets.length} widgets, 0 lost; ` +
        `sends achieved ${run.achieved.widgets.toFixed(1)}/s (widgets) + ${run.achieved.peer.toFixed(1)}/s (peer); ` +
        `baseline client got ${run.baselineArrived} of ${run.roomOrder.length}, ${forked} of them at another place than in /messages' order; ` +
        `delivery ours p50 ${ms(percentile(run.latencies.fromServer, 0.5))} p99 ${ms(percentile(run.latencies.fromServer, 0.99))}, ` +
        `plain client p50 ${ms(percentile(run.baselineLatencies.fromServer, 0.5))} p99 ${ms(percentile(run.baselineLatencies.fromServer, 0.99))}; ` +
        `widget after the plain client (the extension's part) p50 ${ms(percentile(run.overBaseline, 0.5))} p99 ${ms(percentile(run.overBaseline, 0.99))} max ${ms(percentile(run.overBaseline, 1))}; ` +
        `sync held ${holds.holds} times, ${ms(holds.heldMs)} in all, longest ${ms(holds.longestMs)}${restarted ? ' (the worker restarted)' : ''}`,
    );
    return run;
  } finally {
    await basePage.close();
  }
}

/**
 * P6 (issue #17): the load at two offered rates set from the server's own rate, measured here on the
 * run's homeserver with the browsers up (8 Node senders in one room, one send in flight each):
 * (a) three quarters of it, a rate the server sustains, where the goal is the plain client's p99
 * within 2×; (b) twice it, an overload in which nothing may be lost, the tail reported.
 */
export async function measureLoadRegimes(
  browserName: string,
  ours: Ours,
  withoutExtension: ExtensionBrowser,
  origins: Origins,
  seconds: number,
  probe = { seconds: 10, warmUpSeconds: 2 },
): Promise<Result[]> {
  const senders = await Promise.all(Array.from({ length: 8 }, () => freshUser('rate')));
  const { room_id: rateRoom } = await senders[0]!.client.createRoom({ preset: Preset.PublicChat, name: 'P6 rate probe' });
  for (const sender of senders.slice(1)) await sender.client.joinRoom(rateRoom);
  const rate = await sustainedRateInRoom(homeserverUrl(), senders.map((sender) => sender.client.getAccessToken()!), rateRoom, probe.seconds, probe.warmUpSeconds);
  for (const sender of senders) sender.client.stopClient();
  console.log(`[bench] P6 ${browserName}: the homeserver sustains ${rate.toFixed(1)} events/s into one room with the browsers up`);
  const rows: Result[] = [];
  for (const [label, share] of [
    ['P6a sustained', 0.75],
    ['P6b 2× overload', 2],
  ] as const) {
    const offered = rate * share;
    const run = await loadRun(`${label} (${offered.toFixed(1)} events/s offered)`, browserName, ours, withoutExtension, origins, offeredLoad(offered, seconds));
    const deliveries = run.latencies.fromServer.length;
    const figure = (id: string, fraction: number) =>
      result(id, browserName, percentile(run.latencies.fromServer, fraction), percentile(run.baselineLatencies.fromServer, fraction), 'ms', deliveries);
    rows.push(figure(`${label} delivery p50`, 0.5), figure(`${label} delivery p99`, 0.99), result(`${label} offered rate`, browserName, offered, rate, 'events/s', run.roomOrder.length));
  }
  return rows;
}

/**
 * The full-size load (issue #7): 700 events/s offered, whatever the server takes, failing on any loss.
 */
export async function measureLoad(browserName: string, ours: Ours, withoutExtension: ExtensionBrowser, origins: Origins, seconds: number): Promise<Result[]> {
  const run = await loadRun('P6', browserName, ours, withoutExtension, origins, fullLoad(seconds));
  const deliveries = run.latencies.fromServer.length;
  const figures = (id: string, kind: 'fromServer' | 'endToEnd', fraction: number) =>
    result(id, browserName, percentile(run.latencies[kind], fraction), percentile(run.baselineLatencies[kind], fraction), 'ms', deliveries);
  return [
    figures('P6 load delivery p50', 'fromServer', 0.5),
    figures('P6 load delivery p99', 'fromServer', 0.99),
    figures('P6 load end to end p50', 'endToEnd', 0.5),
    figures('P6 load end to end p99', 'endToEnd', 0.99),
  ];
}
