// End-to-end encryption as widgets meet it: sends into an encrypted room are encrypted on the wire,
// and what a widget reads is the decrypted event. Never plaintext where the room says encrypted:
// js-sdk quietly sends plaintext for a room it has not synced yet, so that case waits or fails.
import {
  EventStatus,
  Method,
  MatrixError,
  MatrixEvent,
  MatrixScheduler,
  type IEvent,
  type MatrixClient,
  type Room,
} from 'matrix-js-sdk';
import { cryptoOf } from '../../session/crypto/crypto-readiness';
import { request, throughGate, type Homeserver } from './room-actions';
import { WidgetRequestRefused } from './widget-errors';

/** How long a send into an encrypted room waits for the room to appear in the client's sync. */
const ROOM_SYNC_WAIT_MS = 20_000;
const ROOM_SYNC_POLL_MS = 100;

/** Encryption cannot be turned off in a room, so a yes is remembered for the client's lifetime. */
const knownEncrypted = new WeakMap<MatrixClient, Set<string>>();

/**
 * Whether events sent to the room must be encrypted: the synced state when there is one, else the
 * server's. A joined room whose synced state lacks its `m.room.create` or `m.room.power_levels`
 * event (every room has both, though the spec does not demand power levels) is not taken as synced:
 * its state is incomplete, and would say "not encrypted" for want of the event. The server decides
 * then; when it cannot be asked, the send fails rather than go out in the clear.
 */
export async function isRoomEncrypted(homeserver: Homeserver, roomId: string): Promise<boolean> {
  const { client } = homeserver;
  const known = knownEncrypted.get(client) ?? new Set<string>();
  knownEncrypted.set(client, known);
  if (known.has(roomId)) return true;
  const room = client.getRoom(roomId);
  let isEncrypted = room?.hasEncryptionStateEvent() === true || (await (await cryptoOf(client))?.isEncryptionEnabledInRoom(roomId)) === true;
  const hasSyncedState =
    room?.getMyMembership() === 'join' && ['m.room.create', 'm.room.power_levels'].every((type) => room.currentState.getStateEvents(type, '') !== null);
  if (!isEncrypted && !hasSyncedState) {
    // Not synced (yet), or not whole: the room's current state on the server decides.
    isEncrypted = await request(homeserver, Method.Get, `/rooms/${encodeURIComponent(roomId)}/state/m.room.encryption/`).then(
      () => true,
      (error: unknown) => {
        if (error instanceof MatrixError && error.errcode === 'M_NOT_FOUND') return false;
        throw error;
      },
    );
  }
  if (isEncrypted) known.add(roomId);
  return isEncrypted;
}

/** A refusal the widget sees as it is (not an "internal error"): nothing was sent. */
export class RoomNotSynced extends WidgetRequestRefused {
  constructor() {
    super('This room is encrypted and has not synced yet, so nothing can be sent to it safely: try again shortly');
  }
}

async function syncedRoom(client: MatrixClient, roomId: string): Promise<Room> {
  const deadline = Date.now() + ROOM_SYNC_WAIT_MS;
  for (;;) {
    const room = client.getRoom(roomId);
    if (room?.hasEncryptionStateEvent()) return room;
    if (Date.now() > deadline) throw new RoomNotSynced();
    await new Promise((resolve) => setTimeout(resolve, ROOM_SYNC_POLL_MS));
  }
}

/**
 * Whether js-sdk keeps an encrypted event's sticky duration (MSC4354). js-sdk 43 queues
 * `m.room.message` events and events with a relation in its scheduler, which sends them without
 * their query parameters: the event would go out, silently not sticky. Others are sent directly.
 */
export function keepsStickyDurationWhenEncrypted(eventType: string, content: Record<string, unknown>): boolean {
  return MatrixScheduler.QUEUE_MESSAGES(new MatrixEvent({ type: eventType, content })) === null;
}

/**
 * Sends a room event encrypted for the room's members' devices, under `txnId`: a retry after a
 * stopped worker encrypts again but the server keeps the first event for that transaction. With
 * `stickyDurationMs` it is a sticky event (MSC4354); callers check `keepsStickyDurationWhenEncrypted`.
 */
export async function sendEncryptedRoomEvent(
  homeserver: Homeserver,
  roomId: string,
  eventType: string,
  content: Record<string, unknown>,
  txnId: string,
  stickyDurationMs?: number,
): Promise<{ room_id: string; event_id: string }> {
  const { client } = homeserver;
  if (!(await cryptoOf(client))) throw new WidgetRequestRefused('End-to-end encryption is unavailable in this session, so nothing can be sent to an encrypted room');
  await syncedRoom(client, roomId);
  try {
    // js-sdk's send: it encrypts with the room's Megolm session and shares the key first.
    const { event_id: eventId } = await throughGate(homeserver, () =>
      stickyDurationMs === undefined
        ? client.sendEvent(roomId, null, eventType as never, content as never, txnId)
        : client._unstable_sendStickyEvent(roomId, stickyDurationMs, null, eventType as never, content as never, txnId),
    );
    return { room_id: roomId, event_id: eventId };
  } catch (error) {
    // js-sdk keeps a failed send as a local echo forever; nobody here would resend it.
    const failed = (error as { event?: MatrixEvent }).event;
    if (failed?.status === EventStatus.NOT_SENT) client.cancelPendingEvent(failed);
    throw error;
  }
}

/**
 * Events from the server as a widget sees them: encrypted ones decrypted to their real type and
 * content. One that cannot be decrypted keeps its encrypted form (type `m.room.encrypted`), so it
 * only reaches a widget that may read encrypted events, and never as js-sdk's placeholder text.
 */
export async function decryptForWidget(client: MatrixClient, roomId: string, events: Partial<IEvent>[]): Promise<Partial<IEvent>[]> {
  if (!events.some((event) => event.type === 'm.room.encrypted') || !(await cryptoOf(client))) return events;
  const toMatrixEvent = client.getEventMapper({ decrypt: false });
  return Promise.all(
    events.map(async (raw) => {
      if (raw.type !== 'm.room.encrypted') return raw;
      const event = toMatrixEvent({ ...raw, room_id: roomId });
      await client.decryptEventIfNeeded(event);
      if (event.isDecryptionFailure() || event.getClearContent() === null) return raw;
      return { ...event.getEffectiveEvent(), room_id: roomId };
    }),
  );
}
