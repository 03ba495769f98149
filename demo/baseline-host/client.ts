// The P2 bench baseline (issue #8): a plain matrix-js-sdk client in a page, logged in as the bench
// user on its own device, syncing, recording when each live m.room.message of one room arrives.
// No extension, no widget: what any web Matrix client gets from the same homeserver.
import { ClientEvent, createClient, Filter, RoomEvent, SyncState, type MatrixEvent, type Room } from 'matrix-js-sdk';

/** `timelineLimit`: events per room and sync (the extension's 50 unless a bench needs more). */
type Start = { baseUrl: string; user: string; password: string; roomId: string; timelineLimit?: number };

const status = document.getElementById('status') as HTMLElement;
/** Live messages as they arrived: the body and this page's `performance.now()` at arrival. */
/** Each live message: its body, its arrival (performance.now) and the server's timestamp. */
const deliveries: { body: string; at: number; ts: number }[] = [];
/**
 * Syncs of the room that came back `limited` (more new events than the sync's timeline limit): the
 * older ones never arrive as live events, which is why a bench wait may never end.
 */
const gaps = { limitedSyncs: 0 };

/** Logs in with a password (a new device), starts syncing, and resolves once the sync is live. */
async function startBaselineClient({ baseUrl, user, password, roomId, timelineLimit = 50 }: Start): Promise<void> {
  const login = await createClient({ baseUrl }).loginRequest({
    type: 'm.login.password',
    identifier: { type: 'm.id.user', user },
    password,
  });
  const client = createClient({ baseUrl, userId: login.user_id, deviceId: login.device_id, accessToken: login.access_token });
  client.on(RoomEvent.Timeline, (event: MatrixEvent, room: Room | undefined, toStartOfTimeline: boolean | undefined, _removed, data) => {
    // The arrival time first, as the bench widget does.
    const at = performance.now();
    if (toStartOfTimeline || !data.liveEvent || room?.roomId !== roomId || event.getType() !== 'm.room.message') return;
    const body = event.getContent()['body'];
    deliveries.push({ body: typeof body === 'string' ? body : '', at, ts: event.getTs() });
  });
  client.on(RoomEvent.TimelineReset, (room) => {
    if (room?.roomId === roomId) gaps.limitedSyncs++;
  });
  const live = new Promise<void>((resolve) => {
    const onSync = (state: SyncState) => {
      if (state !== SyncState.Prepared && state !== SyncState.Syncing) return;
      client.off(ClientEvent.Sync, onSync);
      resolve();
    };
    client.on(ClientEvent.Sync, onSync);
  });
  // The extension's own sync options (src/background/session/matrix-session.ts), so both receivers
  // ask the server for the same thing. A plain client has no gap filling: the load bench raises the
  // limit so that it does not lose the older events of a limited sync.
  const filter = new Filter(login.user_id);
  filter.setTimelineLimit(timelineLimit);
  await client.startClient({ pollTimeout: 20_000, initialSyncLimit: 20, lazyLoadMembers: true, filter });
  await live;
  status.textContent = 'syncing';
}

Object.assign(window, { startBaselineClient, deliveries, gaps });
