// The user's Matrix accounts. Several can be logged in at once, each with its own client, crypto
// store and grants; one is active: the popup shows it, and widgets act for the account that was
// active when they connected (the approval window names it). Switching closes running widgets, so
// they reconnect and ask under the new account: a grant belongs to one account only. An account
// whose session the homeserver ended is ended here too, and the user is told until they log in again.
import type { MatrixClient, MatrixEvent } from 'matrix-js-sdk';
import { createLogger } from '../../shared/log';
import type { BridgeStatus, RoomChoice } from '../../shared/protocol/background-to-ui';
import { deleteStaleAccountStores } from './account-stores';
import type { DeviceVerification } from './crypto/device-verification';
import { MatrixSession, NotLoggedIn, type EndedSession, type LiveEventListener, type SessionOptions } from './matrix-session';
import type { OidcSession } from './login/oidc-native';
import { PinnedAccount } from './pinned-account';
import type { AccountSessions } from './session-store';

type AccountLiveEventListener = (...args: [...Parameters<LiveEventListener>, userId: string]) => void;

const log = createLogger('bg:accounts');

export class Accounts {
  private readonly sessions = new Map<string, MatrixSession>();
  private activeUserId: string | undefined;
  private restored: Promise<void> | undefined;
  /** Claims on sync (widget frames, the popup); they follow the active account. */
  private syncUsers = 0;
  private readonly liveEventListeners = new Set<AccountLiveEventListener>();
  private readonly toDeviceListeners = new Set<(event: MatrixEvent, userId: string) => void>();
  private readonly statusListeners = new Set<() => void>();
  private readonly activeEndedListeners = new Set<(userId: string) => Promise<void>>();
  private loginWaiters: ((userId: string) => void)[] = [];

  constructor(
    private readonly store: AccountSessions,
    private readonly options: SessionOptions,
  ) {}

  /** Rebuilds the accounts from storage once per worker lifetime; only the active one opens its client. */
  restore(): Promise<void> {
    this.restored ??= (async () => {
      const stored = await this.store.list();
      for (const session of stored) this.sessionFor(session.userId);
      const active = await this.store.activeUserId();
      this.activeUserId = active !== undefined && this.sessions.has(active) ? active : stored[0]?.userId;
      if (this.options.persistence === 'indexeddb') {
        // Off the wake's critical path: nothing waits for leftovers to go.
        void deleteStaleAccountStores(() => this.store.list()).then(
          (stale) => stale.length > 0 && log.info('deleted stores of ended sessions', stale.length),
          () => undefined,
        );
      }
    })();
    return this.restored;
  }

  async status(): Promise<BridgeStatus> {
    const active = await this.active();
    const base = active ? await active.status() : { session: null, syncState: 'STOPPED', encryption: null };
    const [stored, ended] = await Promise.all([this.store.list(), this.store.endedSessions()]);
    return {
      ...base,
      accounts: stored.map((session) => ({ userId: session.userId, homeserverUrl: session.homeserverUrl, isActive: session.userId === this.activeUserId })),
      endedSessions: ended.map(({ userId, homeserverUrl }) => ({ userId, homeserverUrl })),
    };
  }

  /** The user read the notice that the homeserver ended this account's session. */
  async dismissEndedSession(userId: string): Promise<void> {
    await this.store.forgetEnded(userId);
  }

  /** Logs in (an additional account when one is logged in already) and makes it the active one. */
  async login(homeserverUrl: string, username: string, password: string): Promise<void> {
    await this.loginWith((session) => session.login(homeserverUrl, username, password));
  }

  async loginWithToken(homeserverUrl: string, loginToken: string): Promise<void> {
    await this.loginWith((session) => session.loginWithToken(homeserverUrl, loginToken));
  }

  /** OIDC-native login's last step: the session the authorization server issued becomes an account. */
  async loginWithOidc(oidc: OidcSession): Promise<void> {
    await this.loginWith((session) => session.adoptOidcSession(oidc));
  }

  /** Logs the active account out; another logged-in account (if any) becomes active. */
  async logout(): Promise<string | undefined> {
    await this.restore();
    const userId = this.activeUserId;
    const session = userId === undefined ? undefined : this.sessions.get(userId);
    if (!userId || !session) return undefined;
    this.moveSyncClaims(session, undefined);
    this.sessions.delete(userId);
    this.activeUserId = undefined;
    await session.logout();
    const next = [...this.sessions.keys()][0];
    await this.activate(next);
    return userId;
  }

  async switchTo(userId: string): Promise<void> {
    await this.restore();
    if (!this.sessions.has(userId)) throw new NotLoggedIn();
    await this.activate(userId);
  }

  async active(): Promise<MatrixSession | undefined> {
    await this.restore();
    return this.activeUserId === undefined ? undefined : this.sessions.get(this.activeUserId);
  }

  async requireClient(): Promise<MatrixClient> {
    const active = await this.active();
    if (!active) throw new NotLoggedIn();
    return active.requireClient();
  }

  /** A logged-in account's client, whether it is active or not (pinned-account.ts). */
  async requireClientOf(userId: string): Promise<MatrixClient> {
    await this.restore();
    const session = this.sessions.get(userId);
    if (!session) throw new NotLoggedIn();
    return session.requireClient();
  }

  /** A handle on the account active now, that stays on it when another becomes active. */
  pinned(): PinnedAccount {
    return new PinnedAccount(this);
  }

  async userId(): Promise<string | undefined> {
    await this.restore();
    return this.activeUserId;
  }

  async whenLoggedIn(): Promise<string> {
    const userId = await this.userId();
    if (userId !== undefined) return userId;
    return new Promise((resolve) => this.loginWaiters.push(resolve));
  }

  async verification(): Promise<DeviceVerification> {
    const active = await this.active();
    if (!active) throw new NotLoggedIn();
    return active.verification;
  }

  async joinedRooms(): Promise<RoomChoice[]> {
    const active = await this.active();
    if (!active) throw new NotLoggedIn();
    return active.joinedRooms();
  }

  async roomNames(roomIds: readonly string[]): Promise<Map<string, string>> {
    const active = await this.active();
    if (!active) throw new NotLoggedIn();
    return active.roomNames(roomIds);
  }

  /** The grants changed: the active account's sync follows the rooms they reach (issue #8). */
  async syncScopeChanged(): Promise<void> {
    await (await this.active())?.syncScopeChanged();
  }

  acquireSync(): void {
    this.syncUsers++;
    void this.active().then((active) => active?.acquireSync());
  }

  releaseSync(): void {
    this.syncUsers = Math.max(0, this.syncUsers - 1);
    void this.active().then((active) => active?.releaseSync());
  }

  /** The active account's live events, with the account they are for. */
  onLiveEvent(listener: AccountLiveEventListener): void {
    this.liveEventListeners.add(listener);
  }

  onToDeviceEvent(listener: (event: MatrixEvent, userId: string) => void): void {
    this.toDeviceListeners.add(listener);
  }

  /**
   * The homeserver ended the active account's session. Called, and awaited, while no account is
   * active, before another one becomes active: whatever acts for the ended account (widget hosts)
   * stops first, so it can never go on with the next account's client.
   */
  onActiveAccountEnded(listener: (userId: string) => Promise<void>): void {
    this.activeEndedListeners.add(listener);
  }

  /**
   * What `status()` says changed without a UI request (the active account's sync state, an account
   * the homeserver ended).
   */
  onStatusChange(listener: () => void): void {
    this.statusListeners.add(listener);
  }

  private async loginWith(login: (session: MatrixSession) => Promise<void>): Promise<void> {
    await this.restore();
    const session = new MatrixSession(this.store.slot(), this.options);
    await login(session);
    const userId = await session.userId();
    if (!userId) throw new Error('the login gave no user');
    // The same account again is a new device that replaces the old one.
    const replaced = this.sessions.get(userId);
    if (replaced) {
      if (this.activeUserId === userId) this.moveSyncClaims(replaced, undefined);
      this.sessions.delete(userId);
      this.activeUserId = this.activeUserId === userId ? undefined : this.activeUserId;
      // Both keep their session under the same key, which now holds the new one's.
      await replaced.logout({ keepSavedSession: true });
    }
    this.wire(userId, session);
    await this.activate(userId);
    // Logged in again: the notice that the homeserver had ended the session has done its job.
    await this.store.forgetEnded(userId);
  }

  private async activate(userId: string | undefined): Promise<void> {
    const previous = this.activeUserId === undefined ? undefined : this.sessions.get(this.activeUserId);
    const next = userId === undefined ? undefined : this.sessions.get(userId);
    if (previous !== next) this.moveSyncClaims(previous, next);
    this.activeUserId = userId;
    await this.store.setActive(userId);
    // Also after a logout or an ended session left another account active: nobody waits for a login then.
    if (userId === undefined) return;
    const waiters = this.loginWaiters;
    this.loginWaiters = [];
    for (const wake of waiters) wake(userId);
  }

  private moveSyncClaims(from: MatrixSession | undefined, to: MatrixSession | undefined): void {
    for (let claim = 0; claim < this.syncUsers; claim++) {
      from?.releaseSync();
      to?.acquireSync();
    }
  }

  private sessionFor(userId: string): MatrixSession {
    const existing = this.sessions.get(userId);
    if (existing) return existing;
    const session = new MatrixSession(this.store.slot(userId), this.options);
    this.wire(userId, session);
    return session;
  }

  /**
   * The homeserver ended a session (its device was removed or logged out, or its refresh token
   * refused): the account ends here as a logout would, without asking the server (it no longer knows
   * the token), and the user is told. Its grants and activity log stay: they record the user's own
   * decisions about widgets, not anything the homeserver holds, and a new login of the same account
   * finds them, as after switching accounts. (A logout the user asks for deletes them.)
   */
  private async endedByServer(ended: EndedSession, session: MatrixSession): Promise<void> {
    const { userId, homeserverUrl } = ended;
    if (this.sessions.get(userId) !== session) return; // logged out or replaced meanwhile
    const wasActive = this.activeUserId === userId;
    this.sessions.delete(userId);
    if (wasActive) {
      this.moveSyncClaims(session, undefined);
      this.activeUserId = undefined;
    }
    // Noted before the saved session goes: a worker stopped in between still tells the user.
    await this.store.noteEnded({ userId, homeserverUrl, endedAt: Date.now() });
    if (wasActive) {
      for (const listener of this.activeEndedListeners) {
        await listener(userId).catch((error: unknown) => log.warn('stopping what acted for the ended account failed', String(error)));
      }
    }
    await session.endLocally();
    log.info('ended an account the homeserver had logged out', userId);
    // Another logged-in account takes over, unless a login made one active meanwhile.
    if (wasActive && this.activeUserId === undefined) await this.activate([...this.sessions.keys()][0]);
    for (const listener of this.statusListeners) listener();
  }

  /** Events reach widgets from the active account only: every widget running acts for it. */
  private wire(userId: string, session: MatrixSession): void {
    this.sessions.set(userId, session);
    session.onLiveEvent((roomId, event) => {
      if (this.sessions.get(this.activeUserId ?? '') !== session) return;
      for (const listener of this.liveEventListeners) listener(roomId, event, userId);
    });
    session.onToDeviceEvent((event) => {
      if (this.sessions.get(this.activeUserId ?? '') !== session) return;
      for (const listener of this.toDeviceListeners) listener(event, userId);
    });
    session.onSyncStateChange(() => {
      if (this.sessions.get(this.activeUserId ?? '') !== session) return;
      for (const listener of this.statusListeners) listener();
    });
    session.onEndedByServer((ended) => {
      void this.endedByServer(ended, session).catch((error: unknown) => log.error('ending an account failed', String(error)));
    });
  }
}
