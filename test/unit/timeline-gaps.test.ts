// Gaps of limited syncs read back (timeline-gaps.ts) and the live events around them (live-events.ts),
// against a fake client: what is read back, and when nothing must be.
import { EventEmitter } from 'node:events';
import { ClientEvent, MatrixEvent, RoomEvent, type MatrixClient, type Room } from 'matrix-js-sdk';
import { describe, expect, it } from 'vitest';
import { LiveEvents } from '../../src/background/session/sync/live-events';
import { TimelineGaps } from '../../src/background/session/sync/timeline-gaps';

const event = (eventId: string, roomId = '!a:hs') => new MatrixEvent({ event_id: eventId, room_id: roomId, type: 'm.room.message', sender: '@bob:hs', content: { body: eventId } });

/** A homeserver with `history` (oldest first) before the timelines' start: /messages pages it backwards. */
function fakeClient(history: string[] = Array.from({ length: 5_000 }, (_, index) => `$old${index}`)) {
  const pagesRead: string[] = [];
  const emitter = new EventEmitter();
  const client = Object.assign(emitter, {
    createMessagesRequest: async (_roomId: string, from: string, limit: number) => {
      pagesRead.push(from);
      const end = from === 'start' ? history.length : Number(from);
      const chunk = history.slice(Math.max(0, end - limit), end).reverse().map((eventId) => ({ event_id: eventId, type: 'm.room.message', sender: '@bob:hs', content: {} }));
      return { chunk, end: String(Math.max(0, end - limit)) };
    },
    getEventMapper: () => (raw: Record<string, unknown>) => new MatrixEvent(raw),
  });
  return { client: client as unknown as MatrixClient & EventEmitter, pagesRead };
}

/** A room whose new live timeline starts at the pagination token 'start' and holds `events` so far. */
function fakeRoom(roomId = '!a:hs') {
  const events: MatrixEvent[] = [];
  const timeline = { getPaginationToken: () => 'start', getEvents: () => events };
  const timelineSet = {};
  const room = { roomId, getLiveTimeline: () => timeline, getUnfilteredTimelineSet: () => timelineSet } as unknown as Room;
  return { room, events, timelineSet };
}

async function settled(gaps: { isFilling(): boolean } | { isFillingGaps(): boolean }): Promise<void> {
  const isBusy = () => ('isFilling' in gaps ? gaps.isFilling() : gaps.isFillingGaps());
  for (let turn = 0; turn < 200 && isBusy(); turn++) await new Promise((resolve) => setTimeout(resolve, 1));
  expect(isBusy()).toBe(false);
}

describe('TimelineGaps', () => {
  it('reads back a real gap: from the new timeline’s start to the last live event, in order', async () => {
    const { client, pagesRead } = fakeClient(['$1', '$2', '$3', '$4', '$5']);
    const forwarded: string[] = [];
    const gaps = new TimelineGaps((_, each) => forwarded.push(each.getId() ?? ''));
    gaps.live('!a:hs', event('$2'));
    const { room, events } = fakeRoom();
    gaps.reset(client, room);
    events.push(event('$6'));
    gaps.syncProcessed();
    await settled(gaps);
    expect(pagesRead).toEqual(['start']);
    expect(forwarded).toEqual(['$2', '$3', '$4', '$5']);
  });

  it('reads nothing back when the new timeline holds the last live event (a caught-up room)', async () => {
    const { client, pagesRead } = fakeClient();
    const forwarded: string[] = [];
    const gaps = new TimelineGaps((_, each) => forwarded.push(each.getId() ?? ''));
    gaps.live('!a:hs', event('$5'));
    const { room, events } = fakeRoom();
    gaps.reset(client, room);
    // js-sdk adds the answer's events after it reset the timeline; the last live event is among them.
    events.push(event('$4'), event('$5'), event('$6'));
    gaps.live('!a:hs', event('$6'));
    gaps.syncProcessed();
    await settled(gaps);
    expect(pagesRead).toEqual([]);
    expect(forwarded).toEqual(['$5', '$6']);
  });

  it('keeps no place for a room outside the scope, even from an answer asked for before the revoke', async () => {
    const { client, pagesRead } = fakeClient();
    const gaps = new TimelineGaps(() => undefined);
    gaps.live('!b:hs', event('$1', '!b:hs'));
    gaps.keepOnly((roomId) => roomId !== '!b:hs');
    // The answer fetched under the old scope is processed after the revoke.
    gaps.live('!b:hs', event('$2', '!b:hs'));
    gaps.passed('!b:hs', '$3');
    // Granted again: the room is caught up, its timeline reset; the time it was out is no gap.
    gaps.keepOnly(() => true);
    gaps.reset(client, fakeRoom('!b:hs').room);
    gaps.syncProcessed();
    await settled(gaps);
    expect(pagesRead).toEqual([]);
  });
});

describe('LiveEvents', () => {
  const live = { liveEvent: true } as const;

  it('hands on no history a caught-up room brings, in the peek or from js-sdk', () => {
    const { client } = fakeClient();
    const events = new LiveEvents(() => undefined);
    const forwarded: string[] = [];
    events.onLiveEvent((_, each) => forwarded.push(each.getId() ?? ''));
    events.follow(client);
    const { room } = fakeRoom();
    events.noteHistory(new Set(['$1', '$2']));
    events.handOnEarly([{ roomId: '!a:hs', events: [{ event_id: '$1', type: 'm.room.message', sender: '@bob:hs', content: {} }] }]);
    for (const id of ['$1', '$2', '$3']) client.emit(RoomEvent.Timeline, event(id), room, false, false, live);
    client.emit(ClientEvent.Sync, 'SYNCING', 'SYNCING');
    expect(forwarded).toEqual(['$3']);
    // History is for that answer only.
    client.emit(RoomEvent.Timeline, event('$2b'), room, false, false, live);
    expect(forwarded).toEqual(['$3', '$2b']);
  });

  it('starts afresh with a new client: a reset there reads nothing back across the pause', async () => {
    const first = fakeClient();
    const events = new LiveEvents(() => undefined);
    events.follow(first.client);
    const { room, timelineSet } = fakeRoom();
    first.client.emit(RoomEvent.Timeline, event('$5'), room, false, false, live);
    // Sync paused and resumed: a new client, whose first answer catches the room up (limited).
    const second = fakeClient();
    events.follow(second.client);
    second.client.emit(RoomEvent.TimelineReset, room, timelineSet, true);
    second.client.emit(ClientEvent.Sync, 'SYNCING', 'PREPARED');
    await settled(events);
    expect(second.pagesRead).toEqual([]);
  });
});
