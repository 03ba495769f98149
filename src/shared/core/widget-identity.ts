// Who a widget is, from what the browser attests. Pure.

export type WidgetIdentity = {
  /** The Matrix user the widget acts for. */
  account: string;
  /**
   * Where the widget is embedded (browser-attested): the top-level page's origin, followed by the
   * embedding frame's origin when a frame of another origin embeds the widget (see `siteOf`).
   */
  siteOrigin: string;
  /** Origin + path of the widget frame's document (browser-attested, from webNavigation). */
  widgetUrl: string;
  /** The widget's own claim; part of the key so two widgets on one page stay apart. */
  widgetId: string;
};

/** Origin + path of a URL, without query or fragment: widgets carry per-user data in the query. */
export function widgetUrlOf(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
}

/**
 * The storage key of a widget's decisions for one room. `hostInstance` scopes a decision the user
 * did not ask to remember to the one page load it was made for.
 */
export function grantKey(identity: WidgetIdentity, roomId: string, hostInstance: string | null = null): string {
  const key = [identity.account, identity.siteOrigin, identity.widgetUrl, identity.widgetId, roomId];
  return JSON.stringify(hostInstance === null ? key : [...key, hostInstance]);
}

/** The key under which the room a widget was bound to is remembered (per page room hint). */
export function bindingKey(identity: WidgetIdentity, roomHint: string | undefined): string {
  return JSON.stringify([identity.account, identity.siteOrigin, identity.widgetUrl, identity.widgetId, roomHint ?? '']);
}

/** The key of a widget's audit log (all rooms). */
export function auditKey(identity: WidgetIdentity): string {
  return JSON.stringify([identity.account, identity.siteOrigin, identity.widgetUrl, identity.widgetId]);
}

export function isSameWidget(a: WidgetIdentity, b: WidgetIdentity): boolean {
  return a.account === b.account && a.siteOrigin === b.siteOrigin && a.widgetUrl === b.widgetUrl && a.widgetId === b.widgetId;
}

/** Separates the top site from the embedding frame's origin in a nested widget's site. */
export const NESTED_SITE_SEPARATOR = ' › ';

/**
 * The site a widget belongs to. A widget embedded by a frame of another origin than the top page
 * (an ad, a third-party embed) is not the top site's widget: its site names both, so the top
 * site's grants never apply to it and the approval window says who embeds it.
 */
export function siteOf(topOrigin: string, embedderOrigin: string): string {
  return embedderOrigin === topOrigin ? topOrigin : `${topOrigin}${NESTED_SITE_SEPARATOR}${embedderOrigin}`;
}

/** Whether a widget's site belongs to `topOrigin` (itself, or a frame nested in it). */
export function isOnSite(widgetSite: string, topOrigin: string): boolean {
  return widgetSite === topOrigin || widgetSite.startsWith(`${topOrigin}${NESTED_SITE_SEPARATOR}`);
}
