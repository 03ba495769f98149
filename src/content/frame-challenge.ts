// The widget-frame side of frame attestation: when the relay in the parent frame posts the
// background's nonce into this window, report it, so the background learns from the browser which
// frame this is. Reports only browser-delivered messages from the parent; decides nothing.
import * as v from 'valibot';
import type { FrameChallengeAnswered } from '../shared/protocol/content-to-background';
import { FrameChallengePosted } from '../shared/protocol/relay-to-frame';

/**
 * Reports the background did not count that one document sends before it stops answering. Its
 * parent page may post this shape into it at will, and each report is a message to the worker
 * (waking it); a real challenge comes once per relay connection (again after each worker stop) and
 * is counted, which gives its report back. A page that spends these on fakes has only made its
 * own widget unattestable, which it could do by removing the iframe.
 */
export const MAX_UNCOUNTED_ANSWERS = 4;

/** The parts of `window` the answerer uses (a fake in unit tests). */
export type ChallengedWindow = {
  readonly parent: unknown;
  readonly top: unknown;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
};

/** Sends the report (`runtime.sendMessage`); resolves with the background's reply: `true` if it counted. */
export type ReportAnswer = (answer: FrameChallengeAnswered) => Promise<unknown>;

export function answerFrameChallenges(frame: ChallengedWindow, report: ReportAnswer): void {
  // A top-level document is nobody's widget frame: nothing to answer, and nothing a page's opener
  // could make it send.
  if (frame.parent === frame || frame.top === frame) return;
  let uncounted = 0;
  frame.addEventListener('message', (event: MessageEvent) => {
    // Whoever can post into this frame (its parent page too) may send this shape; only a nonce the
    // background issued counts there. The message is left to the page's own listeners: swallowing it
    // would tell a page that probes its frames that the extension is installed.
    if (!event.isTrusted || event.source !== frame.parent) return;
    const challenge = v.safeParse(FrameChallengePosted, event.data);
    if (!challenge.success || uncounted >= MAX_UNCOUNTED_ANSWERS) return;
    // Counted as not counting until the background says otherwise, so a burst of fakes posted at
    // once is cut off before any reply arrives.
    uncounted++;
    const answer: FrameChallengeAnswered = { kind: 'frameChallengeAnswered', nonce: challenge.output.mwbFrameChallenge };
    void report(answer).then(
      (counted) => {
        if (counted === true) uncounted--;
      },
      () => undefined,
    );
  });
}
