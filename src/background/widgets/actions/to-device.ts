// send_to_device (MSC3819). Crypto-internal types are refused whatever was granted. Encrypted
// messages are Olm-encrypted per device by the session's Rust crypto, all in one request under the
// widget request's persisted transaction id.
import { Method, type MatrixClient } from 'matrix-js-sdk';
import { allowsToDevice, isCryptoInternalToDeviceType } from '../../../shared/core/grant-policy';
import { SendToDeviceData } from '../../../shared/protocol/widget-api';
import { cryptoOf } from '../../session/crypto/crypto-readiness';
import { request } from './room-actions';
import { WidgetRequestRefused } from './widget-errors';
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
  const homeserver = await context.homeserver();
  const wire = encrypted ? await encryptForDevices(homeserver.client, type, messages) : { type, messages };
  const path = `/sendToDevice/${encodeURIComponent(wire.type)}/${encodeURIComponent(await context.transactionId())}`;
  await request(homeserver, Method.Put, path, undefined, { messages: wire.messages });
  context.audit('sent', null, `to-device ${type}`);
  return {};
}

type DeviceMessages = Record<string, Record<string, Record<string, unknown>>>;

/**
 * Encrypts each device's content for that device (`*` means every device of the user). Devices
 * without keys cannot be encrypted for and are left out, as js-sdk does.
 */
async function encryptForDevices(client: MatrixClient, type: string, messages: DeviceMessages): Promise<{ type: string; messages: DeviceMessages }> {
  const crypto = await cryptoOf(client);
  if (!crypto) throw new WidgetRequestRefused('End-to-end encryption is unavailable in this session, so encrypted to-device messages cannot be sent');
  const known = await crypto.getUserDeviceInfo(Object.keys(messages), true);
  // One encryption call per distinct content: most widgets send the same content to every device.
  const byContent = new Map<string, { payload: Record<string, unknown>; devices: { userId: string; deviceId: string }[] }>();
  for (const [userId, devices] of Object.entries(messages)) {
    for (const [deviceId, payload] of Object.entries(devices)) {
      const targets = deviceId === '*' ? [...(known.get(userId)?.keys() ?? [])] : [deviceId];
      const key = JSON.stringify(payload);
      const group = byContent.get(key) ?? { payload, devices: [] };
      group.devices.push(...targets.map((target) => ({ userId, deviceId: target })));
      byContent.set(key, group);
    }
  }
  const encrypted: DeviceMessages = {};
  for (const { payload, devices } of byContent.values()) {
    const batch = await crypto.encryptToDeviceMessages(type, devices, payload);
    for (const { userId, deviceId, payload: ciphertext } of batch.batch) {
      (encrypted[userId] ??= {})[deviceId] = ciphertext;
    }
  }
  return { type: 'm.room.encrypted', messages: encrypted };
}
