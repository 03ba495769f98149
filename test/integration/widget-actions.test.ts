// Widget API actions beyond send/read (issue #4), against the real Synapse through the real host.
import { Method } from 'matrix-js-sdk';
import { describe, expect, inject, it } from 'vitest';
import { eventually, freshUser, homeserverUrl, roomMessages, sendText, sharedRoom } from '../support/homeserver';
import { hostHarness } from '../support/host-harness';

const SEND = 'org.matrix.msc2762.send.event:m.room.message';
const RECEIVE = 'org.matrix.msc2762.receive.event:m.room.message';

async function setUp() {
  const alice = await freshUser('alice');
  const bob = await freshUser('bob');
  const roomId = await sharedRoom(bob, alice, 'Actions room');
  return { alice, bob, roomId };
}

type Events = { event_id: string; room_id: string; content: { body?: string } }[];

describe('widget actions against Synapse', () => {
  it('redacts through /redact, behind the m.room.redaction capability', async () => {
    const { alice, bob, roomId } = await setUp();
    const harness = await hostHarness(alice, { capabilities: [SEND, 'm.send.event:m.room.redaction'], roomHint: roomId });
    const { event_id: target } = await harness.request('send_event', { type: 'm.room.message', content: { msgtype: 'm.text', body: 'oops' } });
    const redaction = await harness.request('send_event', { type: 'm.room.redaction', content: { redacts: target, reason: 'typo' } });
    expect(redaction['event_id']).toMatch(/^\$/);
    const redacted = await eventually('the redaction on the server', async () => {
      const event = (await roomMessages(bob, roomId)).find((candidate) => candidate.event_id === target);
      return event && Object.keys(event.content ?? {}).length === 0 ? event : undefined;
    });
    expect(redacted.unsigned?.redacted_because).toBeDefined();
    // Not what the widget could send itself: the room's topic stays.
    await bob.client.setRoomTopic(roomId, 'keep me');
    const topic = (await bob.client.roomState(roomId)).find((event) => event.type === 'm.room.topic');
    const refusedTopic = await harness.request('send_event', { type: 'm.room.redaction', content: { redacts: topic?.event_id } });
    expect(refusedTopic['error']).toEqual({ message: 'Not allowed to redact that event: the widget may not send events of its kind' });
    // Not other people's events, even when the account could moderate them.
    await bob.client.setPowerLevel(roomId, alice.userId, 100);
    const bobs = await sendText(bob, roomId, 'bob said this');
    const refusedOthers = await harness.request('send_event', { type: 'm.room.redaction', content: { redacts: bobs } });
    expect(refusedOthers['error']).toEqual({ message: "Not allowed to redact that event: a widget may only redact the user's own events" });
    const without = await hostHarness(alice, { capabilities: [SEND], roomHint: roomId });
    const refused = await without.request('send_event', { type: 'm.room.redaction', content: { redacts: target } });
    expect(refused['error']).toEqual({ message: 'Not allowed to send m.room.redaction events: the capability was not granted' });
  });

  it('pages through the whole history with next_batch, and honours since', async () => {
    const { alice, bob, roomId } = await setUp();
    const sent: string[] = [];
    for (let index = 0; index < 25; index++) sent.push(await sendText(bob, roomId, `message ${index}`));
    const harness = await hostHarness(alice, { capabilities: [RECEIVE], roomHint: roomId });
    const seen: string[] = [];
    let from: string | undefined;
    for (let page = 0; page < 10; page++) {
      const reply = await harness.request('org.matrix.msc2876.read_events', { type: 'm.room.message', limit: 10, ...(from ? { from } : {}) });
      seen.push(...(reply['events'] as Events).map((event) => event.event_id));
      from = reply['next_batch'] as string | undefined;
      if (!from) break;
    }
    expect(seen).toEqual([...sent].reverse());
    const since = await harness.request('org.matrix.msc2876.read_events', { type: 'm.room.message', since: sent[21] });
    expect((since['events'] as Events).map((event) => event.event_id)).toEqual([sent[24], sent[23], sent[22]]);
    const capped = await harness.request('org.matrix.msc2876.read_events', { type: 'm.room.message', limit: 1_000_000 });
    expect((capped['events'] as Events).length).toBe(25);
  });

  it('reaches other rooms only through m.timeline capabilities, each event naming its room', async () => {
    const { alice, bob, roomId } = await setUp();
    const otherRoom = await sharedRoom(bob, alice, 'Other room');
    const thirdRoom = await sharedRoom(bob, alice, 'Third room');
    await sendText(bob, roomId, 'in the bound room');
    await sendText(bob, otherRoom, 'in the other room');
    const harness = await hostHarness(alice, { capabilities: [SEND, RECEIVE, `m.timeline:${otherRoom}`], roomHint: roomId });
    const other = await harness.request('org.matrix.msc2876.read_events', { type: 'm.room.message', room_ids: [otherRoom] });
    expect((other['events'] as Events).map((event) => [event.room_id, event.content.body])).toEqual([[otherRoom, 'in the other room']]);
    const refused = await harness.request('org.matrix.msc2876.read_events', { type: 'm.room.message', room_ids: [thirdRoom] });
    expect((refused['error'] as { message: string }).message).toContain(thirdRoom);
    expect((await harness.request('org.matrix.msc2876.read_events', { type: 'm.room.message', room_ids: '*' }))['error']).toBeDefined();
    const sentElsewhere = await harness.request('send_event', { type: 'm.room.message', room_id: otherRoom, content: { msgtype: 'm.text', body: 'hello other' } });
    expect(sentElsewhere['room_id']).toBe(otherRoom);
    const thirdRefused = await harness.request('send_event', { type: 'm.room.message', room_id: thirdRoom, content: { msgtype: 'm.text', body: 'no' } });
    expect(thirdRefused['error']).toBeDefined();

    const everywhere = await hostHarness(alice, { capabilities: [RECEIVE, 'm.timeline:*'], roomHint: roomId });
    const all = await everywhere.request('org.matrix.msc2876.read_events', { type: 'm.room.message', room_ids: '*' });
    const rooms = new Set((all['events'] as Events).map((event) => event.room_id));
    expect(rooms).toEqual(new Set([roomId, otherRoom]));
  });

  it('sends to-device messages it was granted, and never crypto-internal ones', async () => {
    const { alice, bob, roomId } = await setUp();
    const type = 'org.example.game.move';
    const harness = await hostHarness(alice, { capabilities: [`org.matrix.msc3819.send.to_device:${type}`, 'org.matrix.msc3819.send.to_device:m.room_key'], roomHint: roomId });
    const bobDevice = bob.client.getDeviceId() ?? '';
    expect(await harness.request('send_to_device', { type, encrypted: false, messages: { [bob.userId]: { [bobDevice]: { move: 'e4' } } } })).toEqual({});
    const refused = await harness.request('send_to_device', { type: 'm.room_key', encrypted: false, messages: { [bob.userId]: { [bobDevice]: {} } } });
    expect((refused['error'] as { message: string }).message).toMatch(/end-to-end encryption/);
    const notGranted = await harness.request('send_to_device', { type: 'org.example.other', encrypted: false, messages: {} });
    expect((notGranted['error'] as { message: string }).message).toMatch(/not granted/);
    const sync = await bob.client.http.authedRequest<{ to_device?: { events: { type: string; sender: string; content: unknown }[] } }>(Method.Get, '/sync', { timeout: '0' });
    expect(sync.to_device?.events).toContainEqual({ type, sender: alice.userId, content: { move: 'e4' } });
  });

  it('reads relations the widget may see', async () => {
    const { alice, bob, roomId } = await setUp();
    const target = await sendText(bob, roomId, 'react to me');
    const { event_id: reaction } = await bob.client.http.authedRequest<{ event_id: string }>(
      Method.Put,
      `/rooms/${encodeURIComponent(roomId)}/send/m.reaction/r1`,
      undefined,
      { 'm.relates_to': { rel_type: 'm.annotation', event_id: target, key: '👍' } },
    );
    const withReactions = await hostHarness(alice, { capabilities: [RECEIVE, 'org.matrix.msc2762.receive.event:m.reaction'], roomHint: roomId });
    const relations = await eventually('the relation', async () => {
      const reply = await withReactions.request('org.matrix.msc3869.read_relations', { event_id: target });
      return (reply['chunk'] as Events).length > 0 ? reply : undefined;
    });
    expect((relations['chunk'] as Events).map((event) => event.event_id)).toEqual([reaction]);
    const withoutReactions = await hostHarness(alice, { capabilities: [RECEIVE], roomHint: roomId });
    expect((await withoutReactions.request('org.matrix.msc3869.read_relations', { event_id: target }))['chunk']).toEqual([]);
  });

  it('searches the user directory only with its capability', async () => {
    const { alice, bob, roomId } = await setUp();
    const harness = await hostHarness(alice, { capabilities: ['org.matrix.msc3973.user_directory_search'], roomHint: roomId });
    const found = await eventually('bob in the directory', async () => {
      const reply = await harness.request('org.matrix.msc3973.user_directory_search', { search_term: bob.username, limit: 5 });
      return (reply['results'] as { user_id: string }[] | undefined)?.some((user) => user.user_id === bob.userId) ? reply : undefined;
    });
    expect(found['limited']).toBe(false);
    const without = await hostHarness(alice, { capabilities: [RECEIVE], roomHint: roomId });
    expect((await without.request('org.matrix.msc3973.user_directory_search', { search_term: 'x' }))['error']).toEqual({ message: 'Not allowed to search the user directory: the capability was not granted' });
  });

  it('gives client-UI actions a specific reason, and the media config behind the upload capability', async () => {
    const { alice, roomId } = await setUp();
    const harness = await hostHarness(alice, { capabilities: ['org.matrix.msc4039.upload_file'], roomHint: roomId });
    for (const action of ['open_modal', 'close_modal', 'set_button_enabled', 'm.sticker', 'set_always_on_screen', 'org.matrix.msc2931.navigate']) {
      const reply = await harness.request(action, {});
      expect((reply['error'] as { message: string }).message).toMatch(/web page/);
    }
    const config = await harness.request('org.matrix.msc4039.get_media_config', {});
    expect(config['m.upload.size']).toBeGreaterThan(0);
    expect(homeserverUrl()).toMatch(/^http/);
  });
});

describe('get_openid', () => {
  it('asks once, sends the credentials with openid_credentials, then answers at once', async () => {
    const { alice, roomId } = await setUp();
    const harness = await hostHarness(alice, { capabilities: [SEND], roomHint: roomId });
    const first = await harness.request('get_openid', {}, 'openid-1');
    expect(first).toEqual({ state: 'request' });
    const pushed = await eventually('openid_credentials', async () => harness.toWidget('openid_credentials')[0]);
    expect(pushed.data).toMatchObject({ state: 'allowed', original_request_id: 'openid-1', matrix_server_name: 'localhost', token_type: 'Bearer' });
    // The OpenID token proves the user's ID to a third party; it is not the access token.
    const token = (pushed.data as { access_token: string }).access_token;
    expect(token).toMatch(/\S{10,}/);
    expect(token).not.toBe(alice.client.getAccessToken());
    expect(harness.asked.at(-1)).toMatchObject({ capabilities: ['org.matrix.msc1960.get_openid'], purpose: 'identity' });
    const second = await harness.request('get_openid', {});
    expect(second).toMatchObject({ state: 'allowed', matrix_server_name: 'localhost' });
    expect(harness.asked.filter((pending) => pending.purpose === 'identity')).toHaveLength(1);
  });

  it('remembers a refusal as blocked', async () => {
    const { alice, roomId } = await setUp();
    const harness = await hostHarness(alice, {
      capabilities: [SEND],
      roomHint: roomId,
      decide: (pending) => (pending.purpose === 'identity' ? { roomId: null, approved: [], remember: true } : { roomId, approved: pending.capabilities, remember: true }),
    });
    expect(await harness.request('get_openid', {}, 'openid-2')).toEqual({ state: 'request' });
    const pushed = await eventually('openid_credentials', async () => harness.toWidget('openid_credentials')[0]);
    expect(pushed.data).toEqual({ state: 'blocked', original_request_id: 'openid-2' });
    expect(await harness.request('get_openid', {})).toEqual({ state: 'blocked' });
  });
});

describe('delayed events (MSC4140 / MSC4157)', () => {
  const DELAYED = 'org.matrix.msc4157.send.delayed_event';
  const UPDATE = 'org.matrix.msc4157.update_delayed_event';

  it('schedules, sends on demand and cancels, only its own delayed events', async () => {
    const { alice, bob, roomId } = await setUp();
    const harness = await hostHarness(alice, { capabilities: [SEND, DELAYED, UPDATE], roomHint: roomId });
    const later = await harness.request('send_event', { type: 'm.room.message', delay: 600_000, content: { msgtype: 'm.text', body: 'sent on demand' } });
    expect(later).toMatchObject({ room_id: roomId, delay_id: expect.any(String) });
    const cancelled = await harness.request('send_event', { type: 'm.room.message', delay: 600_000, content: { msgtype: 'm.text', body: 'cancelled' } });
    expect(await harness.request('org.matrix.msc4157.update_delayed_event', { delay_id: cancelled['delay_id'], action: 'cancel' })).toEqual({});
    expect(await harness.request('org.matrix.msc4157.update_delayed_event', { delay_id: later['delay_id'], action: 'restart' })).toEqual({});
    expect(await harness.request('org.matrix.msc4157.update_delayed_event', { delay_id: later['delay_id'], action: 'send' })).toEqual({});
    const bodies = await eventually('the delayed event on the server', async () => {
      const all = (await roomMessages(bob, roomId)).map((event) => event.content?.['body']);
      return all.includes('sent on demand') ? all : undefined;
    });
    expect(bodies).not.toContain('cancelled');
    const foreign = await harness.request('org.matrix.msc4157.update_delayed_event', { delay_id: 'syd_someone_elses', action: 'send' });
    expect(foreign['error']).toEqual({ message: 'This widget did not schedule that delayed event' });
  });

  it('checks a delayed redaction as an immediate one: only its own events of kinds it may send', async () => {
    const { alice, bob, roomId } = await setUp();
    const harness = await hostHarness(alice, { capabilities: [SEND, DELAYED, UPDATE, 'm.send.event:m.room.redaction'], roomHint: roomId });
    await bob.client.setRoomTopic(roomId, 'keep me');
    const topic = (await bob.client.roomState(roomId)).find((event) => event.type === 'm.room.topic');
    const refusedTopic = await harness.request('send_event', { type: 'm.room.redaction', delay: 600_000, content: { redacts: topic?.event_id } });
    expect(refusedTopic['error']).toEqual({ message: 'Not allowed to redact that event: the widget may not send events of its kind' });
    const bobs = await sendText(bob, roomId, 'bob said this');
    const refusedOthers = await harness.request('send_event', { type: 'm.room.redaction', delay: 600_000, content: { redacts: bobs } });
    expect(refusedOthers['error']).toEqual({ message: "Not allowed to redact that event: a widget may only redact the user's own events" });
    const missing = await harness.request('send_event', { type: 'm.room.redaction', delay: 600_000, content: {} });
    expect(missing['error']).toEqual({ message: 'Invalid send_event request: a redaction needs content.redacts, an event ID' });
    // Its own message: scheduled, and sent on demand it removes the message on the server.
    const { event_id: own } = await harness.request('send_event', { type: 'm.room.message', content: { msgtype: 'm.text', body: 'undo me later' } });
    const scheduled = await harness.request('send_event', { type: 'm.room.redaction', delay: 600_000, content: { redacts: own } });
    expect(scheduled).toMatchObject({ room_id: roomId, delay_id: expect.any(String) });
    expect(await harness.request('org.matrix.msc4157.update_delayed_event', { delay_id: scheduled['delay_id'], action: 'send' })).toEqual({});
    await eventually('the delayed redaction on the server', async () => {
      const event = (await roomMessages(bob, roomId)).find((candidate) => candidate.event_id === own);
      return event && Object.keys(event.content ?? {}).length === 0 ? event : undefined;
    });
  });

  it('refuses delays without the delayed-event capability', async () => {
    const { alice, roomId } = await setUp();
    const harness = await hostHarness(alice, { capabilities: [SEND], roomHint: roomId });
    const refused = await harness.request('send_event', { type: 'm.room.message', delay: 1000, content: { msgtype: 'm.text', body: 'x' } });
    expect(refused['error']).toEqual({ message: 'Not allowed to send delayed events: the capability was not granted' });
  });
});

describe('files (MSC4039)', () => {
  it('uploads and downloads a file as the relay encodes it, only with the capabilities', async () => {
    const { alice, roomId } = await setUp();
    const harness = await hostHarness(alice, { capabilities: ['org.matrix.msc4039.upload_file', 'org.matrix.msc4039.download_file'], roomHint: roomId });
    const bytes = new TextEncoder().encode('a file from a widget ✓');
    const { encodeBytes, decodeBytes } = await import('../../src/shared/protocol/binary');
    const uploaded = await harness.request('org.matrix.msc4039.upload_file', { file: encodeBytes(bytes, 'text/plain') });
    expect(uploaded['content_uri']).toMatch(/^mxc:\/\/localhost\//);
    const downloaded = await harness.request('org.matrix.msc4039.download_file', { content_uri: uploaded['content_uri'] });
    const file = downloaded['file'] as { mwbBinary: string; type: string };
    expect(new TextDecoder().decode(decodeBytes(file))).toBe('a file from a widget ✓');
    const without = await hostHarness(alice, { capabilities: [SEND], roomHint: roomId });
    expect((await without.request('org.matrix.msc4039.upload_file', { file: 'x' }))['error']).toEqual({ message: 'Not allowed to upload files: the capability was not granted' });
    expect((await without.request('org.matrix.msc4039.download_file', { content_uri: uploaded['content_uri'] }))['error']).toEqual({
      message: 'Not allowed to download files: the capability was not granted',
    });
  });

  it('refuses dot segments and other paths in an mxc URI, and a file too large to pass, with a reply each', async () => {
    const { alice, roomId } = await setUp();
    const harness = await hostHarness(alice, { capabilities: ['org.matrix.msc4039.download_file'], roomHint: roomId });
    for (const uri of ['mxc://../config', 'mxc://./config', 'mxc://localhost/..', 'mxc://localhost/a%2F..', 'mxc://localhost/a?b=1', 'mxc://local/host/x']) {
      const refused = await harness.request('org.matrix.msc4039.download_file', { content_uri: uri });
      expect(refused['error'], uri).toEqual({ message: expect.stringContaining('must be an mxc:// URI') });
    }
    const { MAX_DOWNLOAD_BYTES } = await import('../../src/background/widgets/actions/files');
    const large = await alice.client.uploadContent(new Blob([new Uint8Array(MAX_DOWNLOAD_BYTES + 1)]), { includeFilename: false });
    const tooLarge = await harness.request('org.matrix.msc4039.download_file', { content_uri: large.content_uri });
    expect(tooLarge['error']).toEqual({ message: `The file is too large to pass to the widget: ${MAX_DOWNLOAD_BYTES + 1} bytes, at most ${MAX_DOWNLOAD_BYTES}` });
  });
});

describe('room account data', () => {
  it('reads the user’s room account data of a granted type only', async () => {
    const { alice, roomId } = await setUp();
    await alice.client.http.authedRequest(
      Method.Put,
      `/user/${encodeURIComponent(alice.userId)}/rooms/${encodeURIComponent(roomId)}/account_data/org.example.layout`,
      undefined,
      { columns: 2 },
    );
    const harness = await hostHarness(alice, { capabilities: ['com.beeper.capabilities.receive.room_account_data:org.example.layout'], roomHint: roomId });
    const read = await harness.request('com.beeper.read_room_account_data', { type: 'org.example.layout' });
    expect(read['events']).toEqual([{ type: 'org.example.layout', room_id: roomId, content: { columns: 2 } }]);
    const other = await harness.request('com.beeper.read_room_account_data', { type: 'm.fully_read' });
    expect((other['error'] as { message: string }).message).toMatch(/not granted/);
  });
});

describe('TURN servers (MSC3846)', () => {
  it('pushes the homeserver’s TURN credentials to a widget that watches, with the capability only', async () => {
    const { alice, roomId } = await setUp();
    const harness = await hostHarness(alice, { capabilities: ['town.robin.msc3846.turn_servers'], roomHint: roomId });
    expect(await harness.request('watch_turn_servers', {})).toEqual({});
    const update = await eventually('update_turn_servers', async () => harness.toWidget('update_turn_servers')[0]);
    expect(update.data).toMatchObject({ uris: ['turn:127.0.0.1:3478?transport=udp'], username: expect.stringContaining(alice.userId) });
    expect(await harness.request('unwatch_turn_servers', {})).toEqual({});
    await harness.host.dispose();
    const without = await hostHarness(alice, { capabilities: [SEND], roomHint: roomId });
    expect(await without.request('watch_turn_servers', {})).toEqual({ error: { message: 'Not allowed to use TURN servers: the capability was not granted' } });
  });
});

describe('MatrixRTC (MSC4515 / MSC4533)', () => {
  const TRANSPORTS = 'org.matrix.msc4515.rtc_transports';
  const TOKEN = 'org.matrix.msc4533.rtc_livekit_get_token';
  const DELEGATE = 'org.matrix.msc4533.rtc_livekit_delegate_delayed_leave';
  const member = { id: 'member-1', claimed_device_id: 'DEVICE' };

  it('gives the homeserver’s RTC transports, with the capability only', async () => {
    const { alice, roomId } = await setUp();
    const harness = await hostHarness(alice, { capabilities: [TRANSPORTS], roomHint: roomId });
    const versions = (await harness.request('supported_api_versions'))['supported_versions'];
    expect(versions).toEqual(expect.arrayContaining(['org.matrix.msc4515', 'org.matrix.msc4533']));
    // What the global setup configures under matrix_rtc: the local JWT service stand-in.
    expect(await harness.request('org.matrix.msc4515.get_rtc_transports', {})).toEqual({
      rtc_transports: [{ type: 'livekit', livekit_service_url: inject('livekitServiceUrl') }],
    });
    const without = await hostHarness(alice, { capabilities: [SEND], roomHint: roomId });
    expect(await without.request('org.matrix.msc4515.get_rtc_transports', {})).toEqual({
      error: { message: 'Not allowed to read the homeserver’s RTC transports: the capability was not granted' },
    });
  });

  it('asks the homeserver for LiveKit tokens and delegated leaves in granted rooms, and passes its refusal through', async () => {
    const { alice, bob, roomId } = await setUp();
    const otherRoom = await sharedRoom(bob, alice, 'Not granted for calls');
    const harness = await hostHarness(alice, {
      capabilities: [TOKEN, DELEGATE, SEND, 'org.matrix.msc4157.send.delayed_event'],
      roomHint: roomId,
    });
    const token = { url: 'wss://livekit.invalid', room_id: roomId, slot_id: 'm.call#ROOM', member };
    // Synapse 1.163 has no MSC4195 endpoints: its 404 reaches the widget as matrix_api_error.
    const unrecognised = (await harness.request('org.matrix.msc4533.rtc_livekit_get_token', token))['error'] as {
      message: string;
      matrix_api_error: { http_status: number; response: { errcode: string }; url: string };
    };
    expect(unrecognised.matrix_api_error.http_status).toBe(404);
    expect(unrecognised.matrix_api_error.response.errcode).toBe('M_UNRECOGNIZED');
    expect(unrecognised.matrix_api_error.url).toMatch(/\/_matrix\/client\/unstable\/io\.element\.msc4195\/rtc\/livekit\/get_token$/);
    expect((await harness.request('org.matrix.msc4533.rtc_livekit_get_token', { ...token, room_id: otherRoom }))['error']).toEqual({
      message: 'This widget may only act in the room it was granted',
    });
    const leave = { url: 'wss://livekit.invalid', room_id: roomId, slot_id: 'm.call#ROOM', member };
    expect((await harness.request('org.matrix.msc4533.rtc_livekit_delegate_delayed_leave', { ...leave, delay_id: 'syd_not_ours' }))['error']).toEqual({
      message: 'This widget did not schedule that delayed event',
    });
    const scheduled = await harness.request('send_event', { type: 'm.room.message', content: { msgtype: 'm.text', body: 'left' }, delay: 3_600_000 });
    const delegated = (await harness.request('org.matrix.msc4533.rtc_livekit_delegate_delayed_leave', { ...leave, delay_id: scheduled['delay_id'] }))['error'] as {
      matrix_api_error: { http_status: number };
    };
    expect(delegated.matrix_api_error.http_status).toBe(404);
    const without = await hostHarness(alice, { capabilities: [SEND], roomHint: roomId });
    expect((await without.request('org.matrix.msc4533.rtc_livekit_get_token', token))['error']).toEqual({
      message: 'Not allowed to get LiveKit tokens: the capability was not granted',
    });
    expect((await without.request('org.matrix.msc4533.rtc_livekit_delegate_delayed_leave', { ...leave, delay_id: 'x' }))['error']).toEqual({
      message: 'Not allowed to hand delayed leave events to the homeserver: the capability was not granted',
    });
  });
});
