// Tells apart child frames the browser's frame list cannot (same origin, often the same URL): the
// relay posts a nonce into its own iframe, and the content script in that iframe's document reports
// it. The browser's `sender` of that report is the frame. Never trusts a frame id a message names.

/** Where an answer may come from: a child of the relaying frame, in its tab, of the widget's origin. */
export type ChallengeScope = {
  tabId: number;
  relayFrameId: number;
  widgetOrigin: string;
  /** Frame ids of the relaying frame's children with the widget's origin (webNavigation). */
  candidates: readonly number[];
};

/** The frame that answered, as the browser attests it (`runtime.MessageSender`). */
export type AnsweringFrame = { frameId: number; url: string };

export type AnswerSender = { tab?: { id?: number | undefined } | undefined; frameId?: number | undefined; url?: string | undefined };

export class ChallengeUnanswered extends Error {}
/** The tab has MAX_PENDING_CHALLENGES_PER_TAB challenges open: the message is the relay's reason. */
export class TooManyChallenges extends Error {}

type Pending = { scope: ChallengeScope; resolve: (frame: AnsweringFrame) => void; reject: (error: Error) => void; timer: ReturnType<typeof setTimeout> };

/** Long enough for a busy page's content script to answer; the relay then gives up on the frame. */
const ANSWER_TIMEOUT_MS = 15_000;
/**
 * Open challenges per tab. Every widget port is challenged once per connection, and a page decides
 * how many marked iframes it has: thousands of them (or frames whose document never answers, each
 * held for ANSWER_TIMEOUT_MS) would keep that many nonces, timers and ports in the worker. 32 is
 * far more than a page shows widgets at once (the load test has 10 in 3 tabs); past it a port is
 * refused, and its iframe gets another chance at its next load.
 */
export const MAX_PENDING_CHALLENGES_PER_TAB = 32;

function originOf(url: string | undefined): string | undefined {
  try {
    return url ? new URL(url).origin : undefined;
  } catch {
    return undefined;
  }
}

export class FrameChallenges {
  /** Pending challenges by nonce. Worker memory only: a stopped worker's relays announce again. */
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly newNonce: () => string = () => crypto.randomUUID(),
    private readonly timeoutMs = ANSWER_TIMEOUT_MS,
  ) {}

  /** A fresh single-use nonce for one port's announcement, and the frame that will have answered it. */
  issue(scope: ChallengeScope): { nonce: string; answered: Promise<AnsweringFrame> } {
    if (this.pendingInTab(scope.tabId) >= MAX_PENDING_CHALLENGES_PER_TAB) {
      throw new TooManyChallenges(`Too many widget frames are waiting to be identified in this tab (at most ${MAX_PENDING_CHALLENGES_PER_TAB})`);
    }
    const nonce = this.newNonce();
    const answered = new Promise<AnsweringFrame>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(nonce);
        reject(new ChallengeUnanswered('no candidate frame answered the challenge'));
      }, this.timeoutMs);
      this.pending.set(nonce, { scope, resolve, reject, timer });
    });
    return { nonce, answered };
  }

  private pendingInTab(tabId: number): number {
    let count = 0;
    for (const { scope } of this.pending.values()) if (scope.tabId === tabId) count++;
    return count;
  }

  /** The port went away before an answer: its nonce is worth nothing any more. */
  withdraw(nonce: string): void {
    const pending = this.pending.get(nonce);
    if (!pending) return;
    clearTimeout(pending.timer);
    this.pending.delete(nonce);
    pending.reject(new ChallengeUnanswered('the relay went away'));
  }

  /**
   * A content script reported `nonce`. Counts only from a candidate frame of the challenge's tab
   * whose document has the widget's origin; the first such answer uses the nonce up. Returns
   * whether it counted.
   */
  answer(sender: AnswerSender, nonce: string): boolean {
    const pending = this.pending.get(nonce);
    if (!pending) return false;
    const { scope } = pending;
    const frameId = sender.frameId;
    if (sender.tab?.id !== scope.tabId || frameId === undefined || !scope.candidates.includes(frameId)) return false;
    if (!sender.url || originOf(sender.url) !== scope.widgetOrigin) return false;
    clearTimeout(pending.timer);
    this.pending.delete(nonce);
    pending.resolve({ frameId, url: sender.url });
    return true;
  }
}
