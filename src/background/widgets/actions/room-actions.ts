// The homeserver side of widget requests that touch a room. Callers have already checked
// capabilities and the room binding; this module only talks to the homeserver.
import { Method, type IEvent, type IRequestOpts, type MatrixClient } from 'matrix-js-sdk';
import { REQUEST_TIMEOUT_MS, withRetries } from './homeserver-retry';
import { RequestGate } from './request-gate';

/** Widget requests at the homeserver at once, per account (request-gate.ts says why four). */
const WIDGET_REQUESTS_IN_FLIGHT = 4;
/**
 * Calls one widget host may have waiting at its account's gate. Each request a widget has in flight
 * waits there with at most one call at a time, so this is how many of its requests may wait for the
 * homeserver together; a widget that needs more is told at once instead of waiting minutes (its
 * matrix-widget-api gives up on a reply after 10 s by default). Issue #7's load test keeps 20 per
 * widget under it.
 */
export const MAX_WAITING_PER_WIDGET = 32;
const gates = new WeakMap<MatrixClient, RequestGate>();

/**
 * A widget host's way to the homeserver: its account's client, and the lane its calls wait in at
 * that account's gate (one lane per host, so widgets take turns; see request-gate.ts).
 */
export type Homeserver = { readonly client: MatrixClient; readonly lane: string };

function gateOf(client: MatrixClient): RequestGate {
  let gate = gates.get(client);
  if (!gate) gates.set(client, (gate = new RequestGate(WIDGET_REQUESTS_IN_FLIGHT, MAX_WAITING_PER_WIDGET)));
  return gate;
}

/** Runs one widget-caused homeserver call through its account's gate, in its host's lane. */
export function throughGate<T>({ client, lane }: Homeserver, call: () => Promise<T>): Promise<T> {
  return gateOf(client).run(lane, call);
}

/** What waits at the account's gate now (tests and diagnostics). */
export function gateLoad(client: MatrixClient): RequestGate['load'] {
  return gateOf(client).load;
}

/**
 * One homeserver request with a timeout, retried where safe. Every request here is idempotent
 * (reads, PUTs with a transaction id) except the POSTs, which only a 429 may repeat. Each attempt
 * waits for a slot at the gate first, so its timeout measures the homeserver, not the queue; a
 * retry's back-off does not hold a slot.
 */
export function request<T>(homeserver: Homeserver, method: Method, path: string, query?: Record<string, string>, body?: unknown, options: IRequestOpts = {}): Promise<T> {
  return withRetries(method === Method.Post ? 'not-idempotent' : 'idempotent', () =>
    throughGate(homeserver, () => homeserver.client.http.authedRequest<T>(method, path, query, body as never, { localTimeoutMs: REQUEST_TIMEOUT_MS, ...options })),
  );
}

/** The rooms the user is in (`room_ids: '*'`), through the gate like every other widget-caused call. */
export async function joinedRooms(homeserver: Homeserver): Promise<string[]> {
  return (await request<{ joined_rooms: string[] }>(homeserver, Method.Get, '/joined_rooms')).joined_rooms;
}

/** A widget may ask for more, but a page of history is capped so one request stays bounded. */
export const READ_EVENTS_LIMIT_CAP = 100;

/** When to send: now, after `delay` ms, or when the delayed event `parentDelayId` is sent (MSC4140). */
export type Delay = { delay?: number | undefined; parentDelayId?: string | undefined };

/** MSC4354: the query parameter that makes a sent event sticky for that many milliseconds. */
export const STICKY_DURATION_PARAM = 'org.matrix.msc4354.sticky_duration_ms';

/** How to send: the transaction id (kept across a stopped worker), when, and how long it stays sticky. */
export type SendOptions = Delay & { txnId?: string | undefined; stickyDurationMs?: number | undefined };

export async function sendRoomEvent(
  homeserver: Homeserver,
  roomId: string,
  eventType: string,
  content: Record<string, unknown>,
  stateKey: string | undefined,
  { delay, parentDelayId, txnId, stickyDurationMs }: SendOptions = {},
): Promise<{ room_id: string; event_id: string } | { room_id: string; delay_id: string }> {
  const room = encodeURIComponent(roomId);
  const type = encodeURIComponent(eventType);
  const path =
    stateKey === undefined
      ? `/rooms/${room}/send/${type}/${encodeURIComponent(txnId ?? homeserver.client.makeTxnId())}`
      : `/rooms/${room}/state/${type}/${encodeURIComponent(stateKey)}`;
  const query: Record<string, string> = {};
  if (delay !== undefined) query['org.matrix.msc4140.delay'] = String(delay);
  if (parentDelayId !== undefined) query['org.matrix.msc4140.parent_delay_id'] = parentDelayId;
  if (stickyDurationMs !== undefined) query[STICKY_DURATION_PARAM] = String(stickyDurationMs);
  const response = await request<{ event_id?: string; delay_id?: string }>(homeserver, Method.Put, path, query, content);
  if (response.delay_id !== undefined) return { room_id: roomId, delay_id: response.delay_id };
  return { room_id: roomId, event_id: response.event_id ?? '' };
}

/** MSC4140: cancel, restart or send now one of the user's delayed events. */
export async function updateDelayedEvent(homeserver: Homeserver, delayId: string, action: 'cancel' | 'restart' | 'send'): Promise<void> {
  await request(homeserver, Method.Post, `/org.matrix.msc4140/delayed_events/${encodeURIComponent(delayId)}`, undefined, { action }, {
    prefix: '/_matrix/client/unstable',
  });
}

export async function readRoomEvent(homeserver: Homeserver, roomId: string, eventId: string): Promise<Partial<IEvent>> {
  return request<IEvent>(homeserver, Method.Get, `/rooms/${encodeURIComponent(roomId)}/event/${encodeURIComponent(eventId)}`);
}

export async function redactRoomEvent(
  homeserver: Homeserver,
  roomId: string,
  redacts: string,
  reason: string | undefined,
  txnId?: string,
): Promise<{ room_id: string; event_id: string }> {
  const path = `/rooms/${encodeURIComponent(roomId)}/redact/${encodeURIComponent(redacts)}/${encodeURIComponent(txnId ?? homeserver.client.makeTxnId())}`;
  const { event_id: eventId } = await request<{ event_id: string }>(homeserver, Method.Put, path, undefined, reason ? { reason } : {});
  return { room_id: roomId, event_id: eventId };
}

/**
 * One page of a room's timeline, of one event type (and encrypted events, which may be of it), from `from` (a pagination token; the latest
 * events when absent) in direction `dir`. `nextBatch` continues in the same direction; it is absent
 * at the end of the room's history.
 */
export async function readTimelinePage(
  homeserver: Homeserver,
  roomId: string,
  eventType: string,
  limit: number,
  from: string | undefined,
  dir: 'b' | 'f',
): Promise<{ events: Partial<IEvent>[]; nextBatch: string | undefined }> {
  // Encrypted events are fetched too: their real type is only known once the caller decrypts them.
  const types = eventType === 'm.room.encrypted' ? [eventType] : [eventType, 'm.room.encrypted'];
  const query: Record<string, string> = { dir, limit: String(limit), filter: JSON.stringify({ types }) };
  if (from !== undefined) query['from'] = from;
  const response = await request<{ chunk: IEvent[]; end?: string }>(homeserver, Method.Get, `/rooms/${encodeURIComponent(roomId)}/messages`, query);
  return {
    events: response.chunk.map((event) => ({ ...event, room_id: roomId })),
    nextBatch: response.chunk.length > 0 ? response.end : undefined,
  };
}

/** The room's current state events of a type ('' = every type); all state keys when `stateKey` is undefined. */
export async function readStateEvents(
  homeserver: Homeserver,
  roomId: string,
  eventType: string,
  stateKey: string | undefined,
): Promise<Partial<IEvent>[]> {
  const state = await request<IEvent[]>(homeserver, Method.Get, `/rooms/${encodeURIComponent(roomId)}/state`);
  return state
    .filter((event) => (eventType === '' || event.type === eventType) && (stateKey === undefined || event.state_key === stateKey))
    .map((event) => ({ ...event, room_id: roomId }));
}
