// Owns the MatrixClient of the logged-in account: login, restore on wake, end-to-end encryption,
// and sync while something needs it; its live events go to the widget hosts (live-events.ts). Holds
// the only copy of the token in memory. Notices when the homeserver ends the session.
import {
  ClientEvent,
  createClient,
  Filter,
  HttpApiEvent,
  IndexedDBStore,
  SyncState,
  type MatrixClient,
  type MatrixEvent,
  type LoginRequest,
  type AccessTokens,
} from 'matrix-js-sdk';
import { createLogger } from '../../shared/log';
import { ALL_ROOMS, NO_ROOMS, scopeHas, type SyncScope } from '../../shared/core/sync-scope';
import type { SessionStatus, RoomChoice } from '../../shared/protocol/background-to-ui';
import { setCryptoReadiness } from './crypto-readiness';
import { DeviceVerification } from './device-verification';
import { CrossSigningAnswer, encryptionStatus, type EncryptionStatus } from './encryption-status';
import { SecretKeyHolder } from './secret-keys';
import { LiveEvents, type LiveEventListener } from './live-events';
import { SyncSaver } from './sync-saver';
import { joinedRoomChoices, roomName } from './room-directory';
import { ScopedSync } from './scoped-sync';
import { peekingSyncs } from './sync-peek';
import { holdingSyncs } from './sync-hold';
import { accountLockName, cryptoStorePrefix, decodeStoreKey, newStoreKey, syncStoreName } from './account-stores';
import type { SessionSlot, StoredSession } from './session-store';
import { oidcClientOptions, pinAuthServer, type OidcSession } from './oidc-native';

const log = createLogger('bg:session');

/** DESIGN §4: the long poll must end before Chrome's 30 s idle limit can stop the worker mid-request. */
const SYNC_POLL_TIMEOUT_MS = 20_000;
/** Events per room one incremental sync may bring before it is limited (a gap). */
const LIVE_SYNC_TIMELINE_LIMIT = 50;
/** How long logout waits for the account's databases to be deleted before reporting done. */
const STORE_DELETION_WAIT_MS = 3_000;
/** Keep syncing briefly after the last user leaves, so a page reload does not restart sync. */
const SYNC_GRACE_MS = 10_000;

export type { LiveEventListener };

export class NotLoggedIn extends Error {
  constructor() {
    super('Not logged in: open the extension popup and log in to your homeserver');
  }
}

/** A session the homeserver ended (its device was removed or logged out, or its refresh token refused). */
export type EndedSession = { userId: string; deviceId: string; homeserverUrl: string };

export type SessionOptions = {
  /**
   * 'indexeddb' in the browser: the crypto store and the last sync survive a stopped worker and a
   * browser restart. 'memory' for Node tests: both live as long as the object.
   */
  persistence: 'indexeddb' | 'memory';
  /** Makes the crypto wasm ready before the first client needs it (the worker fetches the packaged file). */
  loadCrypto?: () => Promise<void>;
  /**
   * The rooms to sync for an account (issue #8): the background passes the rooms its grants reach
   * (`GrantStore.syncScope`) and calls `syncScopeChanged` when they change. Without it every room
   * is synced, as a plain client does.
   */
  syncScope?: (userId: string) => Promise<SyncScope>;
  /** Whether widget hosts have live events not yet recorded as delivered (see sync-saver.ts). */
  hasUnrecordedPushes?: () => boolean;
  /** Whether some widget has so many events waiting to be pushed that sync should wait (sync-hold.ts). */
  isBackedUp?: () => boolean;
};

/** The logged-in account's client and what must be undone when it ends. */
type OpenAccount = {
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

export class MatrixSession {
  private account: OpenAccount | undefined;
  private restored: Promise<void> | undefined;
  private syncUsers = 0;
  private stopTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly liveEvents = new LiveEvents(() => this.account?.syncSaver?.noteActivity());
  private readonly toDeviceListeners = new Set<(event: MatrixEvent) => void>();
  private readonly syncStateListeners = new Set<(state: SyncState) => void>();
  private readonly endedListeners = new Set<(ended: EndedSession) => void>();
  private loginWaiters: ((userId: string) => void)[] = [];
  private readonly secretKeys = new SecretKeyHolder();
  /** Verifying this device; one at a time, for the logged-in account. */
  readonly verification = new DeviceVerification(this.secretKeys);
  /** Scope updates, one after the other: each reads the grants afresh, so the last one wins. */
  private scopeUpdates: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: SessionSlot,
    private readonly options: SessionOptions = { persistence: 'memory' },
  ) {}

  /** The open account, unless the homeserver ended it: then nothing may act with it any more. */
  private get usableAccount(): OpenAccount | undefined {
    return this.account?.isEndedByServer ? undefined : this.account;
  }

  private get client(): MatrixClient | undefined {
    return this.usableAccount?.client;
  }

  private get session(): StoredSession | undefined {
    return this.usableAccount?.session;
  }

  /** Rebuilds the client (and its crypto) from storage once per worker lifetime. */
  restore(): Promise<void> {
    this.restored ??= this.store.load().then(async (session) => {
      if (session && !this.account) await this.open(session);
    });
    return this.restored;
  }

  async status(): Promise<SessionStatus> {
    await this.restore();
    const session = this.session;
    return {
      session: session
        ? { userId: session.userId, deviceId: session.deviceId, homeserverUrl: session.homeserverUrl }
        : null,
      syncState: this.client?.getSyncState() ?? 'STOPPED',
      encryption: this.usableAccount ? await this.encryptionStatus(this.usableAccount) : null,
    };
  }

  async login(homeserverUrl: string, username: string, password: string): Promise<void> {
    await this.loginWith(homeserverUrl, { type: 'm.login.password', identifier: { type: 'm.id.user', user: username }, password });
  }

  /** SSO's last step: the homeserver's short-lived `loginToken` becomes a session (m.login.token). */
  async loginWithToken(homeserverUrl: string, loginToken: string): Promise<void> {
    await this.loginWith(homeserverUrl, { type: 'm.login.token', token: loginToken });
  }

  private async loginWith(homeserverUrl: string, credentials: LoginRequest): Promise<void> {
    await this.restore();
    if (this.account) await this.logout();
    const baseUrl = homeserverUrl.replace(/\/+$/, '');
    const anonymous = createClient({ baseUrl, fetchFn: boundFetch });
    const response = await anonymous.loginRequest({ ...credentials, initial_device_display_name: 'Matrix Widget Bridge' });
    const session: StoredSession = {
      homeserverUrl: baseUrl,
      userId: response.user_id,
      deviceId: response.device_id,
      accessToken: response.access_token,
      storeKey: newStoreKey(),
    };
    await this.adopt(session, 'with the homeserver');
  }

  /** OIDC-native login's last step (oidc-native.ts): the session the authorization server issued. */
  async adoptOidcSession(oidc: OidcSession): Promise<void> {
    await this.restore();
    if (this.account) await this.logout();
    const { homeserverUrl, userId, deviceId, accessToken, issuer, clientId, refreshToken } = oidc;
    const session: StoredSession = {
      homeserverUrl,
      userId,
      deviceId,
      accessToken,
      storeKey: newStoreKey(),
      oidc: { issuer, clientId, ...(refreshToken ? { refreshToken } : {}) },
    };
    await this.adopt(session, 'through OIDC');
  }

  /** A new session's last step, however it was obtained: kept, opened, and announced to waiters. */
  private async adopt(session: StoredSession, how: string): Promise<void> {
    await this.store.save(session);
    await this.open(session);
    if (this.syncUsers > 0) this.startSync();
    const waiters = this.loginWaiters;
    this.loginWaiters = [];
    for (const wake of waiters) wake(session.userId);
    log.info(`logged in ${how}`, session.userId);
  }

  /**
   * js-sdk renewed an OIDC session's tokens. The old refresh token is spent, so the new ones are saved
   * before js-sdk uses them (it awaits this). `session` is the open account's own record, updated in
   * place so that logout and later saves carry the new tokens.
   */
  private async saveRefreshedTokens(session: StoredSession, tokens: AccessTokens): Promise<void> {
    if (!session.oidc) return;
    session.accessToken = tokens.accessToken;
    session.oidc.refreshToken = tokens.refreshToken;
    // A session logged out meanwhile stays logged out.
    const saved = await this.store.load();
    if (saved?.userId !== session.userId || saved.deviceId !== session.deviceId) return;
    await this.store.save(session);
  }

  /**
   * Ends the session: deletes the device on the server, then the account's stores (crypto, sync)
   * and the saved session. A failing server must not keep the user logged in locally.
   */
  async logout({ keepSavedSession = false }: { keepSavedSession?: boolean } = {}): Promise<void> {
    await this.end({ isServerToBeTold: true, keepSavedSession });
  }

  /**
   * Ends a session the homeserver already ended (`onEndedByServer`): as `logout`, without asking
   * the server, which no longer knows the token (it would only answer 401).
   */
  async endLocally(): Promise<void> {
    await this.end({ isServerToBeTold: false, keepSavedSession: false });
  }

  private async end({ isServerToBeTold, keepSavedSession }: { isServerToBeTold: boolean; keepSavedSession: boolean }): Promise<void> {
    await this.restore();
    const account = this.account;
    this.account = undefined;
    account?.syncSaver?.stop();
    this.verification.reset();
    // A new login of the same account already saved its session in this slot.
    if (!keepSavedSession) await this.clearSavedSession(account?.session);
    if (!account) return;
    const { client, session } = account;
    await account.ready;
    client.stopClient();
    if (isServerToBeTold && !account.isEndedByServer) {
      await client.logout(true).catch((error: unknown) => log.warn('server logout failed', String(error)));
    }
    account.releaseLock();
    const cleared = client
      .clearStores({ cryptoDatabasePrefix: cryptoStorePrefix(session.userId, session.deviceId) })
      .catch((error: unknown) => log.warn('clearing the stores failed', String(error)));
    // A verification object js-sdk still holds can keep the crypto database open, which blocks its
    // deletion until the worker stops; the user is logged out regardless, and the next start
    // deletes what is left (see `Accounts.restore`).
    await Promise.race([cleared, new Promise((resolve) => setTimeout(resolve, STORE_DELETION_WAIT_MS))]);
  }

  /** Forgets the saved session, unless it is already another device's (the account logged in again meanwhile). */
  private async clearSavedSession(ours: StoredSession | undefined): Promise<void> {
    const saved = ours ? await this.store.load() : undefined;
    if (saved && (saved.userId !== ours?.userId || saved.deviceId !== ours.deviceId)) return;
    await this.store.clear();
  }

  private async encryptionStatus(account: OpenAccount): Promise<EncryptionStatus> {
    await account.ready;
    const { client, session, cryptoError } = account;
    return encryptionStatus(cryptoError === undefined ? client.getCrypto() : undefined, session, account.crossSigning);
  }

  /** The client, or a typed error a widget or the popup can show. */
  async requireClient(): Promise<MatrixClient> {
    await this.restore();
    if (!this.client) throw new NotLoggedIn();
    return this.client;
  }

  async userId(): Promise<string | undefined> {
    await this.restore();
    return this.session?.userId;
  }

  /** Resolves with the user ID once someone is logged in (at once if already). */
  async whenLoggedIn(): Promise<string> {
    await this.restore();
    if (this.session) return this.session.userId;
    return new Promise((resolve) => this.loginWaiters.push(resolve));
  }

  /** Sync runs only while a widget frame or the popup holds a claim on it. */
  acquireSync(): void {
    this.syncUsers++;
    clearTimeout(this.stopTimer);
    // After a wake or a pause the client is rebuilt first (crypto before sync, see `open`).
    void this.restore().then(() => {
      if (this.syncUsers > 0) this.startSync();
    });
  }

  releaseSync(): void {
    this.syncUsers = Math.max(0, this.syncUsers - 1);
    if (this.syncUsers > 0) return;
    clearTimeout(this.stopTimer);
    this.stopTimer = setTimeout(() => {
      if (this.syncUsers === 0) this.pause();
    }, SYNC_GRACE_MS);
  }

  /**
   * Stops syncing while nobody needs it. js-sdk's stopClient also closes the Rust crypto machine
   * for good, so the client is dropped and rebuilt from its stores when needed again. With memory
   * stores (Node tests) that would lose the device's keys: there the client keeps running.
   */
  private pause(): void {
    const account = this.account;
    // Still loading: closing crypto mid-initialisation would break it; the worker idles out anyway.
    // Ended by the homeserver: `endLocally` stops it and deletes its stores.
    if (!account || !account.isReady || account.isEndedByServer || this.options.persistence === 'memory') return;
    this.account = undefined;
    this.restored = undefined;
    account.syncSaver?.saveNow();
    account.client.stopClient();
    account.releaseLock();
  }

  /**
   * The account's grants changed: sync follows the rooms they reach. Resolves once the new scope
   * applies (the next request, or the one that replaces the long poll in flight, carries it).
   */
  async syncScopeChanged(): Promise<void> {
    const account = this.account;
    if (account) await this.updateSyncScope(account);
  }

  private updateSyncScope(account: OpenAccount): Promise<void> {
    this.scopeUpdates = this.scopeUpdates.then(async () => {
      const { syncScope } = this.options;
      const scope = syncScope
        ? await syncScope(account.session.userId).catch((error: unknown) => {
            log.warn('reading the sync scope failed: syncing every room', String(error));
            return ALL_ROOMS;
          })
        : ALL_ROOMS;
      if (this.account !== account) return;
      this.liveEvents.keepRooms((roomId) => scopeHas(scope, roomId));
      account.scopedSync.setScope(scope);
    });
    return this.scopeUpdates;
  }

  onLiveEvent(listener: LiveEventListener): void {
    this.liveEvents.onLiveEvent(listener);
  }

  onToDeviceEvent(listener: (event: MatrixEvent) => void): void {
    this.toDeviceListeners.add(listener);
  }

  /** The client's sync state changed (e.g. the homeserver became unreachable, or came back). */
  onSyncStateChange(listener: (state: SyncState) => void): void {
    this.syncStateListeners.add(listener);
  }

  /**
   * The homeserver ended the session: told once per session. From then on the session acts as logged
   * out (`requireClient` throws `NotLoggedIn`); the listener (`Accounts`) ends it with `endLocally`.
   */
  onEndedByServer(listener: (ended: EndedSession) => void): void {
    this.endedListeners.add(listener);
  }

  /**
   * Every room the user has joined, with names, for the approval window's room picker. Asked of the
   * server: sync only holds the rooms already granted.
   */
  async joinedRooms(): Promise<RoomChoice[]> {
    return joinedRoomChoices(await this.requireClient());
  }

  /** Names of some rooms (the ones grants are for): from sync when synced, else from the server. */
  async roomNames(roomIds: readonly string[]): Promise<Map<string, string>> {
    const client = await this.requireClient();
    return new Map(await Promise.all(roomIds.map(async (roomId) => [roomId, await roomName(client, roomId)] as const)));
  }

  /**
   * Builds the account's client. Plain requests can use it at once; its saved sync (browser) and
   * Rust crypto load in the background (`ready`), and sync starts only after both: a to-device room
   * key synced without crypto would be lost.
   */
  private async open(saved: StoredSession): Promise<void> {
    let session = saved.storeKey ? (saved as OpenAccount['session']) : undefined;
    if (!session) {
      // Saved before the crypto store existed: there is nothing to decrypt with an older key.
      session = { ...saved, storeKey: newStoreKey() };
      await this.store.save(session);
    }
    const { userId, deviceId } = session;
    const openedSession = session;
    const isPersistent = this.options.persistence === 'indexeddb';
    const releaseLock = isPersistent ? await holdLock(accountLockName(userId, deviceId)) : () => undefined;
    const syncStore = isPersistent
      ? new IndexedDBStore({ indexedDB: globalThis.indexedDB, dbName: syncStoreName(userId, deviceId) })
      : undefined;
    const syncFilter = liveSyncFilter(userId);
    let isOpen = (): boolean => false;
    // Until the grants are read (before sync starts), no room. The history caught-up rooms bring
    // is not handed on as live events.
    const scopedSync = new ScopedSync(boundFetch, syncFilter.getDefinition(), this.options.syncScope ? NO_ROOMS : ALL_ROOMS, {
      onHistory: (history) => {
        if (isOpen()) this.liveEvents.noteHistory(history);
      },
      isKnownRoom: (roomId) => client.getRoom(roomId) !== null,
    });
    const client = createClient({
      baseUrl: session.homeserverUrl,
      accessToken: session.accessToken,
      userId,
      deviceId,
      // Clear live events go to widgets as their sync arrives (sync-peek.ts), after the scope's
      // changes to the answer (scoped-sync.ts); js-sdk's copy follows.
      fetchFn: peekingSyncs(
        holdingSyncs(scopedSync.fetch, () => this.options.isBackedUp?.() === true),
        (found) => isOpen() && this.liveEvents.handOnEarly(found),
      ),
      cryptoCallbacks: this.secretKeys.callbacks,
      ...(syncStore ? { store: syncStore } : {}),
      ...(session.oidc ? oidcClientOptions(session.oidc, (tokens) => this.saveRefreshedTokens(openedSession, tokens)) : {}),
    });
    if (session.oidc) pinAuthServer(client, session.homeserverUrl, session.oidc.issuer);
    const account: OpenAccount = {
      session,
      client,
      syncStore,
      syncSaver: syncStore ? new SyncSaver(syncStore, () => this.liveEvents.isFillingGaps() || this.options.hasUnrecordedPushes?.() === true) : undefined,
      syncFilter,
      scopedSync,
      cryptoError: undefined,
      isReady: false,
      ready: Promise.resolve(),
      releaseLock,
      crossSigning: new CrossSigningAnswer(),
      isEndedByServer: false,
    };
    isOpen = () => this.account === account;
    account.ready = this.prepare(account);
    setCryptoReadiness(client, account.ready);
    this.liveEvents.follow(client);
    client.on(ClientEvent.ToDeviceEvent, (event) => {
      if (!event.isEncrypted() || !event.isDecryptionFailure()) account.syncSaver?.noteActivity();
      for (const listener of this.toDeviceListeners) listener(event);
    });
    // js-sdk emits this for a 401 M_UNKNOWN_TOKEN it could not cure by refreshing: the device was
    // deleted or logged out (another client's session list, an admin), or an OIDC refresh token was
    // refused (its TokenRefresher turns a 4xx from the token endpoint into the same outcome). Any of
    // the client's requests can be the one that learns it (sync, crypto's, a widget's): once is enough.
    client.on(HttpApiEvent.SessionLoggedOut, () => {
      if (this.account !== account || account.isEndedByServer) return;
      account.isEndedByServer = true;
      log.warn('the homeserver ended the session', userId);
      for (const listener of this.endedListeners) listener({ userId, deviceId, homeserverUrl: openedSession.homeserverUrl });
    });
    client.on(ClientEvent.Sync, (state, previous) => {
      if (state !== previous) {
        log.info('sync state', state);
        for (const listener of this.syncStateListeners) listener(state);
      }
      if (state === SyncState.Syncing || state === SyncState.Prepared) account.syncSaver?.syncProcessed();
    });
    this.account = account;
  }

  /** Loads what the client needs before it may sync: the saved sync and the crypto store. */
  private async prepare(account: OpenAccount): Promise<void> {
    const { client, session, syncStore } = account;
    await syncStore?.startup();
    try {
      await this.options.loadCrypto?.();
      await client.initRustCrypto({
        useIndexedDB: this.options.persistence === 'indexeddb',
        cryptoDatabasePrefix: cryptoStorePrefix(session.userId, session.deviceId),
        storageKey: decodeStoreKey(session.storeKey),
      });
      this.verification.watch(client);
    } catch (error) {
      // Unencrypted rooms still work; encrypted ones refuse (see room-encryption.ts).
      account.cryptoError = String(error);
      log.error('end-to-end encryption unavailable', account.cryptoError);
    }
    account.isReady = true;
  }

  private startSync(): void {
    const account = this.account;
    void account
      ?.ready.then(() => this.updateSyncScope(account))
      .then(() => {
        const { client, syncFilter } = account;
        if (this.account !== account || this.syncUsers === 0 || client.clientRunning) return;
        void client.startClient({ pollTimeout: SYNC_POLL_TIMEOUT_MS, initialSyncLimit: 20, lazyLoadMembers: true, filter: syncFilter });
      });
  }
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
const boundFetch: typeof fetch = (input, init) => globalThis.fetch(input, init);
