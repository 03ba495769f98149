// read_events (MSC2876): filtered by type / state key / msgtype, with a sane cap per page, paging
// through a room's whole history (`from`/`dir` with the `next_batch` of the previous page), the
// package's `since`, and several rooms with `m.timeline:` capabilities (each event names its room).
// Encrypted history is returned decrypted. Pages the client's live timeline covers are answered from
// it, without the homeserver (cached-timeline.ts); the answer is the same.
import type { IEvent } from 'matrix-js-sdk';
import { allowsEveryRoom, allowsReceive, allowsRoom, mayReceiveType } from '../../../shared/core/grant-policy';
import { ReadEventsData } from '../../../shared/protocol/widget-api';
import { readCachedTimelinePage, serverToken } from './cached-timeline';
import { joinedRooms, READ_EVENTS_LIMIT_CAP, readStateEvents, readTimelinePage, type Homeserver } from './room-actions';
import { decryptForWidget } from './room-encryption';
import { WidgetRequestRefused } from './widget-errors';
import { parseData, requireBoundRoom, type ActionContext, type ActionResult } from './action-context';

const DEFAULT_LIMIT = 50;
/** How far back `since` is looked for before giving up (pages of READ_EVENTS_LIMIT_CAP events). */
const SINCE_MAX_PAGES = 10;

function isVisible(approved: readonly string[], event: Partial<IEvent>): boolean {
  const msgtype = event.content?.['msgtype'];
  return allowsReceive(approved, {
    eventType: event.type ?? '',
    stateKey: event.state_key,
    msgtype: typeof msgtype === 'string' ? msgtype : undefined,
  });
}

async function roomsToRead(context: ActionContext, approved: string[], roomIds: string[] | '*' | undefined): Promise<string[]> {
  const boundRoom = await context.boundRoom();
  if (roomIds === undefined) return [await requireBoundRoom(context)];
  if (roomIds === '*') {
    if (!allowsEveryRoom(approved)) throw new WidgetRequestRefused('Reading every room needs the m.timeline:* capability');
    return joinedRooms(await context.homeserver());
  }
  const refused = roomIds.filter((roomId) => !allowsRoom(approved, roomId, boundRoom));
  if (refused.length > 0) throw new WidgetRequestRefused(`Not allowed to read ${refused.join(', ')}: no m.timeline capability for it`);
  return roomIds;
}

/**
 * A timeline page with its encrypted events decrypted (those of other types are dropped later):
 * from the client's live timeline when that covers it, else from the homeserver.
 */
async function readReadableTimelinePage(homeserver: Homeserver, roomId: string, type: string, limit: number, from: string | undefined, dir: 'b' | 'f') {
  const cached = await readCachedTimelinePage(homeserver.client, roomId, type, limit, from, dir);
  if (cached) return cached;
  const page = await readTimelinePage(homeserver, roomId, type, limit, await serverToken(homeserver, roomId, from, dir), dir);
  return { ...page, events: await decryptForWidget(homeserver.client, roomId, page.events) };
}

export async function readEvents(context: ActionContext, data: unknown): Promise<ActionResult> {
  const request = parseData(ReadEventsData, data, 'read_events');
  const { type, msgtype, state_key: requestedStateKey, limit, room_ids: roomIds, since, from, dir } = request;
  const approved = await context.approved();
  const rooms = await roomsToRead(context, approved, roomIds);
  const isStateRead = requestedStateKey !== undefined;
  if (!mayReceiveType(approved, type, isStateRead)) {
    context.audit('refused', rooms[0] ?? null, `read ${type}`);
    throw new WidgetRequestRefused(`Not allowed to read ${type} events: the capability was not granted`);
  }
  if ((from !== undefined || since !== undefined) && rooms.length !== 1) {
    throw new WidgetRequestRefused('Paging with from or since reads one room at a time');
  }
  const homeserver = await context.homeserver();
  const cap = Math.min(limit ?? DEFAULT_LIMIT, READ_EVENTS_LIMIT_CAP);
  let events: Partial<IEvent>[] = [];
  let nextBatch: string | undefined;
  if (isStateRead) {
    const stateKey = requestedStateKey === true ? undefined : requestedStateKey;
    for (const roomId of rooms) events.push(...(await readStateEvents(homeserver, roomId, type, stateKey)));
  } else if (since !== undefined && rooms.length === 1) {
    // Newest first, back to (not including) `since`.
    let token: string | undefined;
    for (let page = 0; page < SINCE_MAX_PAGES; page++) {
      const result = await readReadableTimelinePage(homeserver, rooms[0] as string, type, READ_EVENTS_LIMIT_CAP, token, 'b');
      const sinceIndex = result.events.findIndex((event) => event.event_id === since);
      events.push(...(sinceIndex === -1 ? result.events : result.events.slice(0, sinceIndex)));
      token = result.nextBatch;
      if (sinceIndex !== -1 || !token || events.length >= cap) break;
    }
    events = events.slice(0, cap);
  } else {
    for (const roomId of rooms) {
      const result = await readReadableTimelinePage(homeserver, roomId, type, cap, from, dir ?? 'b');
      events.push(...result.events);
      if (rooms.length === 1) nextBatch = result.nextBatch;
    }
  }
  // Each event is checked on its own: a widget holding only `#m.text` must not see `m.notice`.
  const visible = events.filter(
    (event) => event.type === type && isVisible(approved, event) && (msgtype === undefined || event.content?.['msgtype'] === msgtype),
  );
  for (const roomId of rooms) context.markUsed(roomId);
  context.audit('read', rooms.length === 1 ? (rooms[0] ?? null) : null, `${type} ×${visible.length}`);
  return nextBatch === undefined ? { events: visible } : { events: visible, next_batch: nextBatch };
}
