// Which capabilities belong to taking part in a MatrixRTC call (MSC3401, MSC4143, MSC4195 and the
// keys Element Call exchanges), so the approval window can say "take part in calls" once instead of
// listing two dozen event types. Pure.
import type { Capability } from './capability';

/** The call membership event: sending it (as a state or room event) is what joining a call is. */
const MEMBERSHIP_TYPES: ReadonlySet<string> = new Set(['org.matrix.msc3401.call.member', 'org.matrix.msc4143.rtc.member', 'm.rtc.member']);

/** Room events a call client sends and reads besides membership: keys, ringing, declines, reactions. */
const CALL_EVENT_TYPES: ReadonlySet<string> = new Set([
  ...MEMBERSHIP_TYPES,
  'io.element.call.encryption_keys',
  'io.element.call.reaction',
  'org.matrix.msc4075.call.notify',
  'org.matrix.msc4075.rtc.notification',
  'm.rtc.notification',
  'm.call.notify',
  'org.matrix.msc4310.rtc.decline',
  'm.rtc.decline',
]);

/** To-device types of call signalling (1:1 VoIP and per-participant call keys). */
const CALL_TO_DEVICE_TYPES: ReadonlySet<string> = new Set(['io.element.call.encryption_keys', 'org.matrix.call.sdp_stream_metadata_changed']);

/** Call servers: where media flows and how to get there. */
export const CALL_SERVER_CAPABILITIES: ReadonlySet<string> = new Set([
  'org.matrix.msc4515.rtc_transports',
  'org.matrix.msc4533.rtc_livekit_get_token',
  'town.robin.msc3846.turn_servers',
]);

/** A leave the homeserver sends for the user when the page stops refreshing it (MSC4140/MSC4195). */
export const DELAYED_CAPABILITIES: ReadonlySet<string> = new Set([
  'org.matrix.msc4157.send.delayed_event',
  'org.matrix.msc4157.update_delayed_event',
  'org.matrix.msc4533.rtc_livekit_delegate_delayed_leave',
]);

/** Sticky events (MSC4354): MatrixRTC membership stays visible to late joiners through them. */
export const STICKY_CAPABILITIES: ReadonlySet<string> = new Set(['org.matrix.msc4407.send.sticky_event', 'org.matrix.msc4407.receive.sticky_event']);

/** Whether sending this joins a call as the user. */
export function isCallMembershipSend(capability: Capability): boolean {
  return capability.kind === 'event' && capability.direction === 'send' && MEMBERSHIP_TYPES.has(capability.eventType);
}

/** A room event or to-device message of call signalling, in either direction. */
export function isCallSignalling(capability: Capability): boolean {
  if (capability.kind === 'event') return CALL_EVENT_TYPES.has(capability.eventType) || capability.eventType.startsWith('m.call.');
  if (capability.kind === 'toDevice') return CALL_TO_DEVICE_TYPES.has(capability.eventType) || capability.eventType.startsWith('m.call.');
  return false;
}

/** What a call client does with a signalling capability, as the approval window names it. */
export type CallPart = 'membership' | 'keys' | 'ringing' | 'reactions' | 'signalling';

export function callPartOf(capability: Capability): CallPart {
  if (capability.kind === 'event' && MEMBERSHIP_TYPES.has(capability.eventType)) return 'membership';
  if ((capability.kind === 'event' || capability.kind === 'toDevice') && capability.eventType === 'io.element.call.encryption_keys') return 'keys';
  if (capability.kind === 'event' && /notify|notification|decline/.test(capability.eventType)) return 'ringing';
  if (capability.kind === 'event' && capability.eventType === 'io.element.call.reaction') return 'reactions';
  return 'signalling';
}
