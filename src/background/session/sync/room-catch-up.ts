// Rooms that join the sync scope (issue #8), brought in as an initial sync brings a room: its full
// state, recent timeline, room account data and active MSC4354 sticky events. An incremental sync
// with an older `since` would bring such a room only once something happened there, and then only
// what changed. So one filtered initial sync (no `since`) asks for the new rooms only, and its room
// entries are joined to the incremental answer js-sdk asked for, which carries on from there.
// Also drops what Synapse sends for rooms outside the filter (see `withoutRoomsOutside`).
// Works on the JSON of /sync answers only; never changes what the homeserver said about a room.
import type { IFilterDefinition } from 'matrix-js-sdk';
import { NO_ROOMS, scopeHas, type SyncScope } from '../../../shared/core/sync-scope';

type RawEvent = { event_id?: string; type?: string; [field: string]: unknown };
type Events = { events?: RawEvent[] };
export type JoinedRoom = {
  timeline?: Events & { limited?: boolean; prev_batch?: string };
  state?: Events;
  'org.matrix.msc4222.state_after'?: Events;
  account_data?: Events;
  ephemeral?: Events;
  msc4354_sticky?: Events;
  summary?: Record<string, unknown>;
  [field: string]: unknown;
};
type SyncAnswer = { rooms?: { join?: Record<string, JoinedRoom> } };

const STATE_AFTER = 'org.matrix.msc4222.state_after';
/** As many recent events as the first sync gives a room (`initialSyncLimit`). */
const CATCH_UP_TIMELINE_LIMIT = 20;
const NOTHING = { not_types: ['*'] };

/**
 * The filter of the catch-up request: the sync's own room filter for `rooms` (or every room but the
 * `synced` ones), every member in the state when `withAllMembers`, nothing global (presence,
 * account data: the incremental answer has what changed). Synapse keeps a finished /sync answer
 * for two minutes and hands it out again for the same request; a stale copy joined to a fresh
 * answer would turn back state changes made in between. So every catch-up excludes a room that
 * cannot exist, named by `nonce`: another request, the same rooms.
 */
export function catchUpFilter(
  definition: IFilterDefinition,
  rooms: SyncScope,
  nonce: string,
  { synced = NO_ROOMS, withAllMembers = false }: { synced?: SyncScope; withAllMembers?: boolean } = {},
): IFilterDefinition {
  const room = { ...definition.room, timeline: { ...definition.room?.timeline, limit: CATCH_UP_TIMELINE_LIMIT } };
  if (withAllMembers) room.state = { ...room.state, lazy_load_members: false };
  if (rooms.kind === 'rooms') room.rooms = [...rooms.roomIds];
  else delete room.rooms;
  // Every room (`m.timeline:*` granted): not those sync already covers, which carry on as they are.
  const alreadySynced = rooms.kind === 'all' && synced.kind === 'rooms' ? synced.roomIds : [];
  room.not_rooms = [...(room.not_rooms ?? []), ...alreadySynced, `!catch-up-${nonce}:invalid`];
  return { ...definition, presence: NOTHING, account_data: NOTHING, room };
}

/**
 * The joined-room entries of an initial sync with `filter`. It acknowledges nothing (to-device
 * messages stay queued for the real sync) and does not mark the user online. A failed answer is
 * handed back as it came (`failed`), to be js-sdk's answer to its own /sync: js-sdk then reacts
 * to the homeserver's word (401 M_UNKNOWN_TOKEN: token refresh or logout; 429: Retry-After), which
 * a thrown error would hide behind a generic connection error.
 */
export async function catchUpRooms(
  fetchFn: typeof fetch,
  syncUrl: URL,
  init: RequestInit,
  filter: IFilterDefinition,
): Promise<{ rooms: Record<string, JoinedRoom> } | { failed: Response }> {
  const url = new URL(syncUrl);
  // MSC4222's state_after, as js-sdk asks for it: both entries of a room then say state the same way.
  url.search = new URLSearchParams({ filter: JSON.stringify(filter), timeout: '0', set_presence: 'offline', 'org.matrix.msc4222.use_state_after': 'true' }).toString();
  const response = await fetchFn(url, init);
  if (!response.ok) return { failed: response };
  return { rooms: ((await response.json()) as SyncAnswer).rooms?.join ?? {} };
}

/**
 * `answer` with the caught-up rooms joined in (each the older part, `answer`'s entry the newer), and
 * the ids of the timeline events in it that are history, not news (see `historyIds`), when
 * `isNewToSync`: sync did not cover these rooms before (a grant). A client resuming a saved sync
 * does not know that, and the events a stopped worker may not have handed on yet are among them:
 * none is history then (the widget hosts drop what they delivered already).
 */
export async function withRoomsCaughtUp(
  answer: Response,
  caughtUp: Record<string, JoinedRoom>,
  isNewToSync: boolean,
): Promise<{ answer: Response; history: Set<string> }> {
  const history = new Set<string>();
  if (Object.keys(caughtUp).length === 0) return { answer, history };
  const body = (await answer.json()) as SyncAnswer;
  const joined = (body.rooms ??= {}).join ?? {};
  body.rooms.join = joined;
  for (const [roomId, older] of Object.entries(caughtUp)) {
    const newer = joined[roomId];
    if (isNewToSync) for (const eventId of historyIds(older, newer)) history.add(eventId);
    joined[roomId] = newer ? joinedEntries(older, newer) : older;
  }
  return { answer: rebuilt(answer, JSON.stringify(body)), history };
}

/**
 * The events of a room new to the sync, caught up (`older`) and joined to `newer`, that js-sdk will
 * treat as live but are history: they happened before sync covered the room, and a widget running
 * since must not get them pushed as new (it can read them with read_events). That is every event up
 * to the last one the catch-up brought, also those of `newer` before it (since the old `since` the
 * room was outside the filter); only the later ones are news.
 */
export function historyIds(older: JoinedRoom, newer: JoinedRoom | undefined): string[] {
  const olderEvents = older.timeline?.events ?? [];
  const newerEvents = newer?.timeline?.events ?? [];
  const newerIds = newerEvents.map((event) => event.event_id);
  const firstShared = olderEvents.findIndex((event) => newerIds.includes(event.event_id));
  const kept = firstShared === -1 ? olderEvents : olderEvents.slice(0, firstShared);
  const lastCaughtUp = olderEvents.at(-1)?.event_id;
  const lastShared = lastCaughtUp === undefined ? -1 : newerIds.indexOf(lastCaughtUp);
  return [...kept, ...newerEvents.slice(0, lastShared + 1)].flatMap((event) => (typeof event.event_id === 'string' ? [event.event_id] : []));
}

/**
 * One room entry from an older (caught-up, up to `now1`) and a newer one (since the old `since`, up
 * to `now2` ≥ `now1`). The newer timeline is contiguous up to `now2`, so the older events it does
 * not hold are those before the first one it does: they go first, and the timeline then starts
 * where the older one did. State, account data and ephemeral events (read receipts, typing) apply
 * in order (the newer wins); sticky events once each; the rest (summary, unread counts) is the
 * newer entry's.
 *
 * The older entry's state is the room's whole state and always goes first, even when the newer
 * timeline reaches back past the older one: without MSC4222 the newer `state` is only what changed
 * since `since`, so a room that had many events before the grant would otherwise arrive without its
 * create, power-levels or encryption event (and a send into it could go out in the clear). The
 * timeline replayed after it brings the state to where it is now.
 */
export function joinedEntries(older: JoinedRoom, newer: JoinedRoom): JoinedRoom {
  const newerEvents = newer.timeline?.events ?? [];
  const olderEvents = older.timeline?.events ?? [];
  const newerIds = new Set(newerEvents.map((event) => event.event_id));
  const firstShared = olderEvents.findIndex((event) => newerIds.has(event.event_id));
  const kept = firstShared === -1 ? olderEvents : olderEvents.slice(0, firstShared);
  const startsOlder = kept.length > 0 || newerEvents.length === 0;
  const timeline = {
    ...newer.timeline,
    events: [...kept, ...newerEvents],
    ...(startsOlder ? { limited: older.timeline?.limited ?? false, prev_batch: older.timeline?.prev_batch } : {}),
  };
  const inOrder = (field: 'state' | typeof STATE_AFTER | 'account_data' | 'ephemeral') =>
    older[field] || newer[field] ? { [field]: { events: [...(older[field]?.events ?? []), ...(newer[field]?.events ?? [])] } } : {};
  const stickyIds = new Set((newer.msc4354_sticky?.events ?? []).map((event) => event.event_id));
  const sticky = [...(older.msc4354_sticky?.events ?? []).filter((event) => !stickyIds.has(event.event_id)), ...(newer.msc4354_sticky?.events ?? [])];
  return {
    ...older,
    ...newer,
    timeline,
    ...inOrder('state'),
    ...inOrder(STATE_AFTER),
    ...inOrder('account_data'),
    // The catch-up has the room's read receipts; the incremental entry only those since `since`.
    ...inOrder('ephemeral'),
    ...(sticky.length > 0 ? { msc4354_sticky: { events: sticky } } : {}),
    ...(older.summary || newer.summary ? { summary: { ...older.summary, ...newer.summary } } : {}),
  };
}

/**
 * `answer` without the joined-room entries of rooms outside `scope`. Synapse 1.163 (MSC4354 is
 * experimental there) puts the sticky events of rooms the filter's `room.rooms` leaves out in the
 * answer, as entries holding nothing else; js-sdk would make rooms of them. An answer without a
 * sticky section is passed on as it came, unparsed.
 */
export async function withoutRoomsOutside(answer: Response, scope: SyncScope): Promise<Response> {
  if (scope.kind === 'all') return answer;
  const text = await answer.text();
  if (!text.includes('"msc4354_sticky"')) return rebuilt(answer, text);
  const body = JSON.parse(text) as SyncAnswer;
  const joined = body.rooms?.join ?? {};
  const outside = Object.keys(joined).filter((roomId) => !scopeHas(scope, roomId));
  if (outside.length === 0) return rebuilt(answer, text);
  for (const roomId of outside) delete joined[roomId];
  return rebuilt(answer, JSON.stringify(body));
}

/** A new answer with `body`; its length and encoding are no longer the server's. */
function rebuilt(answer: Response, body: string): Response {
  const headers = new Headers(answer.headers);
  headers.delete('content-length');
  headers.delete('content-encoding');
  return new Response(body, { status: answer.status, statusText: answer.statusText, headers });
}
