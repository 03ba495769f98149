// Sticky events (MSC4354) of rooms that join the sync scope (issue #8). A room the sync newly
// includes comes with its full state (`full_state`), but an incremental sync's sticky section holds
// only what became sticky since `since`; a newly *joined* room gets all its active sticky events.
// So the answer that brings newly included rooms gets them added: one filtered request without
// `since` (state, timeline and everything else filtered out) whose sticky sections are merged into
// that answer, as the homeserver would have sent them had the user just joined. Nothing else changes.
// Synapse 1.163 (MSC4354 is experimental there) also answers with the sticky events of rooms the
// filter's `room.rooms` leaves out, as room entries holding nothing else; those entries are dropped.
import type { IFilterDefinition } from 'matrix-js-sdk';
import { createLogger } from '../../shared/log';
import { scopeHas, type SyncScope } from '../../shared/core/sync-scope';

const log = createLogger('bg:scope');

type RawEvent = { event_id?: string };
type StickySection = { events?: RawEvent[] };
type JoinedRoom = { timeline?: { events?: RawEvent[] }; msc4354_sticky?: StickySection };
type SyncAnswer = { rooms?: { join?: Record<string, JoinedRoom> } };

const NOTHING = { not_types: ['*'] };

/**
 * The active sticky events of the scope's rooms, by room: an initial (no `since`) sync that asks for
 * nothing else. It acknowledges nothing (to-device messages stay queued for the real sync) and does
 * not mark the user online. Failing, it yields none (the rooms still sync; logged).
 */
export async function activeStickyEvents(fetchFn: typeof fetch, syncUrl: URL, init: RequestInit, rooms: SyncScope): Promise<Map<string, RawEvent[]>> {
  const filter: IFilterDefinition = {
    presence: NOTHING,
    account_data: NOTHING,
    room: {
      ...(rooms.kind === 'rooms' ? { rooms: [...rooms.roomIds] } : {}),
      // Synapse treats a limit of 0 as no limit; no type matches `*` excluded.
      timeline: { limit: 1, ...NOTHING },
      state: NOTHING,
      ephemeral: NOTHING,
      account_data: NOTHING,
    },
  };
  const url = new URL(syncUrl);
  url.search = new URLSearchParams({ filter: JSON.stringify(filter), timeout: '0', set_presence: 'offline' }).toString();
  try {
    const response = await fetchFn(url, init);
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const answer = (await response.json()) as SyncAnswer;
    return new Map(Object.entries(answer.rooms?.join ?? {}).map(([roomId, room]) => [roomId, room.msc4354_sticky?.events ?? []]));
  } catch (error) {
    if (init.signal?.aborted) throw error;
    log.warn('reading the active sticky events of newly synced rooms failed', String(error));
    return new Map();
  }
}

/**
 * `answer` without the joined-room entries of rooms outside `scope` (only sticky events put them
 * there, so an answer without a sticky section is passed on as it came, unparsed).
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

/** `answer` with `sticky` added to its rooms' sticky sections (older first, each event once). */
export async function withStickyEvents(answer: Response, sticky: ReadonlyMap<string, RawEvent[]>): Promise<Response> {
  if (![...sticky.values()].some((events) => events.length > 0)) return answer;
  const body = (await answer.json()) as SyncAnswer;
  for (const [roomId, events] of sticky) {
    const room = body.rooms?.join?.[roomId];
    if (!room || events.length === 0) continue;
    const present = new Set([...(room.timeline?.events ?? []), ...(room.msc4354_sticky?.events ?? [])].map((event) => event.event_id));
    room.msc4354_sticky = { events: [...events.filter((event) => !present.has(event.event_id)), ...(room.msc4354_sticky?.events ?? [])] };
  }
  return rebuilt(answer, JSON.stringify(body));
}

/** A new answer with `body`; its length and encoding are no longer the server's. */
function rebuilt(answer: Response, body: string): Response {
  const headers = new Headers(answer.headers);
  headers.delete('content-length');
  headers.delete('content-encoding');
  return new Response(body, { status: answer.status, statusText: answer.statusText, headers });
}
