// What a whole capability request lets a widget do, as a person would say it: "Take part in calls in
// this room", "Send messages as you in every room you are in". Computed from the request as a whole
// (effective power), so `m.timeline:*` widens every room-bound intent and no sentence claims less than
// the grant allows. Pure; the words are message keys (see capability-description.ts).
import {
  CALL_SERVER_CAPABILITIES,
  DELAYED_CAPABILITIES,
  STICKY_CAPABILITIES,
  callPartOf,
  isCallMembershipSend,
  isCallSignalling,
  type CallPart,
} from './call-capabilities';
import { OPENID_CAPABILITY, parseCapability, type Capability } from './capability';
import type { Message } from './capability-description';

/** How far an intent reaches: acting as the user first, then identity, reading, unknown, nothing. */
export type Tone = 'acts' | 'identity' | 'reads' | 'unknown' | 'inert';

export type Intent = {
  id: string;
  tone: Tone;
  message: Message;
  /** What exactly, shown after the sentence (event types, settings, call parts). */
  items: (string | Message)[];
  /** The requested capabilities behind this intent. */
  capabilities: string[];
};

const message = (key: string, ...substitutions: (string | Message)[]): Message => ({ key, substitutions });

/** Intents in the order the window lists them; the tone of each, and whether it is bound to rooms. */
const INTENTS: readonly { id: string; tone: Tone; key: string; isRoomBound: boolean }[] = [
  { id: 'call', tone: 'acts', key: 'intentCall', isRoomBound: true },
  { id: 'sendMessages', tone: 'acts', key: 'intentSendMessages', isRoomBound: true },
  { id: 'react', tone: 'acts', key: 'intentReact', isRoomBound: true },
  { id: 'redact', tone: 'acts', key: 'intentRedact', isRoomBound: true },
  { id: 'sendEvents', tone: 'acts', key: 'intentSendEvents', isRoomBound: true },
  { id: 'changeMembership', tone: 'acts', key: 'intentChangeMembership', isRoomBound: true },
  { id: 'changePowerLevels', tone: 'acts', key: 'intentChangePowerLevels', isRoomBound: true },
  { id: 'changeJoinRules', tone: 'acts', key: 'intentChangeJoinRules', isRoomBound: true },
  { id: 'changeEncryption', tone: 'acts', key: 'intentChangeEncryption', isRoomBound: true },
  { id: 'changeName', tone: 'acts', key: 'intentChangeName', isRoomBound: true },
  { id: 'changeTopic', tone: 'acts', key: 'intentChangeTopic', isRoomBound: true },
  { id: 'changeAvatar', tone: 'acts', key: 'intentChangeAvatar', isRoomBound: true },
  { id: 'changeWidgets', tone: 'acts', key: 'intentChangeWidgets', isRoomBound: true },
  { id: 'changeState', tone: 'acts', key: 'intentChangeState', isRoomBound: true },
  { id: 'changeRoomData', tone: 'acts', key: 'intentChangeRoomData', isRoomBound: true },
  { id: 'sendToDevice', tone: 'acts', key: 'intentSendToDevice', isRoomBound: false },
  { id: 'upload', tone: 'acts', key: 'intentUpload', isRoomBound: false },
  { id: 'delayed', tone: 'acts', key: 'intentDelayed', isRoomBound: false },
  { id: 'stickySend', tone: 'acts', key: 'intentStickySend', isRoomBound: false },
  { id: 'openid', tone: 'identity', key: 'intentOpenId', isRoomBound: false },
  { id: 'seeMessages', tone: 'reads', key: 'intentSeeMessages', isRoomBound: true },
  { id: 'seeEvents', tone: 'reads', key: 'intentSeeEvents', isRoomBound: true },
  { id: 'seeCalls', tone: 'reads', key: 'intentSeeCalls', isRoomBound: true },
  { id: 'seeMembers', tone: 'reads', key: 'intentSeeMembers', isRoomBound: true },
  { id: 'readSettings', tone: 'reads', key: 'intentReadSettings', isRoomBound: true },
  { id: 'readState', tone: 'reads', key: 'intentReadState', isRoomBound: true },
  { id: 'readRoomData', tone: 'reads', key: 'intentReadRoomData', isRoomBound: true },
  { id: 'callServers', tone: 'reads', key: 'intentCallServers', isRoomBound: true },
  { id: 'receiveToDevice', tone: 'reads', key: 'intentReceiveToDevice', isRoomBound: false },
  { id: 'stickyReceive', tone: 'reads', key: 'intentStickyReceive', isRoomBound: true },
  { id: 'directory', tone: 'reads', key: 'intentDirectory', isRoomBound: false },
  { id: 'download', tone: 'reads', key: 'intentDownload', isRoomBound: false },
  { id: 'unknown', tone: 'unknown', key: 'intentUnknown', isRoomBound: false },
  { id: 'otherRooms', tone: 'inert', key: 'intentOtherRoomsOnly', isRoomBound: true },
  { id: 'inert', tone: 'inert', key: 'intentInert', isRoomBound: false },
];

/** State a person thinks of as the room's settings; each a `setting_…` message. */
const SETTINGS: Readonly<Record<string, string>> = {
  'm.room.create': 'setting_create',
  'm.room.name': 'setting_name',
  'm.room.topic': 'setting_topic',
  'm.room.avatar': 'setting_avatar',
  'm.room.encryption': 'setting_encryption',
  'm.room.join_rules': 'setting_join_rules',
  'm.room.power_levels': 'setting_power_levels',
  'm.room.history_visibility': 'setting_history_visibility',
  'm.room.canonical_alias': 'setting_address',
  'm.room.guest_access': 'setting_guest_access',
  'm.room.pinned_events': 'setting_pinned',
  'm.room.server_acl': 'setting_server_acl',
  'm.room.tombstone': 'setting_tombstone',
  'im.vector.modular.widgets': 'setting_widgets',
  'm.widget': 'setting_widgets',
};

/** State whose change is its own intent; every other state type is "change the room's … state". */
const STATE_CHANGES: Readonly<Record<string, string>> = {
  'm.room.member': 'changeMembership',
  'm.room.power_levels': 'changePowerLevels',
  'm.room.join_rules': 'changeJoinRules',
  'm.room.encryption': 'changeEncryption',
  'm.room.name': 'changeName',
  'm.room.topic': 'changeTopic',
  'm.room.avatar': 'changeAvatar',
  'im.vector.modular.widgets': 'changeWidgets',
  'm.widget': 'changeWidgets',
};

/** Capabilities this host knows and that allow nothing on a web page; each an `inert_…` message. */
const INERT: Readonly<Record<string, string>> = {
  'm.always_on_screen': 'inert_always_on_screen',
  'm.capability.screenshot': 'inert_screenshot',
  'm.sticker': 'inert_sticker',
  'org.matrix.msc2931.navigate': 'inert_navigate',
  'io.element.requires_client': 'inert_requires_client',
};

const KNOWN_OTHER: Readonly<Record<string, string>> = {
  'org.matrix.msc4039.upload_file': 'upload',
  'org.matrix.msc4039.download_file': 'download',
  'org.matrix.msc3973.user_directory_search': 'directory',
  'org.matrix.msc4515.rtc_transports': 'callServers',
  'org.matrix.msc4533.rtc_livekit_get_token': 'callServers',
  'town.robin.msc3846.turn_servers': 'callServers',
  'org.matrix.msc4157.send.delayed_event': 'delayed',
  'org.matrix.msc4157.update_delayed_event': 'delayed',
  'org.matrix.msc4533.rtc_livekit_delegate_delayed_leave': 'delayed',
  'org.matrix.msc4407.send.sticky_event': 'stickySend',
  'org.matrix.msc4407.receive.sticky_event': 'stickyReceive',
};

const CALL_PART_ITEMS: Readonly<Record<CallPart | 'servers' | 'leave' | 'sticky', string>> = {
  membership: 'callPart_membership',
  keys: 'callPart_keys',
  ringing: 'callPart_ringing',
  reactions: 'callPart_reactions',
  signalling: 'callPart_signalling',
  servers: 'callPart_servers',
  leave: 'callPart_leave',
  sticky: 'callPart_sticky',
};

/** What taking part in a call means, most telling first: joining as the user before the details. */
const CALL_PART_ORDER = ['membership', 'keys', 'servers', 'leave', 'sticky', 'ringing', 'reactions', 'signalling'].map((part) => `callPart_${part}`);

function inCallOrder(items: (string | Message)[]): (string | Message)[] {
  const rank = (item: string | Message) => CALL_PART_ORDER.indexOf(typeof item === 'string' ? item : item.key);
  return [...items].sort((a, b) => rank(a) - rank(b));
}

/** The rooms an intent reaches, as a phrase: the picked room, some more, or every room. */
function scopeOf(parsed: readonly Capability[], boundRoomId: string | undefined): Message {
  const others = new Set<string>();
  for (const capability of parsed) {
    if (capability.kind !== 'timeline') continue;
    if (capability.roomId === '*') return message('scopeEveryRoom');
    if (capability.roomId !== boundRoomId) others.add(capability.roomId);
  }
  if (others.size === 0) return message('scopeThisRoom');
  return others.size === 1 ? message('scopeOneMoreRoom') : message('scopeMoreRooms', String(others.size));
}

type Entry = { raw: string; capability: Capability };

/** The intent a capability belongs to, and what to list for it; `undefined` when it is only scope. */
function classify({ raw, capability }: Entry, isCall: boolean, boundRoomId: string | undefined): { id: string; item?: string | Message } | undefined {
  if (raw === OPENID_CAPABILITY) return { id: 'openid' };
  if (isCall && isCallSignalling(capability)) return { id: 'call', item: message(CALL_PART_ITEMS[callPartOf(capability)]) };
  switch (capability.kind) {
    case 'timeline':
      // The picked room is what every intent already means by "this room": it adds nothing.
      return capability.roomId === boundRoomId ? { id: 'inert', item: message('inert_same_room') } : undefined;
    case 'toDevice':
      return { id: capability.direction === 'send' ? 'sendToDevice' : 'receiveToDevice', item: capability.eventType };
    case 'roomAccountData':
      return { id: capability.direction === 'send' ? 'changeRoomData' : 'readRoomData', item: capability.eventType };
    case 'other': {
      const inert = INERT[raw];
      if (inert) return { id: 'inert', item: message(inert) };
      const id = KNOWN_OTHER[raw];
      if (id === undefined) return { id: 'unknown', item: raw };
      if (isCall && (CALL_SERVER_CAPABILITIES.has(raw) || DELAYED_CAPABILITIES.has(raw) || STICKY_CAPABILITIES.has(raw))) {
        const part = CALL_SERVER_CAPABILITIES.has(raw) ? 'servers' : DELAYED_CAPABILITIES.has(raw) ? 'leave' : 'sticky';
        return { id: 'call', item: message(CALL_PART_ITEMS[part]) };
      }
      return { id };
    }
    case 'event':
      return classifyEvent(capability);
  }
}

function classifyEvent(capability: Extract<Capability, { kind: 'event' }>): { id: string; item?: string | Message } {
  const { direction, isState, eventType, refinement } = capability;
  if (isCallSignalling(capability) && direction === 'receive') return { id: 'seeCalls' };
  if (isState) {
    if (direction === 'send') {
      const id = STATE_CHANGES[eventType] ?? 'changeState';
      return id === 'changeState' ? { id, item: eventType } : { id };
    }
    if (eventType === 'm.room.member') return { id: 'seeMembers' };
    const setting = SETTINGS[eventType];
    return setting ? { id: 'readSettings', item: message(setting) } : { id: 'readState', item: eventType };
  }
  if (eventType === 'm.room.message') {
    // A msgtype refinement narrows it: name the msgtypes; without one, any message.
    return { id: direction === 'send' ? 'sendMessages' : 'seeMessages', ...(refinement === undefined ? {} : { item: refinement }) };
  }
  if (direction === 'send' && eventType === 'm.reaction') return { id: 'react' };
  if (direction === 'send' && eventType === 'm.room.redaction') return { id: 'redact' };
  return { id: direction === 'send' ? 'sendEvents' : 'seeEvents', item: eventType };
}

/**
 * The intents of a request, most far-reaching first. `boundRoomId` is the room the user picks (an
 * `m.timeline:` for it is "this room"). Every capability lands in one intent, and an `m.timeline:` that
 * widens the scope in each room-bound intent it widens.
 */
export function describeIntents(requested: readonly string[], boundRoomId: string | undefined): Intent[] {
  const entries = [...new Set(requested)].map((raw) => ({ raw, capability: parseCapability(raw) }));
  const parsed = entries.map((entry) => entry.capability);
  const isCall = parsed.some(isCallMembershipSend);
  const scope = scopeOf(parsed, boundRoomId);
  const byId = new Map<string, { items: (string | Message)[]; capabilities: string[]; isWhole: boolean }>();
  const reachers: string[] = [];
  for (const entry of entries) {
    const found = classify(entry, isCall, boundRoomId);
    if (found === undefined) {
      reachers.push(entry.raw);
      continue;
    }
    const bucket = byId.get(found.id) ?? { items: [], capabilities: [], isWhole: false };
    bucket.capabilities.push(entry.raw);
    // Messages: an unrefined capability means every msgtype, so listing some would claim less.
    if (found.item === undefined) bucket.isWhole = true;
    else if (!bucket.items.some((item) => JSON.stringify(item) === JSON.stringify(found.item))) bucket.items.push(found.item);
    byId.set(found.id, bucket);
  }
  const reachesRooms = INTENTS.some(({ id, isRoomBound }) => isRoomBound && byId.has(id));
  if (reachers.length > 0 && !reachesRooms) byId.set('otherRooms', { items: [], capabilities: [], isWhole: true });
  return INTENTS.filter(({ id }) => byId.has(id)).map(({ id, tone, key, isRoomBound }) => {
    const bucket = byId.get(id)!;
    const isMessageIntent = id === 'sendMessages' || id === 'seeMessages';
    return {
      id,
      tone,
      message: id === 'unknown' ? message(key) : isRoomBound ? message(key, scope) : message(key),
      items: isMessageIntent && bucket.isWhole ? [] : id === 'call' ? inCallOrder(bucket.items) : bucket.items,
      // The m.timeline: capabilities are why a room-bound intent reaches further.
      capabilities: isRoomBound ? [...bucket.capabilities, ...reachers] : bucket.capabilities,
    };
  });
}
