import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatCapability, parseCapability, type Capability } from '../../src/shared/core/capability';

// Examples from MSC2762 (and its escaping rule), in both spellings.
const TABLE: [string, Capability][] = [
  ['m.send.event:m.room.message', { kind: 'event', spelling: 'stable', direction: 'send', isState: false, eventType: 'm.room.message', refinement: undefined }],
  ['m.send.event:m.room.message#m.text', { kind: 'event', spelling: 'stable', direction: 'send', isState: false, eventType: 'm.room.message', refinement: 'm.text' }],
  ['m.receive.event:m.reaction', { kind: 'event', spelling: 'stable', direction: 'receive', isState: false, eventType: 'm.reaction', refinement: undefined }],
  ['m.receive.state_event:m.room.topic', { kind: 'event', spelling: 'stable', direction: 'receive', isState: true, eventType: 'm.room.topic', refinement: undefined }],
  ['m.send.state_event:m.room.name#', { kind: 'event', spelling: 'stable', direction: 'send', isState: true, eventType: 'm.room.name', refinement: '' }],
  ['m.send.state_event:org.example.call#@alice:example.org', { kind: 'event', spelling: 'stable', direction: 'send', isState: true, eventType: 'org.example.call', refinement: '@alice:example.org' }],
  ['m.send.state_event:org.example#key#with#hashes', { kind: 'event', spelling: 'stable', direction: 'send', isState: true, eventType: 'org.example', refinement: 'key#with#hashes' }],
  ['m.send.event:org.example.with\\#hash', { kind: 'event', spelling: 'stable', direction: 'send', isState: false, eventType: 'org.example.with#hash', refinement: undefined }],
  ['m.send.state_event:org.example\\\\#key', { kind: 'event', spelling: 'stable', direction: 'send', isState: true, eventType: 'org.example\\', refinement: 'key' }],
  ['org.matrix.msc2762.send.event:m.room.message', { kind: 'event', spelling: 'unstable', direction: 'send', isState: false, eventType: 'm.room.message', refinement: undefined }],
  ['org.matrix.msc2762.receive.state_event:m.room.member#@bob:example.org', { kind: 'event', spelling: 'unstable', direction: 'receive', isState: true, eventType: 'm.room.member', refinement: '@bob:example.org' }],
  ['m.timeline:!room:example.org', { kind: 'timeline', spelling: 'stable', roomId: '!room:example.org' }],
  ['org.matrix.msc2762.timeline:*', { kind: 'timeline', spelling: 'unstable', roomId: '*' }],
  ['m.timeline:#alias:example.org', { kind: 'other', raw: 'm.timeline:#alias:example.org' }],
  ['m.send.event:', { kind: 'other', raw: 'm.send.event:' }],
  // URL dot segments name no event type (a "." type would address another state endpoint).
  ['m.send.state_event:.', { kind: 'other', raw: 'm.send.state_event:.' }],
  ['m.send.state_event:..#x', { kind: 'other', raw: 'm.send.state_event:..#x' }],
  ['m.always_on_screen', { kind: 'other', raw: 'm.always_on_screen' }],
  ['org.matrix.msc3819.send.to_device:io.element.call.encryption_keys', { kind: 'toDevice', spelling: 'unstable', direction: 'send', eventType: 'io.element.call.encryption_keys' }],
  ['m.receive.to_device:org.example', { kind: 'toDevice', spelling: 'stable', direction: 'receive', eventType: 'org.example' }],
  ['m.send.to_device:', { kind: 'other', raw: 'm.send.to_device:' }],
  ['com.beeper.capabilities.receive.room_account_data:m.fully_read', { kind: 'roomAccountData', direction: 'receive', eventType: 'm.fully_read' }],
  ['', { kind: 'other', raw: '' }],
];

describe('parseCapability', () => {
  it.each(TABLE)('parses %j', (raw, expected) => {
    expect(parseCapability(raw)).toEqual(expected);
  });

  it.each(TABLE)('formats %j back to itself', (raw, parsed) => {
    expect(formatCapability(parsed)).toBe(raw);
  });

  it('never throws, whatever the string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (raw) => {
        parseCapability(raw);
      }),
      { numRuns: 20_000 },
    );
  });

  it('parse ∘ format is the identity on event capabilities, escapes included', () => {
    const eventType = fc
      .string({ minLength: 1, unit: fc.constantFrom('a', '.', '#', '\\', 'm', '_', 'é', '@', ':') })
      .filter((type) => type !== '.' && type !== '..');
    const capability = fc.record({
      kind: fc.constant('event' as const),
      spelling: fc.constantFrom('stable' as const, 'unstable' as const),
      direction: fc.constantFrom('send' as const, 'receive' as const),
      isState: fc.boolean(),
      eventType,
      refinement: fc.option(fc.string({ unit: 'binary' }), { nil: undefined }),
    });
    fc.assert(
      fc.property(capability, (value) => {
        expect(parseCapability(formatCapability(value))).toEqual(value);
      }),
      { numRuns: 20_000 },
    );
  });
});
