// Pending capability approvals. One extension-owned window at a time (never UI inside the page);
// further requests queue behind it, and the toolbar badge counts them. Each request resolves once
// with the user's decision; closing the window is "deny for now".
import browser from 'webextension-polyfill';
import * as v from 'valibot';
import type { WidgetIdentity } from '../../shared/core/widget-identity';
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
  /** `identity`: OpenID consent, which concerns no room. */
  purpose: v.optional(v.picklist(['capabilities', 'identity']), 'capabilities'),
});
export type PendingApproval = v.InferInput<typeof PendingApproval> & { identity: WidgetIdentity };

export type ApprovalDecision = { roomId: string | null; approved: string[]; remember: boolean };

const DENY_FOR_NOW: ApprovalDecision = { roomId: null, approved: [], remember: false };

type Waiter = { resolve: (decision: ApprovalDecision) => void; windowId: number | undefined };

export class UnknownApproval extends Error {}

export class ApprovalQueue {
  /** Every pending approval in arrival order; the first one has the window. */
  private readonly waiting = new Map<string, Waiter>();
  private readonly joined = new Map<string, Promise<ApprovalDecision>>();
  private shownId: string | undefined;

  /** Asks the user. A second identical request while one is pending joins it instead of queueing. */
  request(pending: PendingApproval): Promise<ApprovalDecision> {
    const joinKey = JSON.stringify([pending.identity, pending.roomHint, pending.purpose ?? 'capabilities', pending.isRoomFixed ?? false, [...pending.capabilities].sort()]);
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
    return parsed.output;
  }

  async decide(approvalId: string, decision: ApprovalDecision): Promise<void> {
    if (approvalId !== this.shownId || !this.waiting.has(approvalId)) {
      throw new UnknownApproval('This request is no longer pending');
    }
    this.settle(approvalId, decision);
  }

  /** Registered at top level: a closed approval window counts as "deny for now". */
  onWindowRemoved(windowId: number): void {
    for (const [approvalId, waiter] of this.waiting) {
      if (waiter.windowId === windowId) this.settle(approvalId, DENY_FOR_NOW);
    }
  }

  private async enqueue(pending: PendingApproval): Promise<ApprovalDecision> {
    const approvalId = crypto.randomUUID();
    await writeSession(storageKey(approvalId), pending);
    const decision = new Promise<ApprovalDecision>((resolve) => {
      this.waiting.set(approvalId, { resolve, windowId: undefined });
    });
    this.updateBadge();
    void this.showNext();
    return decision;
  }

  private async showNext(): Promise<void> {
    if (this.shownId !== undefined) return;
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
      log.info('approval window opened', this.waiting.size);
    } catch (error) {
      log.error('could not open the approval window', String(error));
      this.settle(next, DENY_FOR_NOW);
    }
  }

  private settle(approvalId: string, decision: ApprovalDecision): void {
    const waiter = this.waiting.get(approvalId);
    if (!waiter) return;
    this.waiting.delete(approvalId);
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
