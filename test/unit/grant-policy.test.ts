import { describe, expect, it } from 'vitest';
import { allowsReceive, allowsSend, decide, mayReceiveType, mergeDecision } from '../../src/shared/core/grant-policy';

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
