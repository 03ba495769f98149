// Persists the logged-in Matrix sessions (access tokens included) in IndexedDB. Tokens never leave
// this module's callers in the background.
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

/** Where one account's session is kept. */
export type SessionSlot = {
  load(): Promise<StoredSession | undefined>;
  save(session: StoredSession): Promise<void>;
  clear(): Promise<void>;
};

function parse(value: unknown): StoredSession | undefined {
  const parsed = v.safeParse(StoredSession, value);
  return parsed.success ? parsed.output : undefined;
}

/** One session under one key: a single account (and the Node tests). */
export class SessionStore implements SessionSlot {
  constructor(
    private readonly store: KeyValueStore,
    private readonly key = 'current',
  ) {}

  async load(): Promise<StoredSession | undefined> {
    return parse(await this.store.get(this.key));
  }

  save(session: StoredSession): Promise<void> {
    return this.store.put(this.key, session);
  }

  clear(): Promise<void> {
    return this.store.delete(this.key);
  }
}

/** An account whose session the homeserver ended, until the user logs in again or dismisses the notice. */
const EndedSession = v.object({ userId: v.string(), homeserverUrl: v.string(), endedAt: v.number() });
export type EndedSessionNotice = v.InferOutput<typeof EndedSession>;

const ACCOUNT_PREFIX = 'account:';
const ENDED_PREFIX = 'ended:';
const ACTIVE = 'active';
/** Where the single session lived before several accounts could be logged in. */
const LEGACY_CURRENT = 'current';

/** Every logged-in account's session, one key each, and which account is active. */
export class AccountSessions {
  /** The legacy key is looked at once per worker lifetime, not on every listing. */
  private migrated: Promise<void> | undefined;

  constructor(private readonly store: KeyValueStore) {}

  /** The slot of a known account, or of a login to come (its key is learnt when it is saved). */
  slot(userId?: string): SessionSlot {
    let key = userId === undefined ? undefined : ACCOUNT_PREFIX + userId;
    return {
      load: async () => (key === undefined ? undefined : parse(await this.store.get(key))),
      save: async (session) => {
        key = ACCOUNT_PREFIX + session.userId;
        await this.store.put(key, session);
      },
      clear: async () => {
        if (key !== undefined) await this.store.delete(key);
      },
    };
  }

  async list(): Promise<StoredSession[]> {
    this.migrated ??= this.migrate();
    await this.migrated;
    const keys = (await this.store.keys()).filter((key) => key.startsWith(ACCOUNT_PREFIX)).sort();
    const sessions = await Promise.all(keys.map(async (key) => parse(await this.store.get(key))));
    return sessions.filter((session): session is StoredSession => session !== undefined);
  }

  /** Sessions the homeserver ended whose notice the user has not dismissed, oldest first. */
  async endedSessions(): Promise<EndedSessionNotice[]> {
    const keys = (await this.store.keys()).filter((key) => key.startsWith(ENDED_PREFIX));
    const notices = await Promise.all(keys.map(async (key) => v.safeParse(EndedSession, await this.store.get(key))));
    return notices.flatMap((parsed) => (parsed.success ? [parsed.output] : [])).sort((a, b) => a.endedAt - b.endedAt);
  }

  noteEnded(notice: EndedSessionNotice): Promise<void> {
    return this.store.put(ENDED_PREFIX + notice.userId, notice);
  }

  forgetEnded(userId: string): Promise<void> {
    return this.store.delete(ENDED_PREFIX + userId);
  }

  async activeUserId(): Promise<string | undefined> {
    const value = await this.store.get(ACTIVE);
    return typeof value === 'string' ? value : undefined;
  }

  async setActive(userId: string | undefined): Promise<void> {
    if (userId === undefined) await this.store.delete(ACTIVE);
    else await this.store.put(ACTIVE, userId);
  }

  /** A profile from before several accounts: its session becomes the active account. */
  private async migrate(): Promise<void> {
    const legacy = parse(await this.store.get(LEGACY_CURRENT));
    if (!legacy) return;
    await this.store.put(ACCOUNT_PREFIX + legacy.userId, legacy);
    await this.setActive(legacy.userId);
    await this.store.delete(LEGACY_CURRENT);
  }
}
