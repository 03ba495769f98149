// MatrixRTC for call widgets: the homeserver's RTC transports (MSC4515 over MSC4143's endpoint) and
// LiveKit tokens / delegated leave events (MSC4533 over MSC4195's endpoints), each behind its
// capability, for rooms the widget may act in. The homeserver decides the rest; where it does not
// offer an endpoint, its error reaches the widget as matrix_api_error.
import { Method } from 'matrix-js-sdk';
import { MatrixCapabilities } from 'matrix-widget-api';
import { allowsRoom, hasCapability } from '../../../shared/core/grant-policy';
import { RtcLivekitDelegateDelayedLeaveData, RtcLivekitGetTokenData } from '../../../shared/protocol/widget-api';
import { request } from './room-actions';
import { WidgetRequestRefused } from './widget-errors';
import { parseData, type ActionContext, type ActionResult } from './action-context';

const MSC4143_PREFIX = '/_matrix/client/unstable/org.matrix.msc4143';
const MSC4195_PREFIX = '/_matrix/client/unstable/io.element.msc4195';

async function requireCapability(context: ActionContext, capability: string, what: string): Promise<void> {
  if (!hasCapability(await context.approved(), capability)) throw new WidgetRequestRefused(`Not allowed to ${what}: the capability was not granted`);
}

async function requireRoom(context: ActionContext, roomId: string): Promise<void> {
  if (!allowsRoom(await context.approved(), roomId, await context.boundRoom())) {
    context.audit('refused', roomId, 'MatrixRTC in another room');
    throw new WidgetRequestRefused('This widget may only act in the room it was granted');
  }
}

export async function getRtcTransports(context: ActionContext): Promise<ActionResult> {
  await requireCapability(context, MatrixCapabilities.MSC4515RtcTransports, 'read the homeserver’s RTC transports');
  const response = await request<{ rtc_transports?: unknown }>(await context.homeserver(), Method.Get, '/rtc/transports', undefined, undefined, {
    prefix: MSC4143_PREFIX,
  });
  // Synapse answers `{}` when it has none configured; anything but a typed object is not a transport.
  const transports = Array.isArray(response.rtc_transports) ? response.rtc_transports : [];
  return {
    rtc_transports: transports.filter(
      (transport: unknown) => typeof transport === 'object' && transport !== null && typeof (transport as { type?: unknown }).type === 'string',
    ),
  };
}

export async function getLivekitToken(context: ActionContext, data: unknown): Promise<ActionResult> {
  const body = parseData(RtcLivekitGetTokenData, data, 'rtc_livekit_get_token');
  await requireCapability(context, MatrixCapabilities.MSC4533RtcLivekitGetToken, 'get LiveKit tokens');
  await requireRoom(context, body.room_id);
  const { jwt } = await request<{ jwt?: unknown }>(await context.homeserver(), Method.Post, '/rtc/livekit/get_token', undefined, body, {
    prefix: MSC4195_PREFIX,
  });
  if (typeof jwt !== 'string') throw new WidgetRequestRefused('The homeserver answered without a LiveKit token');
  context.audit('read', body.room_id, 'LiveKit token');
  return { jwt };
}

export async function delegateDelayedLeave(context: ActionContext, data: unknown): Promise<ActionResult> {
  const body = parseData(RtcLivekitDelegateDelayedLeaveData, data, 'rtc_livekit_delegate_delayed_leave');
  await requireCapability(context, MatrixCapabilities.MSC4533RtcLivekitDelegateDelayedLeave, 'hand delayed leave events to the homeserver');
  await requireRoom(context, body.room_id);
  // Like update_delayed_event (MSC4157): only delayed events this widget instance scheduled.
  if (!context.ownsDelayId(body.delay_id)) throw new WidgetRequestRefused('This widget did not schedule that delayed event');
  await request(await context.homeserver(), Method.Post, '/rtc/livekit/delegate_delayed_leave', undefined, body, { prefix: MSC4195_PREFIX });
  context.audit('sent', body.room_id, 'delayed leave delegated');
  return {};
}
