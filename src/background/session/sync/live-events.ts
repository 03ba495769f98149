// The live room events of the logged-in account, on their way to the widget hosts: each once, in room
// order, decrypted, the server's copy only. They come from three places: the clear events of a sync
// answer before js-sdk processes it (sync-peek.ts), js-sdk's live timeline, and the server's copy of
// an event this client sent itself; gaps of limited syncs are read back in between (timeline-gaps.ts).
// Never hands on the history a caught-up room brings (scoped-sync.ts), though js-sdk marks it live.
import { ClientEvent, EventStatus, MatrixEvent, MatrixEventEvent, RoomEvent, type IRoomTimelineData, type MatrixClient, type Room } from 'matrix-js-sdk';
import { HandedOnEarly, type ClearEvents } from './sync-peek';
import { TimelineGaps } from './timeline-gaps';

export type LiveEventListener = (roomId: string, event: MatrixEvent) => void;

export class LiveEvents {
  private readonly listeners = new Set<LiveEventListener>();
  private readonly gaps = new TimelineGaps((roomId, event) => this.forwardWhenReadable(roomId, event));
  private readonly handedOnEarly = new HandedOnEarly();
  /**
   * The history events of the sync answer js-sdk is about to process (`ScopedSync`'s `onHistory`),
   * until it has: js-sdk asks for the next answer only after that.
   */
  private history: ReadonlySet<string> = new Set();

  /** `onLiveActivity`: a live event came in (the sync that brought it is worth saving). */
  constructor(private readonly onLiveActivity: () => void) {}

  onLiveEvent(listener: LiveEventListener): void {
    this.listeners.add(listener);
  }

  /** Follows a client's live timelines (one client at a time is open; a closed one stops emitting). */
  follow(client: MatrixClient): void {
    this.gaps.forgetAll();
    this.history = new Set();
    client.on(ClientEvent.Sync, () => {
      this.history = new Set();
      this.gaps.syncProcessed();
    });
    client.on(RoomEvent.Timeline, this.forwardLiveEvent);
    client.on(RoomEvent.TimelineReset, (room, timelineSet) => {
      if (room && timelineSet === room.getUnfilteredTimelineSet()) this.gaps.reset(client, room);
    });
    client.on(RoomEvent.LocalEchoUpdated, this.forwardOwnEcho);
  }

  /** Clear events of a sync that js-sdk has not processed yet: through the same gaps, in room order. */
  handOnEarly(found: readonly ClearEvents[]): void {
    for (const { roomId, events } of found) {
      for (const raw of events) {
        if (this.history.has(String(raw.event_id))) {
          this.gaps.passed(roomId, raw.event_id);
          continue;
        }
        this.handedOnEarly.add(String(raw.event_id));
        this.gaps.live(roomId, new MatrixEvent({ ...raw, room_id: roomId }));
      }
    }
  }

  /** The timeline events of the sync answer about to be processed that are history (see `history`). */
  noteHistory(eventIds: ReadonlySet<string>): void {
    this.history = eventIds;
  }

  /** Rooms no longer synced: a gap there is no gap a widget could have seen. */
  keepRooms(isKept: (roomId: string) => boolean): void {
    this.gaps.keepOnly(isKept);
  }

  /** Whether a gap is being read back: events behind it are not handed on yet. */
  isFillingGaps(): boolean {
    return this.gaps.isFilling();
  }

  private readonly forwardLiveEvent = (
    event: MatrixEvent,
    room: Room | undefined,
    toStartOfTimeline: boolean | undefined,
    removed: boolean,
    data: IRoomTimelineData,
  ): void => {
    if (!room || toStartOfTimeline || removed || !data.liveEvent) return;
    this.onLiveActivity();
    // Only the server's copy reaches widgets; local echoes carry no server-assigned event ID.
    if (event.status !== null || !event.getId()?.startsWith('$')) return;
    if (this.history.has(event.getId() as string)) return this.gaps.passed(room.roomId, event.getId());
    if (this.handedOnEarly.take(event.getId())) return;
    this.gaps.live(room.roomId, event);
  };

  /**
   * An event this client sent itself (an encrypted send goes through js-sdk, which keeps a local
   * echo): the server's copy only updates that echo, so its arrival is the moment to forward it.
   */
  private readonly forwardOwnEcho = (event: MatrixEvent, room: Room, _oldEventId?: string, oldStatus?: EventStatus | null): void => {
    if (event.status !== null || oldStatus === null || oldStatus === undefined) return;
    if (!event.getId()?.startsWith('$') || this.handedOnEarly.take(event.getId())) return;
    this.forwardWhenReadable(room.roomId, event);
  };

  /**
   * Widgets see decrypted events only: an encrypted event is forwarded once it decrypts, which may
   * be much later (the room key arrives after the event). A failure never reaches a widget as the
   * placeholder text js-sdk puts in its place.
   */
  private forwardWhenReadable(roomId: string, event: MatrixEvent): void {
    const forward = (): void => {
      for (const listener of this.listeners) listener(roomId, event);
    };
    if (!event.isEncrypted()) return forward();
    if (!event.isBeingDecrypted() && !event.isDecryptionFailure() && event.getClearContent() !== null) return forward();
    const onDecrypted = (decrypted: MatrixEvent): void => {
      if (decrypted.isDecryptionFailure()) return; // keys may still come: js-sdk retries and emits again
      event.off(MatrixEventEvent.Decrypted, onDecrypted);
      forward();
    };
    event.on(MatrixEventEvent.Decrypted, onDecrypted);
  }
}
