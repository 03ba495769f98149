// The background's Matrix side in Node against the real Synapse: login, sending and reading in the
// bound room, and how homeserver errors reach a widget.
import { describe, expect, it } from 'vitest';
import { MatrixSession, NotLoggedIn } from '../../src/background/session/matrix-session';
import { SessionStore } from '../../src/background/session/session-store';
import { readTimelinePage, sendRoomEvent } from '../../src/background/widgets/actions/room-actions';
import { toWidgetError } from '../../src/background/widgets/actions/widget-errors';
import { eventually, freshUser, homeserverUrl, roomMessages, sendText, sharedRoom } from '../support/homeserver';
import { memoryStore } from '../support/memory-store';

describe('MatrixSession against Synapse', () => {
  it('logs in with a password, keeps the session in its store, and restores it in a new worker', async () => {
    const alice = await freshUser('alice');
    const store = memoryStore();
    const session = new MatrixSession(new SessionStore(store));
    await session.login(homeserverUrl(), alice.username, alice.password);
    const status = await session.status();
    expect(status.session?.userId).toBe(alice.userId);
    expect(JSON.stringify(status)).not.toContain('syt_'); // Synapse's token prefix: no secret in status

    // A new worker (new MatrixSession) over the same store: logged in without asking again.
    const afterRestart = new MatrixSession(new SessionStore(store));
    expect((await afterRestart.status()).session?.deviceId).toBe(status.session?.deviceId);
    const whoami = await (await afterRestart.requireClient()).whoami();
    expect(whoami.user_id).toBe(alice.userId);
  });

  it('hands on clear live events as their sync arrives, before js-sdk has built them in, and each once (issue #8)', async () => {
    const alice = await freshUser('alice');
    const bob = await freshUser('bob');
    const roomId = await sharedRoom(bob, alice, 'Early room');
    const session = new MatrixSession(new SessionStore(memoryStore()));
    await session.login(homeserverUrl(), alice.username, alice.password);
    const client = await session.requireClient();
    const handedOn: { eventId: string; isInJsSdkRoom: boolean }[] = [];
    session.onLiveEvent((room, event) => {
      if (room !== roomId) return;
      const eventId = event.getId() ?? '';
      handedOn.push({ eventId, isInJsSdkRoom: client.getRoom(roomId)?.findEventById(eventId) !== undefined });
    });
    session.acquireSync();
    try {
      await eventually('the first sync', async () => (client.isInitialSyncComplete() ? true : undefined));
      const sent = [await sendText(bob, roomId, 'early 1'), await sendText(bob, roomId, 'early 2'), await sendText(bob, roomId, 'early 3')];
      // Once js-sdk holds them, its own copies have been emitted too.
      await eventually('js-sdk to hold the events', async () => (sent.every((id) => client.getRoom(roomId)?.findEventById(id)) ? true : undefined));
      expect(handedOn.filter(({ eventId }) => sent.includes(eventId))).toEqual(sent.map((eventId) => ({ eventId, isInJsSdkRoom: false })));
    } finally {
      client.stopClient();
    }
  });

  it('refuses to act when nobody is logged in, with a message for the user', async () => {
    const session = new MatrixSession(new SessionStore(memoryStore()));
    await expect(session.requireClient()).rejects.toBeInstanceOf(NotLoggedIn);
    expect(toWidgetError(new NotLoggedIn()).error.message).toMatch(/log in/);
  });

  it('sends into a room and reads it back newest first', async () => {
    const alice = await freshUser('alice');
    const bob = await freshUser('bob');
    const roomId = await sharedRoom(bob, alice, 'Integration room');
    const session = new MatrixSession(new SessionStore(memoryStore()));
    await session.login(homeserverUrl(), alice.username, alice.password);
    const client = await session.requireClient();
    const first = await sendRoomEvent({ client, lane: 'test' }, roomId, 'm.room.message', { msgtype: 'm.text', body: 'one' }, undefined);
    const second = await sendRoomEvent({ client, lane: 'test' }, roomId, 'm.room.message', { msgtype: 'm.text', body: 'two' }, undefined);
    expect(first.room_id).toBe(roomId);
    const { events: read } = await readTimelinePage({ client, lane: 'test' }, roomId, 'm.room.message', 10, undefined, 'b');
    const idOf = (result: object) => (result as { event_id: string }).event_id;
    expect(read.slice(0, 2).map((event) => event.event_id)).toEqual([idOf(second), idOf(first)]);
    expect(read.every((event) => event.room_id === roomId)).toBe(true);
    expect((await roomMessages(bob, roomId)).map((event) => event.event_id)).toContain(idOf(first));
  });

  it('passes a homeserver refusal to the widget as matrix_api_error, without secrets', async () => {
    const alice = await freshUser('alice');
    const bob = await freshUser('bob');
    const { room_id: bobsRoom } = await bob.client.createRoom({ name: 'Not for alice' });
    const session = new MatrixSession(new SessionStore(memoryStore()));
    await session.login(homeserverUrl(), alice.username, alice.password);
    const client = await session.requireClient();
    const error = await sendRoomEvent({ client, lane: 'test' }, bobsRoom, 'm.room.message', { msgtype: 'm.text', body: 'x' }, undefined).catch(
      (caught: unknown) => caught,
    );
    const reply = toWidgetError(error);
    expect(reply.error.matrix_api_error?.http_status).toBe(403);
    expect(reply.error.matrix_api_error?.response).toMatchObject({ errcode: 'M_FORBIDDEN' });
    expect(reply.error.matrix_api_error?.url).toContain(encodeURIComponent(bobsRoom));
    expect(Object.keys(reply.error.matrix_api_error?.http_headers ?? {})).toEqual(['content-type']);
    expect(JSON.stringify(reply)).not.toMatch(/access_token|syt_|Bearer/);
  });
});
