// Sync scoped to the granted rooms (issue #8), against the real Synapse through the real host: an
// account in many rooms syncs only the granted ones, the room picker still offers them all, a room
// granted while syncing arrives with its state and live events (encrypted ones too), but its history
// is not pushed as live, and a revoke narrows the sync again.
import { randomBytes } from 'node:crypto';
import { Method } from 'matrix-js-sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { cryptoPeer, encryptedRoom, rawEvent, waitForDeviceKeys, type CryptoPeer } from '../support/crypto-peer';
import { createRooms, eventually, freshUser, sendText, sharedRoom } from '../support/homeserver';
import { hostHarness, SITE_ORIGIN, WIDGET_ID, WIDGET_ORIGIN, type HostHarness } from '../support/host-harness';

const SEND = 'org.matrix.msc2762.send.event:m.room.message';
const RECEIVE = 'org.matrix.msc2762.receive.event:m.room.message';
const RECEIVE_TOPIC = 'org.matrix.msc2762.receive.state_event:m.room.topic';
const RECEIVE_STATUS = 'org.matrix.msc2762.receive.event:org.example.status';
const RECEIVE_STICKY = 'org.matrix.msc4407.receive.sticky_event';

type Pushed = { event_id: string; room_id: string; type: string; content: { body?: string; topic?: string } };
const pushed = (host: HostHarness) => host.toWidget('send_event').map((message) => message.data as Pushed);

let running: HostHarness[] = [];
let peer: CryptoPeer | undefined;
afterEach(async () => {
  await running[0]?.stopSync();
  peer?.stop();
  running = [];
  peer = undefined;
});

/** A harness whose widget was granted its capabilities (the scripted user approves) and that receives live events. */
async function grantedWidget(...args: Parameters<typeof hostHarness>): Promise<HostHarness> {
  const harness = await hostHarness(...args);
  running.push(harness);
  await harness.request('supported_api_versions');
  await eventually('the granted capabilities', async () => harness.toWidget('notify_capabilities')[0]);
  await harness.startSync();
  return harness;
}

describe('sync scoped to the granted rooms', () => {
  it('syncs only the granted room of an account in 40, while the room picker lists every room by name', async () => {
    const alice = await freshUser('alice');
    const bob = await freshUser('bob');
    const granted = await sharedRoom(bob, alice, 'Granted room');
    const others = await createRooms(alice, 40, (index) => `Other room ${index}`);
    const harness = await grantedWidget(alice, { capabilities: [RECEIVE], roomHint: granted });
    const client = await harness.session.requireClient();
    expect(client.getRooms().map((room) => room.roomId)).toEqual([granted]);
    expect(client.getRoom(granted)?.name).toBe('Granted room');
    // Its create event too, which Synapse leaves out of answers filtered by room in room version 12.
    expect(client.getRoom(granted)?.currentState.getStateEvents('m.room.create', '')?.getContent()['room_version']).toBe('12');

    const picker = await harness.session.joinedRooms();
    expect(new Map(picker.map((choice) => [choice.roomId, choice.name]))).toEqual(
      new Map([[granted, 'Granted room'], ...others.map((roomId, index) => [roomId, `Other room ${index}`] as const)]),
    );

    // Live: the granted room's events come; another room's, sent first, never reach the client.
    await sendText(alice, others[0] ?? '', 'not synced');
    const live = await sendText(bob, granted, 'synced');
    await eventually('the live message in the widget', async () => pushed(harness).find((event) => event.event_id === live));
    expect(client.getRooms().map((room) => room.roomId)).toEqual([granted]);
  });

  it('brings a room granted while syncing with its state, active sticky events and live events, and encrypts sends for its members', async () => {
    const alice = await freshUser('alice');
    const bob = await freshUser('bob');
    const first = await sharedRoom(bob, alice, 'First room');
    const later = await encryptedRoom(bob, alice, 'Granted later');
    await bob.client.setRoomTopic(later, 'topic before the grant');
    // An MSC4354 sticky event (unencrypted, sent raw) active in the room since before the grant.
    const { event_id: sticky } = await bob.client.http.authedRequest<{ event_id: string }>(
      Method.Put,
      `/rooms/${encodeURIComponent(later)}/send/org.example.status/${randomBytes(8).toString('hex')}`,
      { 'org.matrix.msc4354.sticky_duration_ms': String(3_600_000) },
      { status: 'presenting' },
    );
    const harness = await grantedWidget(alice, { capabilities: [RECEIVE], roomHint: first });
    const client = await harness.session.requireClient();
    expect(client.getRoom(later)).toBeNull();
    peer = await cryptoPeer(bob);
    await waitForDeviceKeys(peer, alice.userId);

    // Another widget (the same profile, while sync long-polls) is granted the encrypted room.
    const second = await grantedWidget(alice, { capabilities: [SEND, RECEIVE, RECEIVE_TOPIC, RECEIVE_STATUS, RECEIVE_STICKY], roomHint: later, shared: harness });
    const room = await eventually('the granted room in sync', async () => client.getRoom(later) ?? undefined);
    // Its state came with it (caught up as an initial sync would): name, topic and encryption,
    // though nothing happened there since; and no other room of the account.
    expect(client.getRooms().map((each) => each.roomId).sort()).toEqual([first, later].sort());
    expect(room.name).toBe('Granted later');
    expect(room.currentState.getStateEvents('m.room.topic', '')?.getContent()['topic']).toBe('topic before the grant');
    expect(room.hasEncryptionStateEvent()).toBe(true);
    // And its active sticky events, older than the widget (as for a room the user just joined).
    await eventually('the active sticky event in the widget', async () => pushed(second).find((event) => event.event_id === sticky));

    // Sends are encrypted for the members' devices: the peer decrypts.
    await waitForDeviceKeys({ client }, bob.userId, peer.client.getDeviceId() ?? undefined);
    const reply = await second.request('send_event', { type: 'm.room.message', content: { msgtype: 'm.text', body: 'into the new room' } });
    const sent = reply['event_id'] as string;
    expect((await rawEvent(bob, later, sent)).type).toBe('m.room.encrypted');
    const activePeer = peer;
    expect(await eventually('the peer to decrypt', () => activePeer.decryptedBody(later, sent))).toBe('into the new room');

    // Live events of the new room reach its widget: an encrypted message, decrypted, and a state change.
    const { event_id: fromPeer } = await peer.client.sendTextMessage(later, 'from the peer');
    await bob.client.setRoomTopic(later, 'topic after the grant');
    const decrypted = await eventually('the peer’s message in the widget', async () => pushed(second).find((event) => event.event_id === fromPeer));
    expect(decrypted).toMatchObject({ type: 'm.room.message', content: { body: 'from the peer' } });
    await eventually('the topic change in the widget', async () => pushed(second).find((event) => event.content.topic === 'topic after the grant'));
    // The first widget saw nothing of it.
    expect(pushed(harness).some((event) => event.room_id === later)).toBe(false);
  });

  it('brings a busy encrypted room granted while syncing with its whole state: a send into it is encrypted', async () => {
    const alice = await freshUser('alice');
    const bob = await freshUser('bob');
    const first = await sharedRoom(bob, alice, 'First room');
    const busy = await encryptedRoom(bob, alice, 'Busy encrypted room');
    const harness = await grantedWidget(alice, { capabilities: [RECEIVE], roomHint: first });
    const client = await harness.session.requireClient();
    // More events than the catch-up's 20 since the token sync long-polls with (the room is not
    // synced, so they do not end the poll): the incremental answer for the room then holds every
    // event the catch-up brings, and its `state` (Synapse without MSC4222) only what changed since,
    // with the memberships of their senders. Alice writes too (from another client, unencrypted),
    // so js-sdk knows she is joined and would trust what it holds of the room's state.
    for (let index = 0; index < 30; index++) await sendText(index % 2 === 0 ? bob : alice, busy, `before the grant ${index}`);
    const second = await grantedWidget(alice, { capabilities: [SEND], roomHint: busy, shared: harness });
    const room = await eventually('the granted room in sync', async () => client.getRoom(busy) ?? undefined);
    expect(room.currentState.getStateEvents('m.room.create', '')).not.toBeNull();
    expect(room.currentState.getStateEvents('m.room.power_levels', '')).not.toBeNull();
    expect(room.hasEncryptionStateEvent()).toBe(true);
    const reply = await second.request('send_event', { type: 'm.room.message', content: { msgtype: 'm.text', body: 'into the busy room' } });
    expect((await rawEvent(bob, busy, reply['event_id'] as string)).type).toBe('m.room.encrypted');
  });

  it('pushes none of the history a newly granted room brings to a widget running since, only what comes after', async () => {
    const alice = await freshUser('alice');
    const bob = await freshUser('bob');
    const bound = await sharedRoom(bob, alice, 'Bound room');
    const other = await sharedRoom(bob, alice, 'Room granted later');
    const harness = await grantedWidget(alice, { capabilities: [RECEIVE], roomHint: bound });
    const client = await harness.session.requireClient();
    const before = [await sendText(bob, other, 'before 1'), await sendText(bob, other, 'before 2'), await sendText(bob, other, 'before 3')];
    // The running widget is granted the other room too (MSC2974 renegotiation).
    await harness.request('org.matrix.msc2974.request_capabilities', { capabilities: [`org.matrix.msc2762.timeline:${other}`] });
    await eventually('the granted room in sync', async () => client.getRoom(other)?.findEventById(before[2] ?? ''));
    const after = await sendText(bob, other, 'after the grant');
    await eventually('the message after the grant in the widget', async () => pushed(harness).find((event) => event.event_id === after));
    expect(pushed(harness).filter((event) => before.includes(event.event_id))).toEqual([]);
  });

  it('brings every member of a room granted again: one who left while it was out of scope is gone', async () => {
    const alice = await freshUser('alice');
    const bob = await freshUser('bob');
    const carol = await freshUser('carol');
    const bound = await sharedRoom(bob, alice, 'Bound room');
    const other = await sharedRoom(bob, alice, 'Room granted twice');
    await bob.client.invite(other, carol.userId);
    await carol.client.joinRoom(other);
    const timeline = `org.matrix.msc2762.timeline:${other}`;
    const harness = await grantedWidget(alice, { capabilities: [RECEIVE, timeline], roomHint: bound });
    const client = await harness.session.requireClient();
    await eventually('carol as a member', async () => (client.getRoom(other)?.getMember(carol.userId)?.membership === 'join' ? true : undefined));

    const identity = { account: alice.userId, siteOrigin: SITE_ORIGIN, widgetUrl: `${WIDGET_ORIGIN}/widget`, widgetId: WIDGET_ID };
    await harness.grants.revoke(identity, bound, { hostInstance: null }, [timeline]);
    await harness.session.syncScopeChanged();
    // Out of scope: carol leaves, sync moves on past that (the room is not synced, so nothing of it
    // comes), then more happens there than the catch-up's 20 recent events show. Neither answer of
    // the grant names carol then: the incremental one starts after her leave, and the catch-up's
    // lazy-loaded state has only the senders of its events.
    await carol.client.leave(other);
    const marker = await sendText(bob, bound, 'marker');
    await eventually('the marker in sync', async () => client.getRoom(bound)?.findEventById(marker));
    for (let index = 0; index < 25; index++) await sendText(bob, other, `while out of scope ${index}`);
    await harness.request('org.matrix.msc2974.request_capabilities', { capabilities: [timeline] });
    const last = await sendText(bob, other, 'after the grant');
    await eventually('the room caught up again', async () => client.getRoom(other)?.findEventById(last));
    expect(client.getRoom(other)?.getMember(carol.userId)?.membership).toBe('leave');
  });

  it('narrows the sync when a room is revoked: its later events no longer reach the client', async () => {
    const alice = await freshUser('alice');
    const bob = await freshUser('bob');
    const bound = await sharedRoom(bob, alice, 'Bound room');
    const other = await sharedRoom(bob, alice, 'Other timeline room');
    const timeline = `org.matrix.msc2762.timeline:${other}`;
    const harness = await grantedWidget(alice, { capabilities: [RECEIVE, timeline], roomHint: bound });
    const client = await harness.session.requireClient();
    const before = await sendText(bob, other, 'while granted');
    await eventually('the other room’s message in sync', async () => client.getRoom(other)?.findEventById(before));

    const identity = { account: alice.userId, siteOrigin: SITE_ORIGIN, widgetUrl: `${WIDGET_ORIGIN}/widget`, widgetId: WIDGET_ID };
    await harness.grants.revoke(identity, bound, { hostInstance: null }, [timeline]);
    await harness.session.syncScopeChanged(); // resolves once the narrower scope applies
    const after = await sendText(bob, other, 'after the revoke');
    // Synapse orders events by stream: a later event in the bound room arriving proves the sync
    // covering `after` is done.
    const marker = await sendText(bob, bound, 'marker');
    await eventually('the marker in sync', async () => client.getRoom(bound)?.findEventById(marker));
    expect(client.getRoom(other)?.findEventById(after)).toBeUndefined();
  });
});
