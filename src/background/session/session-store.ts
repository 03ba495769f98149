// Persists the logged-in Matrix session (access token included) in IndexedDB. The token never
// leaves this module's callers in the background.
import * as v from 'valibot';
import type { KeyValueStore } from '../adapters/database';

export const StoredSession = v.object({
  homeserverUrl: v.string(),
  userId: v.string(),
  deviceId: v.string(),
  accessToken: v.string(),
  /** Encrypts the account's crypto store at rest; absent in sessions saved before crypto existed. */
  storeKey: v.optional(v.string()),
  /**
   * Present for OIDC-native sessions (MSC3861): the server that issued the tokens, the extension's
   * client id there, and the refresh token, which is replaced each time js-sdk renews the tokens.
   */
  oidc: v.optional(
    v.object({ issuer: v.string(), clientId: v.string(), refreshToken: v.optional(v.string()) }),
  ),
});
export type StoredSession = v.InferOutput<typeof StoredSession>;

const CURRENT = 'current';

export class SessionStore {
  constructor(private readonly store: KeyValueStore) {}

  async load(): Promise<StoredSession | undefined> {
    const parsed = v.safeParse(StoredSession, await this.store.get(CURRENT));
    return parsed.success ? parsed.output : undefined;
  }

  save(session: StoredSession): Promise<void> {
    return this.store.put(CURRENT, session);
  }

  clear(): Promise<void> {
    return this.store.delete(CURRENT);
  }
}
