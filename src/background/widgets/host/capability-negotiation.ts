// MSC2762 capability negotiation for one widget: what it asks for, what the user already decided,
// and (for anything new) the approval window. Returns the room binding; the host then tells the
// widget with notify_capabilities.
import { OPENID_CAPABILITY } from '../../../shared/core/capability';
import { isFactConsent } from '../../../shared/core/widget-template';
import { decide } from '../../../shared/core/grant-policy';
import type { WidgetIdentity } from '../../../shared/core/widget-identity';
import type { AuditLog } from '../../grants/audit-log';
import type { GrantStore } from '../../grants/grant-store';
import type { AskFrom } from '../../approvals/approval-queue';
import { ApprovalRefused, type ApprovalDecision, type PendingApproval } from '../../approvals/pending-approval';

/**
 * What negotiation needs of the approval queue: ask the user, get one decision (`from`: the
 * attested tab and site, and a signal that withdraws the request); and say that a flow held open
 * for a templated widget (`holdKey`) needs nothing more of the user.
 */
export type AskUser = { request(pending: PendingApproval, from?: AskFrom): Promise<ApprovalDecision>; release(holdKey: string): void };

/** The approval queue as one frame asks it: every request carries the frame's origin and withdrawal signal. */
export function askingFrom(approvals: AskUser, from: AskFrom): AskUser {
  return { request: (pending) => approvals.request(pending, from), release: (holdKey) => approvals.release(holdKey) };
}

const DENIED_UNASKED: ApprovalDecision = { roomId: null, approved: [], remember: false };

/**
 * Asks, and takes a request the queue refused (a flood's limits) as denied for now: the widget is
 * told it got nothing, the activity log says why, and nothing is remembered.
 */
async function askOrDeny(approvals: AskUser, pending: PendingApproval, audit: AuditLog, now: () => number): Promise<ApprovalDecision> {
  try {
    return await approvals.request(pending);
  } catch (error) {
    if (!(error instanceof ApprovalRefused)) throw error;
    void audit.record(pending.identity, { at: now(), action: 'refused', roomId: null, detail: error.message });
    return DENIED_UNASKED;
  }
}

export type NegotiationInput = {
  identity: WidgetIdentity;
  widgetOrigin: string;
  requested: string[];
  roomHint: string | undefined;
  hostInstance: string;
  now: () => number;
  /**
   * The widget was loaded from a template the user approved for this room (`templates/`): the
   * room is no longer chosen here, and the request continues that approval's window.
   */
  templateLoad?: { roomId: string; holdKey: string };
};

/** The room the widget is bound to (null: none). What was granted is read from the grant store. */
export type NegotiationOutcome = { roomId: string | null };

export async function negotiateCapabilities(
  input: NegotiationInput,
  grants: GrantStore,
  approvals: AskUser,
  audit: AuditLog,
): Promise<NegotiationOutcome> {
  const { identity, roomHint, hostInstance, now, templateLoad } = input;
  // Consent to get_openid, and to what a template's URL tells, are asked on their own, never
  // granted as capabilities a widget requests (MSC1960 has no capability string).
  const requested = input.requested.filter((capability) => capability !== OPENID_CAPABILITY && !isFactConsent(capability));
  const knownRoom = templateLoad?.roomId ?? (await grants.boundRoom(identity, roomHint)) ?? roomHint;
  const stored = await grants.decisionFor(identity, knownRoom ?? '');
  const decision = decide(requested, stored);
  if (decision.needsApproval.length === 0) {
    // A page's room hint only preselects: with nothing decided, no room is bound. A template's
    // room was chosen by the user.
    return { roomId: stored || templateLoad ? (knownRoom ?? null) : null };
  }
  void audit.record(identity, { at: now(), action: 'asked', roomId: knownRoom ?? null, detail: decision.needsApproval.join(' ') });
  // Remembered denials are not asked again (a widget cannot nag by adding one new capability);
  // what was granted is shown again, because the user may now pick another room.
  const asked = [...decision.granted, ...decision.needsApproval];
  const answer = await askOrDeny(
    approvals,
    {
      identity,
      widgetOrigin: input.widgetOrigin,
      capabilities: asked,
      roomHint: knownRoom ?? null,
      ...(templateLoad ? { isRoomFixed: true, continuesHold: templateLoad.holdKey } : {}),
    },
    audit,
    now,
  );
  const roomId = answer.roomId;
  const approved = roomId === null ? [] : asked.filter((capability) => answer.approved.includes(capability));
  const rejected = asked.filter((capability) => !approved.includes(capability));
  if (approved.length > 0) void audit.record(identity, { at: now(), action: 'granted', roomId, detail: approved.join(' ') });
  if (rejected.length > 0) void audit.record(identity, { at: now(), action: 'denied', roomId, detail: rejected.join(' ') });
  if (answer.remember) {
    // A denial with no room chosen is remembered under the room the widget was going to get.
    await grants.recordDecision(identity, roomId ?? knownRoom ?? '', { hostInstance: null }, approved, rejected, now());
    if (roomId !== null) await grants.bindRoom(identity, roomHint, roomId);
  } else if (roomId !== null) {
    await grants.recordDecision(identity, roomId, { hostInstance }, approved, rejected, now());
  }
  return { roomId };
}

export type RenegotiationInput = {
  identity: WidgetIdentity;
  widgetOrigin: string;
  /** The room the widget is bound to; renegotiation never moves it. */
  roomId: string;
  requested: string[];
  /** This page load of the widget: decisions not remembered are stored for it only. */
  hostInstance: string;
  now: () => number;
};

/**
 * MSC2974: the widget asks for more while running. Only what was never decided goes to the user,
 * in a window whose room is fixed to the bound one; the answer joins the widget's existing decision.
 */
export async function renegotiateCapabilities(input: RenegotiationInput, grants: GrantStore, approvals: AskUser, audit: AuditLog): Promise<void> {
  const { identity, roomId, hostInstance, now } = input;
  const requested = input.requested.filter((capability) => capability !== OPENID_CAPABILITY && !isFactConsent(capability));
  const decision = decide(requested, await grants.effectiveDecision(identity, roomId, hostInstance));
  if (decision.needsApproval.length === 0) return;
  void audit.record(identity, { at: now(), action: 'asked', roomId, detail: decision.needsApproval.join(' ') });
  const answer = await askOrDeny(
    approvals,
    { identity, widgetOrigin: input.widgetOrigin, capabilities: decision.needsApproval, roomHint: roomId, isRoomFixed: true },
    audit,
    now,
  );
  const approved = answer.roomId === roomId ? decision.needsApproval.filter((capability) => answer.approved.includes(capability)) : [];
  const rejected = decision.needsApproval.filter((capability) => !approved.includes(capability));
  if (approved.length > 0) void audit.record(identity, { at: now(), action: 'granted', roomId, detail: approved.join(' ') });
  if (rejected.length > 0) void audit.record(identity, { at: now(), action: 'denied', roomId, detail: rejected.join(' ') });
  // "Remember" decides where the answer goes: kept, or for this page load only.
  await grants.recordDecision(identity, roomId, { hostInstance: answer.remember ? null : hostInstance }, approved, rejected, now());
}
