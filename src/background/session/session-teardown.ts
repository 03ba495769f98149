// Closing an account's client: for good (logout, or a session the homeserver ended), deleting its
// stores, or only for now (nobody needs sync), keeping them for the next wake.
import { createLogger } from '../../shared/log';
import { cryptoStorePrefix } from './account-stores';
import type { OpenAccount } from './client-factory';

const log = createLogger('bg:session');

/** How long logout waits for the account's databases to be deleted before reporting done. */
const STORE_DELETION_WAIT_MS = 3_000;

/**
 * Stops the client, tells the server (unless it already ended the session, or `isServerToBeTold` is
 * false), and deletes the crypto and sync stores. A failing server must not keep the user logged in.
 */
export async function closeForGood(account: OpenAccount, { isServerToBeTold }: { isServerToBeTold: boolean }): Promise<void> {
  const { client, session } = account;
  await account.ready;
  client.stopClient();
  if (isServerToBeTold && !account.isEndedByServer) {
    await client.logout(true).catch((error: unknown) => log.warn('server logout failed', String(error)));
  }
  account.releaseLock();
  const cleared = client
    .clearStores({ cryptoDatabasePrefix: cryptoStorePrefix(session.userId, session.deviceId) })
    .catch((error: unknown) => log.warn('clearing the stores failed', String(error)));
  // A verification object js-sdk still holds can keep the crypto database open, which blocks its
  // deletion until the worker stops; the user is logged out regardless, and the next start
  // deletes what is left (see `Accounts.restore`).
  await Promise.race([cleared, new Promise((resolve) => setTimeout(resolve, STORE_DELETION_WAIT_MS))]);
}

/**
 * Stops syncing while nobody needs it. js-sdk's stopClient also closes the Rust crypto machine for
 * good, so the client is dropped (the caller forgets it) and rebuilt from its stores when needed.
 */
export function closeForNow(account: OpenAccount): void {
  account.syncSaver?.saveNow();
  account.client.stopClient();
  account.releaseLock();
}
