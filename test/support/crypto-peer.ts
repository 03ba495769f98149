// A peer with real end-to-end encryption: matrix-js-sdk in Node with Rust crypto (in memory), on the
// test user's own device. It can hold back the room keys it sends (the Olm-encrypted to-device
// messages) and deliver them later, to make the other side decrypt late.
import { randomBytes } from 'node:crypto';
import { ClientEvent, createClient, MatrixEventEvent, MatrixScheduler, Method, SyncState, type MatrixClient, type MatrixEvent } from 'matrix-js-sdk';
import type { Logger } from 'matrix-js-sdk/lib/logger.js';
import { homeserverUrl, type TestUser } from './homeserver';

export type CryptoPeer = {
  client: MatrixClient;
  /**
   * Starts a new Megolm session in the room (so the next message needs a new key) and from now
   * on keeps the room keys this peer sends instead of letting them reach the server.
   */
  holdRoomKeys(roomId: string): Promise<void>;
  /** Sends the kept room keys to the server, as they would have been, and stops holding. */
  releaseRoomKeys(): Promise<void>;
  /** The plaintext body of an event of the room once this peer has decrypted it. */
  decryptedBody(roomId: string, eventId: string): Promise<string | undefined>;
  /** Creates the user's cross-signing identity on this device (the device signs itself). */
  setUpCrossSigning(password: string): Promise<void>;
  stop(): void;
};

type HeldRequest = { path: string; body: string };

/**
 * Warnings and errors only, as test/support/homeserver.ts sets for js-sdk's root logger: the child
 * loggers Rust crypto uses start at debug level whatever the root's, and a bench's thousand
 * encrypted sends would flood the output with a dozen lines each.
 */
const quietLogger: Logger = {
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (...message) => console.warn(...message),
  error: (...message) => console.error(...message),
  getChild: () => quietLogger,
};

/**
 * `queuesSends: false` sends each message at once instead of after the previous one (js-sdk's
 * default scheduler queues a room's messages), so a bench can fill a room with a bounded pool.
 */
export async function cryptoPeer(user: TestUser, { queuesSends = true }: { queuesSends?: boolean } = {}): Promise<CryptoPeer> {
  let isHolding = false;
  const held: HeldRequest[] = [];
  const fetchFn: typeof fetch = async (input, init) => {
    const url = new URL(String(input instanceof Request ? input.url : input));
    // Olm-encrypted to-device messages carry the Megolm room keys.
    if (isHolding && init?.method === 'PUT' && url.pathname.includes('/sendToDevice/m.room.encrypted/')) {
      held.push({ path: url.pathname, body: String(init.body) });
      return new Response('{}', { status: 200, headers: { 'content-type': 'application/json' } });
    }
    return globalThis.fetch(input, init);
  };
  const accessToken = user.client.getAccessToken() ?? '';
  const client = createClient({
    baseUrl: homeserverUrl(),
    userId: user.userId,
    deviceId: user.client.getDeviceId() ?? '',
    accessToken,
    fetchFn,
    logger: quietLogger,
    ...(queuesSends ? {} : { scheduler: new MatrixScheduler(undefined, () => null) }),
  });
  client.setMaxListeners(50);
  await client.initRustCrypto({ useIndexedDB: false });
  await client.startClient({ initialSyncLimit: 20 });
  await new Promise<void>((resolve) => {
    const onSync = (state: SyncState) => {
      if (state !== SyncState.Prepared && state !== SyncState.Syncing) return;
      client.off(ClientEvent.Sync, onSync);
      resolve();
    };
    client.on(ClientEvent.Sync, onSync);
  });
  return {
    client,
    async holdRoomKeys(roomId) {
      await client.getCrypto()?.forceDiscardSession(roomId);
      isHolding = true;
    },
    async releaseRoomKeys() {
      isHolding = false;
      for (const request of held.splice(0)) {
        // A new transaction id: the held request never reached the server.
        const path = request.path.replace(/\/sendToDevice\/m\.room\.encrypted\/.*$/, `/sendToDevice/m.room.encrypted/${randomBytes(8).toString('hex')}`);
        const response = await globalThis.fetch(`${homeserverUrl()}${path}`, {
          method: 'PUT',
          headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
          body: request.body,
        });
        if (!response.ok) throw new Error(`releasing a held room key failed: ${response.status}`);
      }
    },
    async decryptedBody(roomId, eventId) {
      const event = client.getRoom(roomId)?.findEventById(eventId);
      if (!event) return undefined;
      await client.decryptEventIfNeeded(event);
      if (event.isDecryptionFailure()) return undefined;
      const body = event.getContent()['body'];
      return typeof body === 'string' ? body : undefined;
    },
    async setUpCrossSigning(password) {
      await client.getCrypto()?.bootstrapCrossSigning({
        setupNewCrossSigning: true,
        authUploadDeviceSigningKeys: async (makeRequest) => {
          await makeRequest({ type: 'm.login.password', identifier: { type: 'm.id.user', user: user.userId }, password });
        },
      });
    },
    stop: () => client.stopClient(),
  };
}

/** Waits until `event` (possibly still encrypted) has decrypted. */
export function decrypted(event: MatrixEvent): Promise<MatrixEvent> {
  if (!event.isBeingDecrypted() && !event.isDecryptionFailure() && event.getClearContent()) return Promise.resolve(event);
  return new Promise((resolve) => event.once(MatrixEventEvent.Decrypted, () => resolve(event)));
}

/** `owner` creates an end-to-end encrypted room and `member` joins it. */
export async function encryptedRoom(owner: TestUser, member: TestUser, name: string): Promise<string> {
  const { room_id: roomId } = await owner.client.createRoom({
    name,
    invite: [member.userId],
    preset: 'private_chat' as never,
    initial_state: [{ type: 'm.room.encryption', state_key: '', content: { algorithm: 'm.megolm.v1.aes-sha2' } }],
  });
  await member.client.joinRoom(roomId);
  return roomId;
}

/** The event as stored on the homeserver (what anyone without keys sees). */
export async function rawEvent(user: TestUser, roomId: string, eventId: string): Promise<{ type: string; content: Record<string, unknown> }> {
  return user.client.http.authedRequest(Method.Get, `/rooms/${encodeURIComponent(roomId)}/event/${encodeURIComponent(eventId)}`);
}

/**
 * Resolves once `client` knows the device `deviceId` of `userId` (any device when absent), so what
 * it encrypts next is readable there.
 */
export async function waitForDeviceKeys(peer: CryptoPeer | { client: MatrixClient }, userId: string, deviceId?: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const devices = (await peer.client.getCrypto()?.getUserDeviceInfo([userId], true))?.get(userId);
    if (deviceId === undefined ? (devices?.size ?? 0) > 0 : devices?.has(deviceId)) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`no device keys for ${userId}`);
}
