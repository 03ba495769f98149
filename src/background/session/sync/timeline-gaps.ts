// A limited sync (more new events in a room than the sync's timeline limit) leaves a gap: js-sdk
// starts a new live timeline and never emits the events it skipped. Widgets must get every event of
// a room once, in order, so the gap is read back with /messages and forwarded before anything that
// came after it; live events of that room wait behind the fill.
import { Direction, type IEvent, type MatrixClient, type MatrixEvent, type Room } from 'matrix-js-sdk';
import { EventTimeline } from 'matrix-js-sdk';
import { createLogger } from '../../../shared/log';

const log = createLogger('bg:gaps');

const GAP_PAGE_SIZE = 100;
/** A gap longer than this many pages is not read back further (the oldest part is reported lost). */
const MAX_GAP_PAGES = 10;
/**
 * A fill starts once the sync answer that reset the timeline is in the room (js-sdk resets the
 * timeline before it adds that answer's events), or after this long should no sync end be reported
 * (a reset outside sync).
 */
const SYNC_PROCESSED_WAIT_MS = 5_000;

type Forward = (roomId: string, event: MatrixEvent) => void;

export class TimelineGaps {
  /** The last live event seen per room: where a gap that opens after it starts. */
  private readonly lastSeen = new Map<string, string>();
  /** Rooms with a fill in progress: everything for them runs in order on this chain. */
  private readonly chains = new Map<string, { tail: Promise<void>; pending: number }>();
  /** The rooms sync covers now (`keepOnly`); where others left off is not kept. */
  private isKept: (roomId: string) => boolean = () => true;
  /** Fills waiting for the sync answer being processed to be in its rooms. */
  private syncWaiters: (() => void)[] = [];

  constructor(private readonly forward: Forward) {}

  /** A live event from sync: forwarded now, or after the fill it must not overtake. */
  live(roomId: string, event: MatrixEvent): void {
    this.passed(roomId, event.getId());
    if (!this.chains.has(roomId)) return this.forward(roomId, event);
    this.enqueue(roomId, async () => this.forward(roomId, event));
  }

  /**
   * An event of the live timeline that is not forwarded (history a catch-up brought): the room's
   * live events now start after it. Only for rooms in scope: an answer asked for before a revoke
   * may still be processed after it, and the revoked room must not look as if it was followed.
   */
  passed(roomId: string, eventId: string | undefined): void {
    if (eventId && this.isKept(roomId)) this.lastSeen.set(roomId, eventId);
  }

  /**
   * Forgets where rooms left off that sync no longer covers (their grants were revoked), and keeps
   * forgetting them until the scope changes again: events there while out of scope were never
   * live, so a later gap must not be read back across them.
   */
  keepOnly(isKept: (roomId: string) => boolean): void {
    this.isKept = isKept;
    for (const roomId of [...this.lastSeen.keys()]) if (!isKept(roomId)) this.lastSeen.delete(roomId);
  }

  /**
   * A new client: it resumes from its saved sync, which says nothing about where the previous
   * client's rooms left off (and no widget was served in between: sync pauses only when none is).
   */
  forgetAll(): void {
    this.lastSeen.clear();
  }

  /** js-sdk has processed a sync answer (fills waiting for it may look at the rooms). */
  syncProcessed(): void {
    const waiters = this.syncWaiters;
    this.syncWaiters = [];
    for (const wake of waiters) wake();
  }

  /** js-sdk reset the room's live timeline after a limited sync: read back what it skipped. */
  reset(client: MatrixClient, room: Room): void {
    const until = this.lastSeen.get(room.roomId);
    const timeline = room.getLiveTimeline();
    const token = timeline.getPaginationToken(EventTimeline.BACKWARDS);
    // Nothing seen yet in this room (first sync after a start): no widget has missed anything.
    if (until === undefined || !token) return;
    const processed = this.syncAnswerProcessed();
    this.enqueue(room.roomId, async () => {
      await processed;
      // The new timeline reaches back to where the room left off (a caught-up room, whose older
      // events came with it): no gap. Paging back from its start would never meet `until`.
      if (timeline.getEvents().some((event) => event.getId() === until)) return;
      await this.fill(client, room.roomId, token, until);
    });
  }

  /** Whether some room's gap is being read back (its events are not handed on yet). */
  isFilling(): boolean {
    return this.chains.size > 0;
  }

  private syncAnswerProcessed(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, SYNC_PROCESSED_WAIT_MS);
      this.syncWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private enqueue(roomId: string, task: () => Promise<void>): void {
    const chain = this.chains.get(roomId) ?? { tail: Promise.resolve(), pending: 0 };
    this.chains.set(roomId, chain);
    chain.pending++;
    chain.tail = chain.tail
      .then(task)
      .catch((error: unknown) => log.warn('filling a timeline gap failed', String(error)))
      .finally(() => {
        if (--chain.pending === 0) this.chains.delete(roomId);
      });
  }

  private async fill(client: MatrixClient, roomId: string, token: string, until: string): Promise<void> {
    const missing: Partial<IEvent>[] = [];
    let from: string | null = token;
    let isComplete = false;
    for (let page = 0; page < MAX_GAP_PAGES && from && !isComplete; page++) {
      const response = await client.createMessagesRequest(roomId, from, GAP_PAGE_SIZE, Direction.Backward);
      for (const event of response.chunk) {
        if (event.event_id === until) {
          isComplete = true;
          break;
        }
        missing.push(event);
      }
      if (response.chunk.length === 0) isComplete = true;
      from = response.end ?? null;
    }
    if (!isComplete) log.warn('a timeline gap was longer than what is read back', roomId);
    const toMatrixEvent = client.getEventMapper();
    for (const raw of missing.reverse()) this.forward(roomId, toMatrixEvent({ ...raw, room_id: roomId }));
  }
}
