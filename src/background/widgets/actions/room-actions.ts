// The homeserver side of widget requests that touch a room. Callers have already checked
// capabilities and the room binding; this module only talks to the homeserver.
import { Method, type IEvent, type IRequestOpts, type MatrixClient } from 'matrix-js-sdk';
import { REQUEST_TIMEOUT_MS, withRetries } from './homeserver-retry';
import { RequestGate } from './request-gate';

/** Widget requests at the homeserver at once, per account (request-gate.ts says why four). */
const WIDGET_REQUESTS_IN_FLIGHT = 4;
const gates = new WeakMap<MatrixClient, RequestGate>();

/** Runs one widget-caused homeserver call of `client` through the account's gate. */
export function throughGate<T>(client: MatrixClient, call: () => Promise<T>): Promise<T> {
  let gate = gates.get(client);
  if (!gate) gates.set(client, (gate = new RequestGate(WIDGET_REQUESTS_IN_FLIGHT)));
  return gate.run(call);
}

/**
 * One homeserver request with a timeout, retried where safe. Every request here is idempotent
 * (reads, PUTs with a transaction id) except the POSTs, which only a 429 may repeat. Each attempt
 * waits for a slot at the gate first, so its timeout measures the homeserver, not the queue; a
 * retry's back-off does not hold a slot.
 */
export function request<T>(client: MatrixClient, method: Method, path: string, query?: Record<string, string>, body?: unknown, options: IRequestOpts = {}): Promise<T> {
  return withRetries(method === Method.Post ? 'not-idempotent' : 'idempotent', () =>
    throughGate(client, () => client.http.authedRequest<T>(method, path, query, body as never, { localTimeoutMs: REQUEST_TIMEOUT_MS, ...options })),
  );
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
  client: MatrixClient,
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
      ? `/rooms/${room}/send/${type}/${encodeURIComponent(txnId ?? client.makeTxnId())}`
      : `/rooms/${room}/state/${type}/${encodeURIComponent(stateKey)}`;
  const query: Record<string, string> = {};
  if (delay !== undefined) query['org.matrix.msc4140.delay'] = String(delay);
  if (parentDelayId !== undefined) query['org.matrix.msc4140.parent_delay_id'] = parentDelayId;
  if (stickyDurationMs !== undefined) query[STICKY_DURATION_PARAM] = String(stickyDurationMs);
  const response = await request<{ event_id?: string; delay_id?: string }>(client, Method.Put, path, query, content);
  if (response.delay_id !== undefined) return { room_id: roomId, delay_id: response.delay_id };
  return { room_id: roomId, event_id: response.event_id ?? '' };
}

/** MSC4140: cancel, restart or send now one of the user's delayed events. */
export async function updateDelayedEvent(client: MatrixClient, delayId: string, action: 'cancel' | 'restart' | 'send'): Promise<void> {
  await request(client, Method.Post, `/org.matrix.msc4140/delayed_events/${encodeURIComponent(delayId)}`, undefined, { action }, {
    prefix: '/_matrix/client/unstable',
  });
}

export async function readRoomEvent(client: MatrixClient, roomId: string, eventId: string): Promise<Partial<IEvent>> {
  return request<IEvent>(client, Method.Get, `/rooms/${encodeURIComponent(roomId)}/event/${encodeURIComponent(eventId)}`);
}

export async function redactRoomEvent(
  client: MatrixClient,
  roomId: string,
  redacts: string,
  reason: string | undefined,
  txnId?: string,
): Promise<{ room_id: string; event_id: string }> {
  const path = `/rooms/${encodeURIComponent(roomId)}/redact/${encodeURIComponent(redacts)}/${encodeURIComponent(txnId ?? client.makeTxnId())}`;
  const { event_id: eventId } = await request<{ event_id: string }>(client, Method.Put, path, undefined, reason ? { reason } : {});
  return { room_id: roomId, event_id: eventId };
}

/**
 * One page of a room's timeline, of one event type (and encrypted events, which may be of it), from `from` (a pagination token; the latest
 * events when absent) in direction `dir`. `nextBatch` continues in the same direction; it is absent
 * at the end of the room's history.
 */
export async function readTimelinePage(
  client: MatrixClient,
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
  const response = await request<{ chunk: IEvent[]; end?: string }>(client, Method.Get, `/rooms/${encodeURIComponent(roomId)}/messages`, query);
  return {
    events: response.chunk.map((event) => ({ ...event, room_id: roomId })),
    nextBatch: response.chunk.length > 0 ? response.end : undefined,
  };
}

/** The room's current state events of a type ('' = every type); all state keys when `stateKey` is undefined. */
export async function readStateEvents(
  client: MatrixClient,
  roomId: string,
  eventType: string,
  stateKey: string | undefined,
): Promise<Partial<IEvent>[]> {
  const state = await request<IEvent[]>(client, Method.Get, `/rooms/${encodeURIComponent(roomId)}/state`);
  return state
    .filter((event) => (eventType === '' || event.type === eventType) && (stateKey === undefined || event.state_key === stateKey))
    .map((event) => ({ ...event, room_id: roomId }));
}
