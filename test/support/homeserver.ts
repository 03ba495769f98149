// The real Synapse of this test run, fresh users per test, and a second real client (matrix-js-sdk
// in Node) that acts as the peer and checks what actually reached the homeserver.
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { createClient, Direction, Method, type IEvent, type MatrixClient } from 'matrix-js-sdk';
import { logger } from 'matrix-js-sdk/lib/logger.js';
import { registerUser } from '../../scripts/synapse.mjs';

// The peer's request log would drown the test output.
// js-sdk's logger is a loglevel logger; its type does not expose setLevel.
(logger as unknown as { setLevel(level: string): void }).setLevel('warn');

export type TestUser = { userId: string; username: string; password: string; client: MatrixClient };

export function homeserverUrl(): string {
  return inject('homeserverUrl');
}

/** Registers a user with a unique name and returns it with a logged-in client (a Synapse admin with `admin`). */
export async function freshUser(prefix: string, { admin = false }: { admin?: boolean } = {}): Promise<TestUser> {
  const username = `${prefix}-${randomBytes(5).toString('hex')}`;
  const password = `pw-${randomBytes(8).toString('hex')}`;
  const registered = (await registerUser(homeserverUrl(), inject('registrationSecret'), username, password, { admin })) as {
    user_id: string;
    access_token: string;
    device_id: string;
  };
  const client = createClient({
    baseUrl: homeserverUrl(),
    userId: registered.user_id,
    accessToken: registered.access_token,
    deviceId: registered.device_id,
  });
  return { userId: registered.user_id, username, password, client };
}

/**
 * The user removes one of their devices from another client's session list (the user's own client
 * here), confirming with their password as Synapse asks (user-interactive auth).
 */
export async function removeDeviceAsUser(user: TestUser, deviceId: string): Promise<void> {
  const session = await user.client.deleteDevice(deviceId).then(
    () => undefined,
    (error: unknown) => (error as { data?: { session?: string } }).data?.session,
  );
  if (session === undefined) throw new Error('the homeserver did not ask to confirm the device removal');
  await user.client.deleteDevice(deviceId, {
    type: 'm.login.password',
    identifier: { type: 'm.id.user', user: user.userId },
    password: user.password,
    session,
  });
}

/** A Synapse admin deletes a user's device (`DELETE /_synapse/admin/v2/users/<user>/devices/<device>`). */
export async function removeDeviceAsAdmin(admin: TestUser, userId: string, deviceId: string): Promise<void> {
  await admin.client.http.authedRequest(Method.Delete, `/users/${encodeURIComponent(userId)}/devices/${encodeURIComponent(deviceId)}`, undefined, undefined, {
    prefix: '/_synapse/admin/v2',
  });
}

/** `owner` creates a room named `name` and `member` joins it. */
export async function sharedRoom(owner: TestUser, member: TestUser, name: string): Promise<string> {
  const { room_id: roomId } = await owner.client.createRoom({ name, invite: [member.userId], preset: 'private_chat' as never });
  await member.client.joinRoom(roomId);
  return roomId;
}

export async function sendText(user: TestUser, roomId: string, body: string): Promise<string> {
  const path = `/rooms/${encodeURIComponent(roomId)}/send/m.room.message/${randomBytes(8).toString('hex')}`;
  const { event_id: eventId } = await user.client.http.authedRequest<{ event_id: string }>(Method.Put, path, undefined, {
    msgtype: 'm.text',
    body,
  });
  return eventId;
}

/** The room's latest messages as the homeserver has them (newest first). */
export async function roomMessages(user: TestUser, roomId: string): Promise<Partial<IEvent>[]> {
  const response = await user.client.createMessagesRequest(roomId, null, 100, Direction.Backward);
  return response.chunk.filter((event) => event.type === 'm.room.message');
}

/** Polls `check` until it returns a value other than undefined, or fails with `what`. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * `owner` creates `count` rooms named `name(index)`, `inFlight` at a time (the test Synapse has no
 * rate limits), and returns their IDs in index order. Seconds for hundreds of rooms, not minutes.
 */
export async function createRooms(owner: TestUser, count: number, name: (index: number) => string, inFlight = 8): Promise<string[]> {
  const roomIds: string[] = new Array<string>(count);
  let next = 0;
  const creator = async (): Promise<void> => {
    for (let index = next++; index < count; index = next++) {
      roomIds[index] = (await owner.client.createRoom({ name: name(index), preset: 'private_chat' as never })).room_id;
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, count) }, creator));
  return roomIds;
}
