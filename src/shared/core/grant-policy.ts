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

/**
 * May a widget act in `roomId`? Its bound room always; another room only with `m.timeline:<room>`
 * or `m.timeline:*` (MSC2762). Event-type capabilities are checked separately.
 */
export function allowsRoom(approved: readonly string[], roomId: string, boundRoomId: string | null): boolean {
  if (roomId === boundRoomId) return true;
  return approved.some((raw) => {
    const capability = parseCapability(raw);
    return capability.kind === 'timeline' && (capability.roomId === '*' || capability.roomId === roomId);
  });
}

/** Does `approved` reach every room the user is in (`m.timeline:*`)? */
export function allowsEveryRoom(approved: readonly string[]): boolean {
  return approved.some((raw) => {
    const capability = parseCapability(raw);
    return capability.kind === 'timeline' && capability.roomId === '*';
  });
}

/** The rooms named by `m.timeline:<room>` capabilities (not `*`). */
export function timelineRooms(approved: readonly string[]): string[] {
  return approved.flatMap((raw) => {
    const capability = parseCapability(raw);
    return capability.kind === 'timeline' && capability.roomId !== '*' ? [capability.roomId] : [];
  });
}

/**
 * To-device event types the crypto layer owns. A widget that could send or see them could forge or
 * steal room keys and secrets, or hijack verification; they are refused both ways whatever was granted.
 * Refused by pattern, so a crypto type nobody has named yet is refused by default:
 * - in the spec's `m.` namespace every to-device type is crypto except call signalling (`m.call.*`,
 *   and MatrixRTC's `m.rtc.*`), so everything else there is refused;
 * - elsewhere, a type whose name is about keys, secrets, verification or Olm/Megolm is refused
 *   (`org.matrix.room_key.withheld`, MSC4268's `io.element.msc4268.room_key_bundle`, …). Call keys
 *   (`io.element.call.encryption_keys`) are what call widgets exchange and stay allowed.
 */
const CRYPTO_WORDS = /(^|[._])(room_key|forwarded_room_key|secret|key\.verification|verification|olm|megolm|encrypted|dummy|cross_signing|key_backup|dehydrat\w*|withheld|device_keys|one_time_key)s?([._]|$)/;

export function isCryptoInternalToDeviceType(eventType: string): boolean {
  if (eventType.startsWith('m.')) return !(eventType.startsWith('m.call.') || eventType.startsWith('m.rtc.'));
  return CRYPTO_WORDS.test(eventType);
}

/** May a widget holding `approved` send (or receive) to-device messages of `eventType`? */
export function allowsToDevice(approved: readonly string[], direction: 'send' | 'receive', eventType: string): boolean {
  if (isCryptoInternalToDeviceType(eventType)) return false;
  return approved.some((raw) => {
    const capability = parseCapability(raw);
    return capability.kind === 'toDevice' && capability.direction === direction && capability.eventType === eventType;
  });
}

/** Does `approved` hold a capability named exactly `raw` (capabilities without structure)? */
export function hasCapability(approved: readonly string[], raw: string): boolean {
  return approved.includes(raw);
}

/** Does `approved` let the widget see some room state (any `receive.state_event` capability)? */
export function receivesAnyState(approved: readonly string[]): boolean {
  return approved.some((raw) => {
    const capability = parseCapability(raw);
    return capability.kind === 'event' && capability.direction === 'receive' && capability.isState;
  });
}

/** May a widget holding `approved` read the room account data of `eventType`? */
export function allowsRoomAccountData(approved: readonly string[], eventType: string): boolean {
  return approved.some((raw) => {
    const capability = parseCapability(raw);
    return capability.kind === 'roomAccountData' && capability.direction === 'receive' && capability.eventType === eventType;
  });
}
