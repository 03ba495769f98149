// The scoped sync in the client's fetch (issue #8), against a fake homeserver: what js-sdk gets back
// when a room is caught up, and which of its events it is told are history.
import { describe, expect, it } from 'vitest';
import { ScopedSync } from '../../src/background/session/sync/scoped-sync';
import type { SyncScope } from '../../src/shared/core/sync-scope';

const HS = 'https://hs.example/_matrix/client/v3/sync';
const rooms = (...roomIds: string[]): SyncScope => ({ kind: 'rooms', roomIds });
const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
const timeline = (...eventIds: string[]) => ({ events: eventIds.map((event_id) => ({ event_id, type: 'm.room.message', sender: '@bob:hs', content: {} })) });

type Seen = { catchUp: boolean; filter: { room?: { rooms?: string[]; not_rooms?: string[] } } };

/** A homeserver that answers catch-ups (no `since`) and incremental syncs with the given functions. */
function homeserver(answers: { catchUp: (filter: Seen['filter']) => Response; incremental: () => Response }): { fetch: typeof fetch; seen: Seen[] } {
  const seen: Seen[] = [];
  const fetchFn: typeof fetch = async (input) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const catchUp = !url.searchParams.has('since');
    const filter = JSON.parse(url.searchParams.get('filter') ?? '{}') as Seen['filter'];
    seen.push({ catchUp, filter });
    return catchUp ? answers.catchUp(filter) : answers.incremental();
  };
  return { fetch: fetchFn, seen };
}

const syncUrl = (since: string) => `${HS}?filter=${encodeURIComponent('{"room":{"timeline":{"limit":50}}}')}&timeout=20000&since=${since}`;

describe('ScopedSync', () => {
  it.each([
    ['401 M_UNKNOWN_TOKEN (token refresh or logout)', 401, { errcode: 'M_UNKNOWN_TOKEN', error: 'expired', soft_logout: true }, undefined],
    ['429 with Retry-After', 429, { errcode: 'M_LIMIT_EXCEEDED', error: 'slow down', retry_after_ms: 2000 }, '2'],
  ])('answers js-sdk with a failed catch-up as it came: %s', async (_, status, body, retryAfter) => {
    const headers: Record<string, string> = retryAfter === undefined ? {} : { 'retry-after': retryAfter };
    const server = homeserver({ catchUp: () => json(body, status, headers), incremental: () => json({ next_batch: 's2' }) });
    // A client resuming a saved sync catches up every room in scope with its first request.
    const scoped = new ScopedSync(server.fetch, {}, rooms('!a:hs'));
    const answer = await scoped.fetch(syncUrl('s1'));
    expect(answer.status).toBe(status);
    expect(await answer.json()).toEqual(body);
    expect(answer.headers.get('retry-after')).toBe(retryAfter ?? null);
    // Nothing more was asked: js-sdk decides what comes next.
    expect(server.seen.map((request) => request.catchUp)).toEqual([true]);
  });

  it('catches up again after a failed catch-up', async () => {
    let failing = true;
    const server = homeserver({
      catchUp: () => (failing ? json({ errcode: 'M_UNKNOWN' }, 500) : json({ rooms: { join: { '!a:hs': { timeline: timeline('$1') } } } })),
      incremental: () => json({ next_batch: 's2' }),
    });
    const scoped = new ScopedSync(server.fetch, {}, rooms('!a:hs'));
    expect((await scoped.fetch(syncUrl('s1'))).status).toBe(500);
    failing = false;
    const answer = (await (await scoped.fetch(syncUrl('s1'))).json()) as { rooms: { join: Record<string, unknown> } };
    expect(Object.keys(answer.rooms.join)).toEqual(['!a:hs']);
  });

  it('tells which events of a newly granted room are history: those up to the last one the catch-up brought', async () => {
    const server = homeserver({
      catchUp: (filter) =>
        filter.room?.rooms?.includes('!b:hs')
          ? json({ rooms: { join: { '!b:hs': { timeline: { ...timeline('$2', '$3'), limited: true } } } } })
          : json({ rooms: { join: {} } }),
      // Since the old `since` (before the grant): $1..$3, and $4, sent while the grant was caught up.
      incremental: () => json({ next_batch: 's3', rooms: { join: { '!b:hs': { timeline: timeline('$1', '$2', '$3', '$4') } } } }),
    });
    const told: string[][] = [];
    const scoped = new ScopedSync(server.fetch, {}, rooms('!a:hs'), { onHistory: (history) => told.push([...history]) });
    // The first answer: the client resumed, so !a is caught up.
    await scoped.fetch(syncUrl('s1'));
    scoped.setScope(rooms('!a:hs', '!b:hs'));
    await scoped.fetch(syncUrl('s2'));
    expect(server.seen.map((request) => [request.catchUp, request.filter.room?.rooms])).toEqual([
      [true, ['!a:hs']],
      [false, ['!a:hs']],
      [true, ['!b:hs']],
      [false, ['!a:hs', '!b:hs']],
    ]);
    expect(told.at(-1)).toEqual(['$1', '$2', '$3']);
  });

  it('on resuming a saved sync, tells no history: a stopped worker may not have handed those events on', async () => {
    const server = homeserver({
      catchUp: () => json({ rooms: { join: { '!a:hs': { timeline: { ...timeline('$1', '$2', '$3'), limited: true } } } } }),
      incremental: () => json({ next_batch: 's2', rooms: { join: { '!a:hs': { timeline: timeline('$3', '$4') } } } }),
    });
    const told: string[][] = [];
    const scoped = new ScopedSync(server.fetch, {}, rooms('!a:hs'), { onHistory: (history) => told.push([...history]) });
    await scoped.fetch(syncUrl('s1'));
    expect(told).toEqual([[]]);
  });

  it('catches up every room but those it syncs already when every room joins the scope (m.timeline:*)', async () => {
    const server = homeserver({ catchUp: () => json({ rooms: { join: {} } }), incremental: () => json({ next_batch: 's2' }) });
    const scoped = new ScopedSync(server.fetch, {}, rooms('!a:hs'));
    await scoped.fetch(syncUrl('s1'));
    scoped.setScope({ kind: 'all' });
    await scoped.fetch(syncUrl('s2'));
    const everyRoom = server.seen[2];
    expect(everyRoom?.catchUp).toBe(true);
    expect(everyRoom?.filter.room?.rooms).toBeUndefined();
    expect(everyRoom?.filter.room?.not_rooms?.[0]).toBe('!a:hs');
  });
});
