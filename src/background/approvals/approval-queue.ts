// Pending capability approvals. One extension-owned window at a time (never UI inside the page);
// further requests queue behind it, and the toolbar badge counts them. Each request resolves once
// with the user's decision; closing the window is "deny for now".
import browser from 'webextension-polyfill';
import * as v from 'valibot';
import type { WidgetIdentity } from '../../shared/core/widget-identity';
import { APPROVAL_ARM_DELAY_MS, TemplateFactValue } from '../../shared/protocol/background-to-ui';
import { readSession, removeSession, writeSession } from '../adapters/session-storage';
import { createLogger } from '../../shared/log';

const log = createLogger('bg:approvals');

const PendingApproval = v.object({
  identity: v.object({ account: v.string(), siteOrigin: v.string(), widgetUrl: v.string(), widgetId: v.string() }),
  widgetOrigin: v.string(),
  capabilities: v.array(v.string()),
  roomHint: v.nullable(v.string()),
  /** Renegotiation (MSC2974): the widget stays in its bound room; the picker is read-only. */
  isRoomFixed: v.optional(v.boolean(), false),
  /** `identity`: OpenID consent, which concerns no room; `template`: loading a templated widget. */
  purpose: v.optional(v.picklist(['capabilities', 'identity', 'template']), 'capabilities'),
  /** For `template`: what the filled URL tells, and the key its window is held under afterwards. */
  template: v.optional(
    v.object({
      widgetName: v.nullable(v.string()),
      facts: v.array(TemplateFactValue),
      holdKey: v.string(),
    }),
  ),
  /** A capability request of a widget whose template load was just approved: shown in that window. */
  continuesHold: v.optional(v.string()),
});
export type PendingApproval = v.InferInput<typeof PendingApproval> & { identity: WidgetIdentity };

export type ApprovalDecision = { roomId: string | null; approved: string[]; remember: boolean };

const DENY_FOR_NOW: ApprovalDecision = { roomId: null, approved: [], remember: false };

type Waiter = { resolve: (decision: ApprovalDecision) => void; windowId: number | undefined; holdKey: string | undefined };

/**
 * A window kept open after the user approved a template load, waiting for the widget to load and
 * ask for its capabilities, which then appear in the same window: one approval flow per widget.
 */
type HeldWindow = { holdKey: string; windowId: number; tabId: number | undefined; timer: ReturnType<typeof setTimeout> };

/** How long a held window waits for the widget's capability request before it closes. */
export const HOLD_MS = 30_000;

export class UnknownApproval extends Error {}

/** An approval decided before its window armed: a click meant for the page must not land on Allow. */
export class ApprovalNotArmed extends Error {}

export class ApprovalQueue {
  /** Every pending approval in arrival order; the first one has the window. */
  private readonly waiting = new Map<string, Waiter>();
  private readonly joined = new Map<string, Promise<ApprovalDecision>>();
  private shownId: string | undefined;
  private held: HeldWindow | undefined;
  /** The shown window's tab, to load the next request of a held flow into it. */
  private readonly windowTabs = new Map<number, number | undefined>();
  /** When each request's window first read it (the page arms its buttons from then on). */
  private readonly viewedAt = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Asks the user. A second identical request while one is pending joins it instead of queueing. */
  request(pending: PendingApproval): Promise<ApprovalDecision> {
    const joinKey = JSON.stringify([
      pending.identity,
      pending.roomHint,
      pending.purpose ?? 'capabilities',
      pending.isRoomFixed ?? false,
      [...pending.capabilities].sort(),
      pending.template?.holdKey ?? null,
    ]);
    const existing = this.joined.get(joinKey);
    if (existing) return existing;
    const decision = this.enqueue(pending).finally(() => this.joined.delete(joinKey));
    this.joined.set(joinKey, decision);
    return decision;
  }

  get pendingCount(): number {
    return this.waiting.size;
  }

  async pending(approvalId: string): Promise<v.InferOutput<typeof PendingApproval>> {
    const parsed = v.safeParse(PendingApproval, await readSession(storageKey(approvalId)));
    if (!parsed.success || !this.waiting.has(approvalId)) throw new UnknownApproval('This request is no longer pending');
    if (!this.viewedAt.has(approvalId)) this.viewedAt.set(approvalId, this.now());
    return parsed.output;
  }

  async decide(approvalId: string, decision: ApprovalDecision): Promise<void> {
    if (approvalId !== this.shownId || !this.waiting.has(approvalId)) {
      throw new UnknownApproval('This request is no longer pending');
    }
    // The page disables its buttons until armed; this holds even for a page that did not. Deny is
    // always safe, so only a decision that grants something waits for the arming delay.
    const viewedAt = this.viewedAt.get(approvalId);
    const isGranting = decision.roomId !== null || decision.approved.length > 0;
    if (isGranting && (viewedAt === undefined || this.now() - viewedAt < APPROVAL_ARM_DELAY_MS)) {
      throw new ApprovalNotArmed('The request was not shown long enough to be decided: read it, then decide');
    }
    const waiter = this.waiting.get(approvalId);
    const isHeld = waiter?.holdKey !== undefined && waiter.windowId !== undefined && decision.roomId !== null && decision.approved.length > 0;
    if (isHeld && waiter?.holdKey !== undefined && waiter.windowId !== undefined) this.hold(waiter.holdKey, waiter.windowId);
    this.settle(approvalId, decision);
  }

  /**
   * The flow held under `holdKey` needs no more of the user (the widget asked for nothing new, or
   * went away): its window closes, and the next request gets one.
   */
  release(holdKey: string): void {
    const held = this.held;
    if (held?.holdKey !== holdKey) return;
    this.endHold();
    void browser.windows.remove(held.windowId).catch(() => undefined);
  }

  /** Registered at top level: a closed approval window counts as "deny for now". */
  onWindowRemoved(windowId: number): void {
    this.windowTabs.delete(windowId);
    if (this.held?.windowId === windowId) this.endHold();
    for (const [approvalId, waiter] of this.waiting) {
      if (waiter.windowId === windowId) this.settle(approvalId, DENY_FOR_NOW);
    }
  }

  private hold(holdKey: string, windowId: number): void {
    // The window waits instead of closing (the page shows that it does); nothing else is shown meanwhile.
    this.held = { holdKey, windowId, tabId: this.windowTabs.get(windowId), timer: setTimeout(() => this.release(holdKey), HOLD_MS) };
  }

  private endHold(): void {
    if (!this.held) return;
    clearTimeout(this.held.timer);
    this.held = undefined;
    void this.showNext();
  }

  /** Requests that continue a held flow, by approval id → the hold key. */
  private readonly continuations = new Map<string, string>();

  private async enqueue(pending: PendingApproval): Promise<ApprovalDecision> {
    const approvalId = crypto.randomUUID();
    if (pending.continuesHold !== undefined) this.continuations.set(approvalId, pending.continuesHold);
    await writeSession(storageKey(approvalId), pending);
    const decision = new Promise<ApprovalDecision>((resolve) => {
      this.waiting.set(approvalId, { resolve, windowId: undefined, holdKey: pending.template?.holdKey });
    });
    this.updateBadge();
    void this.showNext();
    return decision;
  }

  private async showNext(): Promise<void> {
    if (this.shownId !== undefined) return;
    if (this.held) {
      await this.continueHeld(this.held);
      return;
    }
    const [next] = this.waiting.keys();
    if (next === undefined) return;
    this.shownId = next;
    try {
      const created = await browser.windows.create({
        url: browser.runtime.getURL(`approval/index.html?approval=${next}`),
        type: 'popup',
        width: 480,
        height: 700,
        focused: true,
      });
      const waiter = this.waiting.get(next);
      if (waiter) waiter.windowId = created.id;
      if (created.id !== undefined) this.windowTabs.set(created.id, created.tabs?.[0]?.id);
      log.info('approval window opened', this.waiting.size);
    } catch (error) {
      log.error('could not open the approval window', String(error));
      this.settle(next, DENY_FOR_NOW);
    }
  }

  /** Shows the held flow's next request in its window, if it has arrived. */
  private async continueHeld(held: HeldWindow): Promise<void> {
    const next = [...this.waiting.entries()].find(([approvalId]) => this.continuations.get(approvalId) === held.holdKey);
    if (!next) return;
    const [approvalId, waiter] = next;
    clearTimeout(held.timer);
    this.held = undefined;
    this.shownId = approvalId;
    waiter.windowId = held.windowId;
    try {
      const url = browser.runtime.getURL(`approval/index.html?approval=${approvalId}`);
      const tabId = held.tabId ?? (await browser.tabs.query({ windowId: held.windowId }))[0]?.id;
      if (tabId === undefined) throw new Error('the held window has no tab');
      await browser.tabs.update(tabId, { url });
      await browser.windows.update(held.windowId, { focused: true }).catch(() => undefined);
    } catch (error) {
      log.warn('could not continue in the approval window', String(error));
      waiter.windowId = undefined;
      this.shownId = undefined;
      void browser.windows.remove(held.windowId).catch(() => undefined);
      void this.showNext();
    }
  }

  private settle(approvalId: string, decision: ApprovalDecision): void {
    const waiter = this.waiting.get(approvalId);
    if (!waiter) return;
    this.waiting.delete(approvalId);
    this.continuations.delete(approvalId);
    this.viewedAt.delete(approvalId);
    void removeSession(storageKey(approvalId));
    waiter.resolve(decision);
    if (this.shownId === approvalId) this.shownId = undefined;
    this.updateBadge();
    void this.showNext();
  }

  private updateBadge(): void {
    const text = this.waiting.size > 0 ? String(this.waiting.size) : '';
    void browser.action.setBadgeText({ text }).catch(() => undefined);
    void browser.action.setBadgeBackgroundColor({ color: '#b3261e' }).catch(() => undefined);
  }
}

function storageKey(approvalId: string): string {
  return `approval:${approvalId}`;
}
