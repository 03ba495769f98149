// The registry holds events for widgets that were live before the worker stopped until their relay is
// back (issue #7). Fake hosts record what reaches them; the browser proof is test/e2e/worker-kills.test.ts.
import { MatrixEvent } from 'matrix-js-sdk';
import { describe, expect, it } from 'vitest';
import { HostRegistry, MAX_HELD_EVENTS, RETURN_WAIT_MS, SYNC_HOLD_BACKLOG } from '../../src/background/widgets/host/host-registry';

class FakeHost {
  readonly received: string[] = [];
  readonly createdAt = Date.now();
  readonly siteOrigin = 'https://site.example';
  accountId: string | undefined = ANN;
  closedWith: string | undefined;
  account = (): string | undefined => this.accountId;
  constructor(
    readonly key: string,
    readonly isResumed: boolean,
  ) {}
  deliver(roomId: string, event: MatrixEvent): void {
    this.received.push(`${roomId} ${event.getId()}`);
  }
  deliverToDevice(event: MatrixEvent): void {
    this.received.push(`to-device ${event.getType()}`);
  }
  isFor = (): boolean => false;
  refreshCapabilities = async (): Promise<void> => undefined;
  close = async (reason: string): Promise<void> => {
    this.closedWith = reason;
  };
  isFrame = (): boolean => false;
  hasUnrecordedPushes = (): boolean => false;
  backlog = 0;
  pushBacklog = (): number => this.backlog;
  isInTab = (): boolean => false;
  view = async () => ({ siteOrigin: '', widgetUrl: '', widgetId: null, roomId: null, state: 'waiting' as const, approved: [] });
}

const ANN = '@ann:hs';
const BOB = '@bob:hs';
const event = (id: string) => new MatrixEvent({ event_id: id, type: 'm.room.message', content: {} });
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

/** Timers the test fires by hand. */
function manualTimers() {
  const pending: (() => void)[] = [];
  const fake = ((callback: () => void, delay: number) => {
    expect(delay).toBe(RETURN_WAIT_MS);
    pending.push(callback);
    return 0;
  }) as unknown as typeof setTimeout;
  return { timers: { setTimeout: fake }, fire: () => pending.splice(0).forEach((callback) => callback()) };
}

describe('HostRegistry: widgets coming back to a new worker', () => {
  it('gives a returning widget, first and in order, what was synced before it was back', async () => {
    const registry = new HostRegistry<FakeHost>();
    registry.expectReturning(Promise.resolve(['host:1:1', 'host:1:2']));
    await settle();
    const first = new FakeHost('host:1:1', true);
    registry.add(first);
    registry.deliver('!a', event('$1'), ANN);
    registry.deliverToDevice(new MatrixEvent({ type: 'org.example.ping', content: {} }), ANN);
    registry.deliver('!a', event('$2'), ANN);
    const second = new FakeHost('host:1:2', true);
    registry.add(second);
    registry.deliver('!a', event('$3'), ANN);
    expect(first.received).toEqual(['!a $1', 'to-device org.example.ping', '!a $2', '!a $3']);
    expect(second.received).toEqual(first.received);
  });

  it('gives a new widget (no record) and a frame that was not live before nothing held', async () => {
    const registry = new HostRegistry<FakeHost>();
    registry.expectReturning(Promise.resolve(['host:1:1']));
    await settle();
    registry.deliver('!a', event('$1'), ANN);
    const fresh = new FakeHost('host:1:1', false);
    const stranger = new FakeHost('host:9:9', true);
    registry.add(fresh);
    registry.add(stranger);
    registry.deliver('!a', event('$2'), ANN);
    expect(fresh.received).toEqual(['!a $2']);
    expect(stranger.received).toEqual(['!a $2']);
  });

  it('holds events that arrive before the records are read, for any widget that comes back', async () => {
    const registry = new HostRegistry<FakeHost>();
    let answer: (keys: string[]) => void = () => undefined;
    registry.expectReturning(new Promise((resolve) => (answer = resolve)));
    registry.deliver('!a', event('$1'), ANN);
    const early = new FakeHost('host:1:1', true);
    registry.add(early);
    registry.deliver('!a', event('$2'), ANN);
    answer(['host:1:1', 'host:1:2']);
    await settle();
    registry.deliver('!a', event('$3'), ANN);
    const late = new FakeHost('host:1:2', true);
    registry.add(late);
    expect(early.received).toEqual(['!a $1', '!a $2', '!a $3']);
    expect(late.received).toEqual(['!a $1', '!a $2', '!a $3']);
  });

  it('stops holding after the wait, and past the cap', async () => {
    const { timers, fire } = manualTimers();
    const registry = new HostRegistry<FakeHost>();
    registry.expectReturning(Promise.resolve(['host:1:1', 'host:1:2']), timers);
    await settle();
    for (let index = 0; index <= MAX_HELD_EVENTS; index++) registry.deliver('!a', event(`$${index}`), ANN);
    const overflowed = new FakeHost('host:1:1', true);
    registry.add(overflowed);
    expect(overflowed.received).toEqual([]);

    const registry2 = new HostRegistry<FakeHost>();
    const later = manualTimers();
    registry2.expectReturning(Promise.resolve(['host:1:1']), later.timers);
    await settle();
    registry2.deliver('!a', event('$1'), ANN);
    later.fire();
    const tooLate = new FakeHost('host:1:1', true);
    registry2.add(tooLate);
    expect(tooLate.received).toEqual([]);
    fire();
  });

  it('holds nothing once the user logged out', async () => {
    const registry = new HostRegistry<FakeHost>();
    registry.expectReturning(Promise.resolve(['host:1:1']));
    await settle();
    registry.deliver('!a', event('$1'), ANN);
    await registry.closeAll('logged out');
    const back = new FakeHost('host:1:1', true);
    registry.add(back);
    expect(back.received).toEqual([]);
  });

  it('is backed up while some widget has SYNC_HOLD_BACKLOG events waiting', () => {
    const registry = new HostRegistry<FakeHost>();
    const quick = new FakeHost('host:1:1', false);
    const slow = new FakeHost('host:1:2', false);
    registry.add(quick);
    registry.add(slow);
    slow.backlog = SYNC_HOLD_BACKLOG - 1;
    expect(registry.isBackedUp()).toBe(false);
    slow.backlog = SYNC_HOLD_BACKLOG;
    expect(registry.isBackedUp()).toBe(true);
    registry.remove(slow);
    expect(registry.isBackedUp()).toBe(false);
  });
});

/** A registry with a widget of ann's, one of bob's, and one not yet tied to an account. */
function hostsOfTwoAccounts() {
  const registry = new HostRegistry<FakeHost>();
  const ann = new FakeHost('host:1:1', false);
  const bob = new FakeHost('host:1:2', false);
  bob.accountId = BOB;
  const untied = new FakeHost('host:1:3', false);
  untied.accountId = undefined;
  for (const host of [ann, bob, untied]) registry.add(host);
  return { registry, ann, bob, untied };
}

describe('HostRegistry: widgets of one account (issue #18, finding 2)', () => {
  it('gives an event of one account\'s sync only to widgets acting for that account (or not yet tied to one)', () => {
    const { registry, ann, bob, untied } = hostsOfTwoAccounts();
    registry.deliver('!a', event('$ann'), ANN);
    registry.deliverToDevice(new MatrixEvent({ type: 'org.example.ping', content: {} }), BOB);
    expect(ann.received).toEqual(['!a $ann']);
    expect(bob.received).toEqual(['to-device org.example.ping']);
    expect(untied.received).toEqual(['!a $ann', 'to-device org.example.ping']);
  });

  it('holds events for a returning widget with their account, and gives it only its own', async () => {
    const registry = new HostRegistry<FakeHost>();
    registry.expectReturning(Promise.resolve(['host:1:1']));
    await settle();
    registry.deliver('!a', event('$bob'), BOB);
    registry.deliver('!a', event('$ann'), ANN);
    const back = new FakeHost('host:1:1', true);
    registry.add(back);
    expect(back.received).toEqual(['!a $ann']);
  });

  it('closes, after a switch, the widgets tied to another account, and only those', async () => {
    const { registry, ann, bob, untied } = hostsOfTwoAccounts();
    await registry.closeOtherAccounts(BOB, 'Switched to another account');
    expect(ann.closedWith).toBe('Switched to another account');
    expect(bob.closedWith).toBeUndefined();
    expect(untied.closedWith).toBeUndefined();
    registry.deliver('!a', event('$after'), BOB);
    expect(ann.received).toEqual([]);
    expect(bob.received).toEqual(['!a $after']);
  });
});
