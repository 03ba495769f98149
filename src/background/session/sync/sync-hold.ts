// Back-pressure from the widgets to the homeserver: while some widget has many events waiting to be
// pushed, the next /sync request waits, so new events stay on the server rather than pile up in the
// worker. A slow widget then catches up instead of losing events to its queue's limit (issue #7's
// load: 10 widgets, 14,000 events); a widget that does not catch up within MAX_HOLD_MS stops holding
// everyone else's sync, and its queue's limit applies (it is told what it missed).
import { recordHold } from './sync-hold-record';
import { clientSyncUrl } from './sync-requests';

const CHECK_EVERY_MS = 50;
const MAX_HOLD_MS = 30_000;

/** A fetch that holds /sync requests while `isBackedUp()` says widgets are behind. */
export function holdingSyncs(
  fetchFn: typeof fetch,
  isBackedUp: () => boolean,
  timing: { checkEveryMs: number; maxHoldMs: number } = { checkEveryMs: CHECK_EVERY_MS, maxHoldMs: MAX_HOLD_MS },
): typeof fetch {
  return async (input, init) => {
    if (clientSyncUrl(input)) {
      const started = Date.now();
      let isHeld = false;
      while (isBackedUp() && Date.now() - started < timing.maxHoldMs && !init?.signal?.aborted) {
        isHeld = true;
        await new Promise((resolve) => setTimeout(resolve, timing.checkEveryMs));
      }
      if (isHeld) recordHold(Date.now() - started);
    }
    return fetchFn(input, init);
  };
}
