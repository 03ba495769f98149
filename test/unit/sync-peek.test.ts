// Clear events handed on as a sync arrives (issue #8): only what js-sdk would forward as live events
// anyway, in room order, and the answer still reaches js-sdk whole.
import { describe, expect, it } from 'vitest';
import { HandedOnEarly, leadingClearEvents, peekingSyncs, type ClearEvents } from '../../src/background/session/sync/sync-peek';

const message = (id: string) => ({ event_id: `$${id}`, type: 'm.room.message', sender: '@bob:hs', content: { body: id }, origin_server_ts: 1 });
const encrypted = (id: string) => ({ event_id: `$${id}`, type: 'm.room.encrypted', sender: '@bob:hs', content: { ciphertext: 'x' }, origin_server_ts: 1 });
const sync = (join: Record<string, unknown>) => ({ next_batch: 's2', rooms: { join } });
const ids = (found: ClearEvents[]) => found.map(({ roomId, events }) => [roomId, events.map((event) => event.event_id)]);

describe('leadingClearEvents', () => {
  it.each([
    ['clear events of each joined room, in order', sync({ '!a:hs': { timeline: { events: [message('1'), message('2')] } }, '!b:hs': { timeline: { events: [message('3')] } } }), [['!a:hs', ['$1', '$2']], ['!b:hs', ['$3']]]],
    ['up to the first encrypted event: what follows waits for it', sync({ '!a:hs': { timeline: { events: [message('1'), encrypted('2'), message('3')] } } }), [['!a:hs', ['$1']]]],
    ['nothing of a room that starts encrypted', sync({ '!a:hs': { timeline: { events: [encrypted('1'), message('2')] } } }), []],
    ['nothing of a limited timeline: its gap is read back first', sync({ '!a:hs': { timeline: { limited: true, events: [message('1')] } }, '!b:hs': { timeline: { limited: false, events: [message('2')] } } }), [['!b:hs', ['$2']]]],
    ['up to a malformed event', sync({ '!a:hs': { timeline: { events: [message('1'), { event_id: '$2', type: 'm.room.message', sender: '@bob:hs' }, message('3')] } } }), [['!a:hs', ['$1']]]],
    ['up to an id js-sdk refuses', sync({ '!a:hs': { timeline: { events: [message('1'), { ...message('2'), sender: '__proto__' }, message('3')] } } }), [['!a:hs', ['$1']]]],
    ['no room named like a prototype key', { rooms: { join: JSON.parse('{"__proto__": {"timeline": {"events": [{"event_id": "$1", "type": "m.room.message", "sender": "@b:hs", "content": {}}]}}}') } }, []],
    ['nothing of invited or left rooms', { rooms: { invite: { '!a:hs': {} }, leave: { '!b:hs': { timeline: { events: [message('1')] } } } } }, []],
    ['nothing of an answer without rooms', { next_batch: 's2' }, []],
    ['nothing of something that is not a sync', 'not json', []],
    ['nothing of null', null, []],
  ])('%s', (_, answer, expected) => {
    expect(ids(leadingClearEvents(answer))).toEqual(expected);
  });
});

/** A homeserver's answer; `rebuilt`: as scoped-sync.ts hands it on, without a Content-Length. */
function fakeFetch(body: unknown, { status = 200, rebuilt = false }: { status?: number; rebuilt?: boolean } = {}): typeof fetch {
  const text = JSON.stringify(body);
  const headers: Record<string, string> = { 'content-type': 'application/json', ...(rebuilt ? {} : { 'content-length': String(text.length) }) };
  return async () => new Response(text, { status, headers });
}

const answer = sync({ '!a:hs': { timeline: { events: [message('1')] } } });
const largeAnswer = { ...answer, padding: 'x'.repeat(600 * 1024) };
const SYNC_URL = 'https://hs.example/_matrix/client/v3/sync?filter=1&timeout=20000&since=s1';

describe('peekingSyncs', () => {
  it('hands on the clear events of an incremental sync before the caller has the answer, which it still gets whole', async () => {
    const seen: string[] = [];
    const peeking = peekingSyncs(fakeFetch(answer), (found) => seen.push(`peeked ${JSON.stringify(ids(found))}`));
    const response = await peeking(SYNC_URL);
    seen.push('answered');
    expect(seen).toEqual([`peeked ${JSON.stringify([['!a:hs', ['$1']]])}`, 'answered']);
    expect(await response.json()).toEqual(answer);
  });

  it.each([
    ['a first sync (no since: nothing in it is live)', 'https://hs.example/_matrix/client/v3/sync?filter=1&timeout=0', {}],
    ['another endpoint', 'https://hs.example/_matrix/client/v3/rooms/!a:hs/messages?since=s1', {}],
    ['an error answer', SYNC_URL, { status: 502 }],
  ])('leaves %s to js-sdk alone', async (_, url, options) => {
    let peeked = 0;
    const response = await peekingSyncs(fakeFetch(answer, options), () => peeked++)(url);
    expect(peeked).toBe(0);
    expect(await response.json()).toEqual(answer);
  });

  it.each([
    ['as the homeserver sent it', false],
    ['rebuilt by the scoped sync (no Content-Length)', true],
  ])('leaves a large answer to js-sdk alone, %s', async (_, rebuilt) => {
    let peeked = 0;
    const response = await peekingSyncs(fakeFetch(largeAnswer, { rebuilt }), () => peeked++)(SYNC_URL);
    expect(peeked).toBe(0);
    expect(await response.json()).toEqual(largeAnswer);
  });

  it('passes on an answer it cannot read, for js-sdk to report', async () => {
    let peeked = 0;
    const broken: typeof fetch = async () => new Response('{"rooms": ', { status: 200 });
    const response = await peekingSyncs(broken, () => peeked++)(SYNC_URL);
    expect(peeked).toBe(0);
    expect(await response.text()).toBe('{"rooms": ');
  });
});

describe('HandedOnEarly', () => {
  it('says once that an event went early, and forgets the oldest beyond its bound', () => {
    const early = new HandedOnEarly();
    for (let index = 0; index < 1001; index++) early.add(`$${index}`);
    expect(early.take('$1000')).toBe(true);
    expect(early.take('$1000')).toBe(false);
    expect(early.take('$1')).toBe(true);
    expect(early.take('$0')).toBe(false);
    expect(early.take(undefined)).toBe(false);
  });
});
