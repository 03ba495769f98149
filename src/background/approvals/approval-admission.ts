// Which approval requests may wait for the user, and which may take the screen. Pure: the queue
// hands in what is waiting and what the browser says of the requesting tab. A page can ask as often
// as it likes; it must not be able to fill storage.session, bury another site's request, or pop a
// window at a user who is looking elsewhere (issue #18, finding 1).

/** Pending requests one site (the top-level page's origin) may have waiting. */
export const MAX_PENDING_PER_SITE = 8;
/** Pending requests one tab may have waiting (a tab can show frames of many sites). */
export const MAX_PENDING_PER_TAB = 8;
/** Pending requests in all: the queue's share of storage.session stays a few hundred KB. */
export const MAX_PENDING = 24;
/** The size of one stored request (its JSON); a request above it is refused, not truncated. */
export const MAX_APPROVAL_BYTES = 64 * 1024;
/** Denials in a row after which a site's requests wait behind the badge instead of opening a window. */
export const QUIET_AFTER_DENIALS = 3;

/** Where a request came from, as the browser attested it (never as the page claims). */
export type AskOrigin = {
  /** The top-level page's origin: the site the per-site switch and these limits apply to. */
  siteOrigin: string;
  tabId: number | undefined;
  /** The asking widget frame (`frameKey`), so a host rebuilt after a stopped worker can take the request up again. */
  frameKey?: string | undefined;
};

export type Admission = { isAdmitted: true } | { isAdmitted: false; reason: string };

export function admit(waiting: readonly AskOrigin[], candidate: AskOrigin, storedBytes: number): Admission {
  if (storedBytes > MAX_APPROVAL_BYTES) return refuse('The request is too large to show');
  if (waiting.length >= MAX_PENDING) return refuse('Too many requests are waiting for the user');
  if (waiting.filter(({ siteOrigin }) => siteOrigin === candidate.siteOrigin).length >= MAX_PENDING_PER_SITE) {
    return refuse('This site already has too many requests waiting for the user');
  }
  const { tabId } = candidate;
  if (tabId !== undefined && waiting.filter((origin) => origin.tabId === tabId).length >= MAX_PENDING_PER_TAB) {
    return refuse('This tab already has too many requests waiting for the user');
  }
  return { isAdmitted: true };
}

function refuse(reason: string): Admission {
  return { isAdmitted: false, reason };
}

/**
 * A request may open a window when the user is with its tab (the tab is the active one of its
 * window) and its site has not been quieted by repeated denials. Otherwise it waits, counted on the
 * badge, until the user comes to the tab or opens it from the popup.
 */
export function mayTakeScreen(origin: AskOrigin, isTabActive: boolean | undefined, isSiteQuiet: boolean): boolean {
  if (isSiteQuiet) return false;
  // No tab (a request from outside a page) or a tab the browser no longer knows: nothing to wait for.
  return origin.tabId === undefined || isTabActive !== false;
}

/** Consecutive denials per site; an approval, or the user turning to the site's requests, resets them. */
export class DenialStreaks {
  private readonly streaks = new Map<string, number>();

  denied(siteOrigin: string): void {
    this.streaks.set(siteOrigin, (this.streaks.get(siteOrigin) ?? 0) + 1);
  }

  approved(siteOrigin: string): void {
    this.streaks.delete(siteOrigin);
  }

  isQuiet(siteOrigin: string): boolean {
    return (this.streaks.get(siteOrigin) ?? 0) >= QUIET_AFTER_DENIALS;
  }
}
