// Owns the MatrixClient of the logged-in account: login, restore on wake, sync while something
// needs it, and live timeline events for the widget hosts. Holds the only copy of the token in memory.
import {
  ClientEvent,
  createClient,
  RoomEvent,
  type MatrixClient,
  type MatrixEvent,
  type Room,
  type IRoomTimelineData,
  type LoginRequest,
} from 'matrix-js-sdk';
import { createLogger } from '../../shared/log';
import type { SessionStatus, RoomChoice } from '../../shared/protocol/background-to-ui';
import type { SessionStore, StoredSession } from './session-store';

const log = createLogger('bg:session');

/** DESIGN §4: the long poll must end before Chrome's 30 s idle limit can stop the worker mid-request. */
const SYNC_POLL_TIMEOUT_MS = 20_000;
/** Keep syncing briefly after the last user leaves, so a page reload does not restart sync. */
const SYNC_GRACE_MS = 10_000;

export type LiveEventListener = (roomId: string, event: MatrixEvent) => void;

export class NotLoggedIn extends Error {
  constructor() {
    super('Not logged in: open the extension popup and log in to your homeserver');
  }
}

export class MatrixSession {
  private client: MatrixClient | undefined;
  private session: StoredSession | undefined;
  private restored: Promise<void> | undefined;
  private syncUsers = 0;
  private stopTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly liveEventListeners = new Set<LiveEventListener>();
  private readonly toDeviceListeners = new Set<(event: MatrixEvent) => void>();
  private loginWaiters: ((userId: string) => void)[] = [];

  constructor(private readonly store: SessionStore) {}

  /** Rebuilds the client from storage once per worker lifetime. */
  restore(): Promise<void> {
    this.restored ??= this.store.load().then((session) => {
      if (session && !this.session) this.adopt(session);
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
    if (this.session) await this.logout();
    const baseUrl = homeserverUrl.replace(/\/+$/, '');
    const anonymous = createClient({ baseUrl, fetchFn: boundFetch });
    const response = await anonymous.loginRequest({ ...credentials, initial_device_display_name: 'Matrix Widget Bridge' });
    const session: StoredSession = {
      homeserverUrl: baseUrl,
      userId: response.user_id,
      deviceId: response.device_id,
      accessToken: response.access_token,
    };
    await this.store.save(session);
    this.adopt(session);
    if (this.syncUsers > 0) this.startSync();
    const waiters = this.loginWaiters;
    this.loginWaiters = [];
    for (const wake of waiters) wake(session.userId);
    log.info('logged in', session.userId);
  }

  async logout(): Promise<void> {
    await this.restore();
    const client = this.client;
    this.client = undefined;
    this.session = undefined;
    await this.store.clear();
    if (client) {
      client.stopClient();
      // Deletes the device on the server; a failure (server down) must not keep the user logged in.
      await client.logout(true).catch((error: unknown) => log.warn('server logout failed', String(error)));
    }
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
    this.startSync();
  }

  releaseSync(): void {
    this.syncUsers = Math.max(0, this.syncUsers - 1);
    if (this.syncUsers > 0) return;
    clearTimeout(this.stopTimer);
    this.stopTimer = setTimeout(() => {
      if (this.syncUsers === 0) this.client?.stopClient();
    }, SYNC_GRACE_MS);
  }

  onLiveEvent(listener: LiveEventListener): void {
    this.liveEventListeners.add(listener);
  }

  onToDeviceEvent(listener: (event: MatrixEvent) => void): void {
    this.toDeviceListeners.add(listener);
  }

  /** Rooms the user has joined, with display names, for the approval window's room picker. */
  async joinedRooms(): Promise<RoomChoice[]> {
    const client = await this.requireClient();
    const { joined_rooms: roomIds } = await client.getJoinedRooms();
    return Promise.all(roomIds.map(async (roomId) => ({ roomId, name: await this.roomName(client, roomId) })));
  }

  private async roomName(client: MatrixClient, roomId: string): Promise<string> {
    const synced = client.getRoom(roomId);
    if (synced && !synced.name.startsWith('Empty room')) return synced.name;
    const name = await client.getStateEvent(roomId, 'm.room.name', '').catch(() => undefined);
    if (typeof name?.['name'] === 'string' && name['name']) return name['name'];
    const alias = await client.getStateEvent(roomId, 'm.room.canonical_alias', '').catch(() => undefined);
    if (typeof alias?.['alias'] === 'string' && alias['alias']) return alias['alias'];
    return roomId;
  }

  private adopt(session: StoredSession): void {
    this.session = session;
    this.client = createClient({
      baseUrl: session.homeserverUrl,
      accessToken: session.accessToken,
      userId: session.userId,
      deviceId: session.deviceId,
      fetchFn: boundFetch,
    });
    this.client.on(RoomEvent.Timeline, this.forwardLiveEvent);
    this.client.on(ClientEvent.ToDeviceEvent, (event) => {
      for (const listener of this.toDeviceListeners) listener(event);
    });
    this.client.on(ClientEvent.Sync, (state) => log.info('sync state', state));
  }

  private startSync(): void {
    const client = this.client;
    if (!client || client.clientRunning) return;
    void client.startClient({ pollTimeout: SYNC_POLL_TIMEOUT_MS, initialSyncLimit: 20, lazyLoadMembers: true });
  }

  private readonly forwardLiveEvent = (
    event: MatrixEvent,
    room: Room | undefined,
    toStartOfTimeline: boolean | undefined,
    removed: boolean,
    data: IRoomTimelineData,
  ): void => {
    if (!room || toStartOfTimeline || removed || !data.liveEvent) return;
    // Only the server's copy reaches widgets; local echoes carry no server-assigned event ID.
    if (event.status !== null || !event.getId()?.startsWith('$')) return;
    for (const listener of this.liveEventListeners) listener(room.roomId, event);
  };
}

/** Browsers throw "Illegal invocation" when `fetch` is called detached from the global object. */
const boundFetch: typeof fetch = (input, init) => globalThis.fetch(input, init);
