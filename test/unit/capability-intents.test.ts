// Issue #14: the approval window leads with intents computed from the whole request, and no sentence
// claims less than what the grant allows.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeCapability, type Message } from '../../src/shared/core/capability-description';
import { describeIntents, type Intent } from '../../src/shared/core/capability-intents';
import messages from '../../public/_locales/en/messages.json';

const ROOM = '!call:example.org';
const USER = '@ann:example.org';
const DEVICE = 'EXTDEVICE';

/** Renders a message the way the browser's i18n does, from the English messages. */
function render(message: Message): string {
  const entry = (messages as Record<string, { message: string; placeholders?: Record<string, { content: string }> }>)[message.key];
  if (!entry) throw new Error(`no message ${message.key}`);
  const substitutions = message.substitutions.map((part) => (typeof part === 'string' ? part : render(part)));
  return entry.message.replace(/\$([A-Z_]+)\$/g, (_, name: string) => {
    const content = entry.placeholders?.[name.toLowerCase()]?.content ?? '';
    return substitutions[Number(content.slice(1)) - 1] ?? '';
  });
}

const sentence = (intent: Intent) => render(intent.message);
const byId = (intents: Intent[], id: string) => intents.find((intent) => intent.id === id);

/** What Element Call 0.26 asks for in widget mode (its room widget client's request), 54 capabilities. */
function elementCallRequest(): string[] {
  const sendEvents = ['org.matrix.msc4075.call.notify', 'org.matrix.msc4075.rtc.notification'];
  const sendReceive = [
    'org.matrix.rageshake_request', 'io.element.call.encryption_keys', 'm.reaction', 'm.room.redaction',
    'io.element.call.reaction', 'org.matrix.msc4310.rtc.decline', 'org.matrix.msc4143.rtc.member',
  ];
  const memberKeys = [USER, `_${USER}_${DEVICE}_m.call`, `${USER}_${DEVICE}_m.call`];
  const readState = ['m.room.create', 'm.room.name', 'm.room.member', 'm.room.encryption', 'org.matrix.msc3401.call.member'];
  const toDevice = [
    'm.call.invite', 'm.call.candidates', 'm.call.answer', 'm.call.hangup', 'm.call.reject', 'm.call.select_answer',
    'm.call.negotiate', 'm.call.sdp_stream_metadata_changed', 'org.matrix.call.sdp_stream_metadata_changed',
    'm.call.replaces', 'io.element.call.encryption_keys',
  ];
  return [
    'm.always_on_screen',
    'org.matrix.msc4039.download_file',
    `org.matrix.msc2762.timeline:${ROOM}`,
    ...[...sendEvents, ...sendReceive].map((type) => `org.matrix.msc2762.send.event:${type}`),
    ...sendReceive.map((type) => `org.matrix.msc2762.receive.event:${type}`),
    ...memberKeys.map((key) => `org.matrix.msc2762.send.state_event:org.matrix.msc3401.call.member#${key}`),
    ...readState.map((type) => `org.matrix.msc2762.receive.state_event:${type}`),
    ...toDevice.map((type) => `org.matrix.msc3819.send.to_device:${type}`),
    ...toDevice.map((type) => `org.matrix.msc3819.receive.to_device:${type}`),
    'org.matrix.msc4515.rtc_transports',
    'org.matrix.msc4157.send.delayed_event',
    'org.matrix.msc4157.update_delayed_event',
    'org.matrix.msc4407.send.sticky_event',
    'org.matrix.msc4407.receive.sticky_event',
  ];
}

describe('describeIntents', () => {
  it("says Element Call's 54 capabilities as a handful of intents, calls first, in this room", () => {
    const request = elementCallRequest();
    expect(request).toHaveLength(54);
    const intents = describeIntents(request, ROOM);
    expect(intents[0]?.id).toBe('call');
    expect(sentence(intents[0]!)).toBe('Take part in calls in this room');
    const callParts = intents[0]!.items.map((item) => render(item as Message));
    expect(callParts).toEqual(
      expect.arrayContaining([
        'join and leave calls as you, from this browser',
        "exchange call encryption keys with the other participants' devices",
        'get call servers and access tokens',
        expect.stringContaining('even after you close the page'),
      ]),
    );
    expect(intents.length).toBeLessThanOrEqual(10);
    const texts = intents.map(sentence);
    expect(texts).toEqual(expect.arrayContaining(['React to messages as you in this room', 'See who is in this room', 'Read the settings of this room']));
    expect(texts.join(' ')).not.toMatch(/another room|every room/);
    // Always-on-screen is known, and said to allow nothing.
    const inert = byId(intents, 'inert')!;
    expect(inert.capabilities).toContain('m.always_on_screen');
    expect(inert.capabilities).toContain(`org.matrix.msc2762.timeline:${ROOM}`);
    expect(byId(intents, 'unknown')).toBeUndefined();
  });

  it('covers every requested capability', () => {
    const request = elementCallRequest();
    const covered = new Set(describeIntents(request, ROOM).flatMap((intent) => intent.capabilities));
    expect(request.filter((raw) => !covered.has(raw))).toEqual([]);
  });

  it('widens every room-bound intent to every room with m.timeline:*, sending included', () => {
    const intents = describeIntents(['m.send.event:m.room.message', 'm.receive.event:m.room.message', 'm.timeline:*'], ROOM);
    expect(intents.map(sentence)).toEqual(['Send messages as you in every room you are in', 'See messages in every room you are in']);
    expect(intents[0]!.capabilities).toContain('m.timeline:*');
    const call = describeIntents([...elementCallRequest(), 'm.timeline:*'], ROOM);
    expect(sentence(call[0]!)).toBe('Take part in calls in every room you are in');
    expect(render(describeCapability('m.timeline:*', ROOM).message)).toMatch(/^Send.*every room/);
  });

  it('calls the bound room this room, and counts other rooms', () => {
    expect(describeIntents(['m.send.event:m.reaction', `m.timeline:${ROOM}`], ROOM).map(sentence)).toEqual([
      'React to messages as you in this room',
      'Things a web page has no place for: they allow nothing here',
    ]);
    expect(render(describeCapability(`m.timeline:${ROOM}`, ROOM).message)).not.toMatch(/another room/);
    const one = describeIntents(['m.send.event:m.reaction', `m.timeline:${ROOM}`, 'm.timeline:!other:hs'], ROOM);
    expect(sentence(one[0]!)).toBe('React to messages as you in this room and one more room');
    const two = describeIntents(['m.receive.state_event:m.room.member', 'm.timeline:!a:hs', 'm.timeline:!b:hs'], ROOM);
    expect(sentence(two[0]!)).toBe('See who is in this room and 2 more rooms');
  });

  it('says when a room is reached for nothing', () => {
    expect(describeIntents(['m.timeline:*'], ROOM).map(sentence)).toEqual(['Reach every room you are in, though it asked for nothing to do there']);
  });

  it('names msgtypes only when the widget is limited to them', () => {
    expect(byId(describeIntents(['m.send.event:m.room.message#m.text', 'm.send.event:m.room.message#m.emote'], ROOM), 'sendMessages')?.items).toEqual([
      'm.text',
      'm.emote',
    ]);
    expect(byId(describeIntents(['m.send.event:m.room.message#m.text', 'm.send.event:m.room.message'], ROOM), 'sendMessages')?.items).toEqual([]);
  });

  it('puts what acts for the user above identity, reading, unknown and nothing', () => {
    const intents = describeIntents(
      ['m.always_on_screen', 'org.example.mystery', 'm.receive.event:m.room.message', 'org.matrix.msc1960.get_openid', 'm.send.state_event:m.room.name'],
      ROOM,
    );
    expect(intents.map((intent) => intent.tone)).toEqual(['acts', 'identity', 'reads', 'unknown', 'inert']);
    expect(sentence(intents[0]!)).toBe('Change the name of this room');
    expect(byId(intents, 'unknown')?.items).toEqual(['org.example.mystery']);
  });

  it('keeps call capabilities apart when the widget does not join calls', () => {
    const intents = describeIntents(
      ['m.receive.state_event:org.matrix.msc3401.call.member', 'org.matrix.msc3819.send.to_device:m.call.invite', 'org.matrix.msc4157.send.delayed_event'],
      ROOM,
    );
    expect(intents.map((intent) => intent.id)).toEqual(['sendToDevice', 'delayed', 'seeCalls']);
  });

  it('has every message key an intent can produce, for any request', () => {
    const keysOf = (message: Message): string[] => [message.key, ...message.substitutions.flatMap((part) => (typeof part === 'string' ? [] : keysOf(part)))];
    const prefixes = [
      'm.send.event:', 'm.receive.event:', 'm.send.state_event:', 'm.receive.state_event:', 'm.send.to_device:', 'm.receive.to_device:',
      'com.beeper.capabilities.receive.room_account_data:', 'com.beeper.capabilities.send.room_account_data:', 'm.timeline:', '',
    ];
    const types = ['m.room.message', 'm.room.name', 'm.room.member', 'm.room.power_levels', 'm.widget', 'org.matrix.msc3401.call.member', 'io.element.call.encryption_keys', 'm.reaction', 'm.room.redaction', 'x.y', '*', '!r:hs', 'm.always_on_screen', 'org.matrix.msc4039.upload_file', 'org.matrix.msc1960.get_openid', 'org.matrix.msc4407.send.sticky_event'];
    const capability = fc.tuple(fc.constantFrom(...prefixes), fc.constantFrom(...types)).map(([prefix, type]) => prefix + type);
    fc.assert(
      fc.property(fc.array(capability, { maxLength: 12 }), (request) => {
        const intents = describeIntents(request, '!r:hs');
        const missing = intents.flatMap((intent) => [intent.message, ...intent.items.filter((item): item is Message => typeof item !== 'string')]).flatMap(keysOf).filter((key) => !(key in messages));
        const covered = new Set(intents.flatMap((intent) => intent.capabilities));
        return missing.length === 0 && request.every((raw) => covered.has(raw));
      }),
    );
  });
});
