// Sticky events (MSC4354) through the host, as MSC4407 gives them to widgets, against the real Synapse
// (msc4354_enabled): sent sticky with both capabilities, encrypted where js-sdk keeps them sticky, and
// the room's active sticky events pushed to widgets that may receive them.
import { randomBytes } from 'node:crypto';
import { Method } from 'matrix-js-sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { encryptedRoom, rawEvent } from '../support/crypto-peer';
import { eventually, freshUser, roomMessages, sendText, sharedRoom, type TestUser } from '../support/homeserver';
import { hostHarness, type HostHarness } from '../support/host-harness';

const SEND = 'org.matrix.msc2762.send.event:m.room.message';
const SEND_STATUS = 'org.matrix.msc2762.send.event:org.example.status';
const RECEIVE_STATUS = 'org.matrix.msc2762.receive.event:org.example.status';
const SEND_STICKY = 'org.matrix.msc4407.send.sticky_event';
const RECEIVE_STICKY = 'org.matrix.msc4407.receive.sticky_event';
const HOUR = 3_600_000;

let running: HostHarness[] = [];
afterEach(async () => {
  for (const harness of running) await harness.stopSync();
  running = [];
});

type Sticky = { msc4354_sticky?: { duration_ms: number } };

/** `user` sends an `org.example.status` event, sticky for `durationMs` when given. */
async function sendStatus(user: TestUser, roomId: string, status: string, durationMs?: number): Promise<string> {
  const query = durationMs === undefined ? undefined : { 'org.matrix.msc4354.sticky_duration_ms': String(durationMs) };
  const path = `/rooms/${encodeURIComponent(roomId)}/send/org.example.status/${randomBytes(8).toString('hex')}`;
  const { event_id: eventId } = await user.client.http.authedRequest<{ event_id: string }>(Method.Put, path, query, { status });
  return eventId;
}

const pushedIds = (harness: HostHarness) => harness.toWidget('send_event').map((message) => (message.data as { event_id: string }).event_id);

describe('sending sticky events (MSC4354 / MSC4407)', () => {
  it('sends a sticky event with both capabilities, and the server holds it sticky', async () => {
    const alice = await freshUser('alice');
    const bob = await freshUser('bob');
    const roomId = await sharedRoom(bob, alice, 'Sticky room');
    const harness = await hostHarness(alice, { capabilities: [SEND, SEND_STICKY], roomHint: roomId });
    const sent = await harness.request('send_event', { type: 'm.room.message', content: { msgtype: 'm.text', body: 'sticky' }, sticky_duration_ms: 60_000 });
    expect(sent).toMatchObject({ room_id: roomId, event_id: expect.stringMatching(/^\$/) });
    const onServer = (await rawEvent(bob, roomId, sent['event_id'] as string)) as Sticky;
    expect(onServer.msc4354_sticky).toEqual({ duration_ms: 60_000 });

    const withoutSticky = await hostHarness(alice, { capabilities: [SEND], roomHint: roomId });
    const refused = await withoutSticky.request('send_event', { type: 'm.room.message', content: { msgtype: 'm.text', body: 'x' }, sticky_duration_ms: 60_000 });
    expect(refused['error']).toEqual({ message: 'Not allowed to send sticky events: the capability was not granted' });
    const stateHarness = await hostHarness(alice, { capabilities: ['org.matrix.msc2762.send.state_event:org.example.state', SEND_STICKY], roomHint: roomId });
    const state = await stateHarness.request('send_event', { type: 'org.example.state', state_key: '', content: {}, sticky_duration_ms: 60_000 });
    expect(state['error']).toEqual({ message: 'Only room events can be sticky: not state events or redactions' });
    const invalid = await harness.request('send_event', { type: 'm.room.message', content: {}, sticky_duration_ms: -1 });
    expect((invalid['error'] as { message: string }).message).toMatch(/^Invalid send_event request: sticky_duration_ms/);
  });

  it('schedules a delayed sticky event, which is sticky once sent', async () => {
    const alice = await freshUser('alice');
    const bob = await freshUser('bob');
    const roomId = await sharedRoom(bob, alice, 'Delayed sticky room');
    const harness = await hostHarness(alice, {
      capabilities: [SEND, SEND_STICKY, 'org.matrix.msc4157.send.delayed_event', 'org.matrix.msc4157.update_delayed_event'],
      roomHint: roomId,
    });
    const later = await harness.request('send_event', { type: 'm.room.message', content: { msgtype: 'm.text', body: 'delayed sticky' }, delay: 600_000, sticky_duration_ms: 60_000 });
    expect(later).toMatchObject({ room_id: roomId, delay_id: expect.any(String) });
    expect(await harness.request('org.matrix.msc4157.update_delayed_event', { delay_id: later['delay_id'], action: 'send' })).toEqual({});
    const event = await eventually('the delayed sticky event on the server', async () =>
      (await roomMessages(bob, roomId)).find((candidate) => candidate.content?.['body'] === 'delayed sticky'),
    );
    expect((event as Sticky).msc4354_sticky).toEqual({ duration_ms: 60_000 });
  });

  it('sends sticky events to an encrypted room encrypted, and refuses those js-sdk would send without their stickiness', async () => {
    const alice = await freshUser('alice');
    const bob = await freshUser('bob');
    const roomId = await encryptedRoom(bob, alice, 'Encrypted sticky room');
    const harness = await hostHarness(alice, { capabilities: [SEND, SEND_STATUS, SEND_STICKY], roomHint: roomId });
    running.push(harness);
    await harness.request('supported_api_versions');
    await harness.startSync();
    const sent = await harness.request('send_event', { type: 'org.example.status', content: { status: 'in a call', msc4354_sticky_key: 'call' }, sticky_duration_ms: 60_000 });
    const onServer = (await rawEvent(bob, roomId, sent['event_id'] as string)) as Sticky & { type: string; content: Record<string, unknown> };
    expect(onServer.type).toBe('m.room.encrypted');
    expect(onServer.content['ciphertext']).toEqual(expect.any(String));
    expect(onServer.msc4354_sticky).toEqual({ duration_ms: 60_000 });
    // js-sdk 43 queues messages and events with a relation, and its queue drops the sticky duration.
    const message = await harness.request('send_event', { type: 'm.room.message', content: { msgtype: 'm.text', body: 'x' }, sticky_duration_ms: 60_000 });
    expect(message['error']).toEqual({
      message: 'Sticky m.room.message events and sticky events with a relation cannot be sent to an encrypted room by this host yet',
    });
  });
});

describe('receiving sticky events (MSC4407)', () => {
  it('pushes the room’s active sticky events, older than the widget, only with the receive capability, and new ones once', async () => {
    const alice = await freshUser('alice');
    const bob = await freshUser('bob');
    const roomId = await sharedRoom(bob, alice, 'Sticky state room');
    const plain = await sendStatus(bob, roomId, 'a plain status');
    const sticky = await sendStatus(bob, roomId, 'in a meeting', HOUR);

    const harness = await hostHarness(alice, { capabilities: [RECEIVE_STATUS, RECEIVE_STICKY], roomHint: roomId });
    running.push(harness);
    await harness.startSync();
    await harness.request('supported_api_versions');
    await eventually('the active sticky event', async () => (pushedIds(harness).includes(sticky) ? true : undefined));
    expect(pushedIds(harness)).not.toContain(plain);

    const without = await hostHarness(alice, { capabilities: [RECEIVE_STATUS], roomHint: roomId });
    running.push(without);
    await without.startSync();
    await without.request('supported_api_versions');
    await eventually('notify_capabilities', async () => without.toWidget('notify_capabilities')[0]);

    // A new sticky event reaches both (it is live), each once, though it comes both in the timeline and as sticky.
    const next = await sendStatus(bob, roomId, 'back', HOUR);
    const marker = await sendStatus(bob, roomId, 'marker');
    for (const each of [harness, without]) {
      await eventually('the events after the new sticky one', async () => (pushedIds(each).includes(marker) ? true : undefined));
      expect(pushedIds(each).filter((id) => id === next)).toHaveLength(1);
    }
    expect(pushedIds(without)).not.toContain(sticky);
  });

  it('pushes sticky events that sync hands over outside the timeline', async () => {
    const alice = await freshUser('alice');
    const bob = await freshUser('bob');
    const roomId = await sharedRoom(bob, alice, 'Gappy sticky room');
    const sticky = await sendStatus(bob, roomId, 'presenting', HOUR);
    // More than the sync's timeline limit (20): the sticky event comes in the sync's sticky section.
    for (let index = 0; index < 25; index++) await sendText(bob, roomId, `filler ${index}`);

    // Granted before the first sync: the widget learns of the sticky event as sync delivers it.
    const harness = await hostHarness(alice, { capabilities: [RECEIVE_STATUS, RECEIVE_STICKY], roomHint: roomId });
    running.push(harness);
    await harness.request('supported_api_versions');
    await eventually('notify_capabilities', async () => harness.toWidget('notify_capabilities')[0]);
    await harness.startSync();
    const client = await harness.session.requireClient();
    const timeline = client.getRoom(roomId)?.getLiveTimeline().getEvents().map((event) => event.getId()) ?? [];
    expect(timeline).not.toContain(sticky);
    await eventually('the sticky event from the sticky section', async () => (pushedIds(harness).includes(sticky) ? true : undefined));
  });
});
