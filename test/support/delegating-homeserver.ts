// A second real Synapse that delegates authentication (its `matrix_authentication_service`
// integration) to the MAS stand-in in front of a real OAuth 2.0 server (scripts/mas-stand-in.mjs),
// for the OIDC-native tests. Started by the test file that needs it: the run's main Synapse keeps
// password and SSO login, which a delegating Synapse refuses.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startMasStandIn } from '../../scripts/mas-stand-in.mjs';
import { freePort, startSynapse } from '../../scripts/synapse.mjs';

export type DelegatingHomeserver = {
  baseUrl: string;
  /** The OAuth 2.0 server's issuer, and the server itself (oidc-provider) to look tokens up. */
  issuer: string;
  provider: Awaited<ReturnType<typeof startMasStandIn>>['provider'];
  stop(): Promise<void>;
};

/** `accessTokenTtl` in seconds: short when a test wants to see a token expire. */
export async function startDelegatingHomeserver({ accessTokenTtl = 300 } = {}): Promise<DelegatingHomeserver> {
  const port = await freePort();
  const secret = randomBytes(16).toString('hex');
  const standIn = await startMasStandIn({ synapseUrl: `http://127.0.0.1:${port}`, secret, accessTokenTtl });
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'mwb-synapse-mas-'));
  const synapse = await startSynapse({ dataDir, port, mas: { endpoint: standIn.issuer, secret } }).catch(async (error: unknown) => {
    await standIn.stop(); // or its open server keeps the test run from exiting
    throw error;
  });
  return {
    baseUrl: synapse.baseUrl,
    issuer: standIn.issuer,
    provider: standIn.provider,
    async stop() {
      await synapse.stop();
      await standIn.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
