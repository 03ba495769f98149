// Messages the background sends a content script over a widget frame's port.
import * as v from 'valibot';
import { WidgetInbound } from './widget-api';

/** Widget messages the background puts in one port message at most (the messages of one task). */
export const MAX_WIDGET_MESSAGES_PER_POST = 100;

/** Post these to the widget frame, one by one and in order, with the widget's exact origin as target. */
export const PostToWidget = v.object({
  kind: v.literal('postToWidget'),
  messages: v.pipe(v.array(WidgetInbound), v.minLength(1), v.maxLength(MAX_WIDGET_MESSAGES_PER_POST)),
});

/**
 * The background will not host this frame; the relay stops forwarding for it. With
 * `isForPreviousDocument` only the document the relay started for is done (the frame navigated): the
 * frame's new document gets a relay of its own as soon as it speaks, not only at its `load`.
 */
export const FrameRejected = v.object({
  kind: v.literal('frameRejected'),
  reason: v.string(),
  isForPreviousDocument: v.boolean(),
});

/**
 * Several child frames of the relay's frame have the widget's origin: post this nonce into the one
 * this port relays for (`FrameChallengePosted`), whose own content script reports it to the
 * background, which then knows that frame's id from the browser.
 */
export const FrameChallenge = v.object({ kind: v.literal('frameChallenge'), nonce: v.pipe(v.string(), v.maxLength(64)) });

export const BackgroundToContent = v.variant('kind', [PostToWidget, FrameRejected, FrameChallenge]);
export type BackgroundToContent = v.InferOutput<typeof BackgroundToContent>;

/** The template's frame may load: the URL to set as its `src` (sent only after the user consented). */
export const TemplateFilled = v.object({
  kind: v.literal('templateFilled'),
  url: v.pipe(v.string(), v.url()),
  loadId: v.pipe(v.string(), v.maxLength(64)),
});

/** The template is not filled (denied, invalid, switched off); the frame stays empty. */
export const TemplateRefused = v.object({ kind: v.literal('templateRefused'), reason: v.string() });

export const BackgroundToTemplateFrame = v.variant('kind', [TemplateFilled, TemplateRefused]);
export type BackgroundToTemplateFrame = v.InferOutput<typeof BackgroundToTemplateFrame>;
