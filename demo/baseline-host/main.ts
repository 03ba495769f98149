// The bench baseline (issue #8): matrix-widget-api's own ClientWidgetApi hosting a widget from
// inside the embedding page, as Element Web does. Its driver grants nothing and answers host-local
// actions only, which is all the round-trip measure needs.
import { ClientWidgetApi, Widget, WidgetDriver } from 'matrix-widget-api';

/** Answers host-local actions only; every capability request is refused (the package's default). */
class NoCapabilitiesDriver extends WidgetDriver {}

const widgetUrl = new URLSearchParams(location.search).get('widget');
const status = document.getElementById('status') as HTMLElement;

if (widgetUrl) {
  const url = new URL(widgetUrl);
  url.searchParams.set('parentUrl', location.href);
  const iframe = document.createElement('iframe');
  iframe.src = url.toString();
  iframe.width = '400';
  iframe.height = '120';
  // The host binds to iframe.contentWindow, which exists only once the iframe is in the document.
  document.body.append(iframe);
  const widget = new Widget({ id: url.searchParams.get('widgetId') ?? 'bench', creatorUserId: '@bench:localhost', type: 'm.custom', url: url.toString() });
  const host = new ClientWidgetApi(widget, iframe, new NoCapabilitiesDriver());
  host.on('ready', () => {
    status.textContent = 'ready';
  });
}
