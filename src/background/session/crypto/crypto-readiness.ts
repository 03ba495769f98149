// A client is usable for plain requests at once, but its crypto (and saved sync) load in the
// background after a wake. Code that needs crypto waits here instead of finding `getCrypto()` empty
// and mistaking the client for one without encryption.
import type { MatrixClient } from 'matrix-js-sdk';
import type { CryptoApi } from 'matrix-js-sdk/lib/crypto-api/index.js';

const readiness = new WeakMap<MatrixClient, Promise<void>>();

export function setCryptoReadiness(client: MatrixClient, ready: Promise<void>): void {
  readiness.set(client, ready);
}

/** The client's crypto once it has loaded; undefined when this client has none (it failed to load). */
export async function cryptoOf(client: MatrixClient): Promise<CryptoApi | undefined> {
  await readiness.get(client);
  return client.getCrypto();
}
