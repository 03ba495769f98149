// The create events of room version 12 rooms, put back into /sync answers filtered by room.
import { describe, expect, it } from 'vitest';
import { createEventId, withCreateEvents } from '../../src/background/session/sync/create-events';

const V12 = '!hashOfTheCreateEvent';
const V11 = '!old:hs.example';
const create = { type: 'm.room.create', state_key: '', event_id: `$hashOfTheCreateEvent`, sender: '@bob:hs', content: { room_version: '12' } };
const topic = { type: 'm.room.topic', state_key: '', event_id: '$topic', sender: '@bob:hs', content: { topic: 't' } };
const answer = (join: Record<string, unknown>) => new Response(JSON.stringify({ next_batch: 's1', rooms: { join } }), { status: 200, headers: { 'content-length': '1' } });

function reader(events: Record<string, unknown> = { [create.event_id]: create }) {
  const asked: string[] = [];
  return {
    asked,
    read: async (roomId: string, eventId: string) => {
      asked.push(`${roomId} ${eventId}`);
      return events[eventId] as { type?: string } | undefined;
    },
  };
}

describe('createEventId', () => {
  it('is the room ID’s hash in room version 12, and unknown before', () => {
    expect(createEventId(V12)).toBe('$hashOfTheCreateEvent');
    expect(createEventId(V11)).toBeUndefined();
  });
});

describe('withCreateEvents', () => {
  it('puts the create event first in the state of a v12 room entry that lacks it (state or MSC4222 state_after)', async () => {
    const { read, asked } = reader();
    const fixed = await withCreateEvents(
      answer({ [V12]: { state: { events: [topic] }, timeline: { events: [] } }, [V11]: { state: { events: [topic] } } }),
      'every room',
      read,
    );
    const body = (await fixed.json()) as { rooms: { join: Record<string, { state: { events: unknown[] } }> } };
    expect(body.rooms.join[V12]?.state.events).toEqual([create, topic]);
    expect(body.rooms.join[V11]?.state.events).toEqual([topic]);
    expect(asked).toEqual([`${V12} ${create.event_id}`]);
    expect(fixed.headers.get('content-length')).toBeNull();

    const after = await withCreateEvents(answer({ [V12]: { 'org.matrix.msc4222.state_after': { events: [topic] } } }), [V12], read);
    expect(((await after.json()) as { rooms: { join: Record<string, Record<string, { events: unknown[] }>> } }).rooms.join[V12]?.['org.matrix.msc4222.state_after']?.events).toEqual([create, topic]);
  });

  it('asks nothing for entries that have it, rooms it was not asked about, or older room versions', async () => {
    const { read, asked } = reader();
    const join = { [V12]: { timeline: { events: [create] } }, '!other': { state: { events: [] } }, [V11]: {} };
    const same = await withCreateEvents(answer(join), [V12, V11], read);
    expect(await same.json()).toEqual({ next_batch: 's1', rooms: { join } });
    expect(asked).toEqual([]);
  });

  it('leaves the entry as it is when the create event cannot be read', async () => {
    const { read } = reader({});
    const join = { [V12]: { state: { events: [topic] } } };
    expect(await (await withCreateEvents(answer(join), 'every room', read)).json()).toEqual({ next_batch: 's1', rooms: { join } });
  });
});
