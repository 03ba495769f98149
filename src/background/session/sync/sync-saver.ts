// When the open account's sync is written to IndexedDB. js-sdk saves every 5 minutes; a stopped
// worker would lose what came since (docs/architecture.md, stores), so a sync that brought something is saved soon.
import type { IndexedDBStore } from 'matrix-js-sdk';
import { createLogger } from '../../../shared/log';

const log = createLogger('bg:sync-save');

/**
 * A saved sync is written at most this long after the sync that brought something. Each save turns
 * the whole accumulated sync into one record on the worker's thread; after every sync of a busy room
 * that delayed the next sync request and the events' way to widgets (issue #8, P2). A worker stopped
 * before the save gets the events since the last one again as live events, and pushes are deduplicated
 * by event id (host-record.ts).
 */
const SYNC_SAVE_DELAY_MS = 1_000;
/**
 * The saved sync must not move past events not handed on yet (a gap being read back) or not yet
 * recorded as delivered by the widget hosts: a worker stopped then would never get them again. The
 * save waits for that, checking this often, but at most SYNC_SAVE_MAX_WAIT_MS.
 */
const SYNC_SAVE_RETRY_MS = 100;
const SYNC_SAVE_MAX_WAIT_MS = 10_000;

export class SyncSaver {
  /** Set when a sync brought something a widget could see; the store is saved after its end. */
  private isWorthSaving = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private isStopped = false;

  /** `isHandingOn`: events of the synced answer are still on their way to widgets. */
  constructor(
    private readonly store: IndexedDBStore,
    private readonly isHandingOn: () => boolean,
  ) {}

  /** The sync being processed brought something a widget or the crypto store could need. */
  noteActivity(): void {
    this.isWorthSaving = true;
  }

  /** A sync finished processing: saved within SYNC_SAVE_DELAY_MS if it brought something. */
  syncProcessed(): void {
    if (this.isWorthSaving && this.timer === undefined && !this.isStopped) this.schedule(SYNC_SAVE_DELAY_MS, 0);
  }

  /** Sync is pausing: saved now, whatever is pending. */
  saveNow(): void {
    this.stop();
    void this.store.save(true).catch((error: unknown) => log.warn('saving the sync failed', String(error)));
  }

  /** The account closed (logout): nothing more is saved. */
  stop(): void {
    this.isStopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(delay: number, waited: number): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.isStopped) return;
      if (this.isHandingOn() && waited < SYNC_SAVE_MAX_WAIT_MS) {
        this.schedule(SYNC_SAVE_RETRY_MS, waited + SYNC_SAVE_RETRY_MS);
        return;
      }
      this.isWorthSaving = false;
      void this.store.save(true).catch((error: unknown) => log.warn('saving the sync failed', String(error)));
    }, delay);
  }
}
