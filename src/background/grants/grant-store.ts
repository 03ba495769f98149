// The user's decisions per (account, site, widget URL, widget id, room), and the room each widget
// was bound to. Values read back are parsed; a malformed record counts as no decision.
// Decisions the user did not ask to remember carry the host instance (one page load) they were made
// for, and are dropped when that instance ends. Decisions read are kept in memory for this worker;
// every write through this store (the background is the only writer) drops what it changed.
import * as v from 'valibot';
import { mergeDecision, type StoredDecision } from '../../shared/core/grant-policy';
import { syncScopeOf, type SyncScope } from '../../shared/core/sync-scope';
import { bindingKey, grantKey, isOnSite, type WidgetIdentity } from '../../shared/core/widget-identity';
import type { GrantView } from '../../shared/protocol/background-to-ui';
import type { KeyValueStore } from '../adapters/database';

const GrantRecord = v.object({
  account: v.string(),
  siteOrigin: v.string(),
  widgetUrl: v.string(),
  widgetId: v.string(),
  roomId: v.string(),
  granted: v.array(v.string()),
  denied: v.array(v.string()),
  decidedAt: v.number(),
  lastUsedAt: v.optional(v.nullable(v.number()), null),
  hostInstance: v.optional(v.nullable(v.string()), null),
});
type GrantRecord = v.InferOutput<typeof GrantRecord>;

const BindingRecord = v.object({ roomId: v.string() });

/**
 * Decisions kept in memory, the least recently checked dropped first. Keys name the widget id a
 * widget claims, so a page that keeps making frames under new ids would otherwise grow the map for
 * the worker's lifetime; a dropped one is read from the store again when next checked. Two keys per
 * live widget (remembered, this page load): 1024 holds 512 at once.
 */
export const MAX_CACHED_DECISIONS = 1024;

/** Last-used times are written at most this often per grant, so busy widgets do not write per request. */
const LAST_USED_RESOLUTION_MS = 60_000;

export type GrantScope = { hostInstance: string | null };

export class GrantStore {
  /**
   * When each grant was last checked for its last-used time, in this worker: every send and read marks
   * its grants used, and within the resolution there is nothing to write, so the store is not read.
   */
  private readonly lastUseChecks = new Map<string, number>();
  /** Told after every change of a decision (not of a last-used time): what sync covers may change. */
  private readonly changeListeners = new Set<() => void>();
  /**
   * Decisions read in this worker, by grant key (an absent one too). Every pushed event and every
   * request checks the grants, which would otherwise be two IndexedDB reads each. A write drops the
   * key once it is stored, so the next check (a push or a request after a revoke) reads the new word.
   */
  private readonly cache = new Map<string, Promise<GrantRecord | undefined>>();

  constructor(
    private readonly grants: KeyValueStore,
    private readonly bindings: KeyValueStore,
  ) {}

  onChange(listener: () => void): void {
    this.changeListeners.add(listener);
  }

  /** The rooms the account's decisions reach (issue #8): what the background syncs for it. */
  async syncScope(account: string): Promise<SyncScope> {
    return syncScopeOf((await this.all()).filter((record) => record.account === account));
  }

  async decisionFor(identity: WidgetIdentity, roomId: string, scope: GrantScope = { hostInstance: null }): Promise<StoredDecision | undefined> {
    return this.read(grantKey(identity, roomId, scope.hostInstance));
  }

  /**
   * What the user decided for this widget in this room that applies to one page load: the
   * remembered decision joined with the ones made for this load only. A denial in either wins.
   */
  async effectiveDecision(identity: WidgetIdentity, roomId: string, hostInstance: string): Promise<StoredDecision | undefined> {
    const remembered = await this.decisionFor(identity, roomId);
    const forThisLoad = await this.decisionFor(identity, roomId, { hostInstance });
    if (!remembered && !forThisLoad) return undefined;
    const denied = new Set([...(remembered?.denied ?? []), ...(forThisLoad?.denied ?? [])]);
    const granted = [...new Set([...(remembered?.granted ?? []), ...(forThisLoad?.granted ?? [])])].filter((capability) => !denied.has(capability));
    return { granted, denied: [...denied] };
  }

  /** Merges the user's new word into what was stored (the newer word on a capability wins). */
  async recordDecision(
    identity: WidgetIdentity,
    roomId: string,
    scope: GrantScope,
    approved: readonly string[],
    rejected: readonly string[],
    now: number,
  ): Promise<void> {
    const key = grantKey(identity, roomId, scope.hostInstance);
    const merged = mergeDecision(await this.read(key), approved, rejected);
    const record: GrantRecord = {
      ...identity,
      roomId,
      granted: [...merged.granted],
      denied: [...merged.denied],
      decidedAt: now,
      lastUsedAt: null,
      hostInstance: scope.hostInstance,
    };
    await this.put(key, record);
    this.changed();
  }

  /** Takes capabilities back (all of them when `capabilities` is null): the widget is asked again next time. */
  async revoke(identity: WidgetIdentity, roomId: string, scope: GrantScope, capabilities: readonly string[] | null): Promise<void> {
    const key = grantKey(identity, roomId, scope.hostInstance);
    const record = await this.read(key);
    if (!record) return;
    if (capabilities === null) {
      await this.remove(key);
    } else {
      const removed = new Set(capabilities);
      await this.put(key, { ...record, granted: record.granted.filter((capability) => !removed.has(capability)) });
    }
    this.changed();
  }

  async markUsed(identity: WidgetIdentity, roomId: string, scope: GrantScope, now: number): Promise<void> {
    const key = grantKey(identity, roomId, scope.hostInstance);
    if ((this.lastUseChecks.get(key) ?? -Infinity) > now - LAST_USED_RESOLUTION_MS) return;
    this.lastUseChecks.delete(key);
    this.lastUseChecks.set(key, now);
    // Keyed per page load too: bounded like the decisions (a forgotten check only costs a read).
    if (this.lastUseChecks.size > MAX_CACHED_DECISIONS) this.lastUseChecks.delete(this.lastUseChecks.keys().next().value as string);
    const record = await this.read(key);
    if (!record || (record.lastUsedAt ?? 0) > now - LAST_USED_RESOLUTION_MS) return;
    await this.put(key, { ...record, lastUsedAt: now });
  }

  async boundRoom(identity: WidgetIdentity, roomHint: string | undefined): Promise<string | undefined> {
    const parsed = v.safeParse(BindingRecord, await this.bindings.get(bindingKey(identity, roomHint)));
    return parsed.success ? parsed.output.roomId : undefined;
  }

  bindRoom(identity: WidgetIdentity, roomHint: string | undefined, roomId: string): Promise<void> {
    return this.bindings.put(bindingKey(identity, roomHint), { roomId });
  }

  /** The account's decisions, newest first; `roomNames` labels rooms the user is in. */
  async list(account: string, roomNames: ReadonlyMap<string, string> = new Map()): Promise<GrantView[]> {
    const records = (await this.all()).filter((record) => record.account === account);
    return records
      .sort((a, b) => b.decidedAt - a.decidedAt)
      .map((record) => ({ ...record, roomName: roomNames.get(record.roomId) ?? record.roomId }));
  }

  /** Forgets a site: every decision and room binding made on it or in frames nested in it, for every account. */
  async removeSite(siteOrigin: string): Promise<void> {
    for (const record of await this.all()) {
      if (isOnSite(record.siteOrigin, siteOrigin)) await this.remove(grantKey(record, record.roomId, record.hostInstance));
    }
    // Binding keys are JSON arrays whose second element is the widget's site.
    for (const key of await this.bindings.keys()) {
      const parts: unknown = JSON.parse(key);
      if (Array.isArray(parts) && typeof parts[1] === 'string' && isOnSite(parts[1], siteOrigin)) await this.bindings.delete(key);
    }
    this.changed();
  }

  /** Drops decisions scoped to one host instance (its page load ended), or to any instance (browser start). */
  async dropInstanceDecisions(hostInstance: string | 'all'): Promise<void> {
    for (const record of await this.all()) {
      if (record.hostInstance !== null && (hostInstance === 'all' || record.hostInstance === hostInstance)) {
        await this.remove(grantKey(record, record.roomId, record.hostInstance));
      }
    }
    this.changed();
  }

  /** Forgets every decision and room binding of one account (it logged out); other accounts keep theirs. */
  async removeAccount(account: string): Promise<void> {
    for (const record of await this.all()) {
      if (record.account === account) await this.remove(grantKey(record, record.roomId, record.hostInstance));
    }
    // Binding keys are JSON arrays whose first element is the account.
    for (const key of await this.bindings.keys()) {
      const parts: unknown = JSON.parse(key);
      if (Array.isArray(parts) && parts[0] === account) await this.bindings.delete(key);
    }
    this.changed();
  }

  async clear(): Promise<void> {
    try {
      await Promise.all([this.grants.clear(), this.bindings.clear()]);
    } finally {
      this.cache.clear();
    }
    this.changed();
  }

  private changed(): void {
    for (const listener of this.changeListeners) listener();
  }

  /** From memory when read before in this worker; the record is frozen, as every reader shares it. */
  private read(key: string): Promise<GrantRecord | undefined> {
    const cached = this.cache.get(key);
    if (cached) {
      // To the back of the map: the map's order is the order of last use.
      this.cache.delete(key);
      this.cache.set(key, cached);
      return cached;
    }
    const reading = this.grants.get(key).then((value) => {
      const parsed = v.safeParse(GrantRecord, value);
      if (!parsed.success) return undefined;
      Object.freeze(parsed.output.granted);
      Object.freeze(parsed.output.denied);
      return Object.freeze(parsed.output);
    });
    this.cache.set(key, reading);
    if (this.cache.size > MAX_CACHED_DECISIONS) this.cache.delete(this.cache.keys().next().value as string);
    // A failed read is not remembered: the next check tries the store again.
    reading.catch(() => {
      if (this.cache.get(key) === reading) this.cache.delete(key);
    });
    return reading;
  }

  /**
   * Writes go through here. The key is dropped from memory once the write is done (or failed), which
   * also drops a read that ran during the write and may have seen the old value.
   */
  private async put(key: string, record: GrantRecord): Promise<void> {
    try {
      await this.grants.put(key, record);
    } finally {
      this.cache.delete(key);
    }
  }

  private async remove(key: string): Promise<void> {
    try {
      await this.grants.delete(key);
    } finally {
      this.cache.delete(key);
    }
  }

  private async all(): Promise<GrantRecord[]> {
    return (await this.grants.values()).flatMap((value) => {
      const parsed = v.safeParse(GrantRecord, value);
      return parsed.success ? [parsed.output] : [];
    });
  }
}
