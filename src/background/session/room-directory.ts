// The user's joined rooms with their names, for the approval window's room picker and the popup's
// grant list. Asked of the homeserver, not of sync: sync holds only the rooms widgets were granted
// (issue #8), the picker must offer all of them. Never decides anything.
import type { MatrixClient } from 'matrix-js-sdk';
import type { RoomChoice } from '../../shared/protocol/background-to-ui';

/** State reads in flight at once: an account in hundreds of rooms must not flood its homeserver. */
const NAME_READS_IN_FLIGHT = 8;

/** Every room the user has joined (`/joined_rooms`), each with its name. */
export async function joinedRoomChoices(client: MatrixClient): Promise<RoomChoice[]> {
  const { joined_rooms: roomIds } = await client.getJoinedRooms();
  const choices: RoomChoice[] = roomIds.map((roomId) => ({ roomId, name: roomId }));
  let next = 0;
  const reader = async (): Promise<void> => {
    for (let index = next++; index < choices.length; index = next++) {
      const choice = choices[index];
      if (choice) choice.name = await roomName(client, choice.roomId);
    }
  };
  await Promise.all(Array.from({ length: Math.min(NAME_READS_IN_FLIGHT, choices.length) }, reader));
  return choices;
}

/**
 * A room's name as the user knows it: js-sdk's when the room is synced (it also names rooms without
 * a name after their members), else the room's `m.room.name`, its canonical alias, or its ID.
 */
export async function roomName(client: MatrixClient, roomId: string): Promise<string> {
  const synced = client.getRoom(roomId);
  if (synced && !synced.name.startsWith('Empty room')) return synced.name;
  const name = await client.getStateEvent(roomId, 'm.room.name', '').catch(() => undefined);
  if (typeof name?.['name'] === 'string' && name['name']) return name['name'];
  const alias = await client.getStateEvent(roomId, 'm.room.canonical_alias', '').catch(() => undefined);
  if (typeof alias?.['alias'] === 'string' && alias['alias']) return alias['alias'];
  return roomId;
}
