// The session store of several accounts: a profile from before several accounts keeps its session.
import { describe, expect, it } from 'vitest';
import { AccountSessions } from '../../src/background/session/session-store';
import { memoryStore } from '../support/memory-store';

const session = { homeserverUrl: 'https://hs.example', userId: '@a:hs', deviceId: 'DEV', accessToken: 'secret' };

describe('AccountSessions', () => {
  it('moves the single session of an older profile to its account key and makes it active', async () => {
    const store = memoryStore();
    await store.put('current', session);
    const sessions = new AccountSessions(store);
    expect(await sessions.list()).toEqual([session]);
    expect(await sessions.activeUserId()).toBe('@a:hs');
    expect(store.entries.has('current')).toBe(false);
    expect(store.entries.get('account:@a:hs')).toEqual(session);
  });

  it('keys a new login by the user it turned out to be', async () => {
    const store = memoryStore();
    const sessions = new AccountSessions(store);
    const slot = sessions.slot();
    expect(await slot.load()).toBeUndefined();
    await slot.save(session);
    expect(await slot.load()).toEqual(session);
    expect(await sessions.slot('@a:hs').load()).toEqual(session);
    await slot.clear();
    expect(await sessions.list()).toEqual([]);
  });
});
