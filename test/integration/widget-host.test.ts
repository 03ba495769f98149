// The widget host in Node against the real Synapse: one reply per request, negotiation and
// remembered grants, the room binding, capability checks, and homeserver errors.
import { describe, expect, it } from 'vitest';
import { eventually, freshUser, roomMessages, sharedRoom } from '../support/homeserver';
import { siteOf } from '../../src/shared/core/widget-identity';
import { MAX_REQUESTED_CAPABILITIES } from '../../src/shared/protocol/widget-api';
import { hostHarness, WIDGET_ORIGIN } from '../support/host-harness';

const SEND = 'org.matrix.msc2762.send.event:m.room.message';
const RECEIVE = 'org.matrix.msc2762.receive.event:m.room.message';

async function roomWithAliceAndBob() {
  const alice = await freshUser('alice');
  const bob = await freshUser('bob');
  const roomId = await sharedRoom(bob, alice, 'Host room');
  return { alice, bob, roomId };
}

describe('WidgetHost against Synapse', () => {
  it('answers host-local, unknown and malformed requests exactly once, and ignores other origins', async () => {
    const { alice, roomId } = await roomWithAliceAndBob();
    const harness = await hostHarness(alice, { capabilities: [SEND], roomHint: roomId });
    expect((await harness.request('supported_api_versions')).supported_versions).toContain('org.matrix.msc2762');
    expect(await harness.request('content_loaded')).toEqual({});
    expect((await harness.request('com.example.nonsense')).error).toEqual({ message: 'Unknown or unsupported action: com.example.nonsense' });
    expect(((await harness.request('send_event', { type: 'm.room.message' })).error as { message: string }).message).toMatch(/Invalid send_event request: content/);
    await harness.host.handle('https://evil.example', { api: 'fromWidget', widgetId: 'harness-widget', requestId: 'evil', action: 'supported_api_versions', data: {} });
    expect(harness.repliesTo('evil')).toEqual([]);
  });

  it(`keeps at most ${MAX_REQUESTED_CAPABILITIES} requested capabilities however often the widget asks for more`, async () => {
    const { alice, roomId } = await roomWithAliceAndBob();
    const harness = await hostHarness(alice, { capabilities: [SEND], roomHint: roomId });
    await harness.request('content_loaded');
    const kinds = (from: number, count: number) => Array.from({ length: count }, (_, index) => `org.matrix.msc2762.receive.event:test.kind.${from + index}`);
    // More than one answer may carry: refused with a reply, nothing asked.
    const tooMany = await harness.request('org.matrix.msc2974.request_capabilities', { capabilities: kinds(0, MAX_REQUESTED_CAPABILITIES + 1) });
    expect((tooMany['error'] as { message: string }).message).toMatch(/^Invalid request_capabilities request: capabilities/);
    // Asking again and again in allowed sizes: the record stops growing at the bound.
    for (const from of [0, 200]) expect(await harness.request('org.matrix.msc2974.request_capabilities', { capabilities: kinds(from, 200) })).toEqual({});
    const notices = await eventually('both renegotiations told', async () => (harness.toWidget('notify_capabilities').length >= 3 ? harness.toWidget('notify_capabilities') : undefined));
    const requested = (notice: (typeof notices)[number] | undefined) => (notice?.data['requested'] as string[] | undefined) ?? [];
    expect(requested(notices[1])).toHaveLength(201);
    expect(requested(notices[2])).toHaveLength(MAX_REQUESTED_CAPABILITIES);
    expect(requested(notices[2])).toEqual([SEND, ...kinds(0, MAX_REQUESTED_CAPABILITIES - 1)]);
    expect(harness.asked.at(-1)?.capabilities.length).toBeLessThanOrEqual(MAX_REQUESTED_CAPABILITIES);
  });

  it('asks once, tells the widget what it got, and a reload with the same stores does not ask again', async () => {
    const { alice, roomId } = await roomWithAliceAndBob();
    const first = await hostHarness(alice, { capabilities: [SEND, RECEIVE], roomHint: roomId });
    await first.request('supported_api_versions');
    await eventually('notify_capabilities', async () => (first.toWidget('notify_capabilities').length ? true : undefined));
    expect(first.asked).toHaveLength(1);
    expect(first.asked[0]?.identity).toMatchObject({ account: alice.userId, siteOrigin: 'https://site.example', widgetUrl: `${WIDGET_ORIGIN}/widget` });
    expect(first.toWidget('notify_capabilities')[0]?.data).toEqual({ requested: [SEND, RECEIVE], approved: [SEND, RECEIVE] });

    const reload = await hostHarness(alice, { capabilities: [SEND, RECEIVE], roomHint: roomId, shared: first });
    await reload.request('supported_api_versions');
    await eventually('notify_capabilities after reload', async () => (reload.toWidget('notify_capabilities').length ? true : undefined));
    expect(reload.asked).toEqual([]);
  });

  it('gives a widget nested in a frame of another origin none of the top site’s grants', async () => {
    const { alice, roomId } = await roomWithAliceAndBob();
    const onTheSite = await hostHarness(alice, { capabilities: [SEND], roomHint: roomId });
    await onTheSite.request('send_event', { type: 'm.room.message', content: { msgtype: 'm.text', body: 'granted on the site' } });
    const nested = await hostHarness(alice, {
      capabilities: [SEND],
      roomHint: roomId,
      shared: onTheSite,
      widgetSite: siteOf('https://site.example', 'https://ads.example'),
      decide: () => ({ roomId: null, approved: [], remember: false }),
    });
    const refused = await nested.request('send_event', { type: 'm.room.message', content: { msgtype: 'm.text', body: 'from the ad frame' } });
    expect(refused['error']).toBeDefined();
    expect(nested.asked[0]?.identity.siteOrigin).toBe('https://site.example › https://ads.example');
  });

  it('sends into the bound room only, and what it sends is on the server', async () => {
    const { alice, bob, roomId } = await roomWithAliceAndBob();
    const { room_id: otherRoom } = await alice.client.createRoom({ name: 'Alice elsewhere' });
    const harness = await hostHarness(alice, { capabilities: [SEND], roomHint: roomId });
    const sent = await harness.request('send_event', { type: 'm.room.message', content: { msgtype: 'm.text', body: 'from the host' } });
    expect(sent).toMatchObject({ room_id: roomId });
    await eventually('the event on the server', async () => (await roomMessages(bob, roomId)).find((event) => event.event_id === sent['event_id']));
    const refused = await harness.request('send_event', { type: 'm.room.message', room_id: otherRoom, content: { msgtype: 'm.text', body: 'elsewhere' } });
    expect(refused['error']).toEqual({ message: 'This widget may only act in the room it was granted' });
    expect((await roomMessages(alice, otherRoom)).map((event) => event.content?.['body'])).not.toContain('elsewhere');
  });

  it('checks each request against the grant store: a revoke refuses the very next request and tells the widget', async () => {
    const { alice, roomId } = await roomWithAliceAndBob();
    const harness = await hostHarness(alice, { capabilities: [SEND, RECEIVE], roomHint: roomId });
    await harness.request('send_event', { type: 'm.room.message', content: { msgtype: 'm.text', body: 'allowed' } });
    const identity = harness.asked[0]?.identity;
    if (!identity) throw new Error('no approval was asked');
    await harness.grants.revoke(identity, roomId, { hostInstance: null }, [SEND]);
    const refused = await harness.request('send_event', { type: 'm.room.message', content: { msgtype: 'm.text', body: 'not any more' } });
    expect(refused['error']).toEqual({ message: 'Not allowed to send m.room.message events: the capability was not granted' });
    await harness.host.refreshCapabilities();
    expect(harness.toWidget('notify_capabilities').at(-1)?.data).toEqual({ requested: [SEND, RECEIVE], approved: [RECEIVE] });
  });

  it('reads only what a refinement allows', async () => {
    const { alice, bob, roomId } = await roomWithAliceAndBob();
    await bob.client.sendMessage(roomId, { msgtype: 'm.text', body: 'text' } as never);
    await bob.client.sendMessage(roomId, { msgtype: 'm.notice', body: 'notice' } as never);
    const harness = await hostHarness(alice, { capabilities: [`${RECEIVE}#m.text`], roomHint: roomId });
    const read = await harness.request('org.matrix.msc2876.read_events', { type: 'm.room.message', limit: 10 });
    const bodies = (read['events'] as { content: { body: string } }[]).map((event) => event.content.body);
    expect(bodies).toEqual(['text']);
    const refused = await harness.request('org.matrix.msc2876.read_events', { type: 'm.reaction' });
    expect(refused['error']).toEqual({ message: 'Not allowed to read m.reaction events: the capability was not granted' });
  });

  it('passes a homeserver refusal through as matrix_api_error', async () => {
    const { alice, roomId } = await roomWithAliceAndBob();
    const harness = await hostHarness(alice, { capabilities: ['org.matrix.msc2762.send.state_event:m.room.power_levels'], roomHint: roomId });
    const reply = await harness.request('send_event', { type: 'm.room.power_levels', state_key: '', content: { users: { [alice.userId]: 100 } } });
    const error = reply['error'] as { message: string; matrix_api_error: { http_status: number; response: { errcode: string } } };
    expect(error.matrix_api_error.http_status).toBe(403);
    expect(error.matrix_api_error.response.errcode).toBe('M_FORBIDDEN');
    expect(error.message).not.toMatch(/https?:\/\//);
  });

  it('answers at once when nobody is logged in', async () => {
    const alice = await freshUser('alice');
    const harness = await hostHarness(alice, { capabilities: [SEND], isLoggedIn: false });
    const reply = await harness.request('send_event', { type: 'm.room.message', content: { body: 'x' } });
    expect((reply['error'] as { message: string }).message).toMatch(/log in/);
  });
});
