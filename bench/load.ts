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
import type { ExtensionBrowser } from '../test/support/browser-driver';
import { freshUser, homeserverUrl, sharedRoom, type TestUser } from '../test/support/homeserver';
import { fullLoad, runLoad } from '../test/e2e/load-scenario';
import type { Origins } from './bench-widget';
import { percentile, result, type Result } from './measures';

export async function measureLoad(
  browserName: string,
  ours: { browser: ExtensionBrowser; user: TestUser },
  withoutExtension: ExtensionBrowser,
  origins: Origins,
  seconds: number,
): Promise<Result[]> {
  const peer = await freshUser('peer');
  const roomId = await sharedRoom(peer, ours.user, 'Load bench room');
  const size = fullLoad(seconds);
  const basePage = await withoutExtension.openPage(`${origins.siteOrigin}/baseline/client.html`);
  try {
    const run = await runLoad({ browser: ours.browser, alice: ours.user, peer, roomId, ...origins, size, baseline: { page: basePage, homeserverUrl: homeserverUrl() } });
    const lossy = run.widgets.findIndex((widget) => !isDeepStrictEqual(widget.received, run.roomOrder));
    if (lossy >= 0) throw new Error(`P6: widget ${lossy} did not get the room's ${run.roomOrder.length} events exactly once, in order`);
    const deliveries = run.latencies.fromServer.length;
    console.log(
      `[bench] P6 ${browserName}: ${run.roomOrder.length} events, ${deliveries} deliveries to ${run.widgets.length} widgets, 0 lost; ` +
        `sends achieved ${run.achieved.widgets.toFixed(0)}/s (widgets) + ${run.achieved.peer.toFixed(0)}/s (peer); ` +
        `baseline client got ${run.baselineArrived} of ${run.roomOrder.length}`,
    );
    const figures = (id: string, kind: 'fromServer' | 'endToEnd', fraction: number) =>
      result(id, browserName, percentile(run.latencies[kind], fraction), percentile(run.baselineLatencies[kind], fraction), 'ms', deliveries);
    return [
      figures('P6 load delivery p50', 'fromServer', 0.5),
      figures('P6 load delivery p99', 'fromServer', 0.99),
      figures('P6 load end to end p50', 'endToEnd', 0.5),
      figures('P6 load end to end p99', 'endToEnd', 0.99),
    ];
  } finally {
    await basePage.close();
  }
}
