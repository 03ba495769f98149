// Several accounts at once (issue #5): each logged in with its own client, one active, switching,
// logging one out keeps the other, and grants belong to one account. Real Synapse, stores in memory.
import { describe, expect, it } from 'vitest';
import { GrantStore } from '../../src/background/grants/grant-store';
import { Accounts } from '../../src/background/session/accounts';
import { AccountSessions } from '../../src/background/session/session-store';
import { hostHarness } from '../support/host-harness';
import { freshUser, homeserverUrl, roomMessages, sharedRoom } from '../support/homeserver';
import { memoryStore } from '../support/memory-store';

const SEND = 'org.matrix.msc2762.send.event:m.room.message';
const widget = (account: string) => ({ account, siteOrigin: 'https://site.example', widgetUrl: 'https://widget.example/w', widgetId: 'w' });

describe('several accounts', () => {
  it('keeps each account logged in, switches the active one, and logs one out without touching the other', async () => {
    const alice = await freshUser('alice');
    const bob = await freshUser('bob');
    const store = memoryStore();
    const accounts = new Accounts(new AccountSessions(store), { persistence: 'memory' });
    await accounts.login(homeserverUrl(), alice.username, alice.password);
    await accounts.login(homeserverUrl(), bob.username, bob.password);

    let status = await accounts.status();
    expect(status.session?.userId).toBe(bob.userId);
    expect(status.accounts.map((account) => [account.userId, account.isActive])).toEqual(
      [[alice.userId, false], [bob.userId, true]].sort(([a], [b]) => String(a).localeCompare(String(b))),
    );
    expect((await (await accounts.requireClient()).whoami()).user_id).toBe(bob.userId);

    await accounts.switchTo(alice.userId);
    expect((await (await accounts.requireClient()).whoami()).user_id).toBe(alice.userId);

    // A new worker over the same storage: both accounts, the same one active.
    const afterRestart = new Accounts(new AccountSessions(store), { persistence: 'memory' });
    status = await afterRestart.status();
    expect(status.session?.userId).toBe(alice.userId);
    expect(status.accounts).toHaveLength(2);

    // Logging the active one out makes the other active; its device is gone on the server.
    const aliceDevice = status.session?.deviceId;
    expect(await afterRestart.logout()).toBe(alice.userId);
    status = await afterRestart.status();
    expect(status.session?.userId).toBe(bob.userId);
    expect(status.accounts.map((account) => account.userId)).toEqual([bob.userId]);
    expect((await alice.client.getDevices()).devices.map((device) => device.device_id)).not.toContain(aliceDevice);
    expect((await (await afterRestart.requireClient()).whoami()).user_id).toBe(bob.userId);
  });

  it('replaces an account logged in again (a new device) instead of keeping two of it', async () => {
    const alice = await freshUser('alice');
    const store = memoryStore();
    const accounts = new Accounts(new AccountSessions(store), { persistence: 'memory' });
    await accounts.login(homeserverUrl(), alice.username, alice.password);
    const first = (await accounts.status()).session?.deviceId;
    await accounts.login(homeserverUrl(), alice.username, alice.password);
    const status = await accounts.status();
    expect(status.accounts).toHaveLength(1);
    expect(status.session?.deviceId).not.toBe(first);
    const devices = (await alice.client.getDevices()).devices.map((device) => device.device_id);
    expect(devices).toContain(status.session?.deviceId);
    expect(devices).not.toContain(first);
    // The kept session is the new one, also after a restart.
    const afterRestart = await new Accounts(new AccountSessions(store), { persistence: 'memory' }).status();
    expect(afterRestart.accounts).toHaveLength(1);
    expect(afterRestart.session?.deviceId).toBe(status.session?.deviceId);
  });

  it('forgets only the logged-out account’s grants', async () => {
    const grants = new GrantStore(memoryStore(), memoryStore());
    await grants.recordDecision(widget('@a:hs'), '!room:hs', { hostInstance: null }, ['m.send.event:m.room.message'], [], 1);
    await grants.recordDecision(widget('@b:hs'), '!room:hs', { hostInstance: null }, ['m.send.event:m.room.message'], [], 1);
    await grants.bindRoom(widget('@a:hs'), undefined, '!room:hs');
    await grants.bindRoom(widget('@b:hs'), undefined, '!room:hs');
    await grants.removeAccount('@a:hs');
    expect(await grants.list('@a:hs')).toEqual([]);
    expect(await grants.list('@b:hs')).toHaveLength(1);
    expect(await grants.boundRoom(widget('@a:hs'), undefined)).toBeUndefined();
    expect(await grants.boundRoom(widget('@b:hs'), undefined)).toBe('!room:hs');
  });
});

describe('a widget keeps its account (issue #18, finding 2)', () => {
  it('acts through the account it was approved under while another is active, and is refused once that one is logged out', async () => {
    const alice = await freshUser('alice');
    const bob = await freshUser('bob');
    const roomId = await sharedRoom(alice, bob, 'Pinned account room');
    const accounts = new Accounts(new AccountSessions(memoryStore()), { persistence: 'memory' });
    await accounts.login(homeserverUrl(), bob.username, bob.password);
    await accounts.login(homeserverUrl(), alice.username, alice.password);
    // alice is active: the frame that connects now is hosted for her.
    const harness = await hostHarness(alice, { capabilities: [SEND], roomHint: roomId, account: accounts.pinned() });
    const first = await harness.request('send_event', { type: 'm.room.message', content: { msgtype: 'm.text', body: 'as alice' } });
    expect(typeof first['event_id']).toBe('string');
    expect(harness.asked.map((pending) => pending.identity.account)).toEqual([alice.userId]);

    // Another account becomes active while the host still runs (it registered during the switch).
    await accounts.switchTo(bob.userId);
    const sent = await harness.request('send_event', { type: 'm.room.message', content: { msgtype: 'm.text', body: 'still alice' } });
    expect(typeof sent['event_id']).toBe('string');
    const event = await bob.client.fetchRoomEvent(roomId, String(sent['event_id']));
    expect(event.sender).toBe(alice.userId);

    // alice logs out: her widget's requests are refused, never served by bob's client.
    await accounts.switchTo(alice.userId);
    await accounts.logout();
    expect(await accounts.userId()).toBe(bob.userId);
    const refused = await harness.request('send_event', { type: 'm.room.message', content: { msgtype: 'm.text', body: 'as whom?' } });
    expect(refused['error']).toBeDefined();
    expect((await roomMessages(bob, roomId)).map((message) => message.content?.['body'])).not.toContain('as whom?');
  });
});
