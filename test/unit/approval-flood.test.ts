// The approval queue under a page that keeps asking (issue #18, finding 1): bounded per site, per
// tab and in all; identical requests joined; withdrawn when the asking frame goes; a window only for
// the tab the user is with; a site quieted after repeated denials; "Deny all"; stale keys swept.
// The browser parts (windows, tabs, storage.session, the badge) are fakes that record what happened.
import { beforeEach, describe, expect, it, vi } from 'vitest';

const session = new Map<string, unknown>();
const activeTabs = new Set<number>();
const opened: number[] = [];
const removedWindows: number[] = [];
let nextWindowId = 100;
vi.mock('webextension-polyfill', () => ({
  default: {
    storage: {
      session: {
        get: async (key: string | null) =>
          key === null ? Object.fromEntries(session) : session.has(key) ? { [key]: session.get(key) } : {},
        set: async (entries: Record<string, unknown>) => Object.entries(entries).forEach(([key, value]) => session.set(key, value)),
        remove: async (key: string) => void session.delete(key),
      },
    },
    windows: {
      create: async () => {
        const id = nextWindowId++;
        opened.push(id);
        return { id, tabs: [{ id: id * 10 }] };
      },
      remove: async (id: number) => void removedWindows.push(id),
      update: async () => undefined,
      get: async (id: number) => {
        if (!opened.includes(id) || removedWindows.includes(id)) throw new Error(`no window ${id}`);
        return { id };
      },
    },
    tabs: {
      get: async (tabId: number) => ({ id: tabId, active: activeTabs.has(tabId) }),
      update: async () => undefined,
      query: async () => [],
    },
    action: { setBadgeText: async () => undefined, setBadgeBackgroundColor: async () => undefined },
    runtime: { getURL: (path: string) => `chrome-extension://id/${path}` },
  },
}));

const { ApprovalQueue, ApprovalRefused, ApprovalWithdrawn } = await import('../../src/background/approvals/approval-queue');
const { APPROVAL_ARM_DELAY_MS } = await import('../../src/shared/protocol/background-to-ui');
const { MAX_PENDING, MAX_PENDING_PER_SITE, MAX_PENDING_PER_TAB, MAX_APPROVAL_BYTES, QUIET_AFTER_DENIALS } = await import(
  '../../src/background/approvals/approval-admission'
);

const HOSTILE = 'https://hostile.example';
const OTHER = 'https://other.example';

function ask(widgetId: string, capabilities = ['m.send.event:m.room.message']) {
  return {
    identity: { account: '@ann:hs', siteOrigin: HOSTILE, widgetUrl: 'https://widget.example/', widgetId },
    widgetOrigin: 'https://widget.example',
    capabilities,
    roomHint: '!room:hs',
  };
}

const approvalIds = () => [...session.keys()].filter((key) => key.startsWith('approval:')).map((key) => key.slice('approval:'.length));
const settled = () => new Promise((resolve) => setTimeout(resolve, 0));
/** Lets the queue's chained work (storage writes, tab checks, window opening) run to its end. */
async function idle() {
  for (let round = 0; round < 20; round += 1) await settled();
}

beforeEach(() => {
  session.clear();
  activeTabs.clear();
  opened.length = 0;
  removedWindows.length = 0;
});

describe('ApprovalQueue under a flood', () => {
  it('bounds what one site may have waiting, and keeps room for another site', async () => {
    activeTabs.add(1);
    const queue = new ApprovalQueue();
    const hostile = Array.from({ length: MAX_PENDING_PER_SITE + 5 }, (_, index) =>
      queue.request(ask(`w${index}`), { siteOrigin: HOSTILE, tabId: 1 + (index % 3) }).catch((error: unknown) => error),
    );
    await idle();
    expect(queue.pendingCount).toBe(MAX_PENDING_PER_SITE);
    const refused = (await Promise.race([Promise.all(hostile.slice(MAX_PENDING_PER_SITE)), settled().then(() => [])])) as unknown[];
    expect(refused).toHaveLength(5);
    for (const error of refused) expect(error).toBeInstanceOf(ApprovalRefused);
    // Another site is still asked.
    void queue.request({ ...ask('legit'), identity: { ...ask('legit').identity, siteOrigin: OTHER } }, { siteOrigin: OTHER, tabId: 9 });
    await idle();
    expect(queue.pendingCount).toBe(MAX_PENDING_PER_SITE + 1);
    expect(approvalIds()).toHaveLength(MAX_PENDING_PER_SITE + 1);
    // One window, whatever waits.
    expect(opened).toHaveLength(1);
  });

  it('bounds one tab, whatever sites its frames claim, and the queue in all', async () => {
    const queue = new ApprovalQueue();
    for (let index = 0; index < MAX_PENDING_PER_TAB + 2; index += 1) {
      void queue.request(ask(`t${index}`), { siteOrigin: `https://s${index}.example`, tabId: 5 }).catch(() => undefined);
    }
    await idle();
    expect(queue.pendingCount).toBe(MAX_PENDING_PER_TAB);
    for (let index = 0; index < MAX_PENDING * 2; index += 1) {
      void queue.request(ask(`g${index}`), { siteOrigin: `https://g${index}.example`, tabId: 100 + index }).catch(() => undefined);
    }
    await idle();
    expect(queue.pendingCount).toBe(MAX_PENDING);
  });

  it('refuses a request too large to store', async () => {
    const queue = new ApprovalQueue();
    const long = Array.from({ length: 80 }, (_, index) => `org.example.cap.${index}.${'x'.repeat(1000)}`);
    expect(JSON.stringify(long).length).toBeGreaterThan(MAX_APPROVAL_BYTES);
    await expect(queue.request(ask('big', long), { siteOrigin: HOSTILE, tabId: 1 })).rejects.toBeInstanceOf(ApprovalRefused);
    expect(approvalIds()).toHaveLength(0);
  });

  it('joins identical requests and withdraws one only when every asker has gone', async () => {
    activeTabs.add(1);
    const queue = new ApprovalQueue();
    const first = new AbortController();
    const second = new AbortController();
    const one = queue.request(ask('same'), { siteOrigin: HOSTILE, tabId: 1, signal: first.signal });
    const two = queue.request(ask('same'), { siteOrigin: HOSTILE, tabId: 1, signal: second.signal });
    await idle();
    expect(queue.pendingCount).toBe(1);
    first.abort();
    await idle();
    expect(queue.pendingCount).toBe(1);
    second.abort();
    await expect(one).rejects.toBeInstanceOf(ApprovalWithdrawn);
    await expect(two).rejects.toBeInstanceOf(ApprovalWithdrawn);
    await idle();
    expect(queue.pendingCount).toBe(0);
    expect(approvalIds()).toHaveLength(0);
    // Its window closed with it.
    expect(removedWindows).toEqual(opened);
  });

  it('asks afresh when the page reloads while its request was pending: the new frame does not join the withdrawn one', async () => {
    activeTabs.add(1);
    const queue = new ApprovalQueue();
    const before = new AbortController();
    const withdrawn = queue.request(ask('w'), { siteOrigin: HOSTILE, tabId: 1, frameKey: 'host:1:5', signal: before.signal });
    await idle();
    before.abort(); // the page reloaded: the old frame's host went away
    await expect(withdrawn).rejects.toBeInstanceOf(ApprovalWithdrawn);
    const again = queue.request(ask('w'), { siteOrigin: HOSTILE, tabId: 1, frameKey: 'host:1:5' });
    await idle();
    expect(queue.pendingCount).toBe(1);
    expect(opened).toHaveLength(2);
    // Nothing of the withdrawn request is offered to a rebuilt host of the frame either.
    expect(await queue.askedBefore('host:1:5')).toBeUndefined();
    void again;
  });

  it('opens a window only for the tab the user is with, and when they turn to it', async () => {
    const queue = new ApprovalQueue();
    void queue.request(ask('background'), { siteOrigin: HOSTILE, tabId: 3 });
    await idle();
    expect(opened).toHaveLength(0);
    expect(queue.pendingCount).toBe(1);
    activeTabs.add(3);
    queue.userMoved();
    await idle();
    expect(opened).toHaveLength(1);
  });

  it('opens a background tab\'s request when the user asks to review it', async () => {
    const queue = new ApprovalQueue();
    void queue.request(ask('background'), { siteOrigin: HOSTILE, tabId: 3 });
    await idle();
    queue.review();
    await idle();
    expect(opened).toHaveLength(1);
  });

  it('quiets a site after repeated denials: its next requests wait behind the badge', async () => {
    activeTabs.add(1);
    const queue = new ApprovalQueue();
    for (let index = 0; index < QUIET_AFTER_DENIALS; index += 1) {
      void queue.request(ask(`nag${index}`), { siteOrigin: HOSTILE, tabId: 1 });
      await idle();
      queue.onWindowRemoved(opened.at(-1) as number); // closed: deny for now
      await idle();
    }
    expect(opened).toHaveLength(QUIET_AFTER_DENIALS);
    void queue.request(ask('nag-again'), { siteOrigin: HOSTILE, tabId: 1 });
    await idle();
    expect(opened).toHaveLength(QUIET_AFTER_DENIALS);
    expect(queue.pendingCount).toBe(1);
    // Another site on the same tab is not quieted.
    void queue.request(ask('polite'), { siteOrigin: OTHER, tabId: 1 });
    await idle();
    expect(opened).toHaveLength(QUIET_AFTER_DENIALS + 1);
  });

  it('denies every request of the shown request\'s site with Deny all, and no other site\'s', async () => {
    activeTabs.add(1);
    const queue = new ApprovalQueue();
    const hostile = [0, 1, 2].map((index) => queue.request(ask(`h${index}`), { siteOrigin: HOSTILE, tabId: 1 }));
    const other = queue.request(ask('o'), { siteOrigin: OTHER, tabId: 2 });
    await idle();
    const [shown] = approvalIds();
    expect(queue.pendingFromSameSite(shown as string)).toBe(3);
    expect(queue.denyAllFromSite(shown as string)).toBe(HOSTILE);
    for (const decision of await Promise.all(hostile)) expect(decision).toEqual({ roomId: null, approved: [], remember: false });
    expect(queue.pendingCount).toBe(1);
    void other;
  });

  it('sweeps the approvals a stopped worker left in storage.session', async () => {
    session.set('approval:stale', ask('old'));
    session.set('host:kept', { unrelated: true });
    const queue = new ApprovalQueue();
    void queue.request(ask('new'), { siteOrigin: HOSTILE, tabId: 1 });
    await idle();
    expect(session.has('approval:stale')).toBe(false);
    expect(session.has('host:kept')).toBe(true);
    expect(approvalIds()).toHaveLength(1);
  });
});

/** Timers the test fires by hand (the orphan wait). */
function manualTimers() {
  const pending: (() => void)[] = [];
  const setTimeout = ((callback: () => void) => {
    pending.push(callback);
    return 0;
  }) as unknown as typeof globalThis.setTimeout;
  return { timers: { setTimeout }, fire: () => pending.splice(0).forEach((callback) => callback()) };
}

describe('ApprovalQueue across a stopped worker (issue #18, finding 8)', () => {
  const ALLOW = { roomId: '!room:hs', approved: ['m.send.event:m.room.message'], remember: true };
  const from = { siteOrigin: HOSTILE, tabId: 1 };

  async function shownThenStopped(clock: { now: number }) {
    activeTabs.add(1);
    const before = new ApprovalQueue(() => clock.now);
    void before.request(ask('w'), from).catch(() => undefined);
    await idle();
    const [approvalId] = approvalIds();
    await before.pending(approvalId as string); // the window read it: armed from then on
    await idle();
    clock.now += APPROVAL_ARM_DELAY_MS;
    return approvalId as string;
  }

  it('lets the open window decide, and gives the decision to the widget when it asks again', async () => {
    const clock = { now: 1_000 };
    const approvalId = await shownThenStopped(clock);
    const manual = manualTimers();
    const after = new ApprovalQueue(() => clock.now, manual.timers);
    await after.decide(approvalId, ALLOW); // the window's click woke the new worker
    await expect(after.request(ask('w'), from)).resolves.toEqual(ALLOW);
    expect(opened).toHaveLength(1);
  });

  it('joins the widget that asks again to the request, which the open window then decides', async () => {
    const clock = { now: 1_000 };
    const approvalId = await shownThenStopped(clock);
    const after = new ApprovalQueue(() => clock.now, manualTimers().timers);
    const decision = after.request(ask('w'), from);
    await idle();
    expect(after.pendingCount).toBe(1);
    expect(opened).toHaveLength(1); // no second window
    await after.decide(approvalId, ALLOW);
    await expect(decision).resolves.toEqual(ALLOW);
  });

  it('closes the window of a request whose widget does not come back', async () => {
    const clock = { now: 1_000 };
    await shownThenStopped(clock);
    const manual = manualTimers();
    const after = new ApprovalQueue(() => clock.now, manual.timers);
    await idle();
    expect(after.pendingCount).toBe(1);
    manual.fire();
    await idle();
    expect(after.pendingCount).toBe(0);
    expect(removedWindows).toEqual(opened);
    expect(approvalIds()).toHaveLength(0);
  });
});
