// End-to-end encrypted rooms through the real host (issue #5), against Synapse and a peer with real
// Rust crypto: sends are encrypted on the wire, widgets get plaintext, late keys are caught up.
import { afterEach, describe, expect, it } from 'vitest';
import { cryptoPeer, encryptedRoom, rawEvent, waitForDeviceKeys, type CryptoPeer } from '../support/crypto-peer';
import { eventually, freshUser } from '../support/homeserver';
import { hostHarness, type HostHarness } from '../support/host-harness';

const SEND = 'org.matrix.msc2762.send.event:m.room.message';
const RECEIVE = 'org.matrix.msc2762.receive.event:m.room.message';

let harness: HostHarness | undefined;
let peer: CryptoPeer | undefined;
afterEach(async () => {
  await harness?.stopSync();
  peer?.stop();
  harness = undefined;
  peer = undefined;
});

type Pushed = { event_id: string; type: string; content: { body?: string; msgtype?: string } };

async function setUp(name: string) {
  const alice = await freshUser('alice');
  const bob = await freshUser('bob');
  const roomId = await encryptedRoom(bob, alice, name);
  harness = await hostHarness(alice, { capabilities: [SEND, RECEIVE], roomHint: roomId });
  await harness.request('supported_api_versions');
  await harness.startSync();
  peer = await cryptoPeer(bob);
  await waitForDeviceKeys(peer, alice.userId);
  // And the host knows the peer's device, or its first message would not be encrypted for it.
  await waitForDeviceKeys({ client: await harness.session.requireClient() }, bob.userId, peer.client.getDeviceId() ?? undefined);
  return { alice, bob, roomId, harness, peer };
}

const pushedEvents = (host: HostHarness) => host.toWidget('send_event').map((message) => message.data as Pushed);

describe('an encrypted room through the host', () => {
  it('encrypts what the widget sends, and the peer decrypts it', async () => {
    const { bob, roomId, harness, peer } = await setUp('Encrypted send');
    const reply = await harness.request('send_event', { type: 'm.room.message', content: { msgtype: 'm.text', body: 'secret from the widget' } });
    const eventId = reply['event_id'] as string;
    expect(eventId).toMatch(/^\$/);
    const onServer = await rawEvent(bob, roomId, eventId);
    expect(onServer.type).toBe('m.room.encrypted');
    expect(JSON.stringify(onServer.content)).not.toContain('secret from the widget');
    expect(await eventually('the peer to decrypt', () => peer.decryptedBody(roomId, eventId))).toBe('secret from the widget');
    // The widget gets its own message back once, decrypted, like any other.
    const echo = await eventually('the echo in the widget', async () => pushedEvents(harness).find((event) => event.event_id === eventId));
    expect(echo).toMatchObject({ type: 'm.room.message', content: { body: 'secret from the widget' } });
    expect(pushedEvents(harness).filter((event) => event.event_id === eventId)).toHaveLength(1);
  });

  it('pushes the peer’s encrypted message to the widget as plaintext, and reads history decrypted', async () => {
    const { bob, roomId, harness, peer } = await setUp('Encrypted receive');
    const { event_id: eventId } = await peer.client.sendTextMessage(roomId, 'secret from the peer');
    expect((await rawEvent(bob, roomId, eventId)).type).toBe('m.room.encrypted');
    const pushed = await eventually('the decrypted push', async () => pushedEvents(harness).find((event) => event.event_id === eventId));
    expect(pushed).toMatchObject({ type: 'm.room.message', content: { msgtype: 'm.text', body: 'secret from the peer' } });
    const read = await harness.request('org.matrix.msc2876.read_events', { type: 'm.room.message', limit: 10 });
    expect(read['error']).toBeUndefined();
    const events = read['events'] as Pushed[];
    expect(events.find((event) => event.event_id === eventId)?.content.body).toBe('secret from the peer');
    expect(events.every((event) => event.type === 'm.room.message')).toBe(true);
  });

  it('pushes an event whose key arrives late once, decrypted, and never its placeholder', async () => {
    const { roomId, harness, peer } = await setUp('Late keys');
    await peer.holdRoomKeys(roomId);
    const { event_id: eventId } = await peer.client.sendTextMessage(roomId, 'decrypted late');
    // The event is synced to the host but cannot be decrypted: nothing reaches the widget.
    await eventually('the host to have the event', async () => ((await harness.session.requireClient()).getRoom(roomId)?.findEventById(eventId) ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(pushedEvents(harness).find((event) => event.event_id === eventId)).toBeUndefined();
    const undecryptable = (await harness.request('org.matrix.msc2876.read_events', { type: 'm.room.message', limit: 10 }))['events'] as Pushed[];
    expect(undecryptable.find((event) => event.event_id === eventId)).toBeUndefined();
    await peer.releaseRoomKeys();
    const pushed = await eventually('the late push', async () => pushedEvents(harness).find((event) => event.event_id === eventId));
    expect(pushed).toMatchObject({ type: 'm.room.message', content: { body: 'decrypted late' } });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(pushedEvents(harness).filter((event) => event.event_id === eventId)).toHaveLength(1);
    expect(pushedEvents(harness).some((event) => event.content.msgtype === 'm.bad.encrypted')).toBe(false);
  });

  it('refuses a delayed event in an encrypted room instead of sending it in the clear', async () => {
    const { harness } = await setUp('No delayed plaintext');
    const reply = await harness.request('send_event', { type: 'm.room.message', content: { msgtype: 'm.text', body: 'later' }, delay: 1000 });
    expect(reply['error']).toBeDefined();
  });
});
