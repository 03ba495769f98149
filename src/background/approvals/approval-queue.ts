// Pending capability approvals. One extension-owned window at a time (never UI inside the page);
// further requests queue behind it, and the toolbar badge counts them. Each request resolves once
// with the user's decision (closing the window is "deny for now"), or is withdrawn when the frame
// that asked goes away. What may wait, and what may open a window, is approval-admission.ts.
import browser from 'webextension-polyfill';
import * as v from 'valibot';
import { createLogger } from '../../shared/log';
import { admit, DenialStreaks, mayTakeScreen, type AskOrigin } from './approval-admission';
import { HeldWindows } from './held-windows';
import { isTabInFront, showPendingCount, takeUpStoredApprovals } from './approval-browser';
import { joinKeyOf, metaFor, readRequest, removeApproval, storeApproval, updateMeta, type ApprovalMeta, type StoredApproval } from './approval-store';
import { PendingBook, type AskedWidget, type Entry, type Waiter } from './pending-book';
import { ApprovalNotArmed, ApprovalRefused, ApprovalWithdrawn, isArmedFor, PendingApproval, UnknownApproval, type ApprovalDecision } from './pending-approval';

export type { ApprovalDecision } from './pending-approval';
export { ApprovalNotArmed, ApprovalRefused, ApprovalWithdrawn, PendingApproval, UnknownApproval } from './pending-approval';

const log = createLogger('bg:approvals');

const DENY_FOR_NOW: ApprovalDecision = { roomId: null, approved: [], remember: false };

/** Who is asking: the attested origin of the request, and a signal that withdraws it when the frame goes. */
export type AskFrom = AskOrigin & { signal?: AbortSignal };

/**
 * How long a request a stopped worker left waits for its widget to ask again (its relay reconnects
 * at once, or with its 20 s keep-alive), and how long a decision taken meanwhile is kept for it.
 */
export const ORPHAN_WAIT_MS = 30_000;

const NO_ORIGIN: AskOrigin = { siteOrigin: '', tabId: undefined };

export class ApprovalQueue {
  /** Every pending approval in arrival order; at most one of them has the window. */
  private readonly book: PendingBook;
  private shownId: string | undefined;
  private readonly windows: HeldWindows;
  /** When each request's window first read it (the page arms its buttons from then on). */
  private readonly viewedAt = new Map<string, number>();
  private readonly denials = new DenialStreaks();
  /** Requests the user asked to see (from the popup): shown even while their tab is in the background. */
  private readonly summoned = new Set<string>();
  /** showNext runs one at a time: it awaits the browser between choosing and opening. */
  private showing: Promise<void> = Promise.resolve();

  /** The requests a stopped worker left, taken up again before anything else is asked or decided. */
  private readonly restored: Promise<void>;

  constructor(
    private readonly now: () => number = Date.now,
    private readonly timers: { setTimeout: typeof setTimeout } = globalThis,
  ) {
    this.windows = new HeldWindows(() => this.scheduleShow());
    this.book = new PendingBook(timers, ORPHAN_WAIT_MS);
    this.restored = takeUpStoredApprovals((stored, isWindowOpen) => this.takeUp(stored, isWindowOpen))
      .then(() => {
        this.updateBadge();
        this.scheduleShow();
      })
      .catch((error: unknown) => log.warn('could not take up the pending approvals', String(error)));
  }

  /** Asks the user. A second identical request while one is pending joins it instead of queueing. */
  async request(pending: PendingApproval, from: AskFrom = NO_ORIGIN): Promise<ApprovalDecision> {
    await this.restored;
    const joinKey = joinKeyOf(pending, from.tabId);
    const existing = this.book.joinable(joinKey);
    const entry = existing ?? this.enqueue(pending, from, joinKey);
    if ('refusal' in entry) throw new ApprovalRefused(entry.refusal);
    const waiter = this.book.get(entry.approvalId);
    if (existing && waiter) waiter.askers += 1;
    if (from.signal?.aborted) this.leave(entry.approvalId);
    else from.signal?.addEventListener('abort', () => this.leave(entry.approvalId), { once: true });
    return entry.decision;
  }

  /**
   * What a stopped worker's frame had asked and nobody has taken up again: the widget, so that the
   * frame's new host asks again at once (its widget waits for the host, and says nothing more).
   */
  async askedBefore(frameKey: string): Promise<AskedWidget | undefined> {
    await this.restored;
    // Open, or decided already (the window's click can wake the worker before the relay is back).
    return this.book.unclaimed(frameKey);
  }

  get pendingCount(): number {
    return this.book.size;
  }

  /** How many requests of the same site as `approvalId` wait (it included): the window offers "Deny all" above one. */
  pendingFromSameSite(approvalId: string): number {
    return this.book.fromSameSite(approvalId);
  }

  async pending(approvalId: string): Promise<v.InferOutput<typeof PendingApproval>> {
    await this.restored;
    const request = await readRequest(approvalId);
    const waiter = this.book.get(approvalId);
    if (!request || !waiter) throw new UnknownApproval('This request is no longer pending');
    if (!this.viewedAt.has(approvalId)) {
      this.viewedAt.set(approvalId, this.now());
      void this.saveMeta(approvalId, waiter);
    }
    return request;
  }

  async decide(approvalId: string, decision: ApprovalDecision): Promise<void> {
    await this.restored;
    const waiter = this.book.get(approvalId);
    if (approvalId !== this.shownId || !waiter) throw new UnknownApproval('This request is no longer pending');
    // The page disables its buttons until armed; this holds even for a page that did not.
    if (!isArmedFor(decision, this.viewedAt.get(approvalId), this.now())) {
      throw new ApprovalNotArmed('The request was not shown long enough to be decided: read it, then decide');
    }
    // An approved template load keeps its window for the widget's own request that follows.
    const isApproved = decision.roomId !== null && decision.approved.length > 0;
    if (isApproved && waiter.holdKey !== undefined && waiter.windowId !== undefined) this.windows.hold(waiter.holdKey, waiter.windowId);
    this.settle(approvalId, decision);
  }

  /**
   * "Deny all" in the window: this request and every other one its site has waiting are denied for
   * now. Returns the site (the top-level origin), which the caller may switch off when the user
   * also chose to be asked no more.
   */
  denyAllFromSite(approvalId: string): string {
    const waiter = this.book.get(approvalId);
    if (approvalId !== this.shownId || !waiter) throw new UnknownApproval('This request is no longer pending');
    const site = waiter.origin.siteOrigin;
    for (const [id, other] of [...this.book.entries()]) if (other.origin.siteOrigin === site) this.settle(id, DENY_FOR_NOW);
    return site;
  }

  /** The user asked (from the popup) to see what is waiting: the next request opens even if its tab is in the background. */
  review(): void {
    const [first] = this.book.entries();
    if (first !== undefined) this.summoned.add(first[0]);
    this.scheduleShow();
  }

  /** The user turned to a tab (or a window): a request waiting for it may now open. */
  userMoved(): void {
    this.scheduleShow();
  }

  /**
   * The flow held under `holdKey` needs no more of the user (the widget asked for nothing new, or
   * went away): its window closes, and the next request gets one.
   */
  release(holdKey: string): void {
    this.windows.release(holdKey);
  }

  /** Registered at top level: a closed approval window counts as "deny for now". */
  onWindowRemoved(windowId: number): void {
    this.windows.removed(windowId);
    for (const [approvalId, waiter] of [...this.book.entries()]) {
      if (waiter.windowId === windowId) this.settle(approvalId, DENY_FOR_NOW);
    }
  }

  /** One request a stopped worker left (see approval-restore.ts): it waits, with no one asking yet, for its widget. */
  private takeUp({ approvalId, request, meta }: StoredApproval, isWindowOpen: boolean): void {
    const origin = { siteOrigin: meta.origin.siteOrigin, tabId: meta.origin.tabId, frameKey: meta.origin.frameKey };
    // Nobody waits on it yet (askers 0): an ending that no one hears is not an error.
    this.addWaiter(approvalId, request, origin, joinKeyOf(request, meta.origin.tabId), 0, meta.askedAt).decision.catch(() => undefined);
    const waiter = this.book.get(approvalId) as Waiter;
    if (isWindowOpen) waiter.windowId = meta.windowId;
    if (meta.viewedAt !== undefined) this.viewedAt.set(approvalId, meta.viewedAt);
    if (isWindowOpen && this.shownId === undefined) this.shownId = approvalId;
    this.timers.setTimeout(() => {
      const orphan = this.book.get(approvalId);
      if (orphan?.askers !== 0) return;
      if (orphan.windowId !== undefined) void browser.windows.remove(orphan.windowId).catch(() => undefined);
      this.end(approvalId, new ApprovalWithdrawn('The widget did not come back after the worker stopped'));
    }, ORPHAN_WAIT_MS);
  }

  private saveMeta(approvalId: string, waiter: Waiter): Promise<void> {
    return updateMeta(approvalId, this.metaOf(approvalId, waiter)).catch(() => undefined);
  }

  private metaOf(approvalId: string, { origin, windowId, widget }: Waiter): ApprovalMeta {
    return metaFor(origin, widget.askedAt, windowId, this.viewedAt.get(approvalId));
  }

  private enqueue(pending: PendingApproval, origin: AskFrom, joinKey: string): Entry | { refusal: string } {
    const admission = admit(this.book.origins(), origin, JSON.stringify(pending).length);
    if (!admission.isAdmitted) {
      log.warn('approval request refused', admission.reason, origin.siteOrigin);
      return { refusal: admission.reason };
    }
    const approvalId = crypto.randomUUID();
    const entry = this.addWaiter(approvalId, pending, { siteOrigin: origin.siteOrigin, tabId: origin.tabId, frameKey: origin.frameKey }, joinKey, 1, this.now());
    const waiter = this.book.get(approvalId) as Waiter;
    // Stored before any window can ask for it; a failed write (quota) ends the request, nothing else.
    void storeApproval(approvalId, pending, this.metaOf(approvalId, waiter)).then(
      () => {
        this.updateBadge();
        this.scheduleShow();
      },
      (error: unknown) => this.end(approvalId, new ApprovalRefused(`The request could not be kept: ${String(error)}`)),
    );
    return entry;
  }

  private addWaiter(approvalId: string, pending: PendingApproval, origin: AskOrigin, joinKey: string, askers: number, askedAt: number): Entry {
    if (pending.continuesHold !== undefined) this.windows.continues(approvalId, pending.continuesHold);
    return this.book.add(approvalId, pending, origin, joinKey, askers, askedAt);
  }

  /** One asker went away; the request is withdrawn when none is left. */
  private leave(approvalId: string): void {
    const waiter = this.book.get(approvalId);
    if (!waiter) return;
    waiter.askers -= 1;
    if (waiter.askers > 0) return;
    // A window that vanishes before the user could answer is as good as a nag: it counts as a denial.
    if (approvalId === this.shownId) this.denials.denied(waiter.origin.siteOrigin);
    if (waiter.windowId !== undefined) void browser.windows.remove(waiter.windowId).catch(() => undefined);
    this.end(approvalId, new ApprovalWithdrawn('The widget went away before the user decided'));
  }

  private scheduleShow(): void {
    this.showing = this.showing.then(() => this.showNext()).catch((error: unknown) => log.error('could not show an approval', String(error)));
  }

  private async showNext(): Promise<void> {
    if (this.shownId !== undefined) return;
    const held = this.windows.current;
    if (held) {
      const next = [...this.book.entries()].find(([approvalId]) => this.windows.isContinuation(approvalId, held.holdKey));
      if (!next) return;
      const [approvalId, waiter] = next;
      this.shownId = approvalId;
      waiter.windowId = held.windowId;
      if (!(await this.windows.continueIn(held, approvalId))) {
        waiter.windowId = undefined;
        this.shownId = undefined;
      }
      return;
    }
    const next = await this.firstToShow();
    if (next === undefined) return;
    this.shownId = next;
    const windowId = await this.windows.open(next);
    const waiter = this.book.get(next);
    if (windowId === undefined) {
      this.settle(next, DENY_FOR_NOW);
    } else if (waiter) {
      waiter.windowId = windowId;
      void this.saveMeta(next, waiter);
      log.info('approval window opened', this.book.size);
    } else {
      // Withdrawn while the window opened.
      void browser.windows.remove(windowId).catch(() => undefined);
      if (this.shownId === next) this.shownId = undefined;
    }
  }

  /** The oldest request that may take the screen now (its tab is in front, its site not quieted). */
  private async firstToShow(): Promise<string | undefined> {
    for (const [approvalId, { origin }] of this.book.entries()) {
      if (this.summoned.has(approvalId)) return approvalId;
      if (mayTakeScreen(origin, await isTabInFront(origin.tabId), this.denials.isQuiet(origin.siteOrigin))) return approvalId;
    }
    return undefined;
  }

  private settle(approvalId: string, decision: ApprovalDecision): void {
    const waiter = this.forget(approvalId, true);
    if (!waiter) return;
    const isDenied = decision.roomId === null && decision.approved.length === 0;
    if (isDenied) this.denials.denied(waiter.origin.siteOrigin);
    else this.denials.approved(waiter.origin.siteOrigin);
    waiter.resolve(decision);
  }

  private end(approvalId: string, error: Error): void {
    this.forget(approvalId, false)?.reject(error);
  }

  private forget(approvalId: string, isDecided: boolean): Waiter | undefined {
    const waiter = this.book.remove(approvalId, isDecided);
    if (!waiter) return undefined;
    this.windows.forget(approvalId);
    this.viewedAt.delete(approvalId);
    this.summoned.delete(approvalId);
    void removeApproval(approvalId).catch(() => undefined);
    if (this.shownId === approvalId) this.shownId = undefined;
    this.updateBadge();
    this.scheduleShow();
    return waiter;
  }

  private updateBadge(): void {
    showPendingCount(this.book.size);
  }
}
