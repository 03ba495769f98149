// Reads each incremental /sync answer as it arrives and hands on its clear timeline events at once,
// before js-sdk runs the crypto machine over the sync (about 5 ms a sync in the worker) and builds its
// rooms (issue #8, P2). It hands on only what js-sdk would forward as live events a moment later, in
// room order: per joined room whose timeline is not limited (a gap comes first, timeline-gaps.ts), the
// events before the first encrypted one (those wait for decryption, and what follows them waits
// too). Decides nothing: grants are checked where events are pushed, which also drops the second copy
// js-sdk brings (by event id).
import type { IEvent } from 'matrix-js-sdk';
import { clientSyncUrl } from './sync-requests';

/**
 * Larger answers (a first sync after a long stop) are left to js-sdk alone: parsing twice costs.
 * Measured on the body (in UTF-16 code units, about its bytes for JSON): the answers that reach
 * here were rebuilt by scoped-sync.ts without a Content-Length, and a compressed answer's is not
 * the size of what would be parsed.
 */
const MAX_PEEKED_LENGTH = 512 * 1024;

export type ClearEvents = { roomId: string; events: Partial<IEvent>[] };

type SyncAnswer = {
  rooms?: { join?: Record<string, { timeline?: { limited?: boolean; events?: unknown[] } } | undefined> };
};

/** js-sdk drops events whose ids could reach an object's prototype (`noUnsafeEventProps`). */
function isSafeId(value: unknown): value is string {
  return typeof value === 'string' && value !== '__proto__' && value !== 'prototype' && value !== 'constructor';
}

function isEvent(value: unknown): value is Partial<IEvent> & { event_id: string; type: string; sender: string } {
  if (typeof value !== 'object' || value === null) return false;
  const event = value as Record<string, unknown>;
  return (
    isSafeId(event['event_id']) &&
    event['event_id'].startsWith('$') &&
    isSafeId(event['sender']) &&
    typeof event['type'] === 'string' &&
    typeof event['content'] === 'object' &&
    event['content'] !== null &&
    (event['room_id'] === undefined || isSafeId(event['room_id']))
  );
}

/**
 * The events of a sync answer that may go to widgets before js-sdk has seen the answer: per joined
 * room with a timeline that is not limited, the leading run of well-formed, unencrypted events.
 */
export function leadingClearEvents(answer: unknown): ClearEvents[] {
  const joined = (answer as SyncAnswer | null)?.rooms?.join;
  if (typeof joined !== 'object' || joined === null) return [];
  const found: ClearEvents[] = [];
  for (const [roomId, room] of Object.entries(joined)) {
    const timeline = room?.timeline;
    if (!isSafeId(roomId) || !timeline || timeline.limited === true || !Array.isArray(timeline.events)) continue;
    const events: Partial<IEvent>[] = [];
    for (const event of timeline.events) {
      // Anything js-sdk might treat otherwise stops the run: the rest comes through js-sdk, in order.
      if (!isEvent(event) || event.type === 'm.room.encrypted') break;
      events.push(event);
    }
    if (events.length > 0) found.push({ roomId, events });
  }
  return found;
}

/** An incremental sync of the client API: `since` set, so its timeline events are live ones. */
function isIncrementalSync(input: RequestInfo | URL): boolean {
  return clientSyncUrl(input)?.searchParams.has('since') === true;
}

/**
 * A fetch for js-sdk that peeks at incremental sync answers: `onClearEvents` gets their leading clear
 * events before js-sdk gets the answer. Any failure here leaves the answer to js-sdk as it came.
 */
export function peekingSyncs(fetchFn: typeof fetch, onClearEvents: (found: ClearEvents[]) => void): typeof fetch {
  return async (input, init) => {
    const response = await fetchFn(input, init);
    if (!response.ok || !isIncrementalSync(input)) return response;
    try {
      const text = await response.clone().text();
      if (text.length > MAX_PEEKED_LENGTH) return response;
      onClearEvents(leadingClearEvents(JSON.parse(text)));
    } catch {
      // js-sdk reads the answer itself and reports what is wrong with it.
    }
    return response;
  };
}

/** Ids remembered at most, should js-sdk never bring its copy of some (it drops what it cannot use). */
const MAX_HANDED_ON = 1000;

/** The ids of events handed on early, so that js-sdk's copy of each is not handed on a second time. */
export class HandedOnEarly {
  private readonly ids = new Set<string>();

  add(eventId: string): void {
    this.ids.add(eventId);
    if (this.ids.size > MAX_HANDED_ON) this.ids.delete(this.ids.values().next().value as string);
  }

  /** True (once) when the event was handed on early. */
  take(eventId: string | undefined): boolean {
    return eventId !== undefined && this.ids.delete(eventId);
  }
}
