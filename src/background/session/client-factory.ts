// Builds an account's MatrixClient from its saved session: the per-account lock, the saved-sync
// store, the scoped and peeked sync pipeline (scoped-sync.ts → sync-hold.ts → sync-peek.ts), OIDC
// token renewal, and Rust crypto. Plain requests can use the client at once; sync waits for `ready`.
// Once its sync is current (sync-freshness.ts), reads may be answered from its live timelines.
import { createClient, Filter, IndexedDBStore, type AccessTokens, type MatrixClient } from 'matrix-js-sdk';
import { createLogger } from '../../shared/log';
import { ALL_ROOMS, NO_ROOMS } from '../../shared/core/sync-scope';
import { setCryptoReadiness } from './crypto/crypto-readiness';
import type { DeviceVerification } from './crypto/device-verification';
import { CrossSigningAnswer } from './crypto/encryption-status';
import type { LiveEvents } from './sync/live-events';
import { accountLockName, cryptoStorePrefix, decodeStoreKey, syncStoreName } from './account-stores';
import { oidcClientOptions, pinAuthServer } from './login/oidc-native';
import { ScopedSync } from './sync/scoped-sync';
import type { SecretKeyHolder } from './crypto/secret-keys';
import type { StoredSession } from './session-store';
import { holdingSyncs } from './sync/sync-hold';
import { peekingSyncs } from './sync/sync-peek';
import { SyncFreshness } from './sync/sync-freshness';
import { SyncSaver } from './sync/sync-saver';

const log = createLogger('bg:session');

/** The long poll must end before Chrome's 30 s idle limit can stop the worker mid-request. */
const SYNC_POLL_TIMEOUT_MS = 20_000;
/** Events per room one incremental sync may bring before it is limited (a gap). */
const LIVE_SYNC_TIMELINE_LIMIT = 50;

/** The logged-in account's client and what must be undone when it ends. */
export type OpenAccount = {
  session: StoredSession & { storeKey: string };
  client: MatrixClient;
  /** Present when saved syncs go to IndexedDB. */
  syncStore: IndexedDBStore | undefined;
  /** Saves the sync store soon after a sync that brought something (present with `syncStore`). */
  syncSaver: SyncSaver | undefined;
  /** The filter sync runs with; `scopedSync` adds the rooms to each request. */
  syncFilter: Filter;
  scopedSync: ScopedSync;
  /** Why end-to-end encryption is unavailable, when it is. */
  cryptoError: string | undefined;
  /** Settles once the saved sync and crypto have loaded (`isReady` then). */
  ready: Promise<void>;
  isReady: boolean;
  releaseLock: () => void;
  /** The homeserver's last word on the account's cross-signing identity. */
  crossSigning: CrossSigningAnswer;
  /**
   * The homeserver no longer knows the token (js-sdk's `SessionLoggedOut`): the account is treated as
   * logged out at once, and what is left of it is ended by `endLocally`.
   */
  isEndedByServer: boolean;
};

/** What a client is built with: the session's shared parts and its options (see `SessionOptions`). */
export type ClientParts = {
  isPersistent: boolean;
  liveEvents: LiveEvents;
  secretKeys: SecretKeyHolder;
  verification: DeviceVerification;
  hooks: {
    loadCrypto?: (() => Promise<void>) | undefined;
    hasScope: boolean;
    isBackedUp: () => boolean;
    hasUnrecordedPushes: () => boolean;
    /** js-sdk renewed an OIDC session's tokens: save them before it uses them. */
    saveRefreshedTokens: (session: StoredSession, tokens: AccessTokens) => Promise<void>;
  };
};

/** Builds the account; `isOpen` tells its callbacks whether it is still the session's open account. */
export async function openAccount(session: OpenAccount['session'], parts: ClientParts, isOpen: (account: OpenAccount) => boolean): Promise<OpenAccount> {
  const { userId, deviceId } = session;
  const { isPersistent, liveEvents, hooks } = parts;
  const releaseLock = isPersistent ? await holdLock(accountLockName(userId, deviceId)) : () => undefined;
  const syncStore = isPersistent ? new IndexedDBStore({ indexedDB: globalThis.indexedDB, dbName: syncStoreName(userId, deviceId) }) : undefined;
  const syncFilter = liveSyncFilter(userId);
  let account: OpenAccount | undefined;
  const isCurrent = () => account !== undefined && isOpen(account);
  // Until the grants are read (before sync starts), no room. The history caught-up rooms bring
  // is not handed on as live events.
  const scopedSync = new ScopedSync(boundFetch, syncFilter.getDefinition(), hooks.hasScope ? NO_ROOMS : ALL_ROOMS, {
    onHistory: (history) => {
      if (isCurrent()) liveEvents.noteHistory(history);
    },
    isKnownRoom: (roomId) => client.getRoom(roomId) !== null,
  });
  // Whether the client's live timelines are as current as the server's last sync answer (read-events.ts).
  const freshness = new SyncFreshness(hooks.isBackedUp, (roomId) => scopedSync.follows(roomId));
  const client = createClient({
    baseUrl: session.homeserverUrl,
    accessToken: session.accessToken,
    userId,
    deviceId,
    // Clear live events go to widgets as their sync arrives (sync-peek.ts), after the scope's
    // changes to the answer (scoped-sync.ts); js-sdk's copy follows.
    fetchFn: peekingSyncs(freshness.tracking(holdingSyncs(scopedSync.fetch, hooks.isBackedUp)), (found) => isCurrent() && liveEvents.handOnEarly(found)),
    cryptoCallbacks: parts.secretKeys.callbacks,
    ...(syncStore ? { store: syncStore } : {}),
    ...(session.oidc ? oidcClientOptions(session.oidc, (tokens) => hooks.saveRefreshedTokens(session, tokens)) : {}),
  });
  if (session.oidc) pinAuthServer(client, session.homeserverUrl, session.oidc.issuer);
  account = {
    session,
    client,
    syncStore,
    syncSaver: syncStore ? new SyncSaver(syncStore, () => liveEvents.isFillingGaps() || hooks.hasUnrecordedPushes()) : undefined,
    syncFilter,
    scopedSync,
    cryptoError: undefined,
    isReady: false,
    ready: Promise.resolve(),
    releaseLock,
    crossSigning: new CrossSigningAnswer(),
    isEndedByServer: false,
  };
  account.ready = prepare(account, parts);
  setCryptoReadiness(client, account.ready);
  freshness.follow(client);
  liveEvents.follow(client);
  return account;
}

/** Loads what the client needs before it may sync: the saved sync and the crypto store. */
async function prepare(account: OpenAccount, parts: ClientParts): Promise<void> {
  const { client, session, syncStore } = account;
  // The wasm's fetch and compile run while the saved sync loads: neither needs the other.
  const cryptoLoaded = parts.hooks.loadCrypto?.();
  cryptoLoaded?.catch(() => undefined);
  await syncStore?.startup();
  try {
    await cryptoLoaded;
    await client.initRustCrypto({
      useIndexedDB: parts.isPersistent,
      cryptoDatabasePrefix: cryptoStorePrefix(session.userId, session.deviceId),
      storageKey: decodeStoreKey(session.storeKey),
    });
    parts.verification.watch(client);
  } catch (error) {
    // Unencrypted rooms still work; encrypted ones refuse (see room-encryption.ts).
    account.cryptoError = String(error);
    log.error('end-to-end encryption unavailable', account.cryptoError);
  }
  account.isReady = true;
}

/** Starts the account's sync (its filter and poll timeout), unless it already runs. */
export function startClientSync(account: OpenAccount): void {
  const { client, syncFilter } = account;
  if (client.clientRunning) return;
  void client.startClient({ pollTimeout: SYNC_POLL_TIMEOUT_MS, initialSyncLimit: 20, lazyLoadMembers: true, filter: syncFilter });
}

/**
 * Synapse sends at most 10 new events per room and sync by default; more leave a gap that has to be
 * read back (timeline-gaps.ts). A busy room with widgets seldom needs that with 50. Members are lazy
 * loaded (js-sdk would set that on this object when sync starts; set here so the definition the
 * scoped sync reads is complete from the start).
 */
function liveSyncFilter(userId: string): Filter {
  const filter = new Filter(userId);
  filter.setTimelineLimit(LIVE_SYNC_TIMELINE_LIMIT);
  filter.setLazyLoadMembers(true);
  return filter;
}

/** Resolves once this context holds the lock; calling the result lets it go. */
function holdLock(name: string): Promise<() => void> {
  return new Promise((acquired) => {
    void navigator.locks.request(name, () => new Promise<void>((release) => acquired(() => release())));
  });
}

/** Browsers throw "Illegal invocation" when `fetch` is called detached from the global object. */
export const boundFetch: typeof fetch = (input, init) => globalThis.fetch(input, init);

