// Sync waits while widgets are behind (back-pressure), never other requests, and never forever.
import { describe, expect, it } from 'vitest';
import { holdingSyncs } from '../../src/background/session/sync/sync-hold';
import { syncHoldRecord } from '../../src/background/session/sync/sync-hold-record';

const SYNC = 'https://hs.example/_matrix/client/v3/sync?since=s1&timeout=20000';
const timing = { checkEveryMs: 5, maxHoldMs: 300 };

function recordingFetch() {
  const sent: string[] = [];
  const fetchFn = (async (input: RequestInfo | URL) => {
    sent.push(String(input));
    return new Response('{}');
  }) as typeof fetch;
  return { sent, fetchFn };
}

describe('holdingSyncs', () => {
  it('holds a /sync request until the widgets caught up', async () => {
    const { sent, fetchFn } = recordingFetch();
    let isBackedUp = true;
    // The hold asks again every `checkEveryMs`: its third question comes after it decided twice to
    // wait, each time with the widgets behind. Whatever the machine's speed, the request must not
    // have gone out by then.
    let checks = 0;
    let thirdCheck: () => void = () => undefined;
    const askedThrice = new Promise<'held'>((resolve) => (thirdCheck = () => resolve('held')));
    const asked = (): boolean => {
      if (++checks === 3) thirdCheck();
      return isBackedUp;
    };
    const answer = holdingSyncs(fetchFn, asked, timing)(SYNC);
    expect(await Promise.race([askedThrice, answer.then(() => 'sent at once' as const)])).toBe('held');
    expect(sent).toEqual([]);
    isBackedUp = false;
    await answer;
    expect(sent).toEqual([SYNC]);
  });

  it('counts the requests it held and for how long, for the bench to read from the global scope', async () => {
    const { fetchFn } = recordingFetch();
    const before = { ...syncHoldRecord };
    await holdingSyncs(fetchFn, () => false, timing)(SYNC);
    expect(syncHoldRecord.holds).toBe(before.holds);
    let checks = 0;
    await holdingSyncs(fetchFn, () => ++checks < 3, timing)(SYNC);
    expect(syncHoldRecord.holds).toBe(before.holds + 1);
    expect(syncHoldRecord.heldMs).toBeGreaterThan(before.heldMs);
    expect((globalThis as { mwbSyncHolds?: unknown }).mwbSyncHolds).toBe(syncHoldRecord);
  });

  it('lets every other request through at once', async () => {
    const { sent, fetchFn } = recordingFetch();
    const holding = holdingSyncs(fetchFn, () => true, timing);
    await holding('https://hs.example/_matrix/client/v3/rooms/!r/messages?dir=b');
    await holding('https://hs.example/_matrix/client/v3/rooms/!r/send/m.room.message/t1');
    expect(sent).toHaveLength(2);
  });

  it('stops holding after the longest hold, and when the request is aborted', async () => {
    const { sent, fetchFn } = recordingFetch();
    const holding = holdingSyncs(fetchFn, () => true, timing);
    const started = Date.now();
    await holding(SYNC);
    expect(Date.now() - started).toBeGreaterThanOrEqual(timing.maxHoldMs);
    const aborted = new AbortController();
    aborted.abort();
    await holding(SYNC, { signal: aborted.signal });
    expect(sent).toHaveLength(2);
  });
});
