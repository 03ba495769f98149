// What a pending approval stores in storage.session for its window to read, and the decision the
// window sends back, and the ways a request ends without one. No browser API: negotiation imports it.
import * as v from 'valibot';
import type { WidgetIdentity } from '../../shared/core/widget-identity';
import { APPROVAL_ARM_DELAY_MS, TemplateFactValue } from '../../shared/protocol/background-to-ui';

export const PendingApproval = v.object({
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

export class UnknownApproval extends Error {}

/** An approval decided before its window armed: a click meant for the page must not land on Allow. */
export class ApprovalNotArmed extends Error {}

/** A request that cannot wait for the user (limits of approval-admission.ts); the widget hears why. */
export class ApprovalRefused extends Error {}

/** The frame that asked went away before the user decided. */
export class ApprovalWithdrawn extends Error {}

/**
 * Whether a decision may be taken `now` of a request its window first showed at `viewedAt`. Deny is
 * always safe; a decision that grants anything waits for the arming delay.
 */
export function isArmedFor(decision: ApprovalDecision, viewedAt: number | undefined, now: number): boolean {
  const isGranting = decision.roomId !== null || decision.approved.length > 0;
  return !isGranting || (viewedAt !== undefined && now - viewedAt >= APPROVAL_ARM_DELAY_MS);
}
