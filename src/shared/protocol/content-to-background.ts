// Messages a content script sends over a widget frame's port. Everything here is a claim from an
// untrusted context: the background checks it against what the browser attests.
import * as v from 'valibot';

/** The relay found a widget frame: marked by the page, or it spoke first. */
export const FrameAnnounced = v.object({
  kind: v.literal('frameAnnounced'),
  /** `MessageEvent.origin` of the frame's messages, or its `src` origin for a marked frame. */
  widgetOrigin: v.pipe(v.string(), v.url()),
  isMarked: v.boolean(),
  roomHint: v.optional(v.pipe(v.string(), v.startsWith('!'), v.maxLength(255))),
  /** Set when the relay reconnects after the background went away (worker stopped). */
  isResumed: v.boolean(),
  /**
   * The frame was loaded from a template the background filled (`TemplateFilled.loadId`): the
   * background checks that load against the attested frame before it uses the room chosen for it.
   */
  templateLoadId: v.optional(v.pipe(v.string(), v.maxLength(64))),
});

/** A raw message the widget frame posted; validated by the background, never by the relay. */
export const WidgetMessageRelayed = v.object({
  kind: v.literal('widgetMessageRelayed'),
  origin: v.string(),
  message: v.unknown(),
});

/** Sent periodically while a widget is live so the worker keeps syncing (Chrome stops idle workers). */
export const KeepAlive = v.object({ kind: v.literal('keepAlive') });

/**
 * The embedding document's `visibilityState` as the relay's isolated world reads it (the page cannot
 * fake that getter there), after each announcement and on each change. A hint for the widget
 * (toWidget `visibility`), never used for a decision.
 */
export const PageVisibilityChanged = v.object({ kind: v.literal('pageVisibilityChanged'), isVisible: v.boolean() });

/**
 * The relay did not post a pushed event (toWidget `send_event`) into the frame because it had posted
 * that event there already: a worker stopped before it knew the widget had it pushes it again. The
 * relay outlives the worker, so it is where a push is kept from arriving twice. Stands in for the
 * widget's answer to that request.
 */
export const PushSuppressed = v.object({
  kind: v.literal('pushSuppressed'),
  requestId: v.pipe(v.string(), v.minLength(1), v.maxLength(255)),
});

export const ContentToBackground = v.variant('kind', [FrameAnnounced, WidgetMessageRelayed, KeepAlive, PageVisibilityChanged, PushSuppressed]);
export type ContentToBackground = v.InferOutput<typeof ContentToBackground>;
export type FrameAnnounced = v.InferOutput<typeof FrameAnnounced>;

/**
 * A frame's content script answers the challenge its embedder's relay posted into its window
 * (`runtime.sendMessage`, not a port): the browser's `sender` says which frame and document this is.
 */
export const FrameChallengeAnswered = v.object({ kind: v.literal('frameChallengeAnswered'), nonce: v.pipe(v.string(), v.maxLength(64)) });
export type FrameChallengeAnswered = v.InferOutput<typeof FrameChallengeAnswered>;

/**
 * The embedding frame's content script found an iframe that carries a widget URL template
 * (`data-matrix-widget-src`) and asks the background to fill it, over a port of its own per iframe
 * (`TEMPLATE_PORT_NAME`). All of it is the page's claim; the embedder is what the browser attests.
 */
export const TemplateAnnounced = v.object({
  kind: v.literal('templateAnnounced'),
  template: v.pipe(v.string(), v.maxLength(4096)),
  widgetId: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(255))),
  widgetName: v.optional(v.pipe(v.string(), v.maxLength(100))),
  roomHint: v.optional(v.pipe(v.string(), v.startsWith('!'), v.maxLength(255))),
  /** The colour scheme the content script reads (a widget's theme; it decides nothing). */
  theme: v.picklist(['light', 'dark']),
});
export type TemplateAnnounced = v.InferOutput<typeof TemplateAnnounced>;
