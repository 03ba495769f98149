// Issue #18, finding 4: one widget flooding `read_events` over every room (`room_ids: '*'`) does not
// starve another widget of the same account. The real host twice on one real session against the
// real Synapse, behind a proxy that holds the first reads (so the flood is queued at the account's
// gate before the other widget asks) and that logs the order in which calls reach the server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gateLoad, MAX_WAITING_PER_WIDGET } from '../../src/background/widgets/actions/room-actions';
import { eventually, freshUser, homeserverUrl, roomMessages, sharedRoom } from '../support/homeserver';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy';
import { hostHarness } from '../support/host-harness';

const SEND = 'org.matrix.msc2762.send.event:m.room.message';
const RECEIVE = 'org.matrix.msc2762.receive.event:m.room.message';
const EVERY_ROOM = 'm.timeline:*';
/** The flood's calls: the joined rooms, then one page per room. */
const FLOOD_CALL = /^GET \/_matrix\/client\/v3\/(?:joined_rooms|rooms\/[^/]+\/messages)$/;
const SEND_CALL = /^PUT \/_matrix\/client\/v3\/rooms\/[^/]+\/send\/m\.room\.message\//;
/** The gate lets four calls of an account out at once (room-actions.ts). */
const RUNNING = 4;

describe('widgets of one account share the homeserver fairly', () => {
  let proxy: FaultProxy;
  beforeAll(async () => {
    proxy = await startFaultProxy(homeserverUrl());
  });
  afterAll(async () => {
    await proxy?.stop();
  });

  it("serves a widget's send while another floods read_events over every room, and refuses the flood past its bound with one reply", async () => {
    const alice = await freshUser('alice');
    const bob = await freshUser('bob');
    const roomId = await sharedRoom(bob, alice, 'Fair room');
    for (let index = 0; index < 3; index++) await alice.client.createRoom({ name: `Elsewhere ${index}` });
    const flooding = await hostHarness(alice, { capabilities: [RECEIVE, EVERY_ROOM], roomHint: roomId, homeserverUrl: proxy.url });
    const quiet = await hostHarness(alice, { capabilities: [SEND], roomHint: roomId, shared: flooding });
    // Both negotiated and answering before the flood starts.
    expect(await flooding.request('org.matrix.msc2876.read_events', { type: 'm.room.message', limit: 1 })).toHaveProperty('events');
    expect(await quiet.request('send_event', { type: 'm.room.message', content: { msgtype: 'm.text', body: 'before' } })).toHaveProperty('event_id');
    const client = await flooding.session.requireClient();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    proxy.failNext(FLOOD_CALL, ...Array.from({ length: RUNNING }, () => ({ kind: 'heldRequest' as const, until: held })));

    const readEverything = { type: 'm.room.message', limit: 5, room_ids: '*' };
    const flood = Array.from({ length: RUNNING + MAX_WAITING_PER_WIDGET }, (_, index) =>
      flooding.request('org.matrix.msc2876.read_events', readEverything, `flood-${index}`),
    );
    await eventually('the flood queued at the gate', async () =>
      gateLoad(client).lanes[flooding.host.key] === MAX_WAITING_PER_WIDGET && gateLoad(client).running === RUNNING ? true : undefined,
    );
    // One more than the lane holds: refused at once, with one reply saying why.
    const over = await flooding.request('org.matrix.msc2876.read_events', readEverything, 'flood-over');
    expect(over['error']).toEqual({
      message: `Too many requests waiting for the homeserver (at most ${MAX_WAITING_PER_WIDGET} per widget): wait for some to be answered`,
    });

    const send = quiet.request('send_event', { type: 'm.room.message', content: { msgtype: 'm.text', body: 'through the flood' } });
    await eventually('the send waiting in its own lane', async () => (gateLoad(client).lanes[quiet.host.key] === 1 ? true : undefined));
    const releasedAt = proxy.seen.length;
    release();
    const sent = await send;
    expect(sent).toHaveProperty('event_id');
    const floodAnsweredBySend = flood.filter((_, index) => flooding.repliesTo(`flood-${index}`).length > 0).length;
    // In the order calls reached the server: a single queue would have let the 32 waiting flood calls
    // out first; taking turns, the send waited for a few (each slot freed goes to the lanes in turn).
    const afterRelease = proxy.seen.slice(releasedAt);
    const sendAt = afterRelease.findIndex((line) => SEND_CALL.test(line));
    expect(sendAt).toBeGreaterThanOrEqual(0);
    const floodCallsFirst = afterRelease.slice(0, sendAt).filter((line) => FLOOD_CALL.test(line)).length;
    expect(floodCallsFirst).toBeLessThan(MAX_WAITING_PER_WIDGET / 2);
    expect(floodAnsweredBySend).toBeLessThan(flood.length); // the flood was still going

    // Every flood request gets its one reply (hostHarness.request checks there is exactly one): its
    // events, or the bound's refusal. The flood's 36 requests had 4 + 32 places only while they held
    // every slot; while the send held one, a flood request that needed its next page found the lane
    // full. That can happen once: the send holds one slot at a time.
    const replies = await Promise.all(flood);
    const refusedOnTheWay = replies.filter((reply) => !Array.isArray(reply['events']));
    expect(refusedOnTheWay.length).toBeLessThanOrEqual(1);
    for (const reply of refusedOnTheWay) expect(reply['error']).toEqual(over['error']);
    expect(replies.filter((reply) => Array.isArray(reply['events'])).every((reply) => (reply['events'] as unknown[]).length > 0)).toBe(true);
    expect(flooding.repliesTo('flood-over')).toHaveLength(1);
    expect((await roomMessages(bob, roomId)).map((event) => event.content?.['body'])).toContain('through the flood');
  });
});
