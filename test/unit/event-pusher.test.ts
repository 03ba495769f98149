// What the host pushes to a widget unasked (event-pusher.ts): live room events it may see, in room
// order, once each, with back-pressure (at most `window` unanswered, at most `maxQueued` waiting,
// the rest counted and reported), recorded as delivered only once the widget answered; to-device
// messages of the types it may receive. The boundaries are fakes: the host (record, grants) and the
// channel to the widget, whose answers the test gives. Events are js-sdk's own MatrixEvent.
import { MatrixEvent } from 'matrix-js-sdk';
import { MatrixCapabilities } from 'matrix-widget-api';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { HostRecord } from '../../src/background/widgets/host/host-record';
import type { ToWidgetChannel } from '../../src/background/widgets/host/to-widget-channel';
import { DELIVERY_OVERFLOW_ACTION, EventPusher, type PushTarget } from '../../src/background/widgets/push/event-pusher';

const ROOM = '!bound:hs';
const OTHER_ROOM = '!other:hs';
const RECEIVE = 'org.matrix.msc2762.receive.event:m.room.message';

/**
 * The fakes answer from memory and the pusher's work is promise chains: once a timer turn has passed,
 * everything it could do without a new answer from the widget has been done.
 */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

type Sent = { action: string; data: Record<string, unknown>; answer(): void; fail(): void };

function fakes(options: { approved?: string[]; createdAt?: number; delivered?: string[]; limits?: { window: number; maxQueued: number } } = {}) {
  let approved = options.approved ?? [RECEIVE];
  let isDisposed = false;
  const record: HostRecord = {
    widgetId: 'w',
    widgetUrl: 'https://widget.example/w',
    roomId: ROOM,
    requested: approved,
    hostInstance: null,
    createdAt: options.createdAt ?? 0,
    deliveredEventIds: [...(options.delivered ?? [])],
    delayIds: [],
  } as unknown as HostRecord;
  const saved: string[][] = [];
  const audited: string[] = [];
  const sent: Sent[] = [];
  const channel = {
    request: (action: string, data: Record<string, unknown>) =>
      new Promise<Record<string, unknown>>((resolve, reject) => {
        sent.push({ action, data, answer: () => resolve({}), fail: () => reject(new Error('the widget did not answer')) });
      }),
  } as unknown as ToWidgetChannel;
  const target: PushTarget = {
    negotiated: async () => undefined,
    record: () => record,
    saveRecord: async (saving) => void saved.push([...saving.deliveredEventIds]),
    approved: async () => approved,
    isDisposed: () => isDisposed,
    client: () => Promise.reject(new Error('no client in these tests')),
    lane: 'host:1:1',
    audit: (action, _roomId, detail) => void audited.push(`${action} ${detail}`),
  };
  const pusher = new EventPusher(target, channel, options.limits);
  return {
    pusher,
    record,
    saved,
    audited,
    sent,
    /** The send_event pushes, by event id, in the order they went out. */
    pushed: () => sent.filter((request) => request.action === 'send_event').map((request) => request.data['event_id']),
    answerAll: () => sent.splice(0).forEach((request) => request.answer()),
    revoke: () => (approved = []),
    dispose: () => (isDisposed = true),
  };
}

// The pusher warns of failed deliveries and overflow; expected here.
beforeAll(() => {
  vi.spyOn(console, 'warn').mockImplementation(() => undefined);
});

let next = 0;
function message(roomId = ROOM, overrides: Record<string, unknown> = {}): MatrixEvent {
  return new MatrixEvent({
    event_id: `$event-${++next}`,
    room_id: roomId,
    type: 'm.room.message',
    sender: '@bob:hs',
    origin_server_ts: Date.now(),
    content: { msgtype: 'm.text', body: `message ${next}` },
    ...overrides,
  });
}
const idOf = (event: MatrixEvent) => event.getId() as string;

describe('EventPusher: what a widget may see', () => {
  it('pushes the server’s copy with its room, in the order given, only in rooms and types the widget may see', async () => {
    const setup = fakes();
    const first = message();
    const elsewhere = message(OTHER_ROOM);
    const reaction = message(ROOM, { type: 'm.reaction', content: {} });
    const localEcho = message(ROOM, { event_id: '~local-echo' });
    const last = message();
    for (const event of [first, elsewhere, reaction, localEcho, last]) setup.pusher.deliver(event.getRoomId() as string, event);
    await settle();
    expect(setup.pushed()).toEqual([idOf(first), idOf(last)]);
    expect(setup.sent[0]?.data).toMatchObject({ event_id: idOf(first), room_id: ROOM, type: 'm.room.message', content: { body: first.getContent()['body'] } });
  });

  it('pushes other rooms the widget holds m.timeline: for', async () => {
    const setup = fakes({ approved: [RECEIVE, `org.matrix.msc2762.timeline:${OTHER_ROOM}`] });
    const elsewhere = message(OTHER_ROOM);
    setup.pusher.deliver(OTHER_ROOM, elsewhere);
    await settle();
    expect(setup.pushed()).toEqual([idOf(elsewhere)]);
  });

  it('never pushes js-sdk’s placeholder for an event it could not decrypt', async () => {
    const setup = fakes();
    const undecryptable = message(ROOM, { type: 'm.room.encrypted', content: { algorithm: 'm.megolm.v1.aes-sha2', ciphertext: 'x' } });
    // js-sdk's own failure path: the placeholder reads as an m.room.message (msgtype m.bad.encrypted).
    const noKey = { decryptEvent: () => Promise.reject(new Error('the room key is missing')) } as unknown as Parameters<MatrixEvent['attemptDecryption']>[0];
    await undecryptable.attemptDecryption(noKey);
    expect([undecryptable.isDecryptionFailure(), undecryptable.getType()]).toEqual([true, 'm.room.message']);
    setup.pusher.deliver(ROOM, undecryptable);
    await settle();
    expect(setup.pushed()).toEqual([]);
  });

  it('never pushes a live event older than the widget', async () => {
    const setup = fakes({ createdAt: Date.now() + 60_000 });
    setup.pusher.deliver(ROOM, message());
    await settle();
    expect(setup.pushed()).toEqual([]);
  });

  it('pushes an active sticky event older than the widget only to a widget that may receive sticky events', async () => {
    const withSticky = fakes({ createdAt: Date.now() + 60_000, approved: [RECEIVE, MatrixCapabilities.MSC4407ReceiveStickyEvent] });
    const without = fakes({ createdAt: Date.now() + 60_000 });
    const sticky = message();
    withSticky.pusher.deliver(ROOM, sticky, true);
    without.pusher.deliver(ROOM, sticky, true);
    await settle();
    expect(withSticky.pushed()).toEqual([idOf(sticky)]);
    expect(without.pushed()).toEqual([]);
  });

  it('checks each batch against the grants as they are then: nothing after a revoke, nothing once disposed', async () => {
    const setup = fakes();
    const before = message();
    setup.pusher.deliver(ROOM, before);
    await settle();
    setup.revoke();
    setup.pusher.deliver(ROOM, message());
    await settle();
    expect(setup.pushed()).toEqual([idOf(before)]);

    const disposed = fakes();
    disposed.dispose();
    disposed.pusher.deliver(ROOM, message());
    await settle();
    expect(disposed.pushed()).toEqual([]);
  });
});

describe('EventPusher: once each, recorded once answered', () => {
  it('pushes an event given twice once, whether in one batch, while unanswered, or after its answer', async () => {
    const setup = fakes();
    const event = message();
    setup.pusher.deliver(ROOM, event);
    setup.pusher.deliver(ROOM, event); // the same batch
    await settle();
    setup.pusher.deliver(ROOM, event); // pushed, not answered yet
    await settle();
    expect(setup.pushed()).toEqual([idOf(event)]);
    setup.answerAll();
    await settle();
    setup.pusher.deliver(ROOM, event); // answered and recorded
    await settle();
    expect(setup.pushed()).toEqual([]);
  });

  it('skips what the stored record says was delivered (by a worker before this one)', async () => {
    const setup = fakes({ delivered: ['$delivered-before'] });
    setup.pusher.deliver(ROOM, message(ROOM, { event_id: '$delivered-before' }));
    await settle();
    expect(setup.pushed()).toEqual([]);
  });

  it('records an event as delivered only once the widget answered, and pushes it again after no answer', async () => {
    const setup = fakes();
    const answered = message();
    const unanswered = message();
    setup.pusher.deliver(ROOM, answered);
    setup.pusher.deliver(ROOM, unanswered);
    await settle();
    expect(setup.pusher.hasUnrecordedPushes()).toBe(true);
    expect(setup.saved).toEqual([]);
    expect(setup.record.deliveredEventIds).toEqual([]);
    const [first, second] = setup.sent.splice(0);
    first?.answer();
    second?.fail();
    await settle();
    expect(setup.record.deliveredEventIds).toEqual([idOf(answered)]);
    expect(setup.saved.at(-1)).toEqual([idOf(answered)]);
    expect(setup.pusher.hasUnrecordedPushes()).toBe(false);
    // Not answered: a later copy (say, after a stopped worker) is pushed again.
    setup.pusher.deliver(ROOM, unanswered);
    await settle();
    expect(setup.pushed()).toEqual([idOf(unanswered)]);
  });
});

describe('EventPusher: back-pressure', () => {
  it('keeps at most `window` pushes unanswered, in order, and tells the widget how many did not fit the queue', async () => {
    const setup = fakes({ limits: { window: 2, maxQueued: 4 } });
    const events = Array.from({ length: 8 }, () => message());
    for (const event of events) setup.pusher.deliver(ROOM, event);
    await settle();
    expect(setup.pushed()).toEqual(events.slice(0, 2).map(idOf));
    expect(setup.pusher.backlog()).toBe(4); // admitted, not all out: the sync holds at a backlog (sync-hold.ts)
    // One answer frees one slot: the next in order goes, no more.
    setup.sent.shift()?.answer();
    await settle();
    expect(setup.pushed()).toEqual(events.slice(1, 3).map(idOf));
    setup.answerAll();
    await settle();
    // The four that fitted went out in order; the four that did not are counted once the queue has room.
    expect(setup.sent.map((request) => [request.action, request.data['event_id'] ?? request.data])).toEqual([
      ['send_event', idOf(events[3] as MatrixEvent)],
      [DELIVERY_OVERFLOW_ACTION, { room_id: ROOM, dropped: 4 }],
    ]);
    setup.answerAll();
    await settle();
    expect(setup.record.deliveredEventIds).toEqual(events.slice(0, 4).map(idOf));
    expect(setup.pusher.backlog()).toBe(0);
    expect(setup.pusher.hasUnrecordedPushes()).toBe(false);
    // The queue has room again: the next event is pushed.
    const later = message();
    setup.pusher.deliver(ROOM, later);
    await settle();
    expect(setup.pushed()).toEqual([idOf(later)]);
  });
});

describe('EventPusher: to-device messages', () => {
  it('pushes the types the widget may receive, marked encrypted or not, and audits them; never a crypto-internal type', async () => {
    const type = 'org.example.call.signal';
    const setup = fakes({ approved: [RECEIVE, `org.matrix.msc3819.receive.to_device:${type}`, 'org.matrix.msc3819.receive.to_device:m.room_key'] });
    const toDevice = (eventType: string) => new MatrixEvent({ type: eventType, sender: '@bob:hs', content: { offer: 'sdp' } });
    setup.pusher.deliverToDevice(toDevice('m.room_key'));
    setup.pusher.deliverToDevice(toDevice('org.example.not.granted'));
    setup.pusher.deliverToDevice(toDevice(type));
    await settle();
    expect(setup.sent.map((request) => [request.action, request.data])).toEqual([
      ['send_to_device', { type, sender: '@bob:hs', content: { offer: 'sdp' }, encrypted: false }],
    ]);
    expect(setup.audited).toEqual([`read to-device ${type}`]);
  });
});

