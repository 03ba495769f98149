import { describe, expect, it } from 'vitest';
import {
  allowsEveryRoom,
  allowsReceive,
  allowsRoom,
  allowsSend,
  allowsToDevice,
  decide,
  isCryptoInternalToDeviceType,
  mayReceiveType,
  mergeDecision,
  timelineRooms,
} from '../../src/shared/core/grant-policy';

describe('decide', () => {
  it('asks for everything when nothing was decided', () => {
    expect(decide(['a', 'b'], undefined)).toEqual({ granted: [], denied: [], needsApproval: ['a', 'b'] });
  });

  it('splits by the stored decision and drops duplicates', () => {
    expect(decide(['a', 'b', 'c', 'a'], { granted: ['a'], denied: ['b'] })).toEqual({
      granted: ['a'],
      denied: ['b'],
      needsApproval: ['c'],
    });
  });

  it('never grants what was not requested', () => {
    expect(decide([], { granted: ['a'], denied: [] }).granted).toEqual([]);
  });
});

describe('mergeDecision', () => {
  it('lets the newer word on a capability win', () => {
    const first = mergeDecision(undefined, ['a'], ['b']);
    expect(mergeDecision(first, ['b'], ['a'])).toEqual({ granted: ['b'], denied: ['a'] });
  });
});

describe('allowsSend / allowsReceive', () => {
  const TABLE: [string, string[], Parameters<typeof allowsSend>[1], boolean][] = [
    ['any message', ['m.send.event:m.room.message'], { eventType: 'm.room.message', msgtype: 'm.notice' }, true],
    ['msgtype refinement matches', ['m.send.event:m.room.message#m.text'], { eventType: 'm.room.message', msgtype: 'm.text' }, true],
    ['msgtype refinement differs', ['m.send.event:m.room.message#m.text'], { eventType: 'm.room.message', msgtype: 'm.notice' }, false],
    ['refinement needs a msgtype', ['m.send.event:m.room.message#m.text'], { eventType: 'm.room.message' }, false],
    ['room event cap does not cover state', ['m.send.event:m.room.topic'], { eventType: 'm.room.topic', stateKey: '' }, false],
    ['state cap does not cover room events', ['m.send.state_event:m.room.topic'], { eventType: 'm.room.topic' }, false],
    ['state key refinement matches', ['m.send.state_event:m.room.member#@a:x'], { eventType: 'm.room.member', stateKey: '@a:x' }, true],
    ['state key refinement differs', ['m.send.state_event:m.room.member#@a:x'], { eventType: 'm.room.member', stateKey: '@b:x' }, false],
    ['empty state key refinement', ['m.send.state_event:m.room.name#'], { eventType: 'm.room.name', stateKey: '' }, true],
    ['unstable spelling', ['org.matrix.msc2762.send.event:m.reaction'], { eventType: 'm.reaction' }, true],
    ['receive cap does not allow sending', ['m.receive.event:m.room.message'], { eventType: 'm.room.message' }, false],
    ['other type', ['m.send.event:m.room.message'], { eventType: 'm.reaction' }, false],
    ['nothing granted', [], { eventType: 'm.room.message' }, false],
    ['escaped hash in type', ['m.send.event:a\\#b'], { eventType: 'a#b' }, true],
  ];

  it.each(TABLE)('send: %s', (_name, approved, event, expected) => {
    expect(allowsSend(approved, event)).toBe(expected);
  });

  it('receive needs a receive capability', () => {
    expect(allowsReceive(['m.receive.event:m.room.message'], { eventType: 'm.room.message', msgtype: 'm.text' })).toBe(true);
    expect(allowsReceive(['m.send.event:m.room.message'], { eventType: 'm.room.message' })).toBe(false);
  });

  it('knows when some refinement of a type may be read', () => {
    expect(mayReceiveType(['m.receive.event:m.room.message#m.text'], 'm.room.message', false)).toBe(true);
    expect(mayReceiveType(['m.receive.state_event:m.room.message'], 'm.room.message', false)).toBe(false);
  });
});

describe('rooms: the bound room and m.timeline', () => {
  const TABLE: [string, string[], string, string | null, boolean][] = [
    ['the bound room, nothing else granted', [], '!a:hs', '!a:hs', true],
    ['another room without timeline', ['m.send.event:m.room.message'], '!b:hs', '!a:hs', false],
    ['another room with its timeline', ['m.timeline:!b:hs'], '!b:hs', '!a:hs', true],
    ['a third room with another room timeline', ['m.timeline:!b:hs'], '!c:hs', '!a:hs', false],
    ['any room with the wildcard', ['org.matrix.msc2762.timeline:*'], '!z:hs', '!a:hs', true],
    ['no bound room and no timeline', [], '!a:hs', null, false],
  ];
  it.each(TABLE)('%s', (_name, approved, roomId, bound, expected) => {
    expect(allowsRoom(approved, roomId, bound)).toBe(expected);
  });

  it('tells the wildcard from named rooms', () => {
    expect(allowsEveryRoom(['m.timeline:*'])).toBe(true);
    expect(allowsEveryRoom(['m.timeline:!a:hs'])).toBe(false);
    expect(timelineRooms(['m.timeline:!a:hs', 'm.timeline:*', 'org.matrix.msc2762.timeline:!b:hs'])).toEqual(['!a:hs', '!b:hs']);
  });

  it('keeps wildcard timeline grants when deciding, like any capability', () => {
    expect(decide(['m.timeline:*', 'm.timeline:!a:hs'], { granted: ['m.timeline:*'], denied: ['m.timeline:!a:hs'] })).toEqual({
      granted: ['m.timeline:*'],
      denied: ['m.timeline:!a:hs'],
      needsApproval: [],
    });
  });
});

describe('to-device', () => {
  it.each([
    'm.call.invite', 'm.call.candidates', 'm.call.sdp_stream_metadata_changed', 'm.rtc.notification', 'io.element.call.encryption_keys',
    'org.matrix.call.sdp_stream_metadata_changed', 'org.example.game.move', 'org.example.keyboard', 'com.example.secretary',
  ])('lets the widget type %s through when granted', (eventType) => {
    expect(isCryptoInternalToDeviceType(eventType)).toBe(false);
    expect(allowsToDevice([`m.send.to_device:${eventType}`], 'send', eventType)).toBe(true);
  });

  it('allows a granted type in its direction only', () => {
    const approved = ['org.matrix.msc3819.send.to_device:org.example.call'];
    expect(allowsToDevice(approved, 'send', 'org.example.call')).toBe(true);
    expect(allowsToDevice(approved, 'receive', 'org.example.call')).toBe(false);
    expect(allowsToDevice(approved, 'send', 'org.example.other')).toBe(false);
  });

  it.each([
    'm.room_key', 'm.room_key_request', 'm.forwarded_room_key', 'm.secret.send', 'm.secret.request', 'm.key.verification.start',
    'm.room.encrypted', 'm.dummy', 'm.room_key.withheld', 'm.some_future_crypto_type',
    'org.matrix.room_key.withheld', 'io.element.msc4268.room_key_bundle', 'org.matrix.msc3814.dehydrated_device', 'org.example.olm.session',
    'org.matrix.msc4108.secret.send', 'org.matrix.key.verification.request', 'org.example.megolm_keys', 'org.example.cross_signing.upload',
  ])(
    'refuses the crypto-internal type %s even when granted',
    (eventType) => {
      expect(isCryptoInternalToDeviceType(eventType)).toBe(true);
      expect(allowsToDevice([`m.send.to_device:${eventType}`, `m.receive.to_device:${eventType}`], 'send', eventType)).toBe(false);
      expect(allowsToDevice([`m.receive.to_device:${eventType}`], 'receive', eventType)).toBe(false);
    },
  );
});
