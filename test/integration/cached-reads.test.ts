// read_events answered from the client's live timeline (issue #17, cold wake) against the real
// Synapse: the same answer as /messages for the same request, page by page, in a plain and an
// encrypted room; and /messages (or /context) whenever the timeline does not cover the request.
import { Method, type IEvent, type MatrixClient } from 'matrix-js-sdk';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SyncFreshness } from '../../src/background/session/sync/sync-freshness';
import { syncFreshnessOf } from '../../src/background/session/sync/sync-freshness';
import { cryptoPeer, encryptedRoom, waitForDeviceKeys, type CryptoPeer } from '../support/crypto-peer';
import { eventually, freshUser, sendText, sharedRoom, type TestUser } from '../support/homeserver';
import { hostHarness, type HostHarness } from '../support/host-harness';

const RECEIVE = 'org.matrix.msc2762.receive.event:m.room.message';
const READ = 'org.matrix.msc2876.read_events';

let harness: HostHarness | undefined;
let peer: CryptoPeer | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await harness?.stopSync();
  peer?.stop();
  harness = undefined;
  peer = undefined;
});

type Reply = { events?: Partial<IEvent>[]; next_batch?: string; error?: unknown };

/** The homeserver paths the client asked while `during` ran. */
async function serverPaths<T>(client: MatrixClient, during: () => Promise<T>): Promise<{ result: T; paths: string[] }> {
  const paths: string[] = [];
  const original = client.http.authedRequest.bind(client.http);
  const spy = vi.spyOn(client.http, 'authedRequest').mockImplementation(((method: Method, path: string, ...rest: never[]) => {
    paths.push(path);
    return original(method, path, ...rest);
  }) as typeof client.http.authedRequest);
  try {
    return { result: await during(), paths };
  } finally {
    spy.mockRestore();
  }
}

/** Every page of a read, following next_batch (at most 20 pages). */
async function allPages(host: HostHarness, data: Record<string, unknown>): Promise<Reply[]> {
  const pages: Reply[] = [];
  let from: string | undefined;
  for (let page = 0; page < 20; page++) {
    const reply = (await host.request(READ, { ...data, ...(from ? { from } : {}) })) as Reply;
    pages.push(reply);
    from = reply.next_batch;
    if (!from) break;
  }
  return pages;
}

/** The events of the pages as a widget compares them: everything but the age, which moves with time. */
function comparable(pages: readonly Reply[]): unknown[][] {
  return pages.map((page) =>
    (page.events ?? []).map((event) => {
      const { age: _age, ...unsigned } = (event.unsigned ?? {}) as Record<string, unknown>;
      const { age: _topAge, ...rest } = event as Partial<IEvent> & { age?: number };
      return { ...rest, unsigned };
    }),
  );
}

/** The same reads with the live timeline out of use: every page from the homeserver, as before. */
async function fromServer<T>(read: () => Promise<T>): Promise<T> {
  const spy = vi.spyOn(SyncFreshness.prototype, 'isCurrent').mockReturnValue(false);
  try {
    return await read();
  } finally {
    spy.mockRestore();
  }
}

/** Waits until the host's client is current and its timeline of the room ends with `lastEventId`. */
async function caughtUp(host: HostHarness, roomId: string, lastEventId: string): Promise<MatrixClient> {
  const client = await host.session.requireClient();
  await eventually('the client to be current with the room', async () =>
    syncFreshnessOf(client)?.isCurrent(roomId) && client.getRoom(roomId)?.getLiveTimeline().getEvents().at(-1)?.getId() === lastEventId ? true : undefined,
  );
  return client;
}

async function plainRoomWith(count: number, bob: TestUser, alice: TestUser): Promise<{ roomId: string; last: string }> {
  const roomId = await sharedRoom(bob, alice, 'Cached reads');
  let last = '';
  for (let index = 0; index < count; index++) {
    // Messages of two msgtypes, and events of other types in between, which the filter leaves out.
    if (index % 5 === 4) await bob.client.sendEvent(roomId, 'org.example.other' as never, { index } as never);
    if (index % 3 === 2) await bob.client.sendNotice(roomId, `notice ${index}`);
    last = await sendText(bob, roomId, `message ${index}`);
  }
  return { roomId, last };
}

describe('read_events from the live timeline', () => {
  it('answers a covered read without /messages, the same as /messages, page by page', async () => {
    const alice = await freshUser('alice');
    const bob = await freshUser('bob');
    const { roomId, last } = await plainRoomWith(6, bob, alice);
    harness = await hostHarness(alice, { capabilities: [RECEIVE], roomHint: roomId });
    await harness.request('supported_api_versions');
    await harness.startSync();
    const client = await caughtUp(harness, roomId, last);
    const host = harness;
    // A widget that may see only m.text messages gets the same filtered answer from both too.
    const textOnly = await hostHarness(alice, {
      capabilities: [`${RECEIVE}#m.text`],
      roomHint: roomId,
      shared: { session: harness.session, grants: harness.grants, audit: harness.audit },
    });
    await textOnly.request('supported_api_versions');
    for (const [widget, request] of [
      [host, { type: 'm.room.message', limit: 4 }],
      [host, { type: 'm.room.message', msgtype: 'm.notice', limit: 1 }],
      [textOnly, { type: 'm.room.message', limit: 3 }],
    ] as const) {
      const cached = await serverPaths(client, () => allPages(widget, request));
      // The room is small enough for the timeline to reach its creation: nothing from the server.
      expect(cached.paths.filter((path) => path.includes('/messages') || path.includes('/context'))).toEqual([]);
      const served = await fromServer(() => allPages(widget, request));
      expect(comparable(cached.result)).toEqual(comparable(served));
      expect(cached.result.flatMap((page) => page.events ?? []).length).toBeGreaterThan(0);
    }
    const textBodies = (await allPages(textOnly, { type: 'm.room.message' })).flatMap((page) => page.events ?? []).map((event) => event.content?.['msgtype']);
    expect(new Set(textBodies)).toEqual(new Set(['m.text']));
  });

  it('falls back to /messages where the timeline does not reach, with the same answer', async () => {
    const alice = await freshUser('alice');
    const bob = await freshUser('bob');
    // More than one sync's 50 events: the timeline starts after a gap, the oldest only on the server.
    const { roomId, last } = await plainRoomWith(60, bob, alice);
    harness = await hostHarness(alice, { capabilities: [RECEIVE], roomHint: roomId });
    await harness.request('supported_api_versions');
    // Before the client's first sync (a woken worker): the saved timeline is not vouched for.
    const cold = await serverPaths(await harness.session.requireClient(), () => harness!.request(READ, { type: 'm.room.message', limit: 1 }));
    expect(cold.paths.some((path) => path.endsWith('/messages'))).toBe(true);
    await harness.startSync();
    const client = await caughtUp(harness, roomId, last);
    const host = harness;
    // Within the timeline: from memory.
    const recent = await serverPaths(client, () => host.request(READ, { type: 'm.room.message', limit: 10 }));
    expect(recent.paths.filter((path) => path.endsWith('/messages'))).toEqual([]);
    // More than the timeline holds: the homeserver.
    const many = await serverPaths(client, () => host.request(READ, { type: 'm.room.message', limit: 100 }));
    expect(many.paths.filter((path) => path.endsWith('/messages'))).toHaveLength(1);
    expect(comparable([many.result as Reply])).toEqual(comparable([await fromServer(() => host.request(READ, { type: 'm.room.message', limit: 100 })) as Reply]));
    // Paging past the timeline's start: /context turns the timeline's token into the server's.
    const paged = await serverPaths(client, () => allPages(host, { type: 'm.room.message', limit: 10 }));
    expect(paged.paths.filter((path) => path.includes('/context/'))).toHaveLength(1);
    const served = await fromServer(() => allPages(host, { type: 'm.room.message', limit: 10 }));
    expect(comparable(paged.result)).toEqual(comparable(served));
    expect(paged.result.flatMap((page) => page.events ?? [])).toHaveLength(80);
    // And `since`, which pages the same way.
    const since = (paged.result[5]?.events ?? [])[3]?.event_id as string;
    expect(comparable([(await host.request(READ, { type: 'm.room.message', since })) as Reply])).toEqual(
      comparable([(await fromServer(() => host.request(READ, { type: 'm.room.message', since }))) as Reply]),
    );
  });

  it('reads an encrypted room decrypted, the same as /messages', async () => {
    const alice = await freshUser('alice');
    const bob = await freshUser('bob');
    const roomId = await encryptedRoom(bob, alice, 'Cached encrypted reads');
    harness = await hostHarness(alice, { capabilities: [RECEIVE], roomHint: roomId });
    await harness.request('supported_api_versions');
    await harness.startSync();
    peer = await cryptoPeer(bob);
    await waitForDeviceKeys(peer, alice.userId);
    let last = '';
    for (let index = 0; index < 6; index++) last = (await peer.client.sendTextMessage(roomId, `secret ${index}`)).event_id;
    const client = await caughtUp(harness, roomId, last);
    await eventually('the last message decrypted', async () => (client.getRoom(roomId)?.findEventById(last)?.getClearContent() ? true : undefined));
    const host = harness;
    const cached = await serverPaths(client, () => allPages(host, { type: 'm.room.message', limit: 4 }));
    expect(cached.paths.filter((path) => path.includes('/messages') || path.includes('/context'))).toEqual([]);
    const served = await fromServer(() => allPages(host, { type: 'm.room.message', limit: 4 }));
    expect(comparable(cached.result)).toEqual(comparable(served));
    const bodies = cached.result.flatMap((page) => page.events ?? []).map((event) => event.content?.['body']);
    expect(bodies).toEqual([5, 4, 3, 2, 1, 0].map((index) => `secret ${index}`));
  });
});
