// Sticky events (MSC4354) as the synced client knows them: the ones active in a room now, and each
// new one as it arrives. js-sdk 43 keeps them per room (`room._unstable_getStickyEvents()`, expired
// ones dropped) and fills that store from both the timeline and sync's `msc4354_sticky` section; the
// latter (a gappy sync, a worker waking up) never reaches `RoomEvent.Timeline`, and its events carry
// no room ID, so the room comes from the store that announced them. Never decides who may see them.
import { ClientEvent, RoomStickyEventsEvent, type MatrixClient, type MatrixEvent, type Room } from 'matrix-js-sdk';

type StickyListener = (roomId: string, event: MatrixEvent) => void;
/** js-sdk's `RoomStickyEventsEvent.Update` handler (its map type is not exported). */
type OnUpdate = (added: MatrixEvent[], updated: { current: MatrixEvent; previous: MatrixEvent }[], removed: MatrixEvent[]) => void;

/** The sticky events active in the room now, as far as the client has synced it. */
export function activeStickyEvents(client: MatrixClient, roomId: string): MatrixEvent[] {
  const room = client.getRoom(roomId);
  return room ? [...room._unstable_getStickyEvents()] : [];
}

/**
 * Calls `listener` for every sticky event that becomes active (new, or replacing an older one with
 * the same sticky key) in any room of the client, now and later. Returns the function that stops it.
 */
export function watchStickyEvents(client: MatrixClient, listener: StickyListener): () => void {
  const watched = new Map<Room, OnUpdate>();
  const watch = (room: Room): void => {
    if (watched.has(room)) return;
    const onUpdate: OnUpdate = (added, updated) => {
      for (const event of [...added, ...updated.map(({ current }) => current)]) listener(room.roomId, event);
    };
    watched.set(room, onUpdate);
    room.on(RoomStickyEventsEvent.Update, onUpdate);
  };
  // js-sdk fills a new room's sticky events before it announces the room: those are active already.
  const watchNew = (room: Room): void => {
    watch(room);
    for (const event of room._unstable_getStickyEvents()) listener(room.roomId, event);
  };
  for (const room of client.getRooms()) watch(room);
  client.on(ClientEvent.Room, watchNew);
  return () => {
    client.off(ClientEvent.Room, watchNew);
    for (const [room, onUpdate] of watched) room.off(RoomStickyEventsEvent.Update, onUpdate);
    watched.clear();
  };
}
