// What the sync hold did since this worker started: how many /sync requests it held, for how long in
// all, and the longest. Counters only, in memory. The bench (`npm run bench`, P6) reads them from the
// background's global scope (`mwbSyncHolds`), where pages and widgets cannot reach, to tell whether
// the hold lengthens the load's delivery tail.
export type SyncHoldRecord = { holds: number; heldMs: number; longestMs: number };

export const syncHoldRecord: SyncHoldRecord = { holds: 0, heldMs: 0, longestMs: 0 };
Object.assign(globalThis, { mwbSyncHolds: syncHoldRecord });

export function recordHold(heldMs: number): void {
  syncHoldRecord.holds++;
  syncHoldRecord.heldMs += heldMs;
  syncHoldRecord.longestMs = Math.max(syncHoldRecord.longestMs, heldMs);
}
