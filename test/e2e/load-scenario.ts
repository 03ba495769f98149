// The load of issue #7, shared by its test (a size CI runs in seconds) and `npm run bench` (the
// full size: 10 widgets in 3 tabs at 50 events/s each for 20 s, a peer at 200 events/s). All go
// into one room, so each widget receives everyone's events: the peer's are fanned out to all 10.
// What a run returns lets the test assert that nothing was lost, doubled or reordered and lets the
// bench report delivery times; nothing here judges time.
import { Direction } from 'matrix-js-sdk';
import { performance } from 'node:perf_hooks';
import { clockOffset, type ClockOffset } from '../../bench/event-delivery';
import { pooled } from '../../bench/bench-widget';
import { waitForValue, type ExtensionBrowser, type SitePage, type Surface } from '../support/browser-driver';
import { sendText, type TestUser } from '../support/homeserver';
import { approvalReady, openWidget } from './grant-scenarios';

export type LoadSize = {
  /** Widgets per tab. */
  tabs: readonly number[];
  sendsPerWidget: number;
  widgetRatePerSecond: number;
  peerSends: number;
  peerRatePerSecond: number;
};

export const CI_LOAD: LoadSize = { tabs: [4, 3, 3], sendsPerWidget: 20, widgetRatePerSecond: 50, peerSends: 100, peerRatePerSecond: 200 };

/**
 * The full load's shape at `perSecond` events/s in all for `seconds`: ten widgets in three tabs send
 * five sevenths of it, the peer two sevenths (as 500 and 200 of the full 700 events/s).
 */
export function offeredLoad(perSecond: number, seconds: number): LoadSize {
  const widgetRatePerSecond = (perSecond * 5) / 7 / 10;
  const peerRatePerSecond = (perSecond * 2) / 7;
  return {
    tabs: [4, 3, 3],
    sendsPerWidget: Math.max(1, Math.round(widgetRatePerSecond * seconds)),
    widgetRatePerSecond,
    peerSends: Math.max(1, Math.round(peerRatePerSecond * seconds)),
    peerRatePerSecond,
  };
}

/** The size: 20 s of 10 × 50 events/s from the widgets and 200 events/s from the peer. */
export function fullLoad(seconds = 20): LoadSize {
  return { tabs: [4, 3, 3], sendsPerWidget: 50 * seconds, widgetRatePerSecond: 50, peerSends: 200 * seconds, peerRatePerSecond: 200 };
}

/** A widget's sends in flight at most (see INSTRUMENT). */
const SENDS_IN_FLIGHT = 16;

/** The peer's sends in flight at most: the offered rate holds while the server keeps up. */
const PEER_CONCURRENCY = 32;

/**
 * Installed in a widget frame: records the load's events pushed to it (id, body, arrival time) in
 * arrival order, counts replies per request id, and sends on request at a fixed rate without
 * waiting for each reply (a busy widget), remembering when each request was posted. It keeps at most
 * SENDS_IN_FLIGHT unanswered, as a client does whose server is slower than it sends: the extension
 * refuses what a widget piles up past its bounds (32 calls waiting per widget at the request gate),
 * and a load that only measured refusals would measure nothing.
 */
const INSTRUMENT = `(() => {
  const SENDS_IN_FLIGHT = ${SENDS_IN_FLIGHT};
  window.__loadReceived = [];
  window.__loadReplies = {};
  window.__loadPosted = {};
  window.__loadErrors = [];
  window.__loadNotices = [];
  window.addEventListener('message', (event) => {
    const data = event.data;
    if (data?.api === 'toWidget' && data.action !== 'send_event' && !data.response) window.__loadNotices.push(data.action + ' ' + JSON.stringify(data.data ?? {}).slice(0, 200));
    if (data?.api === 'toWidget' && data.action === 'send_event' && !data.response && String(data.data?.content?.body ?? '').startsWith('load ')) {
      window.__loadReceived.push({ id: data.data.event_id, body: data.data.content.body, at: performance.now(), ts: data.data.origin_server_ts });
    }
    if (data?.api === 'fromWidget' && data.response && String(data.requestId).startsWith('load-')) {
      window.__loadReplies[data.requestId] = (window.__loadReplies[data.requestId] ?? 0) + 1;
      if (data.response.error) window.__loadErrors.push(data.response.error.message ?? JSON.stringify(data.response.error));
    }
  }, true); // capture: before the widget's own listener, so an arrival excludes the widget's work
  window.__loadSend = async (label, count, ratePerSecond) => {
    const widgetId = new URLSearchParams(location.search).get('widgetId');
    const started = performance.now();
    for (let index = 0; index < count; index++) {
      const body = 'load ' + label + ' ' + index;
      // One label per widget frame: every reply it counts is to one of these sends.
      while (index - Object.keys(window.__loadReplies).length >= SENDS_IN_FLIGHT) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      window.__loadPosted[body] = performance.now();
      parent.postMessage({ api: 'fromWidget', widgetId, requestId: 'load-' + label + '-' + index, action: 'send_event',
        data: { type: 'm.room.message', content: { msgtype: 'm.text', body } } }, '*');
      // Paced against the start, so slow timers do not lower the rate.
      const due = started + ((index + 1) * 1000) / ratePerSecond;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - performance.now())));
    }
    return performance.now() - started;
  };
  return true;
})()`;

/** `at`: arrival on the receiver's clock; `ts`: the event's `origin_server_ts` (wall clock, ms). */
type Arrival = { id: string; body: string; at: number; ts: number };

export type WidgetOutcome = {
  /** Event ids in the order the widget got them. */
  received: string[];
  /** Replies per request id of its own sends. */
  replies: Record<string, number>;
};

export type LoadRun = {
  /** Every load event on the server, in the room's order. */
  roomOrder: string[];
  widgets: WidgetOutcome[];
  /**
   * Per widget and event, in ms (Node's clock): arrival minus the server's creation of the event
   * (`origin_server_ts`: what the extension adds), and arrival minus the start of its send (end to end,
   * which includes the server's queue when the load exceeds what it takes).
   */
  latencies: { fromServer: number[]; endToEnd: number[] };
  /** The same for the baseline client page, when one ran. */
  baselineLatencies: { fromServer: number[]; endToEnd: number[] };
  /**
   * With a baseline, per widget and event both got: the widget's arrival minus the plain client's
   * (Node's clock). The server and its sync answer are the same for both, so this is what the
   * extension's path after the sync answer adds (the pusher, the relay, the widget), in its tail too.
   */
  overBaseline: number[];
  /**
   * The load's event ids in the order the baseline's plain client got them live (the server's stream
   * order, as every client's sync gives it), when one ran. Under concurrent sends the room's DAG can
   * fork, and `/messages` (`roomOrder`) then orders the fork's events by depth, not as sync did.
   */
  baselineOrder: string[];
  /** How many of the load's events the baseline page got. */
  baselineArrived: number;
  /** Sends per second achieved: widgets together, and the peer. */
  achieved: { widgets: number; peer: number };
};

/** The load's event ids in room order, read back from the server. */
async function loadEventsInRoomOrder(user: TestUser, roomId: string): Promise<{ id: string; body: string }[]> {
  const events: { id: string; body: string }[] = [];
  let from: string | null = null;
  for (;;) {
    const page = await user.client.createMessagesRequest(roomId, from, 1000, Direction.Backward);
    for (const event of page.chunk) {
      const body = String(event.content?.['body'] ?? '');
      if (body.startsWith('load ')) events.push({ id: event.event_id, body });
    }
    if (!page.end || page.chunk.length === 0) break;
    from = page.end;
  }
  return events.reverse();
}

/** The widgets of `size.tabs`, each granted, ready and instrumented; only the first tab's widgets ask. */
async function openLoadWidgets(browser: ExtensionBrowser, roomId: string, siteOrigin: string, widgetOrigin: string, size: LoadSize): Promise<{ pages: SitePage[]; widgets: Surface[] }> {
  const pages: SitePage[] = [];
  const widgets: Surface[] = [];
  for (const [tab, count] of size.tabs.entries()) {
    const page = await openWidget(browser, roomId, siteOrigin, count);
    pages.push(page);
    // Widget ids repeat across tabs (demo-chat, demo-chat-2, …): the later tabs are already granted.
    if (tab === 0) for (let index = 0; index < count; index++) await (await approvalReady(browser)).click('#approve');
    for (let index = 0; index < count; index++) {
      const widget = await page.widget(widgetOrigin, index);
      await waitForValue(widget, `document.querySelector('#status').textContent === 'ready' && document.querySelector('#approved').textContent.length > 2`, 'a ready widget');
      await widget.evaluate(INSTRUMENT);
      widgets.push(widget);
    }
  }
  return { pages, widgets };
}

const meanOffset = (before: ClockOffset, after: ClockOffset) => (before.offset + after.offset) / 2;

/**
 * Runs the load in `browser` (logged in as `alice`, who shares `roomId` with `peer`). With
 * `baseline` (a page of a browser without the extension, at `/baseline/client.html`, logged in as
 * alice on its own device), that plain js-sdk client receives the same events for comparison.
 */
export async function runLoad(options: {
  browser: ExtensionBrowser;
  alice: TestUser;
  peer: TestUser;
  roomId: string;
  siteOrigin: string;
  widgetOrigin: string;
  size: LoadSize;
  baseline?: { page: Surface; homeserverUrl: string };
}): Promise<LoadRun> {
  const { browser, alice, peer, roomId, siteOrigin, widgetOrigin, size, baseline } = options;
  if (baseline) {
    await waitForValue(baseline.page, `typeof window.startBaselineClient === 'function'`, 'the baseline client page');
    // A timeline limit above one sync's worth of this load: a plain client with js-sdk's default
    // would drop the older events of a limited sync, and be "faster" by losing them.
    const start = { baseUrl: baseline.homeserverUrl, user: alice.username, password: alice.password, roomId, timelineLimit: 1000 };
    await baseline.page.evaluate(`window.startBaselineClient(${JSON.stringify(start)})`);
  }
  const { pages, widgets } = await openLoadWidgets(browser, roomId, siteOrigin, widgetOrigin, size);
  const receivers: Surface[] = baseline ? [...widgets, baseline.page] : widgets;
  const before = await Promise.all(receivers.map((surface) => clockOffset(surface, 7)));

  const peerStarts = new Map<string, number>();
  const loadStart = performance.now();
  const widgetSends = Promise.all(
    widgets.map((widget, index) => widget.evaluate<number>(`window.__loadSend('w${index}', ${size.sendsPerWidget}, ${size.widgetRatePerSecond})`)),
  );
  const peerSends = pooled(size.peerSends, PEER_CONCURRENCY, async (index) => {
    const due = loadStart + (index * 1000) / size.peerRatePerSecond;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - performance.now())));
    const body = `load peer ${index}`;
    peerStarts.set(body, performance.now());
    await sendText(peer, roomId, body);
  });
  const peerDone = peerSends.then(() => performance.now() - loadStart);
  const [widgetDurations, peerDuration] = await Promise.all([widgetSends, peerDone]);

  const total = widgets.length * size.sendsPerWidget + size.peerSends;
  // Generous: the server, not the extension, sets the pace of a load beyond what it can take.
  const patience = 120_000 + total * 50;
  // Every widget request answered first (cheap to watch), then the room read back once: polling a
  // room of thousands of events would itself load the server under test.
  for (const [index, widget] of widgets.entries()) {
    await waitForValue(widget, `Object.keys(window.__loadReplies).length >= ${size.sendsPerWidget}`, `replies to widget ${index}'s sends`, patience);
  }
  const errors = (await Promise.all(widgets.map((widget) => widget.evaluate<string[]>('window.__loadErrors')))).flat();
  if (errors.length > 0) throw new Error(`${errors.length} of the widgets' sends were refused, first: ${errors[0]}`);
  let onServer = await loadEventsInRoomOrder(alice, roomId);
  for (let reads = 1; onServer.length < total && reads < 10; reads++) {
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    onServer = await loadEventsInRoomOrder(alice, roomId);
  }
  if (onServer.length !== total) throw new Error(`the server has ${onServer.length} of the ${total} load events`);
  const outcomes: WidgetOutcome[] = [];
  const arrivals: Arrival[][] = [];
  for (const [index, widget] of widgets.entries()) {
    try {
      await waitForValue(widget, `window.__loadReceived.length >= ${total}`, `widget ${index} to receive all ${total} events`, patience);
    } catch (error) {
      // What it lacks, where in the room's order, and what else the host told it (an overflow notice?).
      const got = await widget.evaluate<string[]>('window.__loadReceived.map((arrival) => arrival.id)');
      const have = new Set(got);
      const missing = onServer.map((event, position) => ({ ...event, position })).filter((event) => !have.has(event.id));
      const notices = await widget.evaluate<string[]>('window.__loadNotices');
      const positions = missing.length > 0 ? `${missing[0]?.position}–${missing.at(-1)?.position}` : 'none';
      throw new Error(
        `${String(error)}: it got ${got.length} (${have.size} distinct); missing ${missing.length} at room positions ${positions}, first ${missing[0]?.body ?? '-'}; notices: ${notices.slice(0, 5).join(' | ') || 'none'}`,
      );
    }
    const received = await widget.evaluate<Arrival[]>('window.__loadReceived');
    arrivals.push(received);
    outcomes.push({ received: received.map((arrival) => arrival.id), replies: await widget.evaluate<Record<string, number>>('window.__loadReplies') });
  }
  let baselineArrivals: Arrival[] = [];
  if (baseline) {
    const lastBody = onServer.at(-1)?.body ?? '';
    // The baseline is not under test: waited for, but what it lacks is counted rather than failed.
    await waitForValue(baseline.page, `window.deliveries.some((delivery) => delivery.body === ${JSON.stringify(lastBody)})`, 'the baseline client to get the last event', patience).catch(() => undefined);
    baselineArrivals = (await baseline.page.evaluate<{ body: string; at: number; ts: number }[]>(`window.deliveries.filter((delivery) => delivery.body.startsWith('load '))`)).map((delivery) => ({ id: '', ...delivery }));
  }
  const after = await Promise.all(receivers.map((surface) => clockOffset(surface, 7)));

  // When each send began, in Node's clock: the peer's directly, the widgets'
  // through their frame clocks.
  const sendStarts = new Map(peerStarts);
  for (const [index, widget] of widgets.entries()) {
    const offset = meanOffset(before[index]!, after[index]!);
    for (const [body, at] of Object.entries(await widget.evaluate<Record<string, number>>('window.__loadPosted'))) sendStarts.set(body, at - offset);
  }
  const since = (received: readonly Arrival[], offset: number, sent: ReadonlyMap<string, number>) =>
    received.map(({ body, at }) => at - offset - (sent.get(body) ?? Number.NaN)).filter((latency) => Number.isFinite(latency));
  // From the moment the server created the event (its `origin_server_ts`, this machine's wall clock,
  // on Node's clock through `performance.timeOrigin`). Not from the answer to the send: a server
  // this overloaded answers sends late, often after a receiver has synced the event already.
  const sinceCreated = (received: readonly Arrival[], offset: number) =>
    received.map(({ at, ts }) => at - offset - (ts - performance.timeOrigin)).filter((latency) => Number.isFinite(latency));
  const latenciesOf = (received: readonly Arrival[], offset: number) => ({
    fromServer: sinceCreated(received, offset),
    endToEnd: since(received, offset, sendStarts),
  });
  const widgetLatencies = arrivals.map((received, index) => latenciesOf(received, meanOffset(before[index]!, after[index]!)));
  const latencies = { fromServer: widgetLatencies.flatMap((each) => each.fromServer), endToEnd: widgetLatencies.flatMap((each) => each.endToEnd) };
  const baselineIndex = widgets.length;
  const baselineLatencies = baseline ? latenciesOf(baselineArrivals, meanOffset(before[baselineIndex]!, after[baselineIndex]!)) : { fromServer: [], endToEnd: [] };
  const baselineOffset = baseline ? meanOffset(before[baselineIndex]!, after[baselineIndex]!) : 0;
  const baselineAt = new Map(baselineArrivals.map(({ body, at }) => [body, at - baselineOffset]));
  const overBaseline = arrivals.flatMap((received, index) => {
    const offset = meanOffset(before[index]!, after[index]!);
    return received.map(({ body, at }) => at - offset - (baselineAt.get(body) ?? Number.NaN)).filter((difference) => Number.isFinite(difference));
  });
  for (const page of pages) await page.close();
  const idOfBody = new Map(onServer.map((event) => [event.body, event.id]));
  const baselineOrder = [...new Set(baselineArrivals.map((arrival) => arrival.body))].map((body) => idOfBody.get(body) ?? `unknown ${body}`);
  return {
    overBaseline,
    baselineOrder,
    roomOrder: onServer.map((event) => event.id),
    widgets: outcomes,
    latencies,
    baselineLatencies,
    baselineArrived: new Set(baselineArrivals.map((arrival) => arrival.body)).size,
    achieved: {
      widgets: (widgets.length * size.sendsPerWidget) / (Math.max(...widgetDurations) / 1000),
      peer: size.peerSends / (peerDuration / 1000),
    },
  };
}
