// What the relay does with a message posted to this frame's window and with an iframe's `load`,
// decided without touching the page: the content script's listeners ask these and act on the answer,
// so the rules that keep a page from forging its way in are tested on their own
// (test/unit/message-routing.test.ts).
import * as v from 'valibot';
import { FromWidgetRequest, type WidgetInbound } from '../shared/protocol/widget-api';

/**
 * What a frame the background stopped hosting (account switched, logged out, site switched off, not
 * attestable) is told for each request: it is answered, never left waiting (issue #18). The text names
 * no reason: the page sees it, and "another account is active" is not the page's to know.
 */
export const NO_LONGER_HOSTED = 'This widget is no longer hosted by Matrix Widget Bridge: reload it to start again';
/** The same, for a request that was already with the background: it may have been carried out. */
export const NO_LONGER_HOSTED_IN_FLIGHT = `${NO_LONGER_HOSTED} (this request may have been carried out before it stopped)`;

/** What of a message event the decision reads (a `MessageEvent` has all of it). */
export type PostedMessage = { isTrusted: boolean; origin: string; data: unknown };

/** The child iframe the message came from, as the listener found it from `event.source`. */
export type FromChild<Relay> = {
  /**
   * The background refused this frame's current document, which spoke from `origin`: its requests
   * are answered with an error until it loads anew, and nothing of it is forwarded.
   */
  rejected: { origin: string } | undefined;
  /** The relay already serving the frame, if any. */
  relay: (Relay & { origin: string }) | undefined;
};

export type MessageRoute<Relay> =
  | { action: 'ignore' }
  | { action: 'forward'; relay: Relay }
  /** A request of a frame the background refused: answered here, with an error, into that frame. */
  | { action: 'refuse'; origin: string }
  /** The frame's first Widget API request: a relay starts for it, as the origin the browser attests. */
  | { action: 'start'; origin: string };

/**
 * A page can dispatch its own MessageEvent naming a child's window as `source` and any `origin`:
 * only a message the browser delivered counts (seen in Chromium 156: the forged one reached the
 * listener with the widget's source and origin, and acted with its grants). `child` is undefined for
 * the page itself, a sibling's child, or anything else that is not this frame's own child.
 */
export function routeMessage<Relay>(message: PostedMessage, child: FromChild<Relay> | undefined): MessageRoute<Relay> {
  if (!message.isTrusted || !child) return { action: 'ignore' };
  if (child.rejected) {
    const isItsRequest = message.origin === child.rejected.origin && v.is(FromWidgetRequest, message.data);
    return isItsRequest ? { action: 'refuse', origin: child.rejected.origin } : { action: 'ignore' };
  }
  if (child.relay) return message.origin === child.relay.origin ? { action: 'forward', relay: child.relay } : { action: 'ignore' };
  // An opaque origin cannot be attested as a widget; and a frame is not spoken to before it speaks the API.
  if (message.origin === 'null' || !v.is(FromWidgetRequest, message.data)) return { action: 'ignore' };
  return { action: 'start', origin: message.origin };
}

export type FrameLoad<Relay> = {
  isTrusted: boolean;
  relay: (Relay & { hasSeenLoad: boolean }) | undefined;
  /** Marked by the page as a widget frame (directly or by a URL template). */
  isMarked: boolean;
  /** The http(s) origin of the iframe's `src`, if it has one. */
  srcOrigin: string | undefined;
};

export type LoadRoute<Relay> =
  | { action: 'ignore' }
  /** The relay's own document finished loading: nothing changed. */
  | { action: 'first-load'; relay: Relay }
  /** A new document: the old relay (if any) stops, and a marked frame gets a relay for its `src`. */
  | { action: 'navigated'; stop: Relay | undefined; startAs: string | undefined };

/** A synthetic `load` from the page would make the relay believe the frame navigated: only trusted ones count. */
export function routeLoad<Relay>({ isTrusted, relay, isMarked, srcOrigin }: FrameLoad<Relay>): LoadRoute<Relay> {
  if (!isTrusted) return { action: 'ignore' };
  if (relay && !relay.hasSeenLoad) return { action: 'first-load', relay };
  return { action: 'navigated', stop: relay, startAs: isMarked ? srcOrigin : undefined };
}

/** The error reply to a Widget API request (nothing for anything else, which gets no reply). */
export function refusalOf(raw: unknown, message: string): WidgetInbound | undefined {
  if (!v.is(FromWidgetRequest, raw)) return undefined;
  const { api, widgetId, requestId, action, data } = raw;
  return { api, widgetId, requestId, action, data: data ?? {}, response: { error: { message } } };
}
