// What the relay does with a message posted to this frame's window and with an iframe's `load`,
// decided without touching the page: the content script's listeners ask these and act on the answer,
// so the rules that keep a page from forging its way in are tested on their own
// (test/unit/message-routing.test.ts).
import * as v from 'valibot';
import { FromWidgetRequest } from '../shared/protocol/widget-api';

/** What of a message event the decision reads (a `MessageEvent` has all of it). */
export type PostedMessage = { isTrusted: boolean; origin: string; data: unknown };

/** The child iframe the message came from, as the listener found it from `event.source`. */
export type FromChild<Relay> = {
  /** The background refused this frame's current document: it is not heard again until it loads anew. */
  isRejected: boolean;
  /** The relay already serving the frame, if any. */
  relay: (Relay & { origin: string }) | undefined;
};

export type MessageRoute<Relay> =
  | { action: 'ignore' }
  | { action: 'forward'; relay: Relay }
  /** The frame's first Widget API request: a relay starts for it, as the origin the browser attests. */
  | { action: 'start'; origin: string };

/**
 * A page can dispatch its own MessageEvent naming a child's window as `source` and any `origin`:
 * only a message the browser delivered counts (seen in Chromium 156: the forged one reached the
 * listener with the widget's source and origin, and acted with its grants). `child` is undefined for
 * the page itself, a sibling's child, or anything else that is not this frame's own child.
 */
export function routeMessage<Relay>(message: PostedMessage, child: FromChild<Relay> | undefined): MessageRoute<Relay> {
  if (!message.isTrusted || !child || child.isRejected) return { action: 'ignore' };
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
