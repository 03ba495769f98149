// A session the homeserver ends (the device removed from another client's session list, or by an
// admin): the account ends locally as a logout would, without asking the server, the user is told
// until they log in again or dismiss it, and widgets get NotLoggedIn's message, not a raw 401.
// Real Synapse, stores in memory.
import { describe, expect, it } from 'vitest';
import type { MatrixClient } from 'matrix-js-sdk';
import { Accounts } from '../../src/background/session/accounts';
import { NotLoggedIn } from '../../src/background/session/matrix-session';
import { AccountSessions } from '../../src/background/session/session-store';
import { toWidgetError } from '../../src/background/widgets/actions/widget-errors';
import { eventually, freshUser, homeserverUrl, removeDeviceAsAdmin, removeDeviceAsUser, sharedRoom } from '../support/homeserver';
import { hostHarness } from '../support/host-harness';
import { memoryStore } from '../support/memory-store';

const SEND = 'org.matrix.msc2762.send.event:m.room.message';

async function syncing(accounts: Accounts): Promise<MatrixClient> {
  accounts.acquireSync();
  const client = await accounts.requireClient();
  await eventually('the first sync', async () => (client.isInitialSyncComplete() ? true : undefined));
  return client;
}

describe('a session the homeserver ended', () => {
  it('ends the active account when the user removes its device elsewhere, says so, and switches to the other account', async () => {
    const alice = await freshUser('alice');
    const bob = await freshUser('bob');
    const store = memoryStore();
    const accounts = new Accounts(new AccountSessions(store), { persistence: 'memory' });
    const closedFor: string[] = [];
    accounts.onActiveAccountEnded(async (userId) => {
      // Widgets stop while no account is active: never with the next account's client.
      expect(await accounts.userId()).toBeUndefined();
      closedFor.push(userId);
    });
    let nudges = 0;
    accounts.onStatusChange(() => nudges++);
    await accounts.login(homeserverUrl(), bob.username, bob.password);
    await accounts.login(homeserverUrl(), alice.username, alice.password);
    const aliceClient = await syncing(accounts);
    const aliceDevice = (await accounts.status()).session?.deviceId ?? '';
    expect(store.entries.has(`account:${alice.userId}`)).toBe(true);

    await removeDeviceAsUser(alice, aliceDevice);

    // Sync learns it (no widget asked anything): the account ends, Bob takes over, open popups are told.
    // The long poll in flight may run out first (20 s).
    const status = await eventually(
      'the account to end',
      async () => {
        const current = await accounts.status();
        return current.session?.userId === bob.userId && nudges > 0 ? current : undefined;
      },
      45_000,
    );
    expect(status.accounts).toEqual([{ userId: bob.userId, homeserverUrl: homeserverUrl(), isActive: true }]);
    expect(status.endedSessions).toEqual([{ userId: alice.userId, homeserverUrl: homeserverUrl() }]);
    expect(closedFor).toEqual([alice.userId]);
    expect(store.entries.has(`account:${alice.userId}`)).toBe(false);
    expect(aliceClient.clientRunning).toBe(false);
    expect(JSON.stringify(status)).not.toMatch(/syt_/);
    expect((await (await accounts.requireClient()).whoami()).user_id).toBe(bob.userId);
    // A request still made with the old client's token reaches a widget as NotLoggedIn's message.
    const refused = toWidgetError(await aliceClient.whoami().catch((error: unknown) => error));
    expect(refused).toEqual({ error: { message: new NotLoggedIn().message } });

    // The notice outlives the worker, until dismissed.
    const afterRestart = new Accounts(new AccountSessions(store), { persistence: 'memory' });
    expect((await afterRestart.status()).endedSessions.map((ended) => ended.userId)).toEqual([alice.userId]);
    await afterRestart.dismissEndedSession(alice.userId);
    expect((await afterRestart.status()).endedSessions).toEqual([]);
    expect((await afterRestart.status()).session?.userId).toBe(bob.userId);
  });

  it('ends the only account when an admin deletes its device, without hanging on the server, until the user logs in again', async () => {
    const admin = await freshUser('admin', { admin: true });
    const alice = await freshUser('alice');
    const store = memoryStore();
    const accounts = new Accounts(new AccountSessions(store), { persistence: 'memory' });
    await accounts.login(homeserverUrl(), alice.username, alice.password);
    await syncing(accounts);
    const deviceId = (await accounts.status()).session?.deviceId ?? '';

    await removeDeviceAsAdmin(admin, alice.userId, deviceId);

    const status = await eventually(
      'the account to end',
      async () => {
        const current = await accounts.status();
        return current.session === null && current.endedSessions.length > 0 ? current : undefined;
      },
      45_000,
    );
    expect(status).toMatchObject({ session: null, encryption: null, accounts: [], endedSessions: [{ userId: alice.userId }] });
    expect([...store.entries.keys()].filter((key) => key.startsWith('account:'))).toEqual([]);
    await expect(accounts.requireClient()).rejects.toBeInstanceOf(NotLoggedIn);

    // Logging in again (a new device) takes the notice away.
    await accounts.login(homeserverUrl(), alice.username, alice.password);
    const again = await accounts.status();
    expect(again.session?.userId).toBe(alice.userId);
    expect(again.session?.deviceId).not.toBe(deviceId);
    expect(again.endedSessions).toEqual([]);
  });

  it('answers a widget with NotLoggedIn’s message once the device is gone, not with the homeserver’s 401', async () => {
    const alice = await freshUser('alice');
    const bob = await freshUser('bob');
    const roomId = await sharedRoom(bob, alice, 'Ended room');
    const harness = await hostHarness(alice, { capabilities: [SEND], roomHint: roomId });
    const send = (body: string) => harness.request('send_event', { type: 'm.room.message', content: { msgtype: 'm.text', body } });
    expect(await send('before')).toHaveProperty('event_id');
    const deviceId = (await harness.session.status()).session?.deviceId ?? '';

    await removeDeviceAsUser(alice, deviceId);

    // The request that meets the 401 first, and every one after it.
    expect(await send('racing the end')).toEqual({ error: { message: new NotLoggedIn().message } });
    expect(await send('after the end')).toEqual({ error: { message: new NotLoggedIn().message } });
    expect((await harness.session.status()).session).toBeNull();
  });
});
