// Runtime messaging between extension contexts carries JSON only, but MSC4039 file transfers carry
// binary (a Blob or ArrayBuffer the widget posts, a file it downloads). At the content-script edge
// binary values become `{ mwbBinary: <base64>, type }` and back. Pure: base64 via btoa/atob.
import * as v from 'valibot';

/** Larger files are refused before they are encoded (homeservers commonly allow 50 MB). */
export const MAX_BINARY_BYTES = 100 * 1024 * 1024;

export const EncodedBinary = v.object({
  mwbBinary: v.pipe(v.string(), v.maxLength(Math.ceil((MAX_BINARY_BYTES * 4) / 3) + 4)),
  type: v.pipe(v.string(), v.maxLength(255)),
});
export type EncodedBinary = v.InferOutput<typeof EncodedBinary>;

export function encodeBytes(bytes: Uint8Array, type: string): EncodedBinary {
  let text = '';
  const chunk = 0x8000;
  for (let index = 0; index < bytes.length; index += chunk) {
    text += String.fromCharCode(...bytes.subarray(index, index + chunk));
  }
  return { mwbBinary: btoa(text), type };
}

export function decodeBytes(encoded: EncodedBinary): Uint8Array {
  const text = atob(encoded.mwbBinary);
  const bytes = new Uint8Array(text.length);
  for (let index = 0; index < text.length; index++) bytes[index] = text.charCodeAt(index);
  return bytes;
}
