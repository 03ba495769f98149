// What the host pushes to a running widget (issue #4): live room events once each, to-device
// messages it was granted (never crypto-internal ones), and MSC2974 renegotiation.
import { Method, RoomEvent } from 'matrix-js-sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { startFaultProxy } from '../support/fault-proxy';
import { eventually, freshUser, homeserverUrl, sendText, sharedRoom } from '../support/homeserver';
import { hostHarness, type HostHarness } from '../support/host-harness';

const SEND = 'org.matrix.msc2762.send.event:m.room.message';
const RECEIVE = 'org.matrix.msc2762.receive.event:m.room.message';

let running: HostHarness | undefined;
afterEach(async () => {
  await running?.stopSync();
  running = undefined;
});

describe('pushed to a running widget', () => {
  it('pushes each live room event once, only in rooms and types it may see', async () => {
    const alice = await freshUser('alice');
    const bob = await freshUser('bob');
    const roomId = await sharedRoom(bob, alice, 'Live room');
    const otherRoom = await sharedRoom(bob, alice, 'Not granted');
    running = await hostHarness(alice, { capabilities: [RECEIVE], roomHint: roomId });
    const harness = running;
    await harness.request('supported_api_versions');
    await harness.startSync();
    const wanted = await sendText(bob, roomId, 'live');
    await sendText(bob, otherRoom, 'elsewhere');
    await bob.client.http.authedRequest(Method.Put, `/rooms/${encodeURIComponent(roomId)}/send/m.reaction/x1`, undefined, {
      'm.relates_to': { rel_type: 'm.annotation', event_id: wanted, key: '👍' },
    });
    const last = await sendText(bob, roomId, 'live again');
    const pushed = await eventually('both live messages', async () => {
      const events = harness.toWidget('send_event').map((message) => message.data as { event_id: string; room_id: string; type: string });
      return events.some((event) => event.event_id === last) ? events : undefined;
    });
    expect(pushed.map((event) => event.event_id)).toEqual([wanted, last]);
    expect(pushed.every((event) => event.room_id === roomId && event.type === 'm.room.message')).toBe(true);
  });

  it('records a burst as delivered once the widget answered, and stops pushing what was revoked at the next event', async () => {
    const alice = await freshUser('alice');
    const bob = await freshUser('bob');
    const roomId = await sharedRoom(bob, alice, 'Revoked room');
    const REACTIONS = 'org.matrix.msc2762.receive.event:m.reaction';
    running = await hostHarness(alice, { capabilities: [RECEIVE, REACTIONS], roomHint: roomId });
    const harness = running;
    await harness.request('supported_api_versions');
    await harness.startSync();
    // Concurrent sends: several land in one sync, and are pushed as one batch.
    const burst = await Promise.all(Array.from({ length: 20 }, (_, index) => sendText(bob, roomId, `burst ${index}`)));
    const pushedIds = () => harness.toWidget('send_event').map((message) => (message.data as { event_id: string }).event_id);
    await eventually('the burst', async () => (burst.every((id) => pushedIds().includes(id)) ? true : undefined));
    // What a restarted worker would know: every answered push, so none is pushed again.
    await eventually('the burst recorded as delivered', async () => (burst.every((id) => harness.recordedDeliveries().includes(id)) ? true : undefined));
    const identity = harness.asked[0]?.identity;
    if (!identity) throw new Error('no approval was asked');
    await harness.grants.revoke(identity, roomId, { hostInstance: null }, [RECEIVE]);
    const notAllowed = await sendText(bob, roomId, 'after the revoke');
    const reaction = await bob.client.http.authedRequest<{ event_id: string }>(Method.Put, `/rooms/${encodeURIComponent(roomId)}/send/m.reaction/r1`, undefined, {
      'm.relates_to': { rel_type: 'm.annotation', event_id: burst[0], key: '👍' },
    });
    // Pushed in room order: once the later reaction is there, the message was decided on.
    await eventually('the reaction', async () => (pushedIds().includes(reaction.event_id) ? true : undefined));
    expect(pushedIds()).not.toContain(notAllowed);
    expect(new Set(pushedIds()).size).toBe(pushedIds().length);
  });

  it('reads back the events a limited sync skipped, and pushes every one in room order', async () => {
    const alice = await freshUser('alice');
    const bob = await freshUser('bob');
    const roomId = await sharedRoom(bob, alice, 'Gap room');
    // A sync request held back until every event is sent gets them all in one answer: more than one
    // sync may carry, so it is limited, whatever the machine's speed.
    const proxy = await startFaultProxy(homeserverUrl());
    try {
      running = await hostHarness(alice, { capabilities: [RECEIVE], roomHint: roomId, homeserverUrl: proxy.url });
      const harness = running;
      await harness.request('supported_api_versions');
      await harness.startSync();
      let resets = 0;
      (await harness.session.requireClient()).on(RoomEvent.TimelineReset, () => resets++);
      const SYNC = /^GET \/_matrix\/client\/v3\/sync/;
      let allSent: () => void = () => undefined;
      const isAllSent = new Promise<void>((resolve) => (allSent = resolve));
      // The poll in flight (if it came before this) ends with "gap 0"; the next one waits for the rest.
      proxy.failNext(SYNC, { kind: 'heldRequest', until: isAllSent }, { kind: 'heldRequest', until: isAllSent });
      const sent: string[] = [];
      sent.push(await sendText(bob, roomId, 'gap 0'));
      sent.push(...(await Promise.all(Array.from({ length: 80 }, (_, index) => sendText(bob, roomId, `gap ${index + 1}`)))));
      allSent();
      const order = (await bob.client.createMessagesRequest(roomId, null, 200, 'b' as never)).chunk
        .filter((event) => String(event.content?.['body'] ?? '').startsWith('gap '))
        .map((event) => event.event_id)
        .reverse();
      expect(order).toHaveLength(sent.length);
      const pushed = await eventually('every gap event in the widget', async () => {
        const ids = harness.toWidget('send_event').map((message) => (message.data as { event_id: string }).event_id);
        return ids.length >= order.length ? ids : undefined;
      }, 30_000);
      expect(resets).toBeGreaterThan(0); // the sync really was limited
      expect(pushed).toEqual(order);
    } finally {
      await proxy.stop();
    }
  });

  it('applies back-pressure to a slow widget, keeps room order, and reports overflow instead of dropping silently', async () => {
    const alice = await freshUser('alice');
    const bob = await freshUser('bob');
    const roomId = await sharedRoom(bob, alice, 'Busy room');
    running = await hostHarness(alice, { capabilities: [RECEIVE], roomHint: roomId, holdEventAcks: true, deliveryLimits: { window: 5, maxQueued: 10 } });
    const harness = running;
    await harness.request('supported_api_versions');
    await harness.startSync();
    // What the session handed to the host: it calls its listeners in the order they were added, the
    // host's (startSync) first, so an event listed here has been through the host's `deliver`.
    const handedToHost: string[] = [];
    harness.session.onLiveEvent((_roomId, event) => handedToHost.push(event.getId() ?? ''));
    const sent: string[] = [];
    for (let index = 0; index < 25; index++) sent.push(await sendText(bob, roomId, `busy ${index}`));
    const pushedIds = () => harness.toWidget('send_event').map((message) => (message.data as { event_id: string }).event_id);
    // Only the window goes out while the widget does not answer. Once the host was handed the last
    // event (live events come in room order) every event was admitted or counted as overflow, and
    // the pusher's work on them needs no I/O (grants in memory, posts synchronous): by the next poll
    // it has pushed all it ever will without an answer.
    await eventually('every event handed to the host', async () => (handedToHost.includes(sent.at(-1) ?? '') ? true : undefined));
    await eventually('the first window', async () => (pushedIds().length >= 5 ? true : undefined));
    expect(pushedIds()).toHaveLength(5);
    // Pushed but not answered: not delivered as far as a restarted worker knows, so it would push them again.
    expect(harness.recordedDeliveries()).toEqual([]);
    // The widget catches up: everything admitted arrives, in order; the rest is reported. Caught up
    // is when the notice is out and nothing waits to be pushed, answered or recorded.
    const overflow = await eventually('the widget to catch up, told of the overflow', async () => {
      harness.releaseAcks();
      const notice = harness.toWidget('net.matrix_widget_bridge.delivery_overflow')[0];
      return notice && !harness.host.hasUnrecordedPushes() ? notice : undefined;
    });
    const dropped = (overflow.data as { dropped: number; room_id: string }).dropped;
    expect((overflow.data as { room_id: string }).room_id).toBe(roomId);
    const pushed = pushedIds();
    expect(pushed.length + dropped).toBe(25);
    // Only what the widget answered counts as delivered; held answers were not recorded before.
    await eventually('every push recorded once answered', async () => (pushed.every((id) => harness.recordedDeliveries().includes(id)) ? true : undefined));
    expect(pushed).toEqual(sent.filter((id) => pushed.includes(id))); // room order kept
    expect(new Set(pushed).size).toBe(pushed.length);
  });

  it('pushes granted to-device messages, never crypto-internal types', async () => {
    const alice = await freshUser('alice');
    const bob = await freshUser('bob');
    const roomId = await sharedRoom(bob, alice, 'To-device room');
    const type = 'org.example.call.signal';
    running = await hostHarness(alice, {
      capabilities: [`org.matrix.msc3819.receive.to_device:${type}`, 'org.matrix.msc3819.receive.to_device:m.secret.send'],
      roomHint: roomId,
    });
    const harness = running;
    await harness.request('supported_api_versions');
    await harness.startSync();
    const aliceDevice = (await harness.session.status()).session?.deviceId ?? '';
    for (const [eventType, content] of [
      ['m.secret.send', { secret: 'not for widgets', request_id: 'x' }],
      [type, { offer: 'sdp' }],
    ] as const) {
      await bob.client.http.authedRequest(Method.Put, `/sendToDevice/${eventType}/${Math.random()}`, undefined, {
        messages: { [alice.userId]: { [aliceDevice]: content } },
      });
    }
    const pushed = await eventually('the to-device message', async () => {
      const messages = harness.toWidget('send_to_device');
      return messages.length > 0 ? messages : undefined;
    });
    expect(pushed.map((message) => message.data)).toEqual([{ type, sender: bob.userId, content: { offer: 'sdp' }, encrypted: false }]);
  });

  it('sends the state it may see with update_state, first on grant and then on each change', async () => {
    const alice = await freshUser('alice');
    const bob = await freshUser('bob');
    const roomId = await sharedRoom(bob, alice, 'State room');
    await bob.client.setRoomTopic(roomId, 'first topic');
    running = await hostHarness(alice, { capabilities: ['org.matrix.msc2762.receive.state_event:m.room.topic'], roomHint: roomId, updatesState: true });
    const harness = running;
    await harness.request('supported_api_versions');
    const initial = await eventually('the initial update_state', async () => harness.toWidget('update_state')[0]);
    const state = (initial.data as { state: { type: string; content: { topic?: string } }[] }).state;
    expect(state.map((event) => [event.type, event.content.topic])).toEqual([['m.room.topic', 'first topic']]);
    await harness.startSync();
    await bob.client.setRoomTopic(roomId, 'second topic');
    const update = await eventually('the live update_state', async () =>
      harness.toWidget('update_state').find((message) => (message.data as { state: { content: { topic?: string } }[] }).state[0]?.content.topic === 'second topic'),
    );
    expect((update.data as { state: unknown[] }).state).toHaveLength(1);
  });

  it('sends no update_state to widgets that do not support it', async () => {
    const alice = await freshUser('alice');
    const bob = await freshUser('bob');
    const roomId = await sharedRoom(bob, alice, 'No state room');
    const harness = await hostHarness(alice, { capabilities: ['org.matrix.msc2762.receive.state_event:m.room.topic'], roomHint: roomId });
    await harness.request('supported_api_versions');
    await eventually('notify_capabilities', async () => harness.toWidget('notify_capabilities')[0]);
    await eventually('the version query', async () => harness.toWidget('supported_api_versions')[0]);
    expect(harness.toWidget('update_state')).toEqual([]);
  });

  it('keeps a renegotiated grant for this page load only when the user did not tick "remember"', async () => {
    const alice = await freshUser('alice');
    const bob = await freshUser('bob');
    const roomId = await sharedRoom(bob, alice, 'Not remembered room');
    const decideOnce = (pending: { capabilities: string[]; roomHint: string | null; isRoomFixed?: boolean }) => ({
      roomId: pending.roomHint,
      approved: pending.capabilities,
      remember: !pending.isRoomFixed, // the first grant is remembered, the renegotiated one not
    });
    const first = await hostHarness(alice, { capabilities: [SEND], roomHint: roomId, decide: decideOnce });
    await first.request('supported_api_versions');
    await first.request('org.matrix.msc2974.request_capabilities', { capabilities: [RECEIVE] });
    await eventually('the second notify', async () => (first.toWidget('notify_capabilities').length === 2 ? true : undefined));
    expect(first.toWidget('notify_capabilities')[1]?.data).toEqual({ requested: [SEND, RECEIVE], approved: [SEND, RECEIVE] });
    // The next page load has the remembered grant only, and asks again for the rest.
    const reload = await hostHarness(alice, { capabilities: [SEND, RECEIVE], roomHint: roomId, shared: first, decide: () => ({ roomId, approved: [], remember: false }) });
    await reload.request('supported_api_versions');
    await eventually('the reload notify', async () => reload.toWidget('notify_capabilities')[0]);
    expect(reload.asked.map((pending) => pending.capabilities)).toEqual([[SEND, RECEIVE]]);
  });

  it('binds no room from the page hint alone: a widget that asked for nothing gets the room picker later', async () => {
    const alice = await freshUser('alice');
    const bob = await freshUser('bob');
    const roomId = await sharedRoom(bob, alice, 'Hint room');
    const harness = await hostHarness(alice, { capabilities: [], roomHint: roomId });
    await harness.request('supported_api_versions');
    await eventually('the first notify', async () => harness.toWidget('notify_capabilities')[0]);
    await harness.request('org.matrix.msc2974.request_capabilities', { capabilities: [SEND] });
    await eventually('the second notify', async () => (harness.toWidget('notify_capabilities').length === 2 ? true : undefined));
    expect(harness.asked).toHaveLength(1);
    expect(harness.asked[0]).toMatchObject({ roomHint: roomId, capabilities: [SEND] });
    expect(harness.asked[0]?.isRoomFixed ?? false).toBe(false);
  });

  it('tells the widget when the page is hidden or shown (visibility): after negotiation, and only changes', async () => {
    const alice = await freshUser('alice');
    const bob = await freshUser('bob');
    const roomId = await sharedRoom(bob, alice, 'Visibility room');
    const harness = await hostHarness(alice, { capabilities: [SEND], roomHint: roomId });
    // The relay reports the page hidden before the widget has spoken: nothing can be told yet.
    harness.host.setPageVisibility(false);
    expect(harness.toWidget('visibility')).toEqual([]);
    await harness.request('supported_api_versions');
    await eventually('visibility after negotiation', async () => harness.toWidget('visibility')[0]);
    harness.host.setPageVisibility(false);
    harness.host.setPageVisibility(true);
    harness.host.setPageVisibility(true);
    expect(harness.toWidget('visibility').map((message) => message.data)).toEqual([{ visible: false }, { visible: true }]);
  });

  it('renegotiates (MSC2974): asks only for what is new, in the bound room, and notifies the result', async () => {
    const alice = await freshUser('alice');
    const bob = await freshUser('bob');
    const roomId = await sharedRoom(bob, alice, 'Renegotiation room');
    const harness = await hostHarness(alice, { capabilities: [SEND], roomHint: roomId });
    await harness.request('supported_api_versions');
    await eventually('the first notify', async () => (harness.toWidget('notify_capabilities').length === 1 ? true : undefined));
    expect(await harness.request('org.matrix.msc2974.request_capabilities', { capabilities: [RECEIVE] })).toEqual({});
    await eventually('the second notify', async () => (harness.toWidget('notify_capabilities').length === 2 ? true : undefined));
    expect(harness.asked.map((pending) => [pending.capabilities, pending.isRoomFixed ?? false])).toEqual([
      [[SEND], false],
      [[RECEIVE], true],
    ]);
    expect(harness.toWidget('notify_capabilities')[1]?.data).toEqual({ requested: [SEND, RECEIVE], approved: [SEND, RECEIVE] });
    const read = await harness.request('org.matrix.msc2876.read_events', { type: 'm.room.message' });
    expect(read['events']).toBeDefined();
  });
});
