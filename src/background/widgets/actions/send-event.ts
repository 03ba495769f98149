// send_event (MSC2762): room events, state events and redactions, into the bound room or a room the
// widget holds `m.timeline:` for when it names one, encrypted when the room is; delayed (MSC4157) and
// sticky (MSC4354 / MSC4407) room events. The widget gets the event ID; the server's copy of the
// event reaches it through sync (no local echo). Never sends something other than what was asked:
// a sticky or encrypted send that could not be honoured is refused, not sent plainly.
import { MatrixCapabilities } from 'matrix-widget-api';
import { allowsRoom, allowsSend, hasCapability } from '../../../shared/core/grant-policy';
import { SendEventData } from '../../../shared/protocol/widget-api';
import { readRoomEvent, redactRoomEvent, sendRoomEvent, type Homeserver } from './room-actions';
import { isRoomEncrypted, keepsStickyDurationWhenEncrypted, sendEncryptedRoomEvent } from './room-encryption';
import { WidgetRequestRefused } from './widget-errors';
import { parseData, requireBoundRoom, type ActionContext, type ActionResult } from './action-context';

/** The `unstable_features` flag of homeservers that honour the sticky query parameter (MSC4354). */
const STICKY_EVENTS_FEATURE = 'org.matrix.msc4354';

type SendResult = { room_id: string; event_id: string } | { room_id: string; delay_id: string };

export async function sendEvent(context: ActionContext, data: unknown): Promise<ActionResult> {
  const request = parseData(SendEventData, data, 'send_event');
  const { type, content, state_key: stateKey, room_id: requestedRoom, sticky_duration_ms: stickyDurationMs } = request;
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
  const isSticky = stickyDurationMs !== undefined;
  if (isSticky && !hasCapability(approved, MatrixCapabilities.MSC4407SendStickyEvent)) {
    context.audit('refused', roomId, `sticky ${type}`);
    throw new WidgetRequestRefused('Not allowed to send sticky events: the capability was not granted');
  }
  // Delayed or not, a redaction removes its target: the same check runs before either is sent.
  const isRedaction = type === 'm.room.redaction' && stateKey === undefined;
  if (isSticky && (stateKey !== undefined || type === 'm.room.redaction')) {
    // MSC4354 makes room events sticky; matrix-widget-api refuses sticky state events too.
    throw new WidgetRequestRefused('Only room events can be sticky: not state events or redactions');
  }
  const homeserver = await context.homeserver();
  if (isSticky && !(await homeserver.client.doesServerSupportUnstableFeature(STICKY_EVENTS_FEATURE))) {
    // A homeserver without MSC4354 ignores the query parameter: the event would not be sticky.
    throw new WidgetRequestRefused('Your homeserver does not support sticky events (MSC4354)');
  }
  if (isRedaction) await checkRedactionTarget(context, homeserver, roomId, approved, content);
  let result: SendResult;
  if (isRedaction && !isDelayed) {
    result = await redact(context, homeserver, roomId, content);
  } else if (stateKey === undefined && (await isRoomEncrypted(homeserver, roomId))) {
    if (isDelayed) {
      // The delayed-event API takes the final content now; js-sdk would send it unencrypted.
      throw new WidgetRequestRefused('Delayed events cannot be sent to an encrypted room by this host yet');
    }
    if (isSticky && !keepsStickyDurationWhenEncrypted(type, content)) {
      throw new WidgetRequestRefused(
        'Sticky m.room.message events and sticky events with a relation cannot be sent to an encrypted room by this host yet',
      );
    }
    result = await sendEncryptedRoomEvent(homeserver, roomId, type, content, await context.transactionId(), stickyDurationMs);
  } else {
    result = await sendRoomEvent(homeserver, roomId, type, content, stateKey, {
      delay: request.delay,
      parentDelayId: request.parent_delay_id,
      stickyDurationMs,
      txnId: await context.transactionId(),
    });
  }
  if ('delay_id' in result) context.rememberDelayId(result.delay_id);
  const kind = `${isDelayed ? 'delayed ' : ''}${isSticky ? 'sticky ' : ''}`;
  context.audit('sent', roomId, `${kind}${stateKey === undefined ? type : `${type} (state)`}`);
  context.markUsed(roomId);
  return result;
}

/**
 * What the redaction capability allows: removing the user's own events of a kind the widget may send.
 * Not the room's topic or encryption, not other people's events even when the account could moderate
 * them (no widget on a web page should moderate in the user's name), and the same whether the
 * redaction goes out now or delayed (room v11 puts `redacts` in the content of a delayed one).
 */
async function checkRedactionTarget(
  context: ActionContext,
  homeserver: Homeserver,
  roomId: string,
  approved: readonly string[],
  content: Record<string, unknown>,
): Promise<void> {
  const redacts = content['redacts'];
  if (typeof redacts !== 'string' || !redacts.startsWith('$')) {
    throw new WidgetRequestRefused('Invalid send_event request: a redaction needs content.redacts, an event ID');
  }
  const target = await readRoomEvent(homeserver, roomId, redacts);
  const targetMsgtype = typeof target.content?.['msgtype'] === 'string' ? (target.content['msgtype']) : undefined;
  if (!allowsSend(approved, { eventType: target.type ?? '', stateKey: target.state_key, msgtype: targetMsgtype })) {
    context.audit('refused', roomId, `redact ${target.type ?? 'event'}`);
    throw new WidgetRequestRefused('Not allowed to redact that event: the widget may not send events of its kind');
  }
  if (target.sender !== homeserver.client.getSafeUserId()) {
    context.audit('refused', roomId, `redact another user's ${target.type ?? 'event'}`);
    throw new WidgetRequestRefused("Not allowed to redact that event: a widget may only redact the user's own events");
  }
}

/** MSC2762: redactions go through /redact (a plain send would not redact anything). */
async function redact(context: ActionContext, homeserver: Homeserver, roomId: string, content: Record<string, unknown>): Promise<SendResult> {
  const reason = typeof content['reason'] === 'string' ? content['reason'] : undefined;
  return redactRoomEvent(homeserver, roomId, content['redacts'] as string, reason, await context.transactionId());
}
