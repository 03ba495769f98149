// MSC2762 update_state: widgets that say they support it (`org.matrix.msc2762_update_state` in their
// supported_api_versions) get the room state they may see when capabilities are granted, and every
// state change after that, as toWidget `update_state`.
import type { IEvent } from 'matrix-js-sdk';
import { UnstableApiVersion } from 'matrix-widget-api';
import { allowsReceive, allowsRoom, timelineRooms } from '../../../shared/core/grant-policy';
import { readStateEvents, type Homeserver } from '../actions/room-actions';

export function supportsUpdateState(widgetVersions: readonly string[]): boolean {
  return widgetVersions.includes(UnstableApiVersion.MSC2762_UPDATE_STATE);
}

/** The current state of the rooms the widget reaches, filtered to what its capabilities allow. */
export async function visibleRoomState(homeserver: Homeserver, approved: readonly string[], boundRoom: string): Promise<Partial<IEvent>[]> {
  const rooms = [boundRoom, ...timelineRooms(approved).filter((roomId) => roomId !== boundRoom && allowsRoom(approved, roomId, boundRoom))];
  const state: Partial<IEvent>[] = [];
  for (const roomId of rooms) {
    // One /state read per room; the filter below applies the widget's state capabilities.
    const events = await readStateEvents(homeserver, roomId, '', undefined).catch(() => []);
    state.push(...events);
  }
  return state.filter((event) => allowsReceive(approved, { eventType: event.type ?? '', stateKey: event.state_key ?? '' }));
}
