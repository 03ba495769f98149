// Pending capability approvals. One extension-owned window at a time (never UI inside the page);
// further requests queue behind it, and the toolbar badge counts them. Each request resolves once
// with the user's decision (closing the window is "deny for now"), or is withdrawn when the frame
// that asked goes away. What may wait, and what may open a window, is approval-admission.ts.
import browser from 'webextension-polyfill';
import * as v from 'valibot';
import { APPROVAL_ARM_DELAY_MS } from '../../shared/protocol/background-to-ui';
import { createLogger } from '../../shared/log';
import { admit, DenialStreaks, mayTakeScreen, type AskOrigin } from './approval-admission';
import { HeldWindows } from './held-windows';
import { joinKeyOf, metaFor, readRequest, readStoredApprovals, removeApproval, storeApproval, updateMeta, type ApprovalMeta, type StoredApproval } from './approval-store';
import { ApprovalNotArmed, ApprovalRefused, ApprovalWithdrawn, PendingApproval, UnknownApproval, type ApprovalDecision } from './pending-approval';

export type { ApprovalDecision } from './pending-approval';
export { ApprovalNotArmed, ApprovalRefused, ApprovalWithdrawn, PendingApproval, UnknownApproval } from './pending-approval';

const log = createLogger('bg:approvals');

const DENY_FOR_NOW: ApprovalDecision = { roomId: null, approved: [], remember: false };

/** Who is asking: the attested origin of the request, and a signal that withdraws it when the frame goes. */
export type AskFrom = AskOrigin & { signal?: AbortSignal };

type Waiter = {
  resolve: (decision: ApprovalDecision) => void;
  reject: (error: Error) => void;
  windowId: number | undefined;
  holdKey: string | undefined;
  origin: AskOrigin;
  /** Callers waiting on this request (identical requests join); withdrawn when the last one goes. */
  askers: number;
  joinKey: string;
  askedAt: number;
  /** The asking widget, to tell a rebuilt host of its frame which widget to ask for again. */
  widget: AskedWidget;
};

/** `requested`: what it was asked about (a widget answers the capabilities request only once). */
type AskedWidget = { widgetId: string; widgetUrl: string; askedAt: number; requested: string[] };

/**
 * How long a request a stopped worker left waits for its widget to ask again (its relay reconnects
 * at once, or with its 20 s keep-alive), and how long a decision taken meanwhile is kept for it.
 */
export const ORPHAN_WAIT_MS = 30_000;

const NO_ORIGIN: AskOrigin = { siteOrigin: '', tabId: undefined };

export class ApprovalQueue {
  /** Every pending approval in arrival order; at most one of them has the window. */
  private readonly waiting = new Map<string, Waiter>();
  private readonly joined = new Map<string, { approvalId: string; decision: Promise<ApprovalDecision> }>();
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
    this.restored = readStoredApprovals()
      .then((stored) => this.restore(stored))
      .catch((error: unknown) => log.warn('could not take up the pending approvals', String(error)));
  }

  /** Asks the user. A second identical request while one is pending joins it instead of queueing. */
  async request(pending: PendingApproval, from: AskFrom = NO_ORIGIN): Promise<ApprovalDecision> {
    await this.restored;
    const joinKey = joinKeyOf(pending, from.tabId);
    const existing = this.joined.get(joinKey);
    const entry = existing ?? this.enqueue(pending, from, joinKey);
    if (!entry) throw new ApprovalRefused(this.lastRefusal);
    const waiter = this.waiting.get(entry.approvalId);
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
    const open = [...this.waiting.values()].find((waiter) => waiter.askers === 0 && waiter.origin.frameKey === frameKey);
    // Or decided already (the window's click can wake the worker before the relay is back).
    return open?.widget ?? this.decidedUnclaimed.get(frameKey);
  }

  /** Stopped workers' requests decided before their widget asked again, by frame, kept ORPHAN_WAIT_MS. */
  private readonly decidedUnclaimed = new Map<string, AskedWidget>();

  get pendingCount(): number {
    return this.waiting.size;
  }

  /** How many requests of the same site as `approvalId` wait (it included): the window offers "Deny all" above one. */
  pendingFromSameSite(approvalId: string): number {
    const site = this.waiting.get(approvalId)?.origin.siteOrigin;
    return [...this.waiting.values()].filter(({ origin }) => origin.siteOrigin === site).length;
  }

  async pending(approvalId: string): Promise<v.InferOutput<typeof PendingApproval>> {
    await this.restored;
    const request = await readRequest(approvalId);
    const waiter = this.waiting.get(approvalId);
    if (!request || !waiter) throw new UnknownApproval('This request is no longer pending');
    if (!this.viewedAt.has(approvalId)) {
      this.viewedAt.set(approvalId, this.now());
      void this.saveMeta(approvalId, waiter);
    }
    return request;
  }

  async decide(approvalId: string, decision: ApprovalDecision): Promise<void> {
    await this.restored;
    const waiter = this.waiting.get(approvalId);
    if (approvalId !== this.shownId || !waiter) throw new UnknownApproval('This request is no longer pending');
    // The page disables its buttons until armed; this holds even for a page that did not. Deny is
    // always safe, so only a decision that grants something waits for the arming delay.
    const viewedAt = this.viewedAt.get(approvalId);
    const isGranting = decision.roomId !== null || decision.approved.length > 0;
    if (isGranting && (viewedAt === undefined || this.now() - viewedAt < APPROVAL_ARM_DELAY_MS)) {
      throw new ApprovalNotArmed('The request was not shown long enough to be decided: read it, then decide');
    }
    const isHeld = waiter.holdKey !== undefined && waiter.windowId !== undefined && decision.roomId !== null && decision.approved.length > 0;
    if (isHeld && waiter.holdKey !== undefined && waiter.windowId !== undefined) this.windows.hold(waiter.holdKey, waiter.windowId);
    this.settle(approvalId, decision);
  }

  /**
   * "Deny all" in the window: this request and every other one its site has waiting are denied for
   * now. Returns the site (the top-level origin), which the caller may switch off when the user
   * also chose to be asked no more.
   */
  denyAllFromSite(approvalId: string): string {
    const waiter = this.waiting.get(approvalId);
    if (approvalId !== this.shownId || !waiter) throw new UnknownApproval('This request is no longer pending');
    const site = waiter.origin.siteOrigin;
    for (const [id, other] of [...this.waiting]) if (other.origin.siteOrigin === site) this.settle(id, DENY_FOR_NOW);
    return site;
  }

  /** The user asked (from the popup) to see what is waiting: the next request opens even if its tab is in the background. */
  review(): void {
    const [first] = this.waiting.keys();
    if (first !== undefined) this.summoned.add(first);
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
    for (const [approvalId, waiter] of this.waiting) {
      if (waiter.windowId === windowId) this.settle(approvalId, DENY_FOR_NOW);
    }
  }

  private lastRefusal = '';

  /**
   * Takes up what a stopped worker left: each request waits, with no one asking yet, for its widget
   * to ask again (it then joins it); its window, if still open, stays the shown one and can decide.
   */
  private async restore(stored: StoredApproval[]): Promise<void> {
    for (const { approvalId, request, meta } of stored) {
      const isWindowOpen = meta.windowId !== undefined && (await browser.windows.get(meta.windowId).then(() => true, () => false));
      const origin = { siteOrigin: meta.origin.siteOrigin, tabId: meta.origin.tabId, frameKey: meta.origin.frameKey };
      // Nobody waits on it yet (askers 0): an ending that no one hears is not an error.
      this.addWaiter(approvalId, request, origin, joinKeyOf(request, meta.origin.tabId), 0, meta.askedAt).decision.catch(() => undefined);
      const waiter = this.waiting.get(approvalId) as Waiter;
      if (isWindowOpen) waiter.windowId = meta.windowId;
      if (meta.viewedAt !== undefined) this.viewedAt.set(approvalId, meta.viewedAt);
      if (isWindowOpen && this.shownId === undefined) this.shownId = approvalId;
      this.timers.setTimeout(() => {
        const orphan = this.waiting.get(approvalId);
        if (orphan?.askers !== 0) return;
        if (orphan.windowId !== undefined) void browser.windows.remove(orphan.windowId).catch(() => undefined);
        this.end(approvalId, new ApprovalWithdrawn('The widget did not come back after the worker stopped'));
      }, ORPHAN_WAIT_MS);
    }
    this.updateBadge();
    this.scheduleShow();
  }

  private saveMeta(approvalId: string, waiter: Waiter): Promise<void> {
    return updateMeta(approvalId, this.metaOf(approvalId, waiter)).catch(() => undefined);
  }

  private metaOf(approvalId: string, { origin, windowId, askedAt }: Waiter): ApprovalMeta {
    return metaFor(origin, askedAt, windowId, this.viewedAt.get(approvalId));
  }

  private enqueue(pending: PendingApproval, origin: AskFrom, joinKey: string): { approvalId: string; decision: Promise<ApprovalDecision> } | undefined {
    const admission = admit([...this.waiting.values()].map((waiter) => waiter.origin), origin, JSON.stringify(pending).length);
    if (!admission.isAdmitted) {
      log.warn('approval request refused', admission.reason, origin.siteOrigin);
      this.lastRefusal = admission.reason;
      return undefined;
    }
    const approvalId = crypto.randomUUID();
    const entry = this.addWaiter(approvalId, pending, { siteOrigin: origin.siteOrigin, tabId: origin.tabId, frameKey: origin.frameKey }, joinKey, 1, this.now());
    const waiter = this.waiting.get(approvalId) as Waiter;
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

  private addWaiter(
    approvalId: string,
    pending: PendingApproval,
    origin: AskOrigin,
    joinKey: string,
    askers: number,
    askedAt: number,
  ): { approvalId: string; decision: Promise<ApprovalDecision> } {
    if (pending.continuesHold !== undefined) this.windows.continues(approvalId, pending.continuesHold);
    const decision = new Promise<ApprovalDecision>((resolve, reject) => {
      const widget = { widgetId: pending.identity.widgetId, widgetUrl: pending.identity.widgetUrl, askedAt, requested: [...pending.capabilities] };
      this.waiting.set(approvalId, { resolve, reject, windowId: undefined, holdKey: pending.template?.holdKey, origin, askers, joinKey, askedAt, widget });
    });
    const entry = { approvalId, decision };
    this.joined.set(joinKey, entry);
    return entry;
  }

  /** One asker went away; the request is withdrawn when none is left. */
  private leave(approvalId: string): void {
    const waiter = this.waiting.get(approvalId);
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
      const next = [...this.waiting.entries()].find(([approvalId]) => this.windows.isContinuation(approvalId, held.holdKey));
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
    const waiter = this.waiting.get(next);
    if (windowId === undefined) {
      this.settle(next, DENY_FOR_NOW);
    } else if (waiter) {
      waiter.windowId = windowId;
      void this.saveMeta(next, waiter);
      log.info('approval window opened', this.waiting.size);
    } else {
      // Withdrawn while the window opened.
      void browser.windows.remove(windowId).catch(() => undefined);
      if (this.shownId === next) this.shownId = undefined;
    }
  }

  /** The oldest request that may take the screen now (its tab is in front, its site not quieted). */
  private async firstToShow(): Promise<string | undefined> {
    for (const [approvalId, { origin }] of this.waiting) {
      if (this.summoned.has(approvalId)) return approvalId;
      const isTabActive = origin.tabId === undefined ? undefined : await browser.tabs.get(origin.tabId).then((tab) => tab.active, () => undefined);
      if (mayTakeScreen(origin, isTabActive, this.denials.isQuiet(origin.siteOrigin))) return approvalId;
    }
    return undefined;
  }

  private settle(approvalId: string, decision: ApprovalDecision): void {
    const waiter = this.waiting.get(approvalId);
    if (!waiter) return;
    const isDenied = decision.roomId === null && decision.approved.length === 0;
    if (isDenied) this.denials.denied(waiter.origin.siteOrigin);
    else this.denials.approved(waiter.origin.siteOrigin);
    this.forget(approvalId);
    waiter.resolve(decision);
  }

  private end(approvalId: string, error: Error): void {
    const waiter = this.waiting.get(approvalId);
    if (!waiter) return;
    this.forget(approvalId);
    waiter.reject(error);
  }

  private forget(approvalId: string): void {
    const waiter = this.waiting.get(approvalId);
    if (waiter) {
      // Decided while its widget had not asked again (a stopped worker's request): the decision is
      // kept a little for the widget, which then gets it at once.
      if (waiter.askers === 0) {
        const { frameKey } = waiter.origin;
        if (frameKey !== undefined) this.decidedUnclaimed.set(frameKey, waiter.widget);
        this.timers.setTimeout(() => {
          this.dropJoin(waiter.joinKey, approvalId);
          if (frameKey !== undefined && this.decidedUnclaimed.get(frameKey) === waiter.widget) this.decidedUnclaimed.delete(frameKey);
        }, ORPHAN_WAIT_MS);
      } else {
        this.dropJoin(waiter.joinKey, approvalId);
      }
    }
    this.waiting.delete(approvalId);
    this.windows.forget(approvalId);
    this.viewedAt.delete(approvalId);
    this.summoned.delete(approvalId);
    void removeApproval(approvalId).catch(() => undefined);
    if (this.shownId === approvalId) this.shownId = undefined;
    this.updateBadge();
    this.scheduleShow();
  }

  private dropJoin(joinKey: string, approvalId: string): void {
    if (this.joined.get(joinKey)?.approvalId === approvalId) this.joined.delete(joinKey);
  }

  private updateBadge(): void {
    const text = this.waiting.size > 0 ? String(this.waiting.size) : '';
    void browser.action.setBadgeText({ text }).catch(() => undefined);
    void browser.action.setBadgeBackgroundColor({ color: '#b3261e' }).catch(() => undefined);
  }
}

