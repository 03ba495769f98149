// A widget's activity as sentences (issue #16): an answered request with nothing allowed reads as one
// sentence that names what was asked, never "was granted" with nothing after it.
import { describe, expect, it } from 'vitest';
import { describeActivity, type ActivityEntry } from '../../src/shared/core/activity';
import type { Message } from '../../src/shared/core/capability-description';
import messages from '../../public/_locales/en/messages.json';

const SEND = 'org.matrix.msc2762.send.event:m.room.message';
const RECEIVE = 'org.matrix.msc2762.receive.event:m.room.message';
const ROOM = '!room:hs';

function keysOf(message: Message): string[] {
  return [message.key, ...message.substitutions.flatMap((part) => (typeof part === 'string' ? [] : keysOf(part)))];
}

const entry = (at: number, action: ActivityEntry['action'], detail: string, roomId: string | null = ROOM): ActivityEntry => ({ at, action, roomId, detail });

describe('describeActivity', () => {
  it('reads a request whose window was closed as one sentence with what was asked', () => {
    // What capability-negotiation.ts recorded, before issue #18, when the window closed: an empty grant first.
    const lines = describeActivity([entry(1, 'asked', `${SEND} ${RECEIVE}`), entry(2, 'granted', '', null), entry(2, 'denied', `${SEND} ${RECEIVE}`, null)]);
    expect(lines.map((line) => line.message.key)).toEqual(['activity_nothingAllowed', 'activity_asked']);
    expect(lines[0]!.items.map((item) => item.key)).toEqual(['intentSendMessages', 'intentSeeMessages']);
    expect(lines.every((line) => line.message.key !== 'activity_granted')).toBe(true);
  });

  it('reads a lone denial with no room (nothing granted, as recorded now) as the same sentence', () => {
    const lines = describeActivity([entry(1, 'asked', `${SEND} ${RECEIVE}`), entry(2, 'denied', `${SEND} ${RECEIVE}`, null)]);
    expect(lines.map((line) => line.message.key)).toEqual(['activity_nothingAllowed', 'activity_asked']);
    expect(lines[0]!.items.map((item) => item.key)).toEqual(['intentSendMessages', 'intentSeeMessages']);
  });

  it('keeps a grant with its intents, then the part that was denied, newest first', () => {
    const lines = describeActivity([entry(1, 'asked', `${SEND} ${RECEIVE}`), entry(2, 'granted', SEND), entry(2, 'denied', RECEIVE)]);
    expect(lines.map((line) => [line.message.key, line.items.map((item) => item.key)])).toEqual([
      ['activity_denied', ['intentSeeMessages']],
      ['activity_granted', ['intentSendMessages']],
      ['activity_asked', ['intentSendMessages', 'intentSeeMessages']],
    ]);
  });

  it('says what was sent, read, refused and revoked, with the recorded detail', () => {
    const lines = describeActivity([
      entry(1, 'sent', 'm.room.message'),
      entry(2, 'read', 'm.room.message ×3'),
      entry(3, 'refused', 'send m.room.message'),
      entry(4, 'revoked', SEND),
      entry(5, 'revoked', 'everything'),
    ]);
    expect(lines.map((line) => [line.message.key, line.detail])).toEqual([
      ['activity_revokedAll', null],
      ['activity_revoked', null],
      ['activity_refused', 'send m.room.message'],
      ['activity_read', 'm.room.message ×3'],
      ['activity_sent', 'm.room.message'],
    ]);
  });

  it('words template facts and OpenID like the approval window', () => {
    const [line] = describeActivity([entry(1, 'asked', 'org.matrix.widget_bridge.url_fact:userId org.matrix.msc1960.get_openid', null)]);
    expect(line!.items.map((item) => item.key)).toEqual(['capUrlFact', 'intentOpenId']);
  });

  it('only produces keys that exist in en', () => {
    const all: ActivityEntry['action'][] = ['asked', 'granted', 'denied', 'sent', 'read', 'refused', 'revoked'];
    const lines = describeActivity([...all.map((action, index) => entry(index, action, SEND)), entry(9, 'granted', ''), entry(10, 'revoked', 'everything')]);
    const keys = lines.flatMap((line) => [line.message.key, ...line.items.flatMap(keysOf)]);
    expect(keys.filter((key) => !(key in messages))).toEqual([]);
  });
});
