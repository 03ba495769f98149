// The popup's encryption status must be answered while the homeserver is away (issue #7): the one
// question that goes to the server, the account's cross-signing identity, is waited for briefly.
import { describe, expect, it } from 'vitest';
import { CrossSigningAnswer } from '../../src/background/session/crypto/encryption-status';

/** A fake of js-sdk's check whose answers the test gives, one per call. */
function serverCheck() {
  const pending: { resolve: (value: boolean) => void; reject: (error: Error) => void }[] = [];
  return {
    crypto: {
      userHasCrossSigningKeys: () => new Promise<boolean>((resolve, reject) => pending.push({ resolve, reject })),
    },
    calls: () => pending.length,
    answer: (value: boolean) => pending.shift()?.resolve(value),
    fail: () => pending.shift()?.reject(new Error('fetch failed')),
  };
}

describe('CrossSigningAnswer', () => {
  it('is unknown (null) when the homeserver does not answer in time, and asks once while waiting', async () => {
    const server = serverCheck();
    const identity = new CrossSigningAnswer(5);
    expect(await identity.get(server.crypto, '@a:hs')).toBeNull();
    expect(await identity.get(server.crypto, '@a:hs')).toBeNull();
    expect(server.calls()).toBe(1);
  });

  it('gives the answer once it came, and keeps it when a later question fails', async () => {
    const server = serverCheck();
    const identity = new CrossSigningAnswer(60_000);
    const first = identity.get(server.crypto, '@a:hs');
    server.answer(true);
    expect(await first).toBe(true);
    const second = identity.get(server.crypto, '@a:hs');
    server.fail();
    expect(await second).toBe(true);
  });

  it('follows a changed answer (an identity set up meanwhile)', async () => {
    const server = serverCheck();
    const identity = new CrossSigningAnswer(60_000);
    const before = identity.get(server.crypto, '@a:hs');
    server.answer(false);
    expect(await before).toBe(false);
    const after = identity.get(server.crypto, '@a:hs');
    server.answer(true);
    expect(await after).toBe(true);
  });

  it('uses a late answer for the next status', async () => {
    const server = serverCheck();
    const identity = new CrossSigningAnswer(5);
    expect(await identity.get(server.crypto, '@a:hs')).toBeNull();
    server.answer(false);
    await new Promise((resolve) => setTimeout(resolve, 0));
    const next = identity.get(server.crypto, '@a:hs');
    expect(server.calls()).toBe(1); // a new question went out ...
    expect(await next).toBe(false); // ... and the late answer is what this status says meanwhile
  });
});
