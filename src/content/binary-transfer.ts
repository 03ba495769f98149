// Binary values (MSC4039 files) cannot cross runtime messaging, which carries JSON only: a widget's
// Blob/ArrayBuffer in `data` is encoded before it goes to the background, and an encoded file in a
// reply is posted to the widget as a Blob. Nothing else about the message changes.
import * as v from 'valibot';
import { EncodedBinary, MAX_BINARY_BYTES, decodeBytes, encodeBytes } from '../shared/protocol/binary';

/**
 * By their tag, not `instanceof`: in Firefox a page's objects reach the content script through Xray
 * wrappers, which are not instances of the content script's own Blob or ArrayBuffer.
 */
function tagOf(value: unknown): string {
  return Object.prototype.toString.call(value);
}

async function bytesOf(value: unknown): Promise<{ bytes: Uint8Array; type: string } | undefined> {
  const tag = tagOf(value);
  if (tag === '[object Blob]' || tag === '[object File]') {
    const blob = value as Blob;
    return { bytes: new Uint8Array(await new Response(blob).arrayBuffer()), type: String(blob.type ?? '') };
  }
  if (tag === '[object ArrayBuffer]') return { bytes: new Uint8Array((value as ArrayBuffer).slice(0)), type: '' };
  if (ArrayBuffer.isView(value) || /^\[object (Ui|I)nt(8|16|32)(Clamped)?Array\]$/.test(tag)) {
    const view = value as ArrayBufferView;
    return { bytes: new Uint8Array(view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength)), type: '' };
  }
  return undefined;
}

/** The message with binary values of its `data` (one level deep) encoded; the same message otherwise. */
export async function encodeBinaryData(message: unknown): Promise<unknown> {
  if (typeof message !== 'object' || message === null) return message;
  const data = (message as { data?: unknown }).data;
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return message;
  let encoded: Record<string, unknown> | undefined;
  for (const [key, value] of Object.entries(data)) {
    const binary = await bytesOf(value);
    if (!binary || binary.bytes.byteLength > MAX_BINARY_BYTES) continue;
    encoded ??= { ...data };
    encoded[key] = encodeBytes(binary.bytes, binary.type);
  }
  return encoded ? { ...message, data: encoded } : message;
}

/** A reply with encoded files in its `response` (one level deep) turned back into Blobs. */
export function decodeBinaryResponse<T extends { response?: Record<string, unknown> }>(message: T): T {
  const response = message.response;
  if (!response) return message;
  let decoded: Record<string, unknown> | undefined;
  for (const [key, value] of Object.entries(response)) {
    const parsed = v.safeParse(EncodedBinary, value);
    if (!parsed.success) continue;
    decoded ??= { ...response };
    decoded[key] = new Blob([decodeBytes(parsed.output) as BlobPart], { type: parsed.output.type });
  }
  return decoded ? { ...message, response: decoded } : message;
}
