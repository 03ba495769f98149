// What the host pushes to a running widget (docs/architecture.md, the sync pipeline): live room events it may see, once each, in
// room order, with back-pressure; to-device messages; MSC2762 update_state for widgets that support it;
// the active sticky events (MSC4407) for widgets that may receive them. An event counts as delivered
// once the widget answered it; a repeat after a stopped worker is held back by the relay.
import type { MatrixClient, MatrixEvent } from 'matrix-js-sdk';
import { MatrixCapabilities } from 'matrix-widget-api';
import {
  allowsEveryRoom,
  allowsReceive,
  allowsRoom,
  allowsToDevice,
  hasCapability,
  receivesAnyState,
  timelineRooms,
} from '../../../shared/core/grant-policy';
import type { AuditEntry } from '../../../shared/protocol/background-to-ui';
import { createLogger } from '../../../shared/log';
import { DEFAULT_DELIVERY_LIMITS, DeliveryWindow, type DeliveryLimits } from './delivery-window';
import { MAX_REMEMBERED_EVENT_IDS, type HostRecord } from '../host/host-record';
import { supportsUpdateState, visibleRoomState } from './state-updates';
import { activeStickyEvents, watchStickyEvents } from './sticky-events';
import type { ToWidgetChannel } from '../host/to-widget-channel';

const log = createLogger('bg:push');

/** The toWidget action that tells a slow widget how many events it was not sent. */
export const DELIVERY_OVERFLOW_ACTION = 'net.matrix_widget_bridge.delivery_overflow';

/** What the pusher needs of its host; the host stays the owner of the record and the grants. */
export type PushTarget = {
  /** Resolves once capability negotiation is over. */
  negotiated: () => Promise<void>;
  record: () => HostRecord | undefined;
  saveRecord: (record: HostRecord) => Promise<void>;
  /** Asked of the grant store for every batch of pushes (it keeps decisions in memory until they change). */
  approved: () => Promise<string[]>;
  isDisposed: () => boolean;
  client: () => Promise<MatrixClient>;
  /** The host's lane at its account's request gate (request-gate.ts): its state reads wait there. */
  lane: string;
  audit: (action: AuditEntry['action'], roomId: string | null, detail: string) => void;
};

type LiveEvent = { roomId: string; event: MatrixEvent; isActiveSticky: boolean };

export class EventPusher {
  private deliveries: Promise<void> = Promise.resolve();
  /**
   * Events waiting for their turn on `deliveries`, as one batch: a sync hands over its events one by
   * one, and they are checked against the grants together. Unset once the batch has started (later
   * events start the next one).
   */
  private openBatch: LiveEvent[] | undefined;
  /** Pushed and not answered yet: not pushed again by this worker, not yet recorded as delivered. */
  private readonly unanswered = new Set<string>();
  /** The host record's write of delivered ids: one at a time, the latest state each time. */
  private recordWrite: Promise<void> = Promise.resolve();
  private isRecordWriteQueued = false;
  private recordWritesPending = 0;
  private readonly window: DeliveryWindow;
  private isOverflowNoticePending = false;
  /** Asked once per widget instance: which toWidget actions it understands. */
  private widgetVersions: Promise<string[]> | undefined;
  /** Stops following the client's sticky events; set while the widget may receive them. */
  private stopStickyWatch: (() => void) | undefined;

  constructor(
    private readonly target: PushTarget,
    private readonly channel: ToWidgetChannel,
    limits: DeliveryLimits = DEFAULT_DELIVERY_LIMITS,
  ) {
    this.window = new DeliveryWindow(limits);
  }

  /**
   * Pushes a live room event if the widget may see it; serialised so room order is kept. A sticky
   * event that is active (`isActiveSticky`) is pushed even when older than the widget, but only to a
   * widget holding MSC4407's receive capability: sticky events act as state.
   */
  deliver(roomId: string, event: MatrixEvent, isActiveSticky = false): void {
    if (!this.window.admit()) {
      this.scheduleOverflowNotice(roomId);
      return;
    }
    if (this.openBatch) {
      this.openBatch.push({ roomId, event, isActiveSticky });
      return;
    }
    const batch = [{ roomId, event, isActiveSticky }];
    this.openBatch = batch;
    this.deliveries = this.deliveries
      .then(() => {
        if (this.openBatch === batch) this.openBatch = undefined;
        return this.deliverBatch(batch);
      })
      .catch((error: unknown) => log.warn('event delivery failed', String(error)))
      .finally(() => {
        for (let index = 0; index < batch.length; index++) this.window.done();
      });
  }

  /** Pushes a to-device message the widget may see (never a crypto-internal type). */
  deliverToDevice(event: MatrixEvent): void {
    this.deliveries = this.deliveries
      .then(async () => {
        await this.target.negotiated();
        if (this.target.isDisposed() || !this.target.record()) return;
        if (!allowsToDevice(await this.target.approved(), 'receive', event.getType())) return;
        const message = { type: event.getType(), sender: event.getSender() ?? '', content: event.getContent(), encrypted: event.isEncrypted() };
        this.target.audit('read', null, `to-device ${event.getType()}`);
        void this.channel.request('send_to_device', message).catch(() => undefined);
      })
      .catch((error: unknown) => log.warn('to-device delivery failed', String(error)));
  }

  /** MSC2762 update_state: the state the widget may see, after each (re)grant. */
  async pushRoomState(approved: string[]): Promise<void> {
    const roomId = this.target.record()?.roomId;
    if (!roomId || !receivesAnyState(approved)) return;
    if (!(await this.supportsUpdateState())) return;
    const fetched = await visibleRoomState({ client: await this.target.client(), lane: this.target.lane }, approved, roomId);
    // A revoke may have landed during the fetch: filter again with what is allowed now.
    const now = await this.target.approved();
    const state = fetched.filter((event) => allowsReceive(now, { eventType: event.type ?? '', stateKey: event.state_key ?? '' }));
    if (!this.target.isDisposed()) void this.channel.request('update_state', { state }).catch(() => undefined);
  }

  /**
   * MSC4407: a widget that may receive sticky events gets those active in its rooms once granted
   * (they may predate the widget), then each one that becomes active, also those sync hands over
   * outside the timeline. Which events it sees is still up to its receive capabilities.
   */
  async pushStickyState(approved: string[]): Promise<void> {
    const boundRoom = this.target.record()?.roomId;
    if (!boundRoom || !hasCapability(approved, MatrixCapabilities.MSC4407ReceiveStickyEvent)) return;
    const client = await this.target.client();
    if (this.target.isDisposed()) return;
    this.stopStickyWatch ??= watchStickyEvents(client, (roomId, event) => this.deliver(roomId, event, true));
    const rooms = allowsEveryRoom(approved) ? client.getRooms().map((room) => room.roomId) : [boundRoom, ...timelineRooms(approved)];
    for (const roomId of new Set(rooms)) {
      for (const event of activeStickyEvents(client, roomId)) this.deliver(roomId, event, true);
    }
  }

  /** The widget is gone: stop following the client. */
  stop(): void {
    this.stopStickyWatch?.();
    this.stopStickyWatch = undefined;
  }

  /**
   * Told once the queue has room again: how many events the widget missed, and in which room, so it
   * can read them back with read_events. (No MSC defines this; widgets that ignore it lose nothing
   * they could not read.)
   */
  private scheduleOverflowNotice(roomId: string): void {
    if (this.isOverflowNoticePending) return;
    this.isOverflowNoticePending = true;
    // Events admitted after the drop go after the notice.
    this.openBatch = undefined;
    this.deliveries = this.deliveries.then(() => {
      this.isOverflowNoticePending = false;
      const dropped = this.window.takeDropped();
      log.warn('widget too slow: events not pushed', dropped);
      void this.channel.request(DELIVERY_OVERFLOW_ACTION, { room_id: roomId, dropped }).catch(() => undefined);
    });
  }

  private async supportsUpdateState(): Promise<boolean> {
    this.widgetVersions ??= this.channel.request('supported_api_versions', {}).then(
      (response) => (Array.isArray(response['supported_versions']) ? response['supported_versions'].filter((version) => typeof version === 'string') : []),
      () => [],
    );
    return supportsUpdateState(await this.widgetVersions);
  }

  /**
   * Pushes a batch in order, as many events at a time as the window has room for, each checked against
   * the grants as they are then. An event is recorded as delivered (in the host record, which survives
   * a stopped worker) only once the widget answered it: a worker stopped earlier pushes it again after
   * the wake, and the relay, which has it already, holds the repeat back (issue #8). Recording before
   * pushing instead lost events: a worker being stopped still ran long enough to write the record, but
   * its pushes no longer reached the frame.
   */
  private async deliverBatch(batch: readonly LiveEvent[]): Promise<void> {
    await this.target.negotiated();
    let pending = batch;
    while (pending.length > 0) {
      await this.window.acquire();
      let slots = 1;
      const record = this.target.record();
      const approved = record && !this.target.isDisposed() ? await this.target.approved() : [];
      const deliverable = record ? this.deliverable(pending, record, approved) : [];
      while (slots < deliverable.length && this.window.tryAcquire()) slots++;
      const sending = deliverable.slice(0, slots);
      for (let unused = sending.length; unused < slots; unused++) this.window.release();
      if (!record || sending.length === 0) return;
      const sent = sending.map(({ roomId, event }) => ({ event, raw: { ...event.getEffectiveEvent(), room_id: roomId } }));
      for (const { event, raw } of sent) this.push(event.getId() as string, raw, record);
      // A state change also reaches widgets that follow state through update_state.
      const states = sent.filter(({ event }) => event.isState());
      if (states.length > 0 && (await this.supportsUpdateState())) {
        for (const { raw } of states) void this.channel.request('update_state', { state: [raw] }).catch(() => undefined);
      }
      pending = deliverable.slice(sending.length);
    }
  }

  /** One send_event; the widget's answer (or the relay's word that it has the event) records it. */
  private push(eventId: string, raw: Record<string, unknown>, record: HostRecord): void {
    this.unanswered.add(eventId);
    void this.channel
      .request('send_event', raw)
      .then(
        () => {
          const delivered = record.deliveredEventIds;
          delivered.push(eventId);
          if (delivered.length > 2 * MAX_REMEMBERED_EVENT_IDS) delivered.splice(0, delivered.length - MAX_REMEMBERED_EVENT_IDS);
          this.writeRecord(record);
        },
        () => undefined, // no answer: a later copy may try again, and the relay holds it back if needed
      )
      .finally(() => {
        this.unanswered.delete(eventId);
        this.window.release();
      });
  }

  /** Writes the record after the one being written, coalescing everything answered meanwhile. */
  private writeRecord(record: HostRecord): void {
    if (this.isRecordWriteQueued) return;
    this.isRecordWriteQueued = true;
    this.recordWritesPending++;
    this.recordWrite = this.recordWrite
      .then(() => {
        this.isRecordWriteQueued = false;
        if (this.target.isDisposed()) return;
        return this.target.saveRecord(record);
      })
      .catch((error: unknown) => log.warn('recording delivered events failed', String(error)))
      .finally(() => this.recordWritesPending--);
  }

  /** How many events wait to be pushed (admitted, not yet out and answered). */
  backlog(): number {
    return this.window.backlog();
  }

  /** Whether some event is waiting to be pushed, for the widget's answer, or for its record write. */
  hasUnrecordedPushes(): boolean {
    return this.window.hasQueued() || this.unanswered.size > 0 || this.recordWritesPending > 0;
  }

  /** The events of `pending` the widget may get and has not had yet, in order, each once. */
  private deliverable(pending: readonly LiveEvent[], record: HostRecord, approved: readonly string[]): LiveEvent[] {
    if (this.target.isDisposed()) return [];
    const seen = new Set<string>();
    return pending.filter((live) => {
      const eventId = live.event.getId();
      if (!eventId || seen.has(eventId) || !this.mayDeliver(live, record, approved)) return false;
      seen.add(eventId);
      return true;
    });
  }

  private mayDeliver({ roomId, event, isActiveSticky }: LiveEvent, record: HostRecord, approved: readonly string[]): boolean {
    const eventId = event.getId();
    if (!eventId?.startsWith('$') || this.unanswered.has(eventId) || record.deliveredEventIds.includes(eventId)) return false;
    // localTimestamp is the server's send time on our clock (now − unsigned.age): immune to clock skew.
    if (!isActiveSticky && event.localTimestamp < record.createdAt) return false;
    // Never ciphertext or js-sdk's placeholder (the sticky store only holds decrypted events anyway).
    if (event.isEncrypted() && (event.isDecryptionFailure() || event.getClearContent() === null)) return false;
    if (isActiveSticky && !hasCapability(approved, MatrixCapabilities.MSC4407ReceiveStickyEvent)) return false;
    const content = event.getContent();
    const descriptor = {
      eventType: event.getType(),
      stateKey: event.getStateKey(),
      msgtype: typeof content['msgtype'] === 'string' ? content['msgtype'] : undefined,
    };
    // The bound room, or another room the widget holds m.timeline: for (MSC2762).
    return allowsRoom(approved, roomId, record.roomId) && allowsReceive(approved, descriptor);
  }
}
