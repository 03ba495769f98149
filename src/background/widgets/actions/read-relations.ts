// read_relations (MSC3869): the relations of one event, in the bound room or a room the widget holds
// `m.timeline:` for; only the related events the widget may see are returned.
import type { IEvent } from 'matrix-js-sdk';
import { Method } from 'matrix-js-sdk';
import { allowsReceive, allowsRoom } from '../../../shared/core/grant-policy';
import { ReadRelationsData } from '../../../shared/protocol/widget-api';
import { READ_EVENTS_LIMIT_CAP, request } from './room-actions';
import { decryptForWidget } from './room-encryption';
import { WidgetRequestRefused } from './widget-errors';
import { parseData, requireBoundRoom, type ActionContext, type ActionResult } from './action-context';

export async function readRelations(context: ActionContext, data: unknown): Promise<ActionResult> {
  const relations = parseData(ReadRelationsData, data, 'read_relations');
  const approved = await context.approved();
  const boundRoom = await context.boundRoom();
  const roomId = relations.room_id ?? (await requireBoundRoom(context));
  if (!allowsRoom(approved, roomId, boundRoom)) throw new WidgetRequestRefused('This widget may only act in the room it was granted');
  const segments = [relations.rel_type, relations.rel_type === undefined ? undefined : relations.event_type].filter((part) => part !== undefined);
  const path = ['', 'rooms', roomId, 'relations', relations.event_id, ...segments].map(encodeURIComponent).join('/');
  const query: Record<string, string> = { limit: String(Math.min(relations.limit ?? 50, READ_EVENTS_LIMIT_CAP)) };
  if (relations.from) query['from'] = relations.from;
  if (relations.to) query['to'] = relations.to;
  if (relations.direction) query['dir'] = relations.direction;
  const homeserver = await context.homeserver();
  const response = await request<{ chunk: IEvent[]; next_batch?: string; prev_batch?: string }>(homeserver, Method.Get, path, query, undefined, {
    prefix: '/_matrix/client/v1',
  });
  const readable = await decryptForWidget(homeserver.client, roomId, response.chunk.map((event) => ({ ...event, room_id: roomId })));
  const chunk = readable
    .filter((event) => (relations.event_type === undefined || event.type === relations.event_type))
    .filter((event) =>
      allowsReceive(approved, {
        eventType: event.type ?? '',
        stateKey: event.state_key,
        msgtype: typeof event.content?.['msgtype'] === 'string' ? (event.content['msgtype']) : undefined,
      }),
    );
  context.audit('read', roomId, `relations ×${chunk.length}`);
  return { chunk, ...(response.next_batch ? { next_batch: response.next_batch } : {}), ...(response.prev_batch ? { prev_batch: response.prev_batch } : {}) };
}
