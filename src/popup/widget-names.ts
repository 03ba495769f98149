// How the popup names a widget: its address without the query (which may hold template values), the
// host first. The full URL stays in the element's title.
export function widgetName(widgetUrl: string): string {
  if (!URL.canParse(widgetUrl)) return widgetUrl;
  const url = new URL(widgetUrl);
  return url.pathname === '/' ? url.host : `${url.host}${url.pathname}`;
}
