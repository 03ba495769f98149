// com.beeper.read_room_account_data (matrix-widget-api's readRoomAccountData): the user's private
// per-room data of one type, in the bound room or rooms the widget holds `m.timeline:` for.
import { HTTPError, Method } from 'matrix-js-sdk';
import { allowsEveryRoom, allowsRoom, allowsRoomAccountData } from '../../../shared/core/grant-policy';
import { ReadRoomAccountDataData } from '../../../shared/protocol/widget-api';
import { joinedRooms, request } from './room-actions';
import { WidgetRequestRefused } from './widget-errors';
import { parseData, requireBoundRoom, type ActionContext, type ActionResult } from './action-context';

export async function readRoomAccountData(context: ActionContext, data: unknown): Promise<ActionResult> {
  const { type, room_ids: roomIds } = parseData(ReadRoomAccountDataData, data, 'read_room_account_data');
  const approved = await context.approved();
  if (!allowsRoomAccountData(approved, type)) {
    throw new WidgetRequestRefused(`Not allowed to read ${type} room account data: the capability was not granted`);
  }
  const homeserver = await context.homeserver();
  const boundRoom = await context.boundRoom();
  let rooms: string[];
  if (roomIds === undefined) rooms = [await requireBoundRoom(context)];
  else if (roomIds === '*') {
    if (!allowsEveryRoom(approved)) throw new WidgetRequestRefused('Reading every room needs the m.timeline:* capability');
    rooms = await joinedRooms(homeserver);
  } else {
    if (roomIds.some((roomId) => !allowsRoom(approved, roomId, boundRoom))) {
      throw new WidgetRequestRefused('Not allowed to read rooms without an m.timeline capability for them');
    }
    rooms = roomIds;
  }
  const userId = encodeURIComponent(homeserver.client.getUserId() ?? '');
  const events: { type: string; room_id: string; content: Record<string, unknown> }[] = [];
  for (const roomId of rooms) {
    try {
      const content = await request<Record<string, unknown>>(homeserver, Method.Get, `/user/${userId}/rooms/${encodeURIComponent(roomId)}/account_data/${encodeURIComponent(type)}`);
      events.push({ type, room_id: roomId, content });
    } catch (error) {
      if (!(error instanceof HTTPError && error.httpStatus === 404)) throw error; // none set in this room
    }
  }
  context.audit('read', rooms.length === 1 ? (rooms[0] ?? null) : null, `room account data ${type} ×${events.length}`);
  return { events };
}
