// Pending capability approvals. One extension-owned window at a time (never UI inside the page);
// further requests queue behind it, and the toolbar badge counts them. Each request resolves once
// with the user's decision (closing the window is "deny for now"), or is withdrawn when the frame
// that asked goes away. What may wait, and what may open a window, is approval-admission.ts.
import browser from 'webextension-polyfill';
import * as v from 'valibot';
import { APPROVAL_ARM_DELAY_MS } from '../../shared/protocol/background-to-ui';
import { readSession, removeSession, sessionKeys, writeSession } from '../adapters/session-storage';
import { createLogger } from '../../shared/log';
import { admit, DenialStreaks, mayTakeScreen, type AskOrigin } from './approval-admission';
import { HeldWindows } from './held-windows';
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
};

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

  /** Requests of a stopped worker have no one waiting for them any more (their widgets ask again): removed before anything is stored. */
  private readonly swept: Promise<void>;

  constructor(private readonly now: () => number = Date.now) {
    this.windows = new HeldWindows(() => this.scheduleShow());
    this.swept = sweepStaleApprovals().catch(() => undefined);
  }

  /** Asks the user. A second identical request while one is pending joins it instead of queueing. */
  request(pending: PendingApproval, from: AskFrom = NO_ORIGIN): Promise<ApprovalDecision> {
    const joinKey = JSON.stringify([
      pending.identity,
      pending.roomHint,
      pending.purpose ?? 'capabilities',
      pending.isRoomFixed ?? false,
      [...pending.capabilities].sort(),
      pending.template?.holdKey ?? null,
      from.tabId ?? null,
    ]);
    const existing = this.joined.get(joinKey);
    const entry = existing ?? this.enqueue(pending, from, joinKey);
    if (!entry) return Promise.reject(new ApprovalRefused(this.lastRefusal));
    const waiter = this.waiting.get(entry.approvalId);
    if (existing && waiter) waiter.askers += 1;
    if (from.signal?.aborted) this.leave(entry.approvalId);
    else from.signal?.addEventListener('abort', () => this.leave(entry.approvalId), { once: true });
    return entry.decision;
  }

  get pendingCount(): number {
    return this.waiting.size;
  }

  /** How many requests of the same site as `approvalId` wait (it included): the window offers "Deny all" above one. */
  pendingFromSameSite(approvalId: string): number {
    const site = this.waiting.get(approvalId)?.origin.siteOrigin;
    return [...this.waiting.values()].filter(({ origin }) => origin.siteOrigin === site).length;
  }

  async pending(approvalId: string): Promise<v.InferOutput<typeof PendingApproval>> {
    const parsed = v.safeParse(PendingApproval, await readSession(storageKey(approvalId)));
    if (!parsed.success || !this.waiting.has(approvalId)) throw new UnknownApproval('This request is no longer pending');
    if (!this.viewedAt.has(approvalId)) this.viewedAt.set(approvalId, this.now());
    return parsed.output;
  }

  async decide(approvalId: string, decision: ApprovalDecision): Promise<void> {
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

  private enqueue(pending: PendingApproval, origin: AskFrom, joinKey: string): { approvalId: string; decision: Promise<ApprovalDecision> } | undefined {
    const stored = JSON.stringify(pending);
    const admission = admit(
      [...this.waiting.values()].map((waiter) => waiter.origin),
      origin,
      stored.length,
    );
    if (!admission.isAdmitted) {
      log.warn('approval request refused', admission.reason, origin.siteOrigin);
      this.lastRefusal = admission.reason;
      return undefined;
    }
    const approvalId = crypto.randomUUID();
    if (pending.continuesHold !== undefined) this.windows.continues(approvalId, pending.continuesHold);
    const decision = new Promise<ApprovalDecision>((resolve, reject) => {
      this.waiting.set(approvalId, {
        resolve,
        reject,
        windowId: undefined,
        holdKey: pending.template?.holdKey,
        origin: { siteOrigin: origin.siteOrigin, tabId: origin.tabId },
        askers: 1,
      });
    }).finally(() => this.joined.delete(joinKey));
    const entry = { approvalId, decision };
    this.joined.set(joinKey, entry);
    // Stored before any window can ask for it; a failed write (quota) ends the request, nothing else.
    void this.swept.then(() => writeSession(storageKey(approvalId), pending)).then(
      () => {
        this.updateBadge();
        this.scheduleShow();
      },
      (error: unknown) => this.end(approvalId, new ApprovalRefused(`The request could not be kept: ${String(error)}`)),
    );
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
    this.waiting.delete(approvalId);
    this.windows.forget(approvalId);
    this.viewedAt.delete(approvalId);
    this.summoned.delete(approvalId);
    void removeSession(storageKey(approvalId)).catch(() => undefined);
    if (this.shownId === approvalId) this.shownId = undefined;
    this.updateBadge();
    this.scheduleShow();
  }

  private updateBadge(): void {
    const text = this.waiting.size > 0 ? String(this.waiting.size) : '';
    void browser.action.setBadgeText({ text }).catch(() => undefined);
    void browser.action.setBadgeBackgroundColor({ color: '#b3261e' }).catch(() => undefined);
  }
}

const STORAGE_PREFIX = 'approval:';

function storageKey(approvalId: string): string {
  return `${STORAGE_PREFIX}${approvalId}`;
}

async function sweepStaleApprovals(): Promise<void> {
  for (const key of await sessionKeys()) if (key.startsWith(STORAGE_PREFIX)) await removeSession(key);
}
