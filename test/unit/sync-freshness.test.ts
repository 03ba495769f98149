// When reads may come from the client's live timelines (issue #17): only after a sync answer from
// the server was processed, never from the saved sync alone, a held sync, or an answer not processed yet.
import { EventEmitter } from 'node:events';
import { ClientEvent, SyncState, type MatrixClient } from 'matrix-js-sdk';
import { describe, expect, it } from 'vitest';
import { SyncFreshness, syncFreshnessOf } from '../../src/background/session/sync/sync-freshness';

const SYNC = 'https://hs.example/_matrix/client/v3/sync?since=s1&timeout=20000';

function followed(isHeld: () => boolean = () => false, follows: (roomId: string) => boolean = () => true) {
  const synced = new Set<string>();
  const emitter = new EventEmitter();
  const client = Object.assign(emitter, { getRoom: () => ({ findEventById: (eventId: string) => (synced.has(eventId) ? {} : undefined) }) }) as unknown as MatrixClient;
  const freshness = new SyncFreshness(isHeld, follows);
  freshness.follow(client);
  const fetchFn = freshness.tracking((async (input: RequestInfo | URL) =>
    new Response(String(input).includes('/send/') ? JSON.stringify({ event_id: '$written' }) : '{}')) as typeof fetch);
  const syncedState = (state: SyncState, fromCache = false) => emitter.emit(ClientEvent.Sync, state, null, { fromCache });
  return { client, freshness, fetchFn, synced: syncedState, syncedEvents: synced };
}

describe('SyncFreshness', () => {
  it('is current once a server answer was processed, not after the saved sync', async () => {
    const { client, freshness, fetchFn, synced } = followed();
    expect(syncFreshnessOf(client)).toBe(freshness);
    expect(freshness.isCurrent('!room:hs')).toBe(false);
    synced(SyncState.Prepared, true);
    expect(freshness.isCurrent('!room:hs')).toBe(false);
    await fetchFn(SYNC);
    // The answer is in, js-sdk has not processed it: its events may already be with widgets.
    expect(freshness.isCurrent('!room:hs')).toBe(false);
    synced(SyncState.Prepared);
    synced(SyncState.Syncing);
    expect(freshness.isCurrent('!room:hs')).toBe(true);
    await fetchFn('https://hs.example/_matrix/client/v3/rooms/!r/messages');
    expect(freshness.isCurrent('!room:hs')).toBe(true);
    await fetchFn(SYNC);
    expect(freshness.isCurrent('!room:hs')).toBe(false);
    synced(SyncState.Syncing);
    expect(freshness.isCurrent('!room:hs')).toBe(true);
  });

  it('is not current while sync fails or is held for a slow widget', () => {
    let isHeld = false;
    const { freshness, synced } = followed(() => isHeld);
    synced(SyncState.Syncing);
    expect(freshness.isCurrent('!room:hs')).toBe(true);
    isHeld = true;
    expect(freshness.isCurrent('!room:hs')).toBe(false);
    isHeld = false;
    synced(SyncState.Reconnecting);
    expect(freshness.isCurrent('!room:hs')).toBe(false);
    synced(SyncState.Error);
    expect(freshness.isCurrent('!room:hs')).toBe(false);
  });

  it('is not current for a room this client wrote to until its sync brought the event back', async () => {
    const { freshness, fetchFn, synced, syncedEvents } = followed();
    synced(SyncState.Syncing);
    await fetchFn('https://hs.example/_matrix/client/v3/rooms/!room%3Ahs/send/m.room.message/txn1', { method: 'PUT' });
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(freshness.isCurrent('!room:hs')).toBe(false);
    expect(freshness.isCurrent('!other:hs')).toBe(true);
    syncedEvents.add('$written');
    expect(freshness.isCurrent('!room:hs')).toBe(true);
  });

  it('is current only for rooms the sync follows', () => {
    const { freshness, synced } = followed(undefined, (roomId) => roomId === '!followed:hs');
    synced(SyncState.Syncing);
    expect(freshness.isCurrent('!followed:hs')).toBe(true);
    expect(freshness.isCurrent('!left-the-scope:hs')).toBe(false);
  });
});
