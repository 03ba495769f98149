// One widget's account: the account that was active when the widget first needed one, and that
// account whatever becomes active later. A host acts through its own account's client only; once
// that account is logged out, its requests are refused (NotLoggedIn), never served by another
// account's client under grants the user gave the first one (issue #18, finding 2).
import type { MatrixClient } from 'matrix-js-sdk';
import { NotLoggedIn } from './matrix-session';

/** What a pinned account needs of `Accounts`. */
export type AccountLookup = {
  userId(): Promise<string | undefined>;
  whenLoggedIn(): Promise<string>;
  requireClientOf(userId: string): Promise<MatrixClient>;
};

export class PinnedAccount {
  private pinned: string | undefined;

  constructor(private readonly accounts: AccountLookup) {}

  /** The account, once pinned (undefined before the widget needed one). */
  get pinnedUserId(): string | undefined {
    return this.pinned;
  }

  async userId(): Promise<string | undefined> {
    const active = this.pinned ?? (await this.accounts.userId());
    // Concurrent first calls may see different active accounts: the first to return wins.
    if (active !== undefined) this.pinned ??= active;
    return this.pinned;
  }

  async whenLoggedIn(): Promise<string> {
    if (this.pinned !== undefined) return this.pinned;
    const active = await this.accounts.whenLoggedIn();
    this.pinned ??= active;
    return this.pinned;
  }

  async requireClient(): Promise<MatrixClient> {
    const userId = await this.userId();
    if (userId === undefined) throw new NotLoggedIn();
    return this.accounts.requireClientOf(userId);
  }
}
