// One account's Matrix session: login (password, SSO token, OIDC), restore on wake, the client
// while it is open (client-factory.ts), sync while something claims it (sync-claims.ts), and its
// end (session-teardown.ts). Holds the only copy of the token in memory. A facade: each job lives
// in its own module; this one keeps the order they happen in.
import { type AccessTokens, type LoginRequest, type MatrixClient, type MatrixEvent, type SyncState } from 'matrix-js-sdk';
import { createLogger } from '../../shared/log';
import { ALL_ROOMS, scopeHas } from '../../shared/core/sync-scope';
import type { RoomChoice, SessionStatus } from '../../shared/protocol/background-to-ui';
import { openAccount, startClientSync, type OpenAccount } from './client-factory';
import { DeviceVerification } from './crypto/device-verification';
import { encryptionStatus } from './crypto/encryption-status';
import { LiveEvents, type LiveEventListener } from './sync/live-events';
import { loginForSession, sessionFromOidc, withStoreKey } from './login/new-sessions';
import type { OidcSession } from './login/oidc-native';
import { joinedRoomChoices, roomName } from './room-directory';
import { SecretKeyHolder } from './crypto/secret-keys';
import { SessionEvents, type EndedSession } from './session-events';
import { NotLoggedIn, type SessionOptions } from './session-options';
import type { SessionSlot, StoredSession } from './session-store';
import { closeForGood, closeForNow } from './session-teardown';
import { SyncClaims } from './sync/sync-claims';

const log = createLogger('bg:session');

/** Keep syncing briefly after the last user leaves, so a page reload does not restart sync. */
const SYNC_GRACE_MS = 10_000;

export { NotLoggedIn, type EndedSession, type LiveEventListener, type SessionOptions };

export class MatrixSession {
  private account: OpenAccount | undefined;
  private restored: Promise<void> | undefined;
  private readonly liveEvents = new LiveEvents(() => this.account?.syncSaver?.noteActivity());
  private readonly events = new SessionEvents();
  private loginWaiters: ((userId: string) => void)[] = [];
  private readonly secretKeys = new SecretKeyHolder();
  /** Verifying this device; one at a time, for the logged-in account. */
  readonly verification = new DeviceVerification(this.secretKeys);
  /** Scope updates, one after the other: each reads the grants afresh, so the last one wins. */
  private scopeUpdates: Promise<void> = Promise.resolve();
  private readonly syncClaims = new SyncClaims(
    {
      // After a wake or a pause the client is rebuilt first (crypto before sync, see `open`).
      onClaimed: () => void this.restore().then(() => this.startSync()),
      onIdle: () => this.pause(),
    },
    SYNC_GRACE_MS,
  );

  constructor(
    private readonly store: SessionSlot,
    private readonly options: SessionOptions = { persistence: 'memory' },
  ) {}

  /** The open account, unless the homeserver ended it: then nothing may act with it any more. */
  private get usableAccount(): OpenAccount | undefined {
    return this.account?.isEndedByServer ? undefined : this.account;
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
    const account = this.usableAccount;
    if (!account) return { session: null, syncState: 'STOPPED', encryption: null };
    const { userId, deviceId, homeserverUrl } = account.session;
    await account.ready;
    const crypto = account.cryptoError === undefined ? account.client.getCrypto() : undefined;
    return {
      session: { userId, deviceId, homeserverUrl },
      syncState: account.client.getSyncState() ?? 'STOPPED',
      encryption: await encryptionStatus(crypto, account.session, account.crossSigning),
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
    await this.adopt(await loginForSession(homeserverUrl, credentials), 'with the homeserver');
  }

  /** OIDC-native login's last step (oidc-native.ts): the session the authorization server issued. */
  async adoptOidcSession(oidc: OidcSession): Promise<void> {
    await this.restore();
    if (this.account) await this.logout();
    await this.adopt(sessionFromOidc(oidc), 'through OIDC');
  }

  /** A new session's last step, however it was obtained: kept, opened, and announced to waiters. */
  private async adopt(session: StoredSession, how: string): Promise<void> {
    await this.store.save(session);
    await this.open(session);
    this.startSync();
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

  /** Ends the session: the device on the server, then the account's stores and the saved session. */
  async logout({ keepSavedSession = false }: { keepSavedSession?: boolean } = {}): Promise<void> {
    await this.end({ isServerToBeTold: true, keepSavedSession });
  }

  /** Ends a session the homeserver already ended (`onEndedByServer`): as `logout`, without the server. */
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
    if (account) await closeForGood(account, { isServerToBeTold });
  }

  /** Forgets the saved session, unless it is already another device's (the account logged in again meanwhile). */
  private async clearSavedSession(ours: StoredSession | undefined): Promise<void> {
    const saved = ours ? await this.store.load() : undefined;
    if (saved && (saved.userId !== ours?.userId || saved.deviceId !== ours.deviceId)) return;
    await this.store.clear();
  }

  /** The client, or a typed error a widget or the popup can show. */
  async requireClient(): Promise<MatrixClient> {
    await this.restore();
    const client = this.usableAccount?.client;
    if (!client) throw new NotLoggedIn();
    return client;
  }

  async userId(): Promise<string | undefined> {
    await this.restore();
    return this.usableAccount?.session.userId;
  }

  /** Resolves with the user ID once someone is logged in (at once if already). */
  async whenLoggedIn(): Promise<string> {
    await this.restore();
    const userId = this.usableAccount?.session.userId;
    if (userId) return userId;
    return new Promise((resolve) => this.loginWaiters.push(resolve));
  }

  /** Sync runs only while a widget frame or the popup holds a claim on it. */
  acquireSync(): void {
    this.syncClaims.acquire();
  }

  releaseSync(): void {
    this.syncClaims.release();
  }

  /**
   * Nobody needs sync: the client is dropped and rebuilt from its stores when needed again. With
   * memory stores (Node tests) that would lose the device's keys: there the client keeps running.
   */
  private pause(): void {
    const account = this.account;
    // Still loading: closing crypto mid-initialisation would break it; the worker idles out anyway.
    // Ended by the homeserver: `endLocally` stops it and deletes its stores.
    if (!account || !account.isReady || account.isEndedByServer || this.options.persistence === 'memory') return;
    this.account = undefined;
    this.restored = undefined;
    closeForNow(account);
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
    this.events.toDevice.add(listener);
  }

  /** The client's sync state changed (e.g. the homeserver became unreachable, or came back). */
  onSyncStateChange(listener: (state: SyncState) => void): void {
    this.events.syncState.add(listener);
  }

  /**
   * The homeserver ended the session: told once per session. From then on the session acts as logged
   * out (`requireClient` throws `NotLoggedIn`); the listener (`Accounts`) ends it with `endLocally`.
   */
  onEndedByServer(listener: (ended: EndedSession) => void): void {
    this.events.ended.add(listener);
  }

  /** Every room the user has joined, with names, for the room picker. Asked of the server: sync holds only granted rooms. */
  async joinedRooms(): Promise<RoomChoice[]> {
    return joinedRoomChoices(await this.requireClient());
  }

  /** Names of some rooms (the ones grants are for): from sync when synced, else from the server. */
  async roomNames(roomIds: readonly string[]): Promise<Map<string, string>> {
    const client = await this.requireClient();
    return new Map(await Promise.all(roomIds.map(async (roomId) => [roomId, await roomName(client, roomId)] as const)));
  }

  /** Builds the account's client (client-factory.ts); sync starts only after its crypto is ready. */
  private async open(saved: StoredSession): Promise<void> {
    const session = await withStoreKey(saved, (upgraded) => this.store.save(upgraded));
    const { options } = this;
    const isOpen = (account: OpenAccount) => this.account === account;
    const account = await openAccount(
      session,
      {
        isPersistent: options.persistence === 'indexeddb',
        liveEvents: this.liveEvents,
        secretKeys: this.secretKeys,
        verification: this.verification,
        hooks: {
          loadCrypto: options.loadCrypto,
          hasScope: options.syncScope !== undefined,
          isBackedUp: () => options.isBackedUp?.() === true,
          hasUnrecordedPushes: () => options.hasUnrecordedPushes?.() === true,
          saveRefreshedTokens: (opened, tokens) => this.saveRefreshedTokens(opened, tokens),
        },
      },
      isOpen,
    );
    this.events.follow(account, () => isOpen(account));
    this.account = account;
  }

  /** Starts sync once the account is ready and its scope is read, if something still claims it. */
  private startSync(): void {
    const account = this.account;
    if (!account || !this.syncClaims.isClaimed) return;
    void account.ready
      .then(() => this.updateSyncScope(account))
      .then(() => {
        if (this.account === account && this.syncClaims.isClaimed) startClientSync(account);
      });
  }
}
