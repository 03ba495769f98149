// The widget-frame side of frame attestation: when the relay in the parent frame posts the
// background's nonce into this window, report it, so the background learns from the browser which
// frame this is. Reports only browser-delivered messages from the parent; decides nothing.
import browser from 'webextension-polyfill';
import * as v from 'valibot';
import type { FrameChallengeAnswered } from '../shared/protocol/content-to-background';
import { FrameChallengePosted } from '../shared/protocol/relay-to-frame';

export function answerFrameChallenges(): void {
  if (window.parent === window) return; // a top-level document is nobody's widget frame
  window.addEventListener('message', (event: MessageEvent) => {
    // Whoever can post into this frame (its parent page too) may send this shape; only a nonce the
    // background issued counts there. The message is left to the page's own listeners: swallowing it
    // would tell a page that probes its frames that the extension is installed.
    if (!event.isTrusted || event.source !== window.parent) return;
    const challenge = v.safeParse(FrameChallengePosted, event.data);
    if (!challenge.success) return;
    const answer: FrameChallengeAnswered = { kind: 'frameChallengeAnswered', nonce: challenge.output.mwbFrameChallenge };
    void browser.runtime.sendMessage(answer).catch(() => undefined);
  });
}
