// What a relay posts into the widget frame it relays for, other than Widget API messages. The frame's
// own content script reads it; the page around the frame never sees it (it is posted into the frame).
import * as v from 'valibot';

/**
 * The background's nonce for this frame (see `FrameChallenge`), posted with the widget's origin as
 * target. Anyone may post this shape into a frame; only a nonce the background issued counts.
 */
export const FrameChallengePosted = v.object({ mwbFrameChallenge: v.pipe(v.string(), v.maxLength(64)) });
export type FrameChallengePosted = v.InferOutput<typeof FrameChallengePosted>;
