// Pending capability approvals. Each opens an extension-owned window (never UI inside the page),
// and resolves once with the user's decision; closing the window is "deny for now".
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
});
export type PendingApproval = v.InferOutput<typeof PendingApproval> & { identity: WidgetIdentity };

export type ApprovalDecision = { roomId: string | null; approved: string[]; remember: boolean };

const DENY_FOR_NOW: ApprovalDecision = { roomId: null, approved: [], remember: false };

type Waiter = { resolve: (decision: ApprovalDecision) => void; windowId: number | undefined; joinKey: string };

export class UnknownApproval extends Error {}

export class ApprovalQueue {
  private readonly waiting = new Map<string, Waiter>();
  private readonly joined = new Map<string, Promise<ApprovalDecision>>();

  /** Asks the user. A second identical request while one is open joins it instead of opening a window. */
  request(pending: PendingApproval): Promise<ApprovalDecision> {
    const joinKey = JSON.stringify([pending.identity, pending.roomHint, [...pending.capabilities].sort()]);
    const existing = this.joined.get(joinKey);
    if (existing) return existing;
    const decision = this.open(pending, joinKey).finally(() => this.joined.delete(joinKey));
    this.joined.set(joinKey, decision);
    return decision;
  }

  async pending(approvalId: string): Promise<PendingApproval> {
    const parsed = v.safeParse(PendingApproval, await readSession(storageKey(approvalId)));
    if (!parsed.success || !this.waiting.has(approvalId)) throw new UnknownApproval('This request is no longer pending');
    return parsed.output;
  }

  async decide(approvalId: string, decision: ApprovalDecision): Promise<void> {
    const waiter = this.waiting.get(approvalId);
    if (!waiter) throw new UnknownApproval('This request is no longer pending');
    this.settle(approvalId, decision);
  }

  /** Registered at top level: a closed approval window counts as "deny for now". */
  onWindowRemoved(windowId: number): void {
    for (const [approvalId, waiter] of this.waiting) {
      if (waiter.windowId === windowId) this.settle(approvalId, DENY_FOR_NOW);
    }
  }

  private async open(pending: PendingApproval, joinKey: string): Promise<ApprovalDecision> {
    const approvalId = crypto.randomUUID();
    await writeSession(storageKey(approvalId), pending);
    const decision = new Promise<ApprovalDecision>((resolve) => {
      this.waiting.set(approvalId, { resolve, windowId: undefined, joinKey });
    });
    const created = await browser.windows.create({
      url: browser.runtime.getURL(`approval/index.html?approval=${approvalId}`),
      type: 'popup',
      width: 480,
      height: 660,
      focused: true,
    });
    const waiter = this.waiting.get(approvalId);
    if (waiter) waiter.windowId = created.id;
    log.info('approval window opened', approvalId);
    return decision;
  }

  private settle(approvalId: string, decision: ApprovalDecision): void {
    const waiter = this.waiting.get(approvalId);
    if (!waiter) return;
    this.waiting.delete(approvalId);
    void removeSession(storageKey(approvalId));
    waiter.resolve(decision);
  }
}

function storageKey(approvalId: string): string {
  return `approval:${approvalId}`;
}
