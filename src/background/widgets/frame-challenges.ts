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

type Pending = { scope: ChallengeScope; resolve: (frame: AnsweringFrame) => void; reject: (error: Error) => void; timer: ReturnType<typeof setTimeout> };

/** Long enough for a busy page's content script to answer; the relay then gives up on the frame. */
const ANSWER_TIMEOUT_MS = 15_000;

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
