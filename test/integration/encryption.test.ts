// End-to-end encrypted rooms through the real host (issue #5), against Synapse and a peer with real
// Rust crypto: sends are encrypted on the wire, widgets get plaintext, late keys are caught up.
import { ClientEvent } from 'matrix-js-sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { cryptoPeer, encryptedRoom, rawEvent, waitForDeviceKeys, type CryptoPeer } from '../support/crypto-peer';
import { eventually, freshUser, sendText } from '../support/homeserver';
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
    const { bob, roomId, harness, peer } = await setUp('Late keys');
    await peer.holdRoomKeys(roomId);
    const { event_id: eventId } = await peer.client.sendTextMessage(roomId, 'decrypted late');
    // The host's decision: js-sdk tried to decrypt the event and failed (its key is held back). It
    // tells its listeners (the host's forwarding among them) as it marks the event, so from here on
    // whatever the host makes of the failure has been set going.
    const client = await harness.session.requireClient();
    await eventually('the host to fail decrypting the event', async () => (client.getRoom(roomId)?.findEventById(eventId)?.isDecryptionFailure() ? true : undefined));
    // Pushes go out one after the other in the order the host got them: once a clear event sent
    // after that is in the widget, anything made of the undecryptable one would be there before it.
    const before = await sendText(bob, roomId, 'sent after the undecryptable event');
    await eventually('the later clear event in the widget', async () => pushedEvents(harness).find((event) => event.event_id === before));
    expect(pushedEvents(harness).find((event) => event.event_id === eventId)).toBeUndefined();
    const undecryptable = (await harness.request('org.matrix.msc2876.read_events', { type: 'm.room.message', limit: 10 }))['events'] as Pushed[];
    expect(undecryptable.find((event) => event.event_id === eventId)).toBeUndefined();
    await peer.releaseRoomKeys();
    const pushed = await eventually('the late push', async () => pushedEvents(harness).find((event) => event.event_id === eventId));
    expect(pushed).toMatchObject({ type: 'm.room.message', content: { body: 'decrypted late' } });
    // Again a later event proves the host has pushed all it was going to before it: one copy.
    const after = await sendText(bob, roomId, 'sent after the late push');
    await eventually('the clear event after the late push', async () => pushedEvents(harness).find((event) => event.event_id === after));
    expect(pushedEvents(harness).filter((event) => event.event_id === eventId)).toHaveLength(1);
    expect(pushedEvents(harness).some((event) => event.content.msgtype === 'm.bad.encrypted')).toBe(false);
  });

  it('sends and receives encrypted to-device messages, Olm-encrypted on the wire', async () => {
    const alice = await freshUser('alice');
    const bob = await freshUser('bob');
    const type = 'org.example.game.move';
    // Grants are bound to a room, even for capabilities that do not act in one.
    const roomId = await encryptedRoom(bob, alice, 'To-device game');
    harness = await hostHarness(alice, {
      capabilities: [`org.matrix.msc3819.send.to_device:${type}`, `org.matrix.msc3819.receive.to_device:${type}`],
      roomHint: roomId,
    });
    await harness.request('supported_api_versions');
    await harness.startSync();
    peer = await cryptoPeer(bob);
    const peerDevice = peer.client.getDeviceId() ?? '';
    const aliceDevice = (await harness.session.status()).session?.deviceId ?? '';
    await waitForDeviceKeys({ client: await harness.session.requireClient() }, bob.userId, peerDevice);
    await waitForDeviceKeys(peer, alice.userId, aliceDevice);

    // Widget → peer's device, named and by `*`.
    const received: { type: string; content: Record<string, unknown>; isEncrypted: boolean }[] = [];
    peer.client.on(ClientEvent.ToDeviceEvent, (event) => received.push({ type: event.getType(), content: event.getContent(), isEncrypted: event.isEncrypted() }));
    for (const deviceId of [peerDevice, '*']) {
      const reply = await harness.request('send_to_device', { type, encrypted: true, messages: { [bob.userId]: { [deviceId]: { move: `e4 to ${deviceId}` } } } });
      expect(reply).toEqual({});
    }
    const moves = await eventually('both moves at the peer', async () => (received.filter((event) => event.type === type).length === 2 ? received : undefined));
    expect(moves.filter((event) => event.type === type).map((event) => [event.content['move'], event.isEncrypted])).toEqual([
      [`e4 to ${peerDevice}`, true],
      ['e4 to *', true],
    ]);

    // Peer → widget: pushed decrypted, marked encrypted.
    const batch = await peer.client.getCrypto()!.encryptToDeviceMessages(type, [{ userId: alice.userId, deviceId: aliceDevice }], { move: 'e5' });
    await peer.client.queueToDevice(batch);
    const pushed = await eventually('the encrypted move in the widget', async () => harness?.toWidget('send_to_device')[0]);
    expect(pushed.data).toEqual({ type, sender: bob.userId, content: { move: 'e5' }, encrypted: true });
  });

  it('refuses a delayed event in an encrypted room instead of sending it in the clear', async () => {
    const { harness } = await setUp('No delayed plaintext');
    const reply = await harness.request('send_event', { type: 'm.room.message', content: { msgtype: 'm.text', body: 'later' }, delay: 1000 });
    expect(reply['error']).toBeDefined();
  });
});
