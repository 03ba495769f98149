// send_event (MSC2762): room events, state events and redactions, into the bound room or a room the
// widget holds `m.timeline:` for when it names one, encrypted when the room is. The widget gets the
// event ID; the server's copy of the event reaches it through sync (no local echo).
import { MatrixCapabilities } from 'matrix-widget-api';
import { allowsRoom, allowsSend, hasCapability } from '../../../shared/core/grant-policy';
import { SendEventData } from '../../../shared/protocol/widget-api';
import { readRoomEvent, redactRoomEvent, sendRoomEvent } from '../room-actions';
import { isRoomEncrypted, sendEncryptedRoomEvent } from '../room-encryption';
import { WidgetRequestRefused } from '../widget-errors';
import { parseData, requireBoundRoom, type ActionContext, type ActionResult } from './action-context';

export async function sendEvent(context: ActionContext, data: unknown): Promise<ActionResult> {
  const request = parseData(SendEventData, data, 'send_event');
  const { type, content, state_key: stateKey, room_id: requestedRoom } = request;
  if (request.sticky_duration_ms !== undefined) {
    throw new WidgetRequestRefused('Sticky events (MSC4354) are not supported by this host yet');
  }
  const approved = await context.approved();
  const boundRoom = requestedRoom === undefined ? await requireBoundRoom(context) : await context.boundRoom();
  const roomId = requestedRoom ?? (boundRoom as string);
  if (!allowsRoom(approved, roomId, boundRoom)) {
    context.audit('refused', roomId, `send ${type} to another room`);
    throw new WidgetRequestRefused('This widget may only act in the room it was granted');
  }
  const msgtype = typeof content['msgtype'] === 'string' ? content['msgtype'] : undefined;
  if (!allowsSend(approved, { eventType: type, stateKey, msgtype })) {
    context.audit('refused', roomId, `send ${type}`);
    throw new WidgetRequestRefused(`Not allowed to send ${type} events: the capability was not granted`);
  }
  const isDelayed = request.delay !== undefined || request.parent_delay_id !== undefined;
  if (isDelayed && !hasCapability(approved, MatrixCapabilities.MSC4157SendDelayedEvent)) {
    context.audit('refused', roomId, `delayed ${type}`);
    throw new WidgetRequestRefused('Not allowed to send delayed events: the capability was not granted');
  }
  const client = await context.client();
  let result: { room_id: string; event_id: string } | { room_id: string; delay_id: string };
  if (type === 'm.room.redaction' && stateKey === undefined && !isDelayed) {
    // MSC2762: redactions go through /redact (a plain send would not redact anything).
    const redacts = content['redacts'];
    if (typeof redacts !== 'string' || !redacts.startsWith('$')) {
      throw new WidgetRequestRefused('Invalid send_event request: a redaction needs content.redacts, an event ID');
    }
    // Only what the widget could have sent itself: not the room's topic, encryption or others' types.
    const target = await readRoomEvent(client, roomId, redacts);
    const targetMsgtype = typeof target.content?.['msgtype'] === 'string' ? (target.content['msgtype'] as string) : undefined;
    if (!allowsSend(approved, { eventType: target.type ?? '', stateKey: target.state_key, msgtype: targetMsgtype })) {
      context.audit('refused', roomId, `redact ${target.type ?? 'event'}`);
      throw new WidgetRequestRefused('Not allowed to redact that event: the widget may not send events of its kind');
    }
    const reason = typeof content['reason'] === 'string' ? content['reason'] : undefined;
    result = await redactRoomEvent(client, roomId, redacts, reason, await context.transactionId());
  } else if (stateKey === undefined && (await isRoomEncrypted(client, roomId))) {
    if (isDelayed) {
      // The delayed-event API takes the final content now; js-sdk would send it unencrypted.
      throw new WidgetRequestRefused('Delayed events cannot be sent to an encrypted room by this host yet');
    }
    result = await sendEncryptedRoomEvent(client, roomId, type, content, await context.transactionId());
  } else {
    result = await sendRoomEvent(client, roomId, type, content, stateKey, {
      delay: request.delay,
      parentDelayId: request.parent_delay_id,
      txnId: await context.transactionId(),
    });
  }
  if ('delay_id' in result) context.rememberDelayId(result.delay_id);
  context.audit('sent', roomId, `${isDelayed ? 'delayed ' : ''}${stateKey === undefined ? type : `${type} (state)`}`);
  context.markUsed(roomId);
  return result;
}
