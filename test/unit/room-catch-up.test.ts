import { describe, expect, it } from 'vitest';
import { catchUpFilter, historyIds, joinedEntries, withoutRoomsOutside, withRoomsCaughtUp, type JoinedRoom } from '../../src/background/session/sync/room-catch-up';

const answer = (body: unknown) => new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json', 'content-length': '9999' } });
const ids = (...eventIds: string[]) => eventIds.map((event_id) => ({ event_id }));
const STATE_AFTER = 'org.matrix.msc4222.state_after';

describe('joinedEntries: a caught-up room entry (older) joined to the incremental one (newer)', () => {
  const older: JoinedRoom = {
    timeline: { events: ids('$1', '$2', '$3'), limited: true, prev_batch: 'p-older' },
    [STATE_AFTER]: { events: ids('$topic-old', '$name') },
    account_data: { events: [{ event_id: 'tags-old' }] },
    msc4354_sticky: { events: ids('$sticky-old', '$sticky-both') },
    summary: { 'm.joined_member_count': 2 },
  };

  it('keeps the older events the newer timeline lacks first, and starts the timeline where the older did', () => {
    const newer: JoinedRoom = { timeline: { events: ids('$3', '$4'), limited: false, prev_batch: 'p-newer' }, [STATE_AFTER]: { events: ids('$topic-new') } };
    const joined = joinedEntries(older, newer);
    expect(joined.timeline).toEqual({ events: ids('$1', '$2', '$3', '$4'), limited: true, prev_batch: 'p-older' });
    // State applies in order: the newer entry's changes win.
    expect(joined[STATE_AFTER]).toEqual({ events: ids('$topic-old', '$name', '$topic-new') });
    expect(joined.account_data).toEqual({ events: [{ event_id: 'tags-old' }] });
    expect(joined.msc4354_sticky).toEqual({ events: ids('$sticky-old', '$sticky-both') });
  });

  it('takes the newer timeline as it is when it reaches back past the older one', () => {
    const newer: JoinedRoom = { timeline: { events: ids('$0', '$1', '$2', '$3', '$4'), limited: false, prev_batch: 'p-newer' } };
    expect(joinedEntries(older, newer).timeline).toEqual({ events: ids('$0', '$1', '$2', '$3', '$4'), limited: false, prev_batch: 'p-newer' });
  });

  it('keeps the whole state of the caught-up entry when the newer timeline holds all its events (no MSC4222)', () => {
    // A room with more events since `since` than the catch-up's 20: the incremental entry's `state`
    // is only what changed since `since`, so the caught-up state must come first, then the change.
    const caughtUp: JoinedRoom = {
      timeline: { events: ids('$3', '$4'), limited: true, prev_batch: 'p-older' },
      state: { events: ids('$create', '$power-levels', '$encryption', '$topic-old') },
    };
    const incremental: JoinedRoom = { timeline: { events: ids('$2', '$3', '$4'), limited: false, prev_batch: 'p-newer' }, state: { events: ids('$topic-new') } };
    const joined = joinedEntries(caughtUp, incremental);
    expect(joined.timeline).toEqual({ events: ids('$2', '$3', '$4'), limited: false, prev_batch: 'p-newer' });
    expect(joined.state).toEqual({ events: ids('$create', '$power-levels', '$encryption', '$topic-old', '$topic-new') });
    // Also when the incremental entry has no state section at all.
    expect(joinedEntries(caughtUp, { timeline: incremental.timeline }).state).toEqual(caughtUp.state);
  });

  it('keeps the read receipts of the caught-up entry, then the newer ephemeral events', () => {
    const receipts = { type: 'm.receipt', content: { $1: { 'm.read': { '@bob:hs': { ts: 1 } } } } };
    const typing = { type: 'm.typing', content: { user_ids: ['@bob:hs'] } };
    const joined = joinedEntries({ ...older, ephemeral: { events: [receipts] } }, { timeline: { events: ids('$4') }, ephemeral: { events: [typing] } });
    expect(joined.ephemeral).toEqual({ events: [receipts, typing] });
  });

  it('appends a newer timeline that starts after the older one ended', () => {
    const newer: JoinedRoom = { timeline: { events: ids('$5'), limited: false, prev_batch: 'p-newer' }, msc4354_sticky: { events: ids('$sticky-both', '$sticky-new') } };
    const joined = joinedEntries(older, newer);
    expect(joined.timeline?.events).toEqual(ids('$1', '$2', '$3', '$5'));
    expect(joined.msc4354_sticky).toEqual({ events: ids('$sticky-old', '$sticky-both', '$sticky-new') });
    expect(joined.summary).toEqual({ 'm.joined_member_count': 2 });
  });
});

describe('withRoomsCaughtUp', () => {
  it('adds caught-up rooms the answer lacks and joins those it has', async () => {
    const { answer: merged, history } = await withRoomsCaughtUp(
      answer({ next_batch: 's2', rooms: { join: { '!both': { timeline: { events: ids('$b2') } } } } }),
      { '!both': { timeline: { events: ids('$b1') } }, '!new': { timeline: { events: ids('$n1') } } },
      true,
    );
    expect(merged.headers.get('content-length')).toBeNull();
    expect([...history]).toEqual(['$b1', '$n1']);
    const body = (await merged.json()) as { next_batch: string; rooms: { join: Record<string, JoinedRoom> } };
    expect(body.next_batch).toBe('s2');
    expect(body.rooms.join['!both']?.timeline?.events).toEqual(ids('$b1', '$b2'));
    expect(body.rooms.join['!new']).toEqual({ timeline: { events: ids('$n1') } });
  });
});

describe('historyIds: the events of a room new to the sync that are not news', () => {
  const older: JoinedRoom = { timeline: { events: ids('$2', '$3', '$4'), limited: true } };

  it.each([
    ['every event up to the last caught up, also the newer ones before it', ids('$1', '$2', '$3', '$4', '$5'), ['$1', '$2', '$3', '$4']],
    ['the older events, when the newer timeline starts later', ids('$4', '$5'), ['$2', '$3', '$4']],
    ['all of them, when the newer entry has nothing of the room', undefined, ['$2', '$3', '$4']],
  ] as const)('%s', (_, newerEvents, expected) => {
    const newer = newerEvents ? { timeline: { events: [...newerEvents] } } : undefined;
    expect(historyIds(older, newer)).toEqual(expected);
  });
});

describe('catchUpFilter', () => {
  it('leaves out the rooms sync covers when it asks for every room', () => {
    const filter = catchUpFilter({}, { kind: 'all' }, 'n1', { synced: { kind: 'rooms', roomIds: ['!a', '!b'] } });
    expect(filter.room?.not_rooms).toEqual(['!a', '!b', '!catch-up-n1:invalid']);
  });

  it('asks for every member of a room granted again, not only the recent senders', () => {
    const definition = { room: { state: { lazy_load_members: true } } };
    expect(catchUpFilter(definition, { kind: 'rooms', roomIds: ['!a'] }, 'n1', { withAllMembers: true }).room?.state).toEqual({ lazy_load_members: false });
  });

  it('asks for the new rooms only, nothing global, and never the same request twice', () => {
    const definition = { room: { timeline: { limit: 50 }, state: { lazy_load_members: true } } };
    const filter = catchUpFilter(definition, { kind: 'rooms', roomIds: ['!a'] }, 'n1');
    expect(filter).toEqual({
      presence: { not_types: ['*'] },
      account_data: { not_types: ['*'] },
      room: { rooms: ['!a'], not_rooms: ['!catch-up-n1:invalid'], timeline: { limit: 20 }, state: { lazy_load_members: true } },
    });
    expect(JSON.stringify(catchUpFilter(definition, { kind: 'rooms', roomIds: ['!a'] }, 'n2'))).not.toBe(JSON.stringify(filter));
    expect(catchUpFilter(definition, { kind: 'all' }, 'n3').room?.rooms).toBeUndefined();
  });
});

describe('withoutRoomsOutside', () => {
  const scope = { kind: 'rooms', roomIds: ['!in'] } as const;

  it('drops the entries of rooms outside the scope that only sticky events brought', async () => {
    const filtered = await withoutRoomsOutside(
      answer({ rooms: { join: { '!in': { timeline: { events: [] } }, '!out': { msc4354_sticky: { events: ids('$s') } } } } }),
      scope,
    );
    expect(await filtered.json()).toEqual({ rooms: { join: { '!in': { timeline: { events: [] } } } } });
  });

  it('keeps everything when the scope is every room, or when no sticky section is there', async () => {
    const body = { rooms: { join: { '!out': { timeline: { events: ids('$e') } } } } };
    expect(await (await withoutRoomsOutside(answer(body), { kind: 'all' })).json()).toEqual(body);
    expect(await (await withoutRoomsOutside(answer(body), scope)).json()).toEqual(body);
  });
});
