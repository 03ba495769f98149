// Puts back the m.room.create event of room version 12 rooms into /sync answers filtered by room.
// MSC4291 (room v12) leaves `room_id` out of the create event (the room ID is its hash), and Synapse
// 1.163 matches a filter's `room.rooms` against each event's `room_id` field: a scoped sync brings
// such a room without its create event, in `state` and `timeline` alike. js-sdk then takes the room
// for version 1, and its state looks incomplete. Never changes an answer otherwise.
type RawEvent = { type?: string; state_key?: string; event_id?: string };
type RoomEntry = { state?: { events?: RawEvent[] }; timeline?: { events?: RawEvent[] }; [field: string]: unknown };
type SyncAnswer = { rooms?: { join?: Record<string, RoomEntry> } };

const STATE_AFTER = 'org.matrix.msc4222.state_after';

/** Reads one event of a room from the homeserver; undefined when it cannot. */
export type EventReader = (roomId: string, eventId: string) => Promise<RawEvent | undefined>;

/** The create event's ID in a room of version 12 or later (MSC4291): the room ID's hash; else none. */
export function createEventId(roomId: string): string | undefined {
  return roomId.startsWith('!') && !roomId.includes(':') ? `$${roomId.slice(1)}` : undefined;
}

function hasCreateEvent(entry: RoomEntry): boolean {
  const sections = [entry.state?.events, entry.timeline?.events, (entry[STATE_AFTER] as RoomEntry['state'])?.events];
  return sections.some((events) => events?.some((event) => event.type === 'm.room.create' && event.state_key === '') === true);
}

/**
 * `answer` with the create event of each of `roomIds` (the entries that carry a room's whole state:
 * an initial sync's, a catch-up's) that lacks it, read from the homeserver. An answer that needs
 * none is handed back as it came; a create event that cannot be read stays missing.
 */
export async function withCreateEvents(answer: Response, roomIds: readonly string[] | 'every room', readEvent: EventReader): Promise<Response> {
  if (!answer.ok || (roomIds !== 'every room' && !roomIds.some((roomId) => createEventId(roomId) !== undefined))) return answer;
  const text = await answer.text();
  const body = JSON.parse(text) as SyncAnswer;
  const joined = body.rooms?.join ?? {};
  const lacking = (roomIds === 'every room' ? Object.keys(joined) : roomIds).filter((roomId) => {
    const entry = joined[roomId];
    return entry !== undefined && createEventId(roomId) !== undefined && !hasCreateEvent(entry);
  });
  const found = await Promise.all(lacking.map(async (roomId) => [roomId, await readEvent(roomId, createEventId(roomId) ?? '')] as const));
  let isChanged = false;
  for (const [roomId, event] of found) {
    const entry = joined[roomId];
    if (!entry || event?.type !== 'm.room.create' || event.state_key !== '') continue;
    // The state the entry gives (MSC4222's state after its timeline, or before it): the create event first.
    const field = STATE_AFTER in entry ? STATE_AFTER : 'state';
    const section = (entry[field] as RoomEntry['state']) ?? {};
    entry[field] = { ...section, events: [event, ...(section.events ?? [])] };
    isChanged = true;
  }
  const headers = new Headers(answer.headers);
  headers.delete('content-length');
  headers.delete('content-encoding');
  return new Response(isChanged ? JSON.stringify(body) : text, { status: answer.status, statusText: answer.statusText, headers });
}
