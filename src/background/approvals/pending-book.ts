// The book of pending approval requests: each request's waiter (who asks, from where, its window),
// the join key identical requests share, and the decisions a stopped worker's requests got before
// their widget asked again. No browser API and no policy: the queue decides, the book keeps.
import type { AskOrigin } from './approval-admission';
import type { ApprovalDecision, PendingApproval } from './pending-approval';

/** What a rebuilt host of a frame needs to ask again: the widget and what it had asked for (a widget answers the capabilities request only once). */
export type AskedWidget = { widgetId: string; widgetUrl: string; askedAt: number; requested: string[] };

export type Waiter = {
  resolve: (decision: ApprovalDecision) => void;
  reject: (error: Error) => void;
  windowId: number | undefined;
  holdKey: string | undefined;
  origin: AskOrigin;
  /**
   * Callers waiting on this request (identical requests join); withdrawn when the last one goes.
   * Zero only for a stopped worker's request that its widget has not asked for again yet.
   */
  askers: number;
  joinKey: string;
  widget: AskedWidget;
};

export type Entry = { approvalId: string; decision: Promise<ApprovalDecision> };

export class PendingBook {
  /** Every pending request in arrival order. */
  private readonly waiters = new Map<string, Waiter>();
  private readonly joined = new Map<string, Entry>();
  /** Stopped workers' requests decided before their widget asked again, by frame, for a while. */
  private readonly decidedUnclaimed = new Map<string, AskedWidget>();

  constructor(private readonly timers: { setTimeout: typeof setTimeout }, private readonly keepDecidedMs: number) {}

  add(approvalId: string, pending: PendingApproval, origin: AskOrigin, joinKey: string, askers: number, askedAt: number): Entry {
    const widget = { widgetId: pending.identity.widgetId, widgetUrl: pending.identity.widgetUrl, askedAt, requested: [...pending.capabilities] };
    const decision = new Promise<ApprovalDecision>((resolve, reject) => {
      this.waiters.set(approvalId, { resolve, reject, windowId: undefined, holdKey: pending.template?.holdKey, origin, askers, joinKey, widget });
    });
    const entry = { approvalId, decision };
    this.joined.set(joinKey, entry);
    return entry;
  }

  get(approvalId: string): Waiter | undefined {
    return this.waiters.get(approvalId);
  }

  /** The pending (or just decided, unclaimed) request identical requests join. */
  joinable(joinKey: string): Entry | undefined {
    return this.joined.get(joinKey);
  }

  entries(): IterableIterator<[string, Waiter]> {
    return this.waiters.entries();
  }

  get size(): number {
    return this.waiters.size;
  }

  origins(): AskOrigin[] {
    return [...this.waiters.values()].map((waiter) => waiter.origin);
  }

  fromSameSite(approvalId: string): number {
    const site = this.waiters.get(approvalId)?.origin.siteOrigin;
    return [...this.waiters.values()].filter(({ origin }) => origin.siteOrigin === site).length;
  }

  /** A stopped worker's request for `frameKey` that no host has taken up: open, or decided meanwhile. */
  unclaimed(frameKey: string): AskedWidget | undefined {
    const open = [...this.waiters.values()].find((waiter) => waiter.askers === 0 && waiter.origin.frameKey === frameKey);
    return open?.widget ?? this.decidedUnclaimed.get(frameKey);
  }

  /**
   * Takes a decided or ended request out. A stopped worker's request decided before its widget
   * asked again keeps its join (and its frame's claim) a while, so the widget then gets the decision
   * at once; anything else, withdrawn requests above all, is gone at once, and asks afresh.
   */
  remove(approvalId: string, isDecided: boolean): Waiter | undefined {
    const waiter = this.waiters.get(approvalId);
    if (!waiter) return undefined;
    this.waiters.delete(approvalId);
    const { frameKey } = waiter.origin;
    if (isDecided && waiter.askers === 0) {
      if (frameKey !== undefined) this.decidedUnclaimed.set(frameKey, waiter.widget);
      this.timers.setTimeout(() => {
        this.dropJoin(waiter.joinKey, approvalId);
        if (frameKey !== undefined && this.decidedUnclaimed.get(frameKey) === waiter.widget) this.decidedUnclaimed.delete(frameKey);
      }, this.keepDecidedMs);
    } else {
      this.dropJoin(waiter.joinKey, approvalId);
    }
    return waiter;
  }

  private dropJoin(joinKey: string, approvalId: string): void {
    if (this.joined.get(joinKey)?.approvalId === approvalId) this.joined.delete(joinKey);
  }
}
