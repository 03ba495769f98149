// A measuring widget for `npm run bench` (issue #8), on the published matrix-widget-api: it times
// sequential fromWidget round trips to whatever hosts it (the extension, or an in-page host).
import { WidgetApi, WidgetApiFromWidgetAction } from 'matrix-widget-api';

const params = new URLSearchParams(location.search);
const parentUrl = params.get('parentUrl') ?? document.referrer;
const api = new WidgetApi(params.get('widgetId') ?? 'bench', parentUrl ? new URL(parentUrl).origin : undefined);
const status = document.getElementById('status') as HTMLElement;

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

Object.assign(window, { roundTrips });
api.start();
status.textContent = 'waiting for the host';
