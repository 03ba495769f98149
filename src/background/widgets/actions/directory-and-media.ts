// user_directory_search (MSC3973) and get_media_config (MSC4039): passed to the homeserver behind
// their capabilities.
import { Method } from 'matrix-js-sdk';
import { MatrixCapabilities } from 'matrix-widget-api';
import { hasCapability } from '../../../shared/core/grant-policy';
import { UserDirectorySearchData } from '../../../shared/protocol/widget-api';
import { request, throughGate } from './room-actions';
import { WidgetRequestRefused } from './widget-errors';
import { parseData, type ActionContext, type ActionResult } from './action-context';

const DIRECTORY_LIMIT_CAP = 50;

export async function searchUserDirectory(context: ActionContext, data: unknown): Promise<ActionResult> {
  const { search_term: searchTerm, limit } = parseData(UserDirectorySearchData, data, 'user_directory_search');
  if (!hasCapability(await context.approved(), MatrixCapabilities.MSC3973UserDirectorySearch)) {
    throw new WidgetRequestRefused('Not allowed to search the user directory: the capability was not granted');
  }
  const homeserver = await context.homeserver();
  const term = { term: searchTerm, limit: Math.min(limit ?? 10, DIRECTORY_LIMIT_CAP) };
  const response = await throughGate(homeserver, () => homeserver.client.searchUserDirectory(term));
  context.audit('read', null, `user directory ×${response.results.length}`);
  return {
    limited: response.limited,
    results: response.results.map((user) => ({ user_id: user.user_id, display_name: user.display_name, avatar_url: user.avatar_url })),
  };
}

export async function getMediaConfig(context: ActionContext): Promise<ActionResult> {
  if (!hasCapability(await context.approved(), MatrixCapabilities.MSC4039UploadFile)) {
    throw new WidgetRequestRefused('Not allowed to read the media configuration: the upload capability was not granted');
  }
  return request<ActionResult>(await context.homeserver(), Method.Get, '/config', undefined, undefined, { prefix: '/_matrix/client/v1/media' });
}
