// Whether the client's own view of its rooms is as current as the homeserver's last sync answer, so
// that a read can be answered from the client's live timelines instead of a /messages request
// (read-events.ts, issue #17). A saved sync alone never is: the worker may have been stopped for hours,
// and what arrived meanwhile is only on the server until the first sync after the wake. So: current
// from the first sync answer of this client that js-sdk has processed (not the saved one), until sync
// stops, fails, is held back for a slow widget, or an answer has arrived that js-sdk has not
// processed yet (its events may already have been handed on to widgets, sync-peek.ts).
import { ClientEvent, SyncState, type MatrixClient } from 'matrix-js-sdk';
import { clientSyncUrl } from './sync-requests';

const freshness = new WeakMap<MatrixClient, SyncFreshness>();

/** The client's freshness, when it tracks one (clients built by client-factory.ts do). */
export function syncFreshnessOf(client: MatrixClient): SyncFreshness | undefined {
  return freshness.get(client);
}

export class SyncFreshness {
  /** js-sdk processed a sync answer from the server and the sync state is SYNCING since. */
  private isProcessedFromServer = false;
  /** A sync answer arrived and js-sdk has not finished processing it. */
  private isAnswerPending = false;

  /** `isHeld`: the next sync request waits for a slow widget (sync-hold.ts), so the server may be ahead. */
  constructor(private readonly isHeld: () => boolean) {}

  /** A fetch that notes each /sync answer's arrival; wraps the one js-sdk's syncs go through. */
  tracking(fetchFn: typeof fetch): typeof fetch {
    return async (input, init) => {
      const response = await fetchFn(input, init);
      if (clientSyncUrl(input)) this.isAnswerPending = true;
      return response;
    };
  }

  /** Follows the client's sync states. */
  follow(client: MatrixClient): void {
    freshness.set(client, this);
    client.on(ClientEvent.Sync, (state, _previous, data) => {
      this.isAnswerPending = false;
      this.isProcessedFromServer = state === SyncState.Syncing && data?.fromCache !== true;
    });
  }

  /** Whether the client's live timelines hold every event the server had at its last sync answer. */
  isCurrent(): boolean {
    return this.isProcessedFromServer && !this.isAnswerPending && !this.isHeld();
  }
}
