// A measuring widget for `npm run bench` (issue #8), on the published matrix-widget-api: it times
// sequential fromWidget round trips to whatever hosts it (the extension, or an in-page host), records
// when pushed events arrive (P2), and times paging through a room's history with read_events (P4).
// With `?capabilities=receive` it asks to receive m.room.message; otherwise it asks for nothing.
import {
  EventDirection,
  WidgetApi,
  WidgetApiFromWidgetAction,
  WidgetApiToWidgetAction,
  WidgetEventCapability,
  type IReadEventFromWidgetRequestData,
  type IReadEventFromWidgetResponseData,
  type ISendEventToWidgetActionRequest,
} from 'matrix-widget-api';

const params = new URLSearchParams(location.search);
const parentUrl = params.get('parentUrl') ?? document.referrer;
const api = new WidgetApi(params.get('widgetId') ?? 'bench', parentUrl ? new URL(parentUrl).origin : undefined);
const status = document.getElementById('status') as HTMLElement;

/** Pushed events as they arrived: the body and this frame's `performance.now()` at arrival. */
const deliveries: { body: string; at: number }[] = [];
let approved: string[] = [];

if (params.get('capabilities') === 'receive') {
  api.requestCapabilities([WidgetEventCapability.forRoomEvent(EventDirection.Receive, 'm.room.message').raw]);
}

api.on(`action:${WidgetApiToWidgetAction.NotifyCapabilities}`, (event: CustomEvent<{ data: { approved: string[] } }>) => {
  approved = event.detail.data.approved;
});

api.on(`action:${WidgetApiToWidgetAction.SendEvent}`, (event: CustomEvent<ISendEventToWidgetActionRequest>) => {
  // The arrival time first, before anything else this handler does.
  const at = performance.now();
  event.preventDefault();
  api.transport.reply(event.detail, {});
  const body = event.detail.data.content['body'];
  deliveries.push({ body: typeof body === 'string' ? body : '', at });
});

api.on('ready', () => {
  status.textContent = 'ready';
});

/** Times `count` sequential supported_api_versions requests; returns milliseconds per round trip. */
async function roundTrips(count: number): Promise<number[]> {
  const durations: number[] = [];
  for (let index = 0; index < count; index++) {
    const started = performance.now();
    await api.transport.send(WidgetApiFromWidgetAction.SupportedApiVersions, {});
    durations.push(performance.now() - started);
  }
  return durations;
}

type ReadEventsPage = IReadEventFromWidgetResponseData & { next_batch?: string };
type ReadEventsRequest = IReadEventFromWidgetRequestData & { from?: string };

/**
 * Reads the bound room's whole history of `type` with read_events, `pageSize` events a page, each
 * page asked `from` the previous page's `next_batch` (MSC2876 paging; the package's `readRoomEvents`
 * cannot pass `from`, so the request goes through its transport). Returns the time, events and pages.
 */
async function readAllPages(type: string, pageSize: number): Promise<{ ms: number; events: number; pages: number }> {
  let from: string | undefined;
  let events = 0;
  let pages = 0;
  const started = performance.now();
  do {
    const data: ReadEventsRequest = { type, limit: pageSize, ...(from === undefined ? {} : { from }) };
    const page = await api.transport.send<ReadEventsRequest, ReadEventsPage>(WidgetApiFromWidgetAction.MSC2876ReadEvents, data);
    events += page.events.filter((event) => event.type === type).length;
    pages++;
    from = page.next_batch;
  } while (from !== undefined);
  return { ms: performance.now() - started, events, pages };
}

Object.assign(window, { roundTrips, readAllPages, deliveries, approvedCapabilities: () => approved });
api.start();
status.textContent = 'waiting for the host';
