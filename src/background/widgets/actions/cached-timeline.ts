// read_events from the client's own live timeline (issue #17, cold wake): while the client's sync is
// current (sync-freshness.ts), the latest events of a synced room are in memory, and a page of them
// is answered without a /messages request. Only when the timeline covers the page exactly as
// /messages would give it: the same events, newest first, the same type filter (encrypted events
// count, as the server counts them, and are decrypted the same way), the same limit. Anything it
// cannot vouch for falls back to the server (undefined here): a gap (the live timeline starts after
// the older events), fewer matching events than asked for and the timeline not starting with the room, a local echo, an
// event being redacted, edited or related to (the server bundles those), one that did not decrypt.
// Its `next_batch` names the last event answered (`TIMELINE_TOKEN_PREFIX`); the next page is read
// from the timeline again, or from the server, which /context turns into its own token.
import { EventType, Method, type IEvent, type MatrixClient, type MatrixEvent, type Room } from 'matrix-js-sdk';
import { syncFreshnessOf } from '../../session/sync/sync-freshness';
import { request, type Homeserver } from './room-actions';

/** A `next_batch` of a page answered from the timeline: "before this event". Never a server token (those have no `~`). */
export const TIMELINE_TOKEN_PREFIX = 'mwb.before~';

export type TimelinePage = { events: Partial<IEvent>[]; nextBatch: string | undefined };

/** The event id of a token from `TIMELINE_TOKEN_PREFIX`, else undefined (a server token). */
function eventBefore(token: string): string | undefined {
  return token.startsWith(TIMELINE_TOKEN_PREFIX) ? token.slice(TIMELINE_TOKEN_PREFIX.length) : undefined;
}

/** Event ids that later events of the timeline relate to or redact: their server copy differs (bundled aggregations, redactions). */
function relatedTo(events: readonly MatrixEvent[]): Set<string> {
  const targets = new Set<string>();
  for (const event of events) {
    const content = event.getWireContent();
    const relatesTo = content['m.relates_to'] as { event_id?: unknown } | undefined;
    if (typeof relatesTo?.event_id === 'string') targets.add(relatesTo.event_id);
    const redacts = event.event.redacts ?? content['redacts'];
    if (typeof redacts === 'string') targets.add(redacts);
  }
  return targets;
}

/**
 * Whether nothing but the room's `m.room.create` event is older than the timeline: it starts with
 * that event, or with the creator's first join, which always follows it (a first join replaces no
 * earlier membership). Synapse's first sync leaves the create event out of the timeline of a room
 * small enough to fit in it.
 */
function startsAtCreation(room: Room, timeline: readonly MatrixEvent[]): 'with-create' | 'after-create' | false {
  const first = timeline[0];
  if (!first) return false;
  if (first.getType() === EventType.RoomCreate) return 'with-create';
  const create = room.currentState.getStateEvents(EventType.RoomCreate, '');
  const isCreatorsFirstJoin =
    first.getType() === EventType.RoomMember &&
    create !== null &&
    first.getStateKey() === create.getSender() &&
    first.getContent()['membership'] === 'join' &&
    first.getUnsigned().replaces_state === undefined;
  return isCreatorsFirstJoin ? 'after-create' : false;
}

/** What Synapse's /messages also puts at the top of an event, from `unsigned` (its "client v1" format, the r0 spec's). */
const TOP_LEVEL_COPIES = ['age', 'redacted_because', 'replaces_state', 'prev_content'] as const;

/**
 * The event as read-events.ts has it from /messages, its age as of now. A clear one: the client's
 * copy came from /sync, which leaves out the old duplicates /messages still sends (`user_id` for the
 * sender, and `TOP_LEVEL_COPIES`); they are added back. A decrypted one: as decryptForWidget makes
 * it, js-sdk's effective event (the decrypted event as the crypto machine gives it, without them).
 */
function asServerEvent(event: MatrixEvent, roomId: string): Partial<IEvent> {
  const raw: Record<string, unknown> & Partial<IEvent> = event.isEncrypted() ? event.getEffectiveEvent() : { ...event.event };
  const unsigned: Record<string, unknown> | undefined = raw.unsigned ? { ...raw.unsigned } : undefined;
  if (unsigned?.['age'] !== undefined) unsigned['age'] = Math.max(0, Date.now() - event.localTimestamp);
  const served: Record<string, unknown> = { ...raw, room_id: roomId };
  if (unsigned) served['unsigned'] = unsigned;
  if (event.isEncrypted()) return served;
  if (typeof raw.sender === 'string') served['user_id'] = raw.sender;
  for (const key of TOP_LEVEL_COPIES) if (unsigned?.[key] !== undefined) served[key] = unsigned[key];
  return served;
}

/**
 * The page `readTimelinePage` + `decryptForWidget` would give (backwards from the latest event, or
 * from a `TIMELINE_TOKEN_PREFIX` token), from the client's live timeline; undefined when it does not
 * cover it.
 */
export async function readCachedTimelinePage(
  client: MatrixClient,
  roomId: string,
  eventType: string,
  limit: number,
  from: string | undefined,
  dir: 'b' | 'f',
): Promise<TimelinePage | undefined> {
  if (dir !== 'b' || limit < 1 || syncFreshnessOf(client)?.isCurrent(roomId) !== true) return undefined;
  const room = client.getRoom(roomId);
  if (room?.getMyMembership() !== 'join') return undefined;
  const timeline = room.getLiveTimeline().getEvents();
  // A local echo: the server may have the event already, under an id the timeline does not know.
  if (timeline.some((event) => event.status !== null || !event.getId()?.startsWith('$'))) return undefined;
  let end = timeline.length;
  if (from !== undefined) {
    const before = eventBefore(from);
    end = before === undefined ? -1 : timeline.findIndex((event) => event.getId() === before);
    if (end === -1) return undefined;
  }
  // As the server filters: by wire type, encrypted events included (their type is known once decrypted).
  const types = eventType === EventType.RoomMessageEncrypted ? [eventType] : [eventType, EventType.RoomMessageEncrypted];
  const page: MatrixEvent[] = [];
  for (let index = end - 1; index >= 0 && page.length < limit; index--) {
    const event = timeline[index] as MatrixEvent;
    if (types.includes(event.getWireType())) page.push(event);
  }
  // Fewer than asked for: the server looks further back, and finds nothing unless the timeline starts
  // with the room (or right after its create event, when that is not what is asked for).
  if (page.length < limit) {
    const start = startsAtCreation(room, timeline);
    if (start === false || (start === 'after-create' && eventType === EventType.RoomCreate)) return undefined;
  }
  const related = relatedTo(timeline);
  if (page.some((event) => event.isRedacted() || related.has(event.getId() as string))) return undefined;
  for (const event of page) {
    if (!event.isEncrypted()) continue;
    await client.decryptEventIfNeeded(event);
    // Not decrypted (yet): the server's copy is decrypted afresh, as before.
    if (event.isDecryptionFailure() || event.getClearContent() === null) return undefined;
  }
  const last = page.at(-1)?.getId();
  return { events: page.map((event) => asServerEvent(event, roomId)), nextBatch: last === undefined ? undefined : `${TIMELINE_TOKEN_PREFIX}${last}` };
}

/**
 * The server's token for a `TIMELINE_TOKEN_PREFIX` token the timeline no longer covers (the event is
 * gone from it, or the page reaches past it): /context's, which pages on from just before the event
 * (`dir` b) or after it (f). Other tokens are the server's already.
 */
export async function serverToken(homeserver: Homeserver, roomId: string, token: string | undefined, dir: 'b' | 'f'): Promise<string | undefined> {
  const before = token === undefined ? undefined : eventBefore(token);
  if (before === undefined) return token;
  const context = await request<{ start?: string; end?: string }>(
    homeserver,
    Method.Get,
    `/rooms/${encodeURIComponent(roomId)}/context/${encodeURIComponent(before)}`,
    { limit: '0' },
  );
  const resolved = dir === 'b' ? context.start : context.end;
  if (resolved === undefined) throw new Error('the homeserver gave no pagination token for the event');
  return resolved;
}
