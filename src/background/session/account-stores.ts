// Where one account's client keeps its state. Every database name carries the user and device, so
// two accounts (or a later login of the same user) never share a crypto or sync store, and logout
// can delete exactly the stores of the device it ends.

/** Prefix of the Rust crypto store's IndexedDB databases (`<prefix>::matrix-sdk-crypto`, `…-meta`). */
export function cryptoStorePrefix(userId: string, deviceId: string): string {
  return `mwb-crypto:${userId}:${deviceId}`;
}

/** The IndexedDB database js-sdk's IndexedDBStore keeps the saved sync in (it adds `matrix-js-sdk:`). */
export function syncStoreName(userId: string, deviceId: string): string {
  return `mwb-sync:${userId}:${deviceId}`;
}

/** The `navigator.locks` name that makes one client the only writer of an account's stores. */
export function accountLockName(userId: string, deviceId: string): string {
  return `mwb-account:${userId}:${deviceId}`;
}

/** A fresh key for the crypto store's encryption at rest (32 random bytes, base64). */
export function newStoreKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes));
}

export function decodeStoreKey(encoded: string): Uint8Array {
  return Uint8Array.from(atob(encoded), (char) => char.charCodeAt(0));
}

const isAccountStore = (name: string): boolean => name.startsWith('mwb-crypto:') || name.startsWith('matrix-js-sdk:mwb-sync:');

/**
 * Deletes every account store that belongs to none of the accounts in use: a logout
 * whose deletion was blocked (a crypto object still held the database open) finishes here, on the
 * next start. Deletions are requested, not awaited: a blocked one completes later.
 */
export async function deleteStaleAccountStores(
  accountsInUse: () => Promise<readonly { userId: string; deviceId: string }[]>,
): Promise<string[]> {
  const names = (await indexedDB.databases()).map((database) => database.name ?? '');
  // Asked after listing: a login saves its session before its databases exist, so a database
  // created meanwhile always belongs to an account in this list.
  const keep = await accountsInUse();
  const keepPrefixes = keep.flatMap(({ userId, deviceId }) => [cryptoStorePrefix(userId, deviceId), `matrix-js-sdk:${syncStoreName(userId, deviceId)}`]);
  const stale = names.filter((name) => isAccountStore(name) && !keepPrefixes.some((prefix) => name.startsWith(prefix)));
  for (const name of stale) indexedDB.deleteDatabase(name);
  return stale;
}
