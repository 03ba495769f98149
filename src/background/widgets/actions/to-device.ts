// send_to_device (MSC3819). Crypto-internal types are refused whatever was granted; encrypted
// sending needs the Rust crypto session (issue #5) and is refused with a clear error until then.
import { Method } from 'matrix-js-sdk';
import { allowsToDevice, isCryptoInternalToDeviceType } from '../../../shared/core/grant-policy';
import { SendToDeviceData } from '../../../shared/protocol/widget-api';
import { request } from '../room-actions';
import { WidgetRequestRefused } from '../widget-errors';
import { parseData, type ActionContext, type ActionResult } from './action-context';

export async function sendToDevice(context: ActionContext, data: unknown): Promise<ActionResult> {
  const { type, encrypted, messages } = parseData(SendToDeviceData, data, 'send_to_device');
  if (isCryptoInternalToDeviceType(type)) {
    context.audit('refused', null, `to-device ${type}`);
    throw new WidgetRequestRefused(`${type} messages belong to end-to-end encryption and cannot be sent by widgets`);
  }
  if (!allowsToDevice(await context.approved(), 'send', type)) {
    context.audit('refused', null, `to-device ${type}`);
    throw new WidgetRequestRefused(`Not allowed to send ${type} to-device messages: the capability was not granted`);
  }
  if (encrypted) {
    throw new WidgetRequestRefused('Encrypted to-device messages need end-to-end encryption, which this host does not have yet');
  }
  const client = await context.client();
  const path = `/sendToDevice/${encodeURIComponent(type)}/${encodeURIComponent(await context.transactionId())}`;
  await request(client, Method.Put, path, undefined, { messages });
  context.audit('sent', null, `to-device ${type}`);
  return {};
}
