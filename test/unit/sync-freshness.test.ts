// When reads may come from the client's live timelines (issue #17): only after a sync answer from
// the server was processed, never from the saved sync alone, a held sync, or an answer not processed yet.
import { EventEmitter } from 'node:events';
import { ClientEvent, SyncState, type MatrixClient } from 'matrix-js-sdk';
import { describe, expect, it } from 'vitest';
import { SyncFreshness, syncFreshnessOf } from '../../src/background/session/sync/sync-freshness';

const SYNC = 'https://hs.example/_matrix/client/v3/sync?since=s1&timeout=20000';

function followed(isHeld: () => boolean = () => false) {
  const client = new EventEmitter() as unknown as MatrixClient;
  const freshness = new SyncFreshness(isHeld);
  freshness.follow(client);
  const fetchFn = freshness.tracking((async () => new Response('{}')) as typeof fetch);
  const synced = (state: SyncState, fromCache = false) => (client as unknown as EventEmitter).emit(ClientEvent.Sync, state, null, { fromCache });
  return { client, freshness, fetchFn, synced };
}

describe('SyncFreshness', () => {
  it('is current once a server answer was processed, not after the saved sync', async () => {
    const { client, freshness, fetchFn, synced } = followed();
    expect(syncFreshnessOf(client)).toBe(freshness);
    expect(freshness.isCurrent()).toBe(false);
    synced(SyncState.Prepared, true);
    expect(freshness.isCurrent()).toBe(false);
    await fetchFn(SYNC);
    // The answer is in, js-sdk has not processed it: its events may already be with widgets.
    expect(freshness.isCurrent()).toBe(false);
    synced(SyncState.Prepared);
    synced(SyncState.Syncing);
    expect(freshness.isCurrent()).toBe(true);
    await fetchFn('https://hs.example/_matrix/client/v3/rooms/!r/messages');
    expect(freshness.isCurrent()).toBe(true);
    await fetchFn(SYNC);
    expect(freshness.isCurrent()).toBe(false);
    synced(SyncState.Syncing);
    expect(freshness.isCurrent()).toBe(true);
  });

  it('is not current while sync fails or is held for a slow widget', () => {
    let isHeld = false;
    const { freshness, synced } = followed(() => isHeld);
    synced(SyncState.Syncing);
    expect(freshness.isCurrent()).toBe(true);
    isHeld = true;
    expect(freshness.isCurrent()).toBe(false);
    isHeld = false;
    synced(SyncState.Reconnecting);
    expect(freshness.isCurrent()).toBe(false);
    synced(SyncState.Error);
    expect(freshness.isCurrent()).toBe(false);
  });
});
