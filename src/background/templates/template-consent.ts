// The user's consent to load a templated widget: the room it is for and what its filled URL tells
// the widget (and the embedding page, which can read the frame's `src`). Remembered among the
// widget's decisions for that room, under one consent string per fact (see `factConsent`).
import { factConsent } from '../../shared/core/widget-template';
import type { WidgetIdentity } from '../../shared/core/widget-identity';
import type { AuditLog } from '../grants/audit-log';
import type { GrantStore } from '../grants/grant-store';
import type { AskUser } from '../widgets/host/capability-negotiation';
import type { FactValue } from './template-values';

export type TemplateConsentInput = {
  identity: WidgetIdentity;
  widgetOrigin: string;
  widgetName: string | null;
  /** The facts the template's variables give away, with the values the user is shown. */
  facts: FactValue[];
  roomHint: string | undefined;
  /** The window stays open after an approval, for the widget's capability request that follows. */
  holdKey: string;
  now: () => number;
};

export type TemplateConsent = { isApproved: true; roomId: string | null } | { isApproved: false; reason: string };

const DECLINED = 'You declined to open this widget';

const consentsOf = (facts: readonly FactValue[]): string[] => facts.map(({ fact }) => factConsent(fact));

export async function consentToTemplate(input: TemplateConsentInput, grants: GrantStore, approvals: AskUser, audit: AuditLog): Promise<TemplateConsent> {
  const { identity, roomHint, now } = input;
  const consents = consentsOf(input.facts);
  const knownRoom = (await grants.boundRoom(identity, roomHint)) ?? undefined;
  // Nothing about the user in the URL: it loads as any widget does, and asks for its room later.
  if (consents.length === 0) return { isApproved: true, roomId: knownRoom ?? null };
  // A denial with no room chosen was remembered under the room the widget was going to get.
  const stored = await grants.decisionFor(identity, knownRoom ?? roomHint ?? '');
  if (knownRoom !== undefined && stored && consents.every((consent) => stored.granted.includes(consent))) return { isApproved: true, roomId: knownRoom };
  // A remembered "no" is not asked again: the page cannot nag by reloading.
  if (stored && consents.some((consent) => stored.denied.includes(consent))) return { isApproved: false, reason: DECLINED };
  void audit.record(identity, { at: now(), action: 'asked', roomId: knownRoom ?? null, detail: consents.join(' ') });
  const answer = await approvals.request({
    identity,
    widgetOrigin: input.widgetOrigin,
    capabilities: consents,
    roomHint: knownRoom ?? roomHint ?? null,
    purpose: 'template',
    template: { widgetName: input.widgetName, facts: input.facts.map(({ fact, value }) => ({ fact, value })), holdKey: input.holdKey },
  });
  // The facts are what the URL needs: all of them, or the widget is not loaded.
  const isApproved = answer.roomId !== null && consents.every((consent) => answer.approved.includes(consent));
  const roomId = isApproved ? answer.roomId : null;
  void audit.record(identity, { at: now(), action: isApproved ? 'granted' : 'denied', roomId, detail: consents.join(' ') });
  if (answer.remember) {
    const room = roomId ?? knownRoom ?? roomHint ?? '';
    await grants.recordDecision(identity, room, { hostInstance: null }, isApproved ? consents : [], isApproved ? [] : consents, now());
    if (roomId !== null) await grants.bindRoom(identity, roomHint, roomId);
  }
  return isApproved ? { isApproved: true, roomId } : { isApproved: false, reason: DECLINED };
}
