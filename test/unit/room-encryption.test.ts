// Whether a send must be encrypted (room-encryption.ts), against a fake client: a room whose synced
// state is incomplete is never taken for an unencrypted one.
import { MatrixError, type MatrixClient } from 'matrix-js-sdk';
import { describe, expect, it } from 'vitest';
import { isRoomEncrypted } from '../../src/background/widgets/actions/room-encryption';

type FakeRoom = { membership: string; state: string[] };

/** A client without crypto whose room (if any) has `state` (event types); the server answers `server`. */
function fakeClient(room: FakeRoom | undefined, server: () => Promise<unknown>) {
  const asked: string[] = [];
  const client = {
    getRoom: () =>
      room && {
        hasEncryptionStateEvent: () => room.state.includes('m.room.encryption'),
        getMyMembership: () => room.membership,
        currentState: { getStateEvents: (type: string) => (room.state.includes(type) ? { getType: () => type } : null) },
      },
    getCrypto: () => undefined,
    http: {
      authedRequest: async (_method: string, path: string) => {
        asked.push(path);
        return server();
      },
    },
  };
  return { client: client as unknown as MatrixClient, asked };
}

const encrypted = async () => ({ algorithm: 'm.megolm.v1.aes-sha2' });
const notFound = async () => {
  throw new MatrixError({ errcode: 'M_NOT_FOUND', error: 'no such state' }, 404);
};

describe('isRoomEncrypted', () => {
  it('takes the synced state of a joined room as it is', async () => {
    const clear = fakeClient({ membership: 'join', state: ['m.room.create', 'm.room.power_levels'] }, encrypted);
    expect(await isRoomEncrypted({ client: clear.client, lane: 'test' }, '!a:hs')).toBe(false);
    expect(clear.asked).toEqual([]);
    const synced = fakeClient({ membership: 'join', state: ['m.room.create', 'm.room.power_levels', 'm.room.encryption'] }, notFound);
    expect(await isRoomEncrypted({ client: synced.client, lane: 'test' }, '!a:hs')).toBe(true);
  });

  it.each([
    ['its create event', ['m.room.power_levels', 'm.room.member']],
    ['its power levels', ['m.room.create', 'm.room.member']],
  ])('asks the server about a joined room whose synced state lacks %s', async (_, state) => {
    const incomplete = fakeClient({ membership: 'join', state }, encrypted);
    expect(await isRoomEncrypted({ client: incomplete.client, lane: 'test' }, '!a:hs')).toBe(true);
    expect(incomplete.asked).toEqual(['/rooms/!a%3Ahs/state/m.room.encryption/']);
    const clear = fakeClient({ membership: 'join', state: [] }, notFound);
    expect(await isRoomEncrypted({ client: clear.client, lane: 'test' }, '!a:hs')).toBe(false);
  });

  it('fails rather than answer "not encrypted" when the server cannot be asked', async () => {
    const down = fakeClient({ membership: 'join', state: [] }, async () => {
      throw new MatrixError({ errcode: 'M_FORBIDDEN', error: 'no' }, 403);
    });
    await expect(isRoomEncrypted({ client: down.client, lane: 'test' }, '!a:hs')).rejects.toThrow();
  });
});
