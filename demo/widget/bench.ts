// A measuring widget for `npm run bench` (issue #8), on the published matrix-widget-api: it times
// sequential fromWidget round trips to whatever hosts it (the extension, or an in-page host), and
// records when pushed events arrive (P2).
// With `?capabilities=receive` it asks to receive m.room.message; otherwise it asks for nothing.
import {
  EventDirection,
  WidgetApi,
  WidgetApiFromWidgetAction,
  WidgetApiToWidgetAction,
  WidgetEventCapability,
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

Object.assign(window, { roundTrips, deliveries, approvedCapabilities: () => approved });
api.start();
status.textContent = 'waiting for the host';
