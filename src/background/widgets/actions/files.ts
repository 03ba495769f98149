// upload_file / download_file (MSC4039), behind their capabilities. Files arrive and leave encoded
// (runtime messaging carries JSON only; the relay turns them into and from Blobs at the page edge).
import { Method } from 'matrix-js-sdk';
import { MatrixCapabilities } from 'matrix-widget-api';
import * as v from 'valibot';
import { hasCapability } from '../../../shared/core/grant-policy';
import { decodeBytes, EncodedBinary, encodeBytes } from '../../../shared/protocol/binary';
import { request, throughGate } from './room-actions';
import { WidgetRequestRefused } from './widget-errors';
import { parseData, type ActionContext, type ActionResult } from './action-context';

/**
 * Chrome's runtime messaging is JSON, so the relay sends files encoded; Firefox's structured-clones
 * them, and a Blob the relay could not read through Firefox's Xray wrappers arrives as a Blob.
 */
const UploadFileData = v.object({
  file: v.union([EncodedBinary, v.instance(Blob), v.pipe(v.string(), v.maxLength(10 * 1024 * 1024))]),
});
/**
 * `mxc://<server name>/<media id>` with the characters the spec allows in each: no `/`, `%` or `?`,
 * and no dot segment (`mxc://../config` would reach another endpoint once the URL is resolved).
 */
const MXC_URI = /^mxc:\/\/(?!\.{1,2}\/)[A-Za-z0-9.:\-[\]]+\/[A-Za-z0-9_-]+$/;
const DownloadFileData = v.object({ content_uri: v.pipe(v.string(), v.maxLength(1024), v.regex(MXC_URI, 'must be an mxc:// URI')) });

/**
 * Chrome drops a runtime message above 64 MiB without a word, and a file travels base64 (a third
 * larger) in JSON: above this the widget gets an error instead of a reply that never comes.
 */
export const MAX_DOWNLOAD_BYTES = 32 * 1024 * 1024;

export async function uploadFile(context: ActionContext, data: unknown): Promise<ActionResult> {
  const { file } = parseData(UploadFileData, data, 'upload_file');
  if (!hasCapability(await context.approved(), MatrixCapabilities.MSC4039UploadFile)) {
    throw new WidgetRequestRefused('Not allowed to upload files: the capability was not granted');
  }
  const blob =
    file instanceof Blob
      ? file
      : typeof file === 'string'
        ? new Blob([file], { type: 'text/plain' })
        : new Blob([decodeBytes(file) as BlobPart], { type: file.type || 'application/octet-stream' });
  const homeserver = await context.homeserver();
  const uploaded = await throughGate(homeserver, () => homeserver.client.uploadContent(blob, { includeFilename: false }));
  context.audit('sent', null, `file ×${blob.size} bytes`);
  return { content_uri: uploaded.content_uri };
}

export async function downloadFile(context: ActionContext, data: unknown): Promise<ActionResult> {
  const { content_uri: contentUri } = parseData(DownloadFileData, data, 'download_file');
  if (!hasCapability(await context.approved(), MatrixCapabilities.MSC4039DownloadFile)) {
    throw new WidgetRequestRefused('Not allowed to download files: the capability was not granted');
  }
  const [serverName, mediaId] = contentUri.slice('mxc://'.length).split('/') as [string, string];
  // Authenticated media (Matrix 1.11): the token goes in a header, never in a URL the widget sees.
  const blob = await request<Blob>(await context.homeserver(), Method.Get, `/download/${encodeURIComponent(serverName)}/${encodeURIComponent(mediaId)}`, undefined, undefined, {
    prefix: '/_matrix/client/v1/media',
    rawResponseBody: true,
  });
  if (blob.size > MAX_DOWNLOAD_BYTES) {
    throw new WidgetRequestRefused(`The file is too large to pass to the widget: ${blob.size} bytes, at most ${MAX_DOWNLOAD_BYTES}`);
  }
  context.audit('read', null, `file ×${blob.size} bytes`);
  return { file: encodeBytes(new Uint8Array(await blob.arrayBuffer()), blob.type) };
}
