// A second real Synapse whose server name is `localhost:<port>`, so a Matrix ID on it
// (`@ann:localhost:<port>`) leads a client to it by Server Discovery: its own
// `/.well-known/matrix/client` names `http://127.0.0.1:<port>` as the homeserver. The run's main
// Synapse is `localhost` (port 80 for discovery, where nothing listens), which its tests rely on.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort, registerUser, startSynapse } from '../../scripts/synapse.mjs';

export type DiscoverableHomeserver = {
  baseUrl: string;
  serverName: string;
  /** Registers a user with a unique name; `userId` is its Matrix ID on this server. */
  user(prefix: string): Promise<{ userId: string; username: string; password: string }>;
  stop(): Promise<void>;
};

export async function startDiscoverableHomeserver(): Promise<DiscoverableHomeserver> {
  const port = await freePort();
  const serverName = `localhost:${port}`;
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'mwb-synapse-discovery-'));
  const synapse = await startSynapse({ dataDir, port, serverName });
  return {
    baseUrl: synapse.baseUrl,
    serverName,
    async user(prefix) {
      const username = `${prefix}-${randomBytes(5).toString('hex')}`;
      const password = `pw-${randomBytes(8).toString('hex')}`;
      const registered = (await registerUser(synapse.baseUrl, synapse.sharedSecret, username, password)) as { user_id: string };
      return { userId: registered.user_id, username, password };
    },
    async stop() {
      await synapse.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
