// Which handler answers a fromWidget action. The handlers in actions/ see one request's ActionContext
// only (never the frame, the port or the host record); the few actions that change the host's own
// state (capabilities, OpenID consent, the TURN watch) go back to the host.
import { MatrixApiVersion, UnstableApiVersion, WidgetApiFromWidgetAction } from 'matrix-widget-api';
import type { FromWidgetRequest } from '../../../shared/protocol/widget-api';
import type { ActionContext, ActionResult } from './action-context';
import { clientUiRefusal } from './client-ui';
import { delegateDelayedLeave, getLivekitToken, getRtcTransports } from './rtc';
import { getMediaConfig, searchUserDirectory } from './directory-and-media';
import { downloadFile, uploadFile } from './files';
import { readEvents } from './read-events';
import { readRelations } from './read-relations';
import { readRoomAccountData } from './room-account-data';
import { sendEvent } from './send-event';
import { sendToDevice } from './to-device';
import { updateDelayedEvent } from './delayed-events';
import { WidgetRequestRefused } from './widget-errors';

/** Versions this host implements; MSC2871 lets the widget wait for `notify_capabilities`. */
export const SUPPORTED_VERSIONS = [
  MatrixApiVersion.Prerelease1,
  MatrixApiVersion.Prerelease2,
  UnstableApiVersion.MSC2762,
  UnstableApiVersion.MSC2762_UPDATE_STATE,
  UnstableApiVersion.MSC2871,
  UnstableApiVersion.MSC2876,
  UnstableApiVersion.MSC2974,
  UnstableApiVersion.MSC3819,
  UnstableApiVersion.MSC3846,
  UnstableApiVersion.MSC3869,
  UnstableApiVersion.MSC3973,
  UnstableApiVersion.MSC4039,
  // MatrixRTC: the host passes these to the homeserver, whose answer (or error) the widget gets.
  UnstableApiVersion.MSC4515,
  UnstableApiVersion.MSC4533,
  // Delayed events (no version constant in matrix-widget-api 1.19; widgets use the capabilities).
  'org.matrix.msc4157',
];

/** The actions a host answers itself, because they change its own state. */
export type HostOwnActions = {
  /** MSC2974: acknowledged at once, the outcome follows as notify_capabilities. */
  requestCapabilities(data: unknown): ActionResult;
  getOpenId(requestId: string): Promise<ActionResult>;
  watchTurnServers(): Promise<ActionResult>;
  unwatchTurnServers(): ActionResult;
};

/** Actions answered without the Matrix account (and so also before anyone logged in). */
export function isHostLocal(action: string): boolean {
  return action === WidgetApiFromWidgetAction.SupportedApiVersions || action === WidgetApiFromWidgetAction.ContentLoaded;
}

export async function routeAction(request: FromWidgetRequest, actions: ActionContext, host: HostOwnActions): Promise<ActionResult> {
  switch (request.action) {
    case WidgetApiFromWidgetAction.SupportedApiVersions:
      return { supported_versions: SUPPORTED_VERSIONS };
    case WidgetApiFromWidgetAction.ContentLoaded:
      return {};
    case WidgetApiFromWidgetAction.SendEvent:
      return sendEvent(actions, request.data);
    case WidgetApiFromWidgetAction.MSC2876ReadEvents:
      return readEvents(actions, request.data);
    case WidgetApiFromWidgetAction.MSC3869ReadRelations:
      return readRelations(actions, request.data);
    case WidgetApiFromWidgetAction.SendToDevice:
      return sendToDevice(actions, request.data);
    case WidgetApiFromWidgetAction.MSC3973UserDirectorySearch:
      return searchUserDirectory(actions, request.data);
    case WidgetApiFromWidgetAction.MSC4039GetMediaConfigAction:
      return getMediaConfig(actions);
    case WidgetApiFromWidgetAction.WatchTurnServers:
      return host.watchTurnServers();
    case WidgetApiFromWidgetAction.UnwatchTurnServers:
      return host.unwatchTurnServers();
    case WidgetApiFromWidgetAction.BeeperReadRoomAccountData:
      return readRoomAccountData(actions, request.data);
    case WidgetApiFromWidgetAction.MSC4039UploadFileAction:
      return uploadFile(actions, request.data);
    case WidgetApiFromWidgetAction.MSC4039DownloadFileAction:
      return downloadFile(actions, request.data);
    case WidgetApiFromWidgetAction.MSC2974RenegotiateCapabilities:
      return host.requestCapabilities(request.data);
    case WidgetApiFromWidgetAction.MSC4157UpdateDelayedEvent:
      return updateDelayedEvent(actions, request.data);
    case WidgetApiFromWidgetAction.GetOpenIDCredentials:
      return host.getOpenId(request.requestId);
    case WidgetApiFromWidgetAction.MSC4515GetRtcTransports:
      return getRtcTransports(actions);
    case WidgetApiFromWidgetAction.MSC4533RtcLivekitGetToken:
      return getLivekitToken(actions, request.data);
    case WidgetApiFromWidgetAction.MSC4533RtcLivekitDelegateDelayedLeave:
      return delegateDelayedLeave(actions, request.data);
    default: {
      const clientUi = clientUiRefusal(request.action);
      if (clientUi) throw clientUi;
      if ((Object.values(WidgetApiFromWidgetAction) as string[]).includes(request.action)) {
        throw new WidgetRequestRefused(`The action "${request.action}" is not supported by this host yet`);
      }
      throw new WidgetRequestRefused(`Unknown or unsupported action: ${request.action}`);
    }
  }
}
