// Issue #7: the host in front of a faltering homeserver (a fault-injecting proxy before the real
// Synapse). What is safe to retry is retried, bounded and after Retry-After; everything else reaches
// the widget as matrix_api_error; nothing is lost and nothing lands twice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshUser, homeserverUrl, roomMessages, sharedRoom, type TestUser } from '../support/homeserver';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy';
import { hostHarness, type HostHarness } from '../support/host-harness';

const SEND = 'org.matrix.msc2762.send.event:m.room.message';
const SEND_PATH = /^PUT \/_matrix\/client\/v3\/rooms\/[^/]+\/send\/m\.room\.message\//;

describe('homeserver faults', () => {
  let proxy: FaultProxy;
  let bob: TestUser;
  let roomId: string;
  let harness: HostHarness;

  beforeAll(async () => {
    proxy = await startFaultProxy(homeserverUrl());
    const alice = await freshUser('alice');
    bob = await freshUser('bob');
    roomId = await sharedRoom(bob, alice, 'Fault room');
    harness = await hostHarness(alice, { capabilities: [SEND], roomHint: roomId, homeserverUrl: proxy.url });
  });
  afterAll(async () => {
    await harness?.stopSync();
    await proxy?.stop();
  });

  async function send(body: string): Promise<Record<string, unknown>> {
    return harness.request('send_event', { type: 'm.room.message', content: { msgtype: 'm.text', body } });
  }

  async function onServer(body: string): Promise<number> {
    return (await roomMessages(bob, roomId)).filter((event) => event.content?.['body'] === body).length;
  }

  function attempts(): number {
    return proxy.seen.filter((line) => SEND_PATH.test(line)).length;
  }

  it('waits out a 429 with Retry-After and sends once', async () => {
    const before = attempts();
    proxy.failNext(SEND_PATH, { kind: 'status', status: 429, headers: { 'retry-after': '1' }, body: { errcode: 'M_LIMIT_EXCEEDED', error: 'Too many', retry_after_ms: 500 } });
    expect(await send('after a 429')).toHaveProperty('event_id');
    expect(attempts() - before).toBe(2);
    expect(await onServer('after a 429')).toBe(1);
  });

  it('retries 500, 502 and a reset connection, and sends once', async () => {
    const before = attempts();
    proxy.failNext(SEND_PATH, { kind: 'status', status: 500, body: { errcode: 'M_UNKNOWN', error: 'boom' } }, { kind: 'reset' });
    expect(await send('after a 500 and a reset')).toHaveProperty('event_id');
    expect(attempts() - before).toBe(3);
    expect(await onServer('after a 500 and a reset')).toBe(1);
  });

  it('lands once when the answer was lost after Synapse stored the event (same transaction id)', async () => {
    proxy.failNext(SEND_PATH, { kind: 'slowResponse', ms: 11_000 });
    expect(await send('answer lost')).toHaveProperty('event_id');
    expect(await onServer('answer lost')).toBe(1);
  }, 40_000);

  it('gives up after three attempts and passes the last error through', async () => {
    const before = attempts();
    const html = '<html><body>Bad gateway</body></html>';
    proxy.failNext(SEND_PATH, ...[1, 2, 3].map(() => ({ kind: 'status' as const, status: 502, body: html })));
    const reply = await send('never sent');
    expect(reply['error']).toMatchObject({ message: 'Homeserver error 502', matrix_api_error: { http_status: 502 } });
    expect(attempts() - before).toBe(3);
    expect(await onServer('never sent')).toBe(0);
  });

  it('says plainly when the homeserver is down, and recovers by itself when it is back', async () => {
    proxy.setDown(true);
    const reply = await send('while down');
    expect(reply['error']).toEqual({ message: 'Request failed: the homeserver could not be reached' });
    harness.session.acquireSync();
    const client = await harness.session.requireClient();
    await new Promise<void>((resolve) => {
      const check = () => (['ERROR', 'RECONNECTING'].includes(client.getSyncState() ?? '') ? resolve() : setTimeout(check, 100));
      check();
    });
    expect((await harness.session.status()).syncState).toMatch(/ERROR|RECONNECTING/);
    proxy.setDown(false);
    expect(await send('back again')).toHaveProperty('event_id');
    expect(await onServer('back again')).toBe(1);
  }, 60_000);

  it('starts with the homeserver down (as a woken worker may): a clear error, then recovery by itself', async () => {
    const downProxy = await startFaultProxy(homeserverUrl());
    try {
      const carol = await freshUser('carol');
      const carolRoom = await sharedRoom(bob, carol, 'Down at start');
      const started = await hostHarness(carol, { capabilities: [SEND], roomHint: carolRoom, homeserverUrl: downProxy.url });
      downProxy.setDown(true);
      started.session.acquireSync(); // the first sync of this client starts while the server is away
      const reply = await started.request('send_event', { type: 'm.room.message', content: { msgtype: 'm.text', body: 'while down at start' } });
      expect(reply['error']).toEqual({ message: 'Request failed: the homeserver could not be reached' });
      const client = await started.session.requireClient();
      await new Promise<void>((resolve) => {
        const check = () => (['ERROR', 'RECONNECTING'].includes(client.getSyncState() ?? '') ? resolve() : setTimeout(check, 100));
        check();
      });
      expect((await started.session.status()).syncState).toMatch(/ERROR|RECONNECTING/);
      downProxy.setDown(false);
      expect(await started.request('send_event', { type: 'm.room.message', content: { msgtype: 'm.text', body: 'back at start' } })).toHaveProperty('event_id');
      await new Promise<void>((resolve) => {
        const check = () => (['SYNCING', 'PREPARED'].includes(client.getSyncState() ?? '') ? resolve() : setTimeout(check, 100));
        check();
      });
      expect((await roomMessages(bob, carolRoom)).map((event) => event.content?.['body'])).toEqual(['back at start']);
      client.stopClient();
    } finally {
      await downProxy.stop();
    }
  }, 90_000);

  it('does not retry what the homeserver refused', async () => {
    const before = attempts();
    proxy.failNext(SEND_PATH, { kind: 'status', status: 403, body: { errcode: 'M_FORBIDDEN', error: 'No' } });
    const reply = await send('refused');
    expect(reply['error']).toMatchObject({ matrix_api_error: { http_status: 403, response: { errcode: 'M_FORBIDDEN' } } });
    expect(attempts() - before).toBe(1);
  });
});
