// What a MatrixSession is built with, and the error every caller gets when nobody is logged in.
import type { SyncScope } from '../../shared/core/sync-scope';

export class NotLoggedIn extends Error {
  constructor() {
    super('Not logged in: open the extension popup and log in to your homeserver');
  }
}

export type SessionOptions = {
  /**
   * 'indexeddb' in the browser: the crypto store and the last sync survive a stopped worker and a
   * browser restart. 'memory' for Node tests: both live as long as the object.
   */
  persistence: 'indexeddb' | 'memory';
  /** Makes the crypto wasm ready before the first client needs it (the worker fetches the packaged file). */
  loadCrypto?: () => Promise<void>;
  /**
   * The rooms to sync for an account: the background passes the rooms its grants reach
   * (`GrantStore.syncScope`) and calls `syncScopeChanged` when they change. Without it every room
   * is synced, as a plain client does.
   */
  syncScope?: (userId: string) => Promise<SyncScope>;
  /** Whether widget hosts have live events not yet recorded as delivered (see sync-saver.ts). */
  hasUnrecordedPushes?: () => boolean;
  /** Whether some widget has so many events waiting to be pushed that sync should wait (sync-hold.ts). */
  isBackedUp?: () => boolean;
};
