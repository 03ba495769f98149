// What an open account's client tells the rest of the background: to-device messages, sync state
// changes, and that the homeserver ended the session. One typed set of listeners per kind.
import { ClientEvent, HttpApiEvent, SyncState, type MatrixEvent } from 'matrix-js-sdk';
import { createLogger } from '../../shared/log';
import type { OpenAccount } from './client-factory';

const log = createLogger('bg:session');

/** A session the homeserver ended (its device was removed or logged out, or its refresh token refused). */
export type EndedSession = { userId: string; deviceId: string; homeserverUrl: string };

export class Listeners<T> {
  private readonly listeners = new Set<(value: T) => void>();

  add(listener: (value: T) => void): void {
    this.listeners.add(listener);
  }

  emit(value: T): void {
    for (const listener of this.listeners) listener(value);
  }
}

export class SessionEvents {
  readonly toDevice = new Listeners<MatrixEvent>();
  readonly syncState = new Listeners<SyncState>();
  readonly ended = new Listeners<EndedSession>();

  /** Follows an account's client while `isCurrent` says it is the open one. */
  follow(account: OpenAccount, isCurrent: () => boolean): void {
    const { client, session } = account;
    client.on(ClientEvent.ToDeviceEvent, (event) => {
      if (!event.isEncrypted() || !event.isDecryptionFailure()) account.syncSaver?.noteActivity();
      this.toDevice.emit(event);
    });
    // js-sdk emits this for a 401 M_UNKNOWN_TOKEN it could not cure by refreshing: the device was
    // deleted or logged out (another client's session list, an admin), or an OIDC refresh token was
    // refused (its TokenRefresher turns a 4xx from the token endpoint into the same outcome). Any of
    // the client's requests can be the one that learns it (sync, crypto's, a widget's): once is enough.
    client.on(HttpApiEvent.SessionLoggedOut, () => {
      if (!isCurrent() || account.isEndedByServer) return;
      account.isEndedByServer = true;
      log.warn('the homeserver ended the session', session.userId);
      this.ended.emit({ userId: session.userId, deviceId: session.deviceId, homeserverUrl: session.homeserverUrl });
    });
    client.on(ClientEvent.Sync, (state, previous) => {
      if (state !== previous) {
        log.info('sync state', state);
        this.syncState.emit(state);
      }
      if (state === SyncState.Syncing || state === SyncState.Prepared) account.syncSaver?.syncProcessed();
    });
  }
}
