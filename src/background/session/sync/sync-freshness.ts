// Whether the client's own view of its rooms is as current as the homeserver's last sync answer, so
// that a read can be answered from the client's live timelines instead of a /messages request
// (read-events.ts, issue #17). A saved sync alone never is: the worker may have been stopped for hours,
// and what arrived meanwhile is only on the server until the first sync after the wake. So: current
// from the first sync answer of this client that js-sdk has processed (not the saved one), until sync
// stops, fails, is held back for a slow widget, or an answer has arrived that js-sdk has not
// processed yet (its events may already have been handed on to widgets, sync-peek.ts). And per room:
// only one the sync has followed since it came into the scope (scoped-sync.ts); a room that left it
// keeps a stale copy in the client. And a room this client just wrote to (a widget's send, state,
// redaction) is not current until its sync brought the event back: a widget reads its own writes.
import { ClientEvent, SyncState, type MatrixClient } from 'matrix-js-sdk';
import { clientSyncUrl } from './sync-requests';

const freshness = new WeakMap<MatrixClient, SyncFreshness>();

/** The client's writes of room events: their answers name the event the sync will bring. */
const ROOM_WRITE = /\/_matrix\/client\/[^/]+\/rooms\/([^/]+)\/(send|state|redact)\//;
/** Writes remembered at most until their sync brought them (the oldest are forgotten beyond). */
const MAX_UNSEEN_WRITES = 1000;

/** The client's freshness, when it tracks one (clients built by client-factory.ts do). */
export function syncFreshnessOf(client: MatrixClient): SyncFreshness | undefined {
  return freshness.get(client);
}

export class SyncFreshness {
  /** js-sdk processed a sync answer from the server and the sync state is SYNCING since. */
  private isProcessedFromServer = false;
  /** A sync answer arrived and js-sdk has not finished processing it. */
  private isAnswerPending = false;
  /** Events this client wrote that its sync has not brought back yet, with their rooms. */
  private readonly unseenWrites = new Map<string, string>();
  private client: MatrixClient | undefined;

  /**
   * `isHeld`: the next sync request waits for a slow widget (sync-hold.ts), so the server may be ahead.
   * `follows`: whether sync has carried the room since it came into the scope.
   */
  constructor(
    private readonly isHeld: () => boolean,
    private readonly follows: (roomId: string) => boolean = () => true,
  ) {}

  /** A fetch that notes each /sync answer's arrival; wraps the one js-sdk's syncs go through. */
  tracking(fetchFn: typeof fetch): typeof fetch {
    return async (input, init) => {
      const response = await fetchFn(input, init);
      if (clientSyncUrl(input)) this.isAnswerPending = true;
      else if (response.ok) void this.noteWrite(input, response);
      return response;
    };
  }

  /** Follows the client's sync states. */
  follow(client: MatrixClient): void {
    freshness.set(client, this);
    this.client = client;
    client.on(ClientEvent.Sync, (state, _previous, data) => {
      this.isAnswerPending = false;
      this.isProcessedFromServer = state === SyncState.Syncing && data?.fromCache !== true;
    });
  }

  /** Whether the client's live timeline of the room holds every event the server had at its last sync answer. */
  isCurrent(roomId: string): boolean {
    return this.isProcessedFromServer && !this.isAnswerPending && !this.isHeld() && this.follows(roomId) && !this.hasUnseenWrite(roomId);
  }

  private hasUnseenWrite(roomId: string): boolean {
    const room = this.client?.getRoom(roomId);
    for (const [eventId, writtenIn] of this.unseenWrites) {
      if (writtenIn !== roomId) continue;
      if (!room?.findEventById(eventId)) return true;
      this.unseenWrites.delete(eventId);
    }
    return false;
  }

  /** Remembers the event a successful room write created (noted before the caller sees the answer). */
  private noteWrite(input: RequestInfo | URL, response: Response): Promise<void> | undefined {
    const url = input instanceof Request ? input.url : String(input);
    const written = ROOM_WRITE.exec(new URL(url).pathname)?.[1];
    if (written === undefined) return undefined;
    const roomId = decodeURIComponent(written);
    // Marked at once; the event id follows from the answer (the room is not current meanwhile).
    const marker = `pending:${url}`;
    this.remember(marker, roomId);
    return response
      .clone()
      .json()
      .then((answer: { event_id?: unknown }) => {
        if (typeof answer.event_id === 'string') this.remember(answer.event_id, roomId);
      })
      .catch(() => undefined)
      .finally(() => this.unseenWrites.delete(marker));
  }

  private remember(eventId: string, roomId: string): void {
    this.unseenWrites.set(eventId, roomId);
    if (this.unseenWrites.size > MAX_UNSEEN_WRITES) this.unseenWrites.delete(this.unseenWrites.keys().next().value as string);
  }
}
