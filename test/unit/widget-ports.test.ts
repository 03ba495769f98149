// Widget ports against fakes of the browser (issue #7 review): which frame a port is bound to, one
// host per frame however ports race, navigation while a port is attested, and the per-tab caps. The
// browser parts are fakes: the frame list (webNavigation), the port, and the answers the frames'
// content scripts would send (`runtime.sendMessage`, whose sender the browser names).
import type { Runtime } from 'webextension-polyfill';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { AuditLog } from '../../src/background/grants/audit-log';
import { GrantStore } from '../../src/background/grants/grant-store';
import type { Services } from '../../src/background/services';
import type { ListedFrame } from '../../src/background/widgets/frames/frame-attestation';
import { FrameChallenges, MAX_PENDING_CHALLENGES_PER_TAB } from '../../src/background/widgets/frames/frame-challenges';
import { frameCommitted } from '../../src/background/widgets/frames/frame-commits';
import { FrameSlots, MAX_WIDGET_FRAMES_PER_TAB } from '../../src/background/widgets/frames/frame-slots';
import { frameKey, HostRecords, type HostRecord } from '../../src/background/widgets/host/host-record';
import { HostRegistry } from '../../src/background/widgets/host/host-registry';
import { acceptWidgetPort } from '../../src/background/widgets/frames/widget-ports';
import type { BackgroundToContent } from '../../src/shared/protocol/background-to-content';
import type { FrameAnnounced } from '../../src/shared/protocol/content-to-background';
import { WIDGET_PORT_NAME } from '../../src/shared/protocol/ports';
import { memoryStore } from '../support/memory-store';

const TAB = 1;
const SITE = 'https://site.example/page';
const WIDGET = 'https://widget.example';
/** The relay runs in the top frame (0) of tab 1. */
const RELAY_SENDER: Runtime.MessageSender = { tab: { id: TAB, url: SITE } as Runtime.MessageSender['tab'], frameId: 0, url: SITE };
const ANNOUNCED: FrameAnnounced = { kind: 'frameAnnounced', widgetOrigin: WIDGET, isMarked: true, isResumed: false };

type FakePort = { posted: BackgroundToContent[]; receive(message: unknown): void; disconnect(): void };

function connect(services: Services, sender = RELAY_SENDER): FakePort {
  const onMessage: ((message: unknown) => void)[] = [];
  const onDisconnect: (() => void)[] = [];
  const posted: BackgroundToContent[] = [];
  const port = {
    name: WIDGET_PORT_NAME,
    sender,
    postMessage: (message: BackgroundToContent) => posted.push(message),
    disconnect: () => undefined,
    onMessage: { addListener: (listener: (message: unknown) => void) => onMessage.push(listener) },
    onDisconnect: { addListener: (listener: () => void) => onDisconnect.push(listener) },
  };
  acceptWidgetPort(port as unknown as Runtime.Port, services);
  return {
    posted,
    receive: (message) => onMessage.forEach((listener) => listener(message)),
    disconnect: () => onDisconnect.forEach((listener) => listener()),
  };
}

type Fakes = {
  services: Services;
  hosts: HostRegistry;
  slots: FrameSlots;
  challenges: FrameChallenges;
  records: HostRecords;
  stored: Map<string, unknown>;
  frames: ListedFrame[];
  dropped: string[];
};

function fakes(frames: ListedFrame[], options: { isEnabled?: () => Promise<boolean>; timeoutMs?: number } = {}): Fakes {
  const hosts = new HostRegistry();
  const slots = new FrameSlots(hosts);
  let next = 0;
  const challenges = new FrameChallenges(() => `nonce-${++next}`, options.timeoutMs ?? 60_000);
  const stored = new Map<string, unknown>();
  const backend = {
    read: async (key: string) => structuredClone(stored.get(key)),
    write: async (key: string, value: unknown) => void stored.set(key, structuredClone(value)),
    remove: async (key: string) => void stored.delete(key),
    keys: async () => [...stored.keys()],
  };
  const records = new HostRecords(backend);
  const dropped: string[] = [];
  const grants = new GrantStore(memoryStore(), memoryStore());
  const droppingGrants = Object.assign(grants, {
    dropInstanceDecisions: async (instance: string) => void dropped.push(instance),
  });
  const services = {
    // Nobody is logged in: hosts are built, never negotiate.
    accounts: {
      acquireSync: () => undefined,
      releaseSync: () => undefined,
      pinned: () => ({ pinnedUserId: undefined, userId: async () => undefined, whenLoggedIn: () => new Promise(() => undefined), requireClient: () => { throw new Error('no session'); } }),
    },
    grants: droppingGrants,
    sites: { isEnabled: options.isEnabled ?? (async () => true) },
    audit: new AuditLog(memoryStore()),
    approvals: { request: async () => ({ roomId: null, approved: [], remember: false }), release: () => undefined },
    hosts,
    hostRecords: records,
    frameChallenges: challenges,
    frameSlots: slots,
    listFrames: async () => frames,
  } as unknown as Services;
  return { services, hosts, slots, challenges, records, stored, frames, dropped };
}

const topFrame: ListedFrame = { frameId: 0, parentFrameId: -1, url: SITE };
const widgetFrame = (frameId: number, path = `/w${frameId}`): ListedFrame => ({ frameId, parentFrameId: 0, url: `${WIDGET}${path}?widgetId=w` });

async function challengeOf(port: FakePort): Promise<string> {
  return vi.waitFor(() => {
    const challenge = port.posted.find((message) => message.kind === 'frameChallenge');
    if (!challenge) throw new Error('no challenge yet');
    return challenge.nonce;
  });
}

/** What the content script in `frame` does with a nonce posted into it: the browser names the sender. */
function answerFrom(setup: Fakes, frame: ListedFrame, nonce: string): boolean {
  return setup.challenges.answer({ tab: { id: TAB }, frameId: frame.frameId, url: frame.url }, nonce);
}

const rejections = (port: FakePort) => port.posted.filter((message) => message.kind === 'frameRejected');

beforeAll(() => {
  vi.spyOn(console, 'warn').mockImplementation(() => undefined);
});

// Attestation and commits are ordered by `Date.now()` readings. The clock is the test's: it stands
// still unless a test moves it (vi.waitFor moves it along with its polls), so "a commit after the
// attestation began" is one millisecond after a reading the test took, never a sleep.
// Timers stay real: the challenges' time-outs and vi.waitFor's polls run as they would.
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'], now: 1_700_000_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('a widget port is always challenged', () => {
  it('a single widget is hosted once its own frame answered', async () => {
    const widget = widgetFrame(6);
    const setup = fakes([topFrame, widget]);
    const port = connect(setup.services);
    port.receive(ANNOUNCED);
    const nonce = await challengeOf(port);
    expect(setup.hosts.hasFrame(TAB, 6)).toBe(false); // not before the answer
    expect(answerFrom(setup, widget, nonce)).toBe(true);
    await vi.waitFor(() => expect(setup.hosts.hasFrame(TAB, 6)).toBe(true));
    expect(rejections(port)).toEqual([]);
  });

  it('does not bind a marked iframe now holding another origin to its only sibling of the widget origin', async () => {
    // A: marked, `src` of the widget, but the page navigated it to another origin; B: the widget.
    const navigatedAway: ListedFrame = { frameId: 5, parentFrameId: 0, url: 'https://elsewhere.example/x' };
    const widget = widgetFrame(6);
    const setup = fakes([topFrame, navigatedAway, widget], { timeoutMs: 50 });
    const portA = connect(setup.services);
    portA.receive(ANNOUNCED);
    const nonceA = await challengeOf(portA);
    const portB = connect(setup.services);
    portB.receive(ANNOUNCED);
    const nonceB = await challengeOf(portB);
    // A's nonce was posted into A with the widget's origin as target: the browser drops it there. A
    // document of another origin that reports it anyway does not count.
    expect(answerFrom(setup, navigatedAway, nonceA)).toBe(false);
    expect(answerFrom(setup, widget, nonceB)).toBe(true);
    await vi.waitFor(() => expect(rejections(portA)).toHaveLength(1));
    await vi.waitFor(() => expect(setup.hosts.hasFrame(TAB, 6)).toBe(true));
    expect(rejections(portB)).toEqual([]);
    expect(setup.hosts.countInTab(TAB)).toBe(1);
  });

  it('creates one host when two ports race for one frame', async () => {
    const widget = widgetFrame(6);
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (open = resolve));
    /** Ports held at the site switch, the last step before a host is registered. */
    let atGate = 0;
    const setup = fakes([topFrame, widget], { isEnabled: async () => (atGate++, await gate, true) });
    const first = connect(setup.services);
    const second = connect(setup.services);
    first.receive(ANNOUNCED);
    second.receive(ANNOUNCED);
    // Both reach the frame's content script (a confused or forged second relay of the same iframe).
    expect(answerFrom(setup, widget, await challengeOf(first))).toBe(true);
    expect(answerFrom(setup, widget, await challengeOf(second))).toBe(true);
    // The race is on once both ports are past attestation: each is either held at the gate or refused.
    const portsRefused = () => [first, second].filter((port) => rejections(port).length > 0).length;
    await vi.waitFor(() => expect(atGate + portsRefused()).toBe(2));
    open();
    // Each port ends with a host registered or a refusal; once both have, nothing more can happen.
    await vi.waitFor(() => expect(setup.hosts.countInTab(TAB) + portsRefused()).toBeGreaterThanOrEqual(2));
    expect(rejections(second)).toEqual([{ kind: 'frameRejected', reason: 'This frame is already hosted', isForPreviousDocument: false }]);
    expect(setup.hosts.countInTab(TAB)).toBe(1);
    expect(rejections(first)).toEqual([]);
  });
});

describe('a navigation while the port is attested', () => {
  it('refuses the port as one for the previous document when the commit arrives before the host exists', async () => {
    const widget = widgetFrame(6);
    const setup = fakes([topFrame, widget]);
    const port = connect(setup.services);
    const announcedAt = Date.now(); // when the port's attestation begins: the clock stands still
    port.receive(ANNOUNCED);
    const nonce = await challengeOf(port);
    await frameCommitted(setup.services, TAB, 6, announcedAt + 1);
    expect(answerFrom(setup, widget, nonce)).toBe(true);
    await vi.waitFor(() => expect(rejections(port)).toEqual([{ kind: 'frameRejected', reason: 'The frame navigated', isForPreviousDocument: true }]));
    expect(setup.hosts.hasFrame(TAB, 6)).toBe(false);
  });

  it('closes the host when a commit made during attestation is heard only after registration', async () => {
    const widget = widgetFrame(6);
    const setup = fakes([topFrame, widget]);
    const port = connect(setup.services);
    const announcedAt = Date.now();
    port.receive(ANNOUNCED);
    const nonce = await challengeOf(port);
    const committedAt = announcedAt + 1;
    expect(answerFrom(setup, widget, nonce)).toBe(true);
    await vi.waitFor(() => expect(setup.hosts.hasFrame(TAB, 6)).toBe(true));
    await frameCommitted(setup.services, TAB, 6, committedAt);
    expect(setup.hosts.hasFrame(TAB, 6)).toBe(false);
    expect(rejections(port)).toEqual([{ kind: 'frameRejected', reason: 'The frame navigated', isForPreviousDocument: true }]);
  });

  it('keeps a host whose attestation began after the commit (a late event of its own document)', async () => {
    const widget = widgetFrame(6);
    const setup = fakes([topFrame, widget]);
    const committedAt = Date.now();
    vi.setSystemTime(committedAt + 1);
    const port = connect(setup.services);
    port.receive(ANNOUNCED);
    expect(answerFrom(setup, widget, await challengeOf(port))).toBe(true);
    await vi.waitFor(() => expect(setup.hosts.hasFrame(TAB, 6)).toBe(true));
    await frameCommitted(setup.services, TAB, 6, committedAt);
    expect(setup.hosts.hasFrame(TAB, 6)).toBe(true);
    expect(rejections(port)).toEqual([]);
  });
});

function storedRecord(createdAt: number, widgetUrl = `${WIDGET}/w6`): HostRecord {
  return { widgetId: 'w', widgetUrl, roomId: '!room:hs', requested: [], hostInstance: `page-load-${createdAt}`, createdAt, deliveredEventIds: [], delayIds: [] };
}

describe('a stored host record and a navigation while no host is live', () => {
  it('is removed, with its page-load decisions, when its frame commits a new document', async () => {
    const setup = fakes([topFrame, widgetFrame(6)]);
    await setup.records.save(frameKey(TAB, 6), storedRecord(1_000));
    await setup.records.save(frameKey(TAB, 7), storedRecord(1_000));
    await frameCommitted(setup.services, TAB, 6, 2_000);
    expect(await setup.records.load(frameKey(TAB, 6))).toBeUndefined();
    expect(setup.dropped).toEqual(['page-load-1000']);
    expect(await setup.records.load(frameKey(TAB, 7))).toBeDefined(); // another frame's
  });

  it('is kept when it was negotiated after the commit (the event came late)', async () => {
    const setup = fakes([topFrame, widgetFrame(6)]);
    await setup.records.save(frameKey(TAB, 6), storedRecord(3_000));
    await frameCommitted(setup.services, TAB, 6, 2_000);
    expect(await setup.records.load(frameKey(TAB, 6))).toBeDefined();
    expect(setup.dropped).toEqual([]);
  });

  it('is not given to a relay that reconnects as resumed after the commit', async () => {
    const widget = widgetFrame(6);
    const setup = fakes([topFrame, widget]);
    const negotiatedAt = Date.now() - 10_000;
    await setup.records.save(frameKey(TAB, 6), storedRecord(negotiatedAt));
    // The commit is known, but (say) its record removal has not run yet.
    setup.slots.noteCommit(TAB, 6, negotiatedAt + 5_000);
    const port = connect(setup.services);
    port.receive({ ...ANNOUNCED, isResumed: true });
    expect(answerFrom(setup, widget, await challengeOf(port))).toBe(true);
    await vi.waitFor(() => expect(setup.hosts.hasFrame(TAB, 6)).toBe(true));
    const [view] = await setup.hosts.inTab(TAB);
    expect(view?.state).toBe('waiting'); // a fresh host, not the earlier document's
    await vi.waitFor(() => expect(setup.stored.has(frameKey(TAB, 6))).toBe(false));
    expect(setup.dropped).toEqual([`page-load-${negotiatedAt}`]);
  });

  it('is resumed by a relay that reconnects with no commit since it was negotiated', async () => {
    const widget = widgetFrame(6);
    const setup = fakes([topFrame, widget]);
    await setup.records.save(frameKey(TAB, 6), storedRecord(Date.now() - 10_000));
    const port = connect(setup.services);
    port.receive({ ...ANNOUNCED, isResumed: true });
    expect(answerFrom(setup, widget, await challengeOf(port))).toBe(true);
    await vi.waitFor(() => expect(setup.hosts.hasFrame(TAB, 6)).toBe(true));
    const [view] = await setup.hosts.inTab(TAB);
    expect(view?.state).toBe('ready');
    expect(setup.stored.has(frameKey(TAB, 6))).toBe(true);
  });
});

describe('per-tab caps', () => {
  it(`refuses a port once ${MAX_PENDING_CHALLENGES_PER_TAB} challenges are open in its tab, with the reason`, async () => {
    const frames = [topFrame, ...Array.from({ length: MAX_PENDING_CHALLENGES_PER_TAB + 1 }, (_, index) => widgetFrame(10 + index))];
    const setup = fakes(frames);
    const ports = Array.from({ length: MAX_PENDING_CHALLENGES_PER_TAB }, () => connect(setup.services));
    for (const port of ports) port.receive(ANNOUNCED);
    await Promise.all(ports.map(challengeOf));
    const over = connect(setup.services);
    over.receive(ANNOUNCED);
    await vi.waitFor(() =>
      expect(rejections(over)).toEqual([
        { kind: 'frameRejected', reason: `Too many widget frames are waiting to be identified in this tab (at most ${MAX_PENDING_CHALLENGES_PER_TAB})`, isForPreviousDocument: false },
      ]),
    );
    // Another tab is not affected, and the tab has room again once a port goes.
    const otherTab = connect(setup.services, { ...RELAY_SENDER, tab: { id: 2, url: SITE } as Runtime.MessageSender['tab'] });
    otherTab.receive(ANNOUNCED);
    await challengeOf(otherTab);
    ports[0]?.disconnect();
    const again = connect(setup.services);
    again.receive(ANNOUNCED);
    await challengeOf(again);
  });

  it(`refuses a port once ${MAX_WIDGET_FRAMES_PER_TAB} widget frames are hosted in its tab, with the reason`, async () => {
    const frames = [topFrame, ...Array.from({ length: MAX_WIDGET_FRAMES_PER_TAB + 1 }, (_, index) => widgetFrame(10 + index))];
    const setup = fakes(frames);
    for (const frame of frames.slice(1, -1)) {
      const port = connect(setup.services);
      port.receive(ANNOUNCED);
      expect(answerFrom(setup, frame, await challengeOf(port))).toBe(true);
    }
    await vi.waitFor(() => expect(setup.hosts.countInTab(TAB)).toBe(MAX_WIDGET_FRAMES_PER_TAB));
    const over = connect(setup.services);
    over.receive(ANNOUNCED);
    expect(answerFrom(setup, frames.at(-1) as ListedFrame, await challengeOf(over))).toBe(true);
    await vi.waitFor(() =>
      expect(rejections(over)).toEqual([
        { kind: 'frameRejected', reason: `This tab has too many widget frames (at most ${MAX_WIDGET_FRAMES_PER_TAB})`, isForPreviousDocument: false },
      ]),
    );
    expect(setup.hosts.countInTab(TAB)).toBe(MAX_WIDGET_FRAMES_PER_TAB);
  });
});
