// Decides what a widget may do, from the capabilities it asks for and what the user decided.
// Pure and deterministic. No stored decision means "ask"; nothing is ever granted by default.
import { parseCapability, type EventCapability } from './capability';

export type StoredDecision = { granted: readonly string[]; denied: readonly string[] };

export type Decision = {
  /** Requested and previously granted. */
  granted: string[];
  /** Requested and previously denied: not asked again, so a widget cannot nag. */
  denied: string[];
  /** Requested and never decided: the user has to be asked. */
  needsApproval: string[];
};

/** Splits `requested` (deduplicated, order kept) by what `stored` says. */
export function decide(requested: readonly string[], stored: StoredDecision | undefined): Decision {
  const granted = new Set(stored?.granted ?? []);
  const denied = new Set(stored?.denied ?? []);
  const decision: Decision = { granted: [], denied: [], needsApproval: [] };
  for (const capability of new Set(requested)) {
    if (granted.has(capability)) decision.granted.push(capability);
    else if (denied.has(capability)) decision.denied.push(capability);
    else decision.needsApproval.push(capability);
  }
  return decision;
}

/** Merges a new user decision into what was stored; the newer word on a capability wins. */
export function mergeDecision(
  stored: StoredDecision | undefined,
  approved: readonly string[],
  rejected: readonly string[],
): StoredDecision {
  const granted = new Set(stored?.granted ?? []);
  const denied = new Set(stored?.denied ?? []);
  for (const capability of approved) {
    granted.add(capability);
    denied.delete(capability);
  }
  for (const capability of rejected) {
    denied.add(capability);
    granted.delete(capability);
  }
  return { granted: [...granted], denied: [...denied] };
}

export type EventDescriptor = {
  eventType: string;
  /** Present exactly for state events. */
  stateKey?: string | undefined;
  /** `content.msgtype` of an `m.room.message`, when it has one. */
  msgtype?: string | undefined;
};

function matches(capability: EventCapability, event: EventDescriptor): boolean {
  if (capability.eventType !== event.eventType) return false;
  const isState = event.stateKey !== undefined;
  if (capability.isState !== isState) return false;
  if (capability.refinement === undefined) return true;
  if (isState) return capability.refinement === event.stateKey;
  // MSC2762 only defines a refinement (msgtype) for m.room.message among room events.
  return event.eventType === 'm.room.message' && capability.refinement === event.msgtype;
}

function allows(direction: 'send' | 'receive', approved: readonly string[], event: EventDescriptor): boolean {
  return approved.some((raw) => {
    const capability = parseCapability(raw);
    return capability.kind === 'event' && capability.direction === direction && matches(capability, event);
  });
}

/** May a widget holding `approved` send `event`? */
export function allowsSend(approved: readonly string[], event: EventDescriptor): boolean {
  return allows('send', approved, event);
}

/** May a widget holding `approved` see `event`? */
export function allowsReceive(approved: readonly string[], event: EventDescriptor): boolean {
  return allows('receive', approved, event);
}

/** May a widget holding `approved` see at least some events of this type (any refinement)? */
export function mayReceiveType(approved: readonly string[], eventType: string, isState: boolean): boolean {
  return approved.some((raw) => {
    const capability = parseCapability(raw);
    return (
      capability.kind === 'event' &&
      capability.direction === 'receive' &&
      capability.isState === isState &&
      capability.eventType === eventType
    );
  });
}
