// Parses MSC2762 capability strings into tagged values, and formats them back. Pure: no browser,
// storage or SDK imports. Policy code works on the tagged values and never on string prefixes.

export type Spelling = 'stable' | 'unstable';
export type Direction = 'send' | 'receive';

export type EventCapability = {
  kind: 'event';
  spelling: Spelling;
  direction: Direction;
  isState: boolean;
  eventType: string;
  /**
   * After an unescaped `#`: the state key for state events, the msgtype for `m.room.message`.
   * `undefined` means "any"; `''` is the empty state key.
   */
  refinement: string | undefined;
};

export type TimelineCapability = {
  kind: 'timeline';
  spelling: Spelling;
  /** A room ID, or `'*'` for every room the user is in. */
  roomId: string;
};

/** MSC3819: sending or receiving to-device messages of one event type. */
export type ToDeviceCapability = {
  kind: 'toDevice';
  spelling: Spelling;
  direction: Direction;
  eventType: string;
};

/** Reading a room's account data of one type (matrix-widget-api's com.beeper capability). */
export type RoomAccountDataCapability = { kind: 'roomAccountData'; direction: Direction; eventType: string };

/** Capabilities without structure this host interprets (e.g. `m.always_on_screen`) or unknown ones. */
export type OtherCapability = { kind: 'other'; raw: string };

export type Capability = EventCapability | TimelineCapability | ToDeviceCapability | RoomAccountDataCapability | OtherCapability;

const EVENT_PREFIXES: readonly { prefix: string; spelling: Spelling; direction: Direction; isState: boolean }[] = [
  { prefix: 'm.send.event:', spelling: 'stable', direction: 'send', isState: false },
  { prefix: 'm.receive.event:', spelling: 'stable', direction: 'receive', isState: false },
  { prefix: 'm.send.state_event:', spelling: 'stable', direction: 'send', isState: true },
  { prefix: 'm.receive.state_event:', spelling: 'stable', direction: 'receive', isState: true },
  { prefix: 'org.matrix.msc2762.send.event:', spelling: 'unstable', direction: 'send', isState: false },
  { prefix: 'org.matrix.msc2762.receive.event:', spelling: 'unstable', direction: 'receive', isState: false },
  { prefix: 'org.matrix.msc2762.send.state_event:', spelling: 'unstable', direction: 'send', isState: true },
  { prefix: 'org.matrix.msc2762.receive.state_event:', spelling: 'unstable', direction: 'receive', isState: true },
];

const TO_DEVICE_PREFIXES: readonly { prefix: string; spelling: Spelling; direction: Direction }[] = [
  { prefix: 'm.send.to_device:', spelling: 'stable', direction: 'send' },
  { prefix: 'm.receive.to_device:', spelling: 'stable', direction: 'receive' },
  { prefix: 'org.matrix.msc3819.send.to_device:', spelling: 'unstable', direction: 'send' },
  { prefix: 'org.matrix.msc3819.receive.to_device:', spelling: 'unstable', direction: 'receive' },
];

const ROOM_ACCOUNT_DATA_PREFIXES: readonly { prefix: string; direction: Direction }[] = [
  { prefix: 'com.beeper.capabilities.receive.room_account_data:', direction: 'receive' },
  { prefix: 'com.beeper.capabilities.send.room_account_data:', direction: 'send' },
];

const TIMELINE_PREFIXES: readonly { prefix: string; spelling: Spelling }[] = [
  { prefix: 'm.timeline:', spelling: 'stable' },
  { prefix: 'org.matrix.msc2762.timeline:', spelling: 'unstable' },
];

/**
 * Splits `eventType[#refinement]`. MSC2762: `\` escapes a literal `#` or `\` in the event type;
 * the first unescaped `#` starts the refinement, which is taken verbatim.
 */
function splitEventSegment(segment: string): { eventType: string; refinement: string | undefined } {
  let eventType = '';
  for (let index = 0; index < segment.length; index++) {
    const char = segment[index];
    const next = segment[index + 1];
    if (char === '\\' && (next === '#' || next === '\\')) {
      eventType += next;
      index++;
    } else if (char === '#') {
      return { eventType, refinement: segment.slice(index + 1) };
    } else {
      eventType += char;
    }
  }
  return { eventType, refinement: undefined };
}

function escapeEventType(eventType: string): string {
  return eventType.replace(/[\\#]/g, (char) => `\\${char}`);
}

/**
 * Not a capability a widget requests: the name under which the user's consent to `get_openid` is
 * asked and remembered (MSC1960 has no capability string of its own).
 */
export const OPENID_CAPABILITY = 'org.matrix.msc1960.get_openid';

/** Parses one capability string. Never throws: anything unrecognised is `{ kind: 'other' }`. */
export function parseCapability(raw: string): Capability {
  for (const { prefix, spelling, direction, isState } of EVENT_PREFIXES) {
    if (raw.startsWith(prefix)) {
      const { eventType, refinement } = splitEventSegment(raw.slice(prefix.length));
      // "." and ".." name no event type a request could carry safely (they are URL dot segments).
      if (eventType === '' || eventType === '.' || eventType === '..') return { kind: 'other', raw };
      return { kind: 'event', spelling, direction, isState, eventType, refinement };
    }
  }
  for (const { prefix, spelling, direction } of TO_DEVICE_PREFIXES) {
    if (raw.startsWith(prefix)) {
      const eventType = raw.slice(prefix.length);
      if (eventType === '' || eventType === '.' || eventType === '..') return { kind: 'other', raw };
      return { kind: 'toDevice', spelling, direction, eventType };
    }
  }
  for (const { prefix, direction } of ROOM_ACCOUNT_DATA_PREFIXES) {
    if (raw.startsWith(prefix)) {
      const eventType = raw.slice(prefix.length);
      if (eventType === '' || eventType === '.' || eventType === '..') return { kind: 'other', raw };
      return { kind: 'roomAccountData', direction, eventType };
    }
  }
  for (const { prefix, spelling } of TIMELINE_PREFIXES) {
    if (raw.startsWith(prefix)) {
      const roomId = raw.slice(prefix.length);
      if (roomId !== '*' && !roomId.startsWith('!')) return { kind: 'other', raw };
      return { kind: 'timeline', spelling, roomId };
    }
  }
  return { kind: 'other', raw };
}

/** The inverse of {@link parseCapability}: `formatCapability(parseCapability(s)) === s` for canonical input. */
export function formatCapability(capability: Capability): string {
  switch (capability.kind) {
    case 'other':
      return capability.raw;
    case 'timeline':
      return `${capability.spelling === 'stable' ? 'm.timeline:' : 'org.matrix.msc2762.timeline:'}${capability.roomId}`;
    case 'roomAccountData':
      return `${ROOM_ACCOUNT_DATA_PREFIXES.find((entry) => entry.direction === capability.direction)?.prefix ?? ''}${capability.eventType}`;
    case 'toDevice': {
      const entry = TO_DEVICE_PREFIXES.find((candidate) => candidate.spelling === capability.spelling && candidate.direction === capability.direction);
      return `${entry?.prefix ?? ''}${capability.eventType}`;
    }
    case 'event': {
      const entry = EVENT_PREFIXES.find(
        (candidate) =>
          candidate.spelling === capability.spelling &&
          candidate.direction === capability.direction &&
          candidate.isState === capability.isState,
      );
      // EVENT_PREFIXES covers every combination of the three fields.
      const prefix = entry?.prefix ?? '';
      const refinement = capability.refinement === undefined ? '' : `#${capability.refinement}`;
      return `${prefix}${escapeEventType(capability.eventType)}${refinement}`;
    }
  }
}
