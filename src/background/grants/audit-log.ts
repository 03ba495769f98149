// What each widget did, per widget (all rooms), newest last and bounded. Records event types and
// capability names only: never event content, which can be private.
import * as v from 'valibot';
import { auditKey, isOnSite, type WidgetIdentity } from '../../shared/core/widget-identity';
import { AuditEntry } from '../../shared/protocol/background-to-ui';
import type { KeyValueStore } from '../adapters/database';

export const AUDIT_ENTRIES_PER_WIDGET = 200;
/**
 * The longest detail one entry keeps (whole capability names, then how many more): the log is
 * rewritten on each append, so its size, not only its length, must stay bounded.
 */
export const MAX_AUDIT_DETAIL = 2_000;

/** `detail` cut after whole space-separated words, with "(+N more)" for what was left out. */
export function boundedDetail(detail: string): string {
  if (detail.length <= MAX_AUDIT_DETAIL) return detail;
  const words = detail.split(' ');
  const kept: string[] = [];
  let length = 0;
  for (const word of words) {
    if (length + word.length + 1 > MAX_AUDIT_DETAIL - 20) break;
    kept.push(word);
    length += word.length + 1;
  }
  return `${kept.join(' ')} (+${words.length - kept.length} more)`;
}

const AuditRecord = v.object({ entries: v.array(AuditEntry) });

export class AuditLog {
  /** Appends to one key are serialised, so concurrent requests of one widget lose no entry. */
  private writes = new Map<string, Promise<void>>();

  constructor(private readonly store: KeyValueStore) {}

  record(identity: WidgetIdentity, entry: AuditEntry): Promise<void> {
    const key = auditKey(identity);
    const previous = this.writes.get(key) ?? Promise.resolve();
    const next = previous.then(async () => {
      const entries = [...(await this.read(key)), { ...entry, detail: boundedDetail(entry.detail) }].slice(-AUDIT_ENTRIES_PER_WIDGET);
      await this.store.put(key, { entries });
    });
    const settled = next.catch(() => undefined);
    this.writes.set(key, settled);
    void settled.then(() => {
      if (this.writes.get(key) === settled) this.writes.delete(key);
    });
    return next;
  }

  entries(identity: WidgetIdentity): Promise<AuditEntry[]> {
    return this.read(auditKey(identity));
  }

  /** Forgets one account's activity (it logged out). Keys are JSON arrays whose first element is the account. */
  async removeAccount(account: string): Promise<void> {
    for (const key of await this.store.keys()) {
      const parts: unknown = JSON.parse(key);
      if (Array.isArray(parts) && parts[0] === account) await this.store.delete(key);
    }
  }

  /**
   * Forgets a site's activity, every account's and its nested embedders' too ("Forget site"): the
   * site's grants go with it, and what its widgets did must not stay behind where the popup no
   * longer shows it. The second element of a key is the widget's site.
   */
  async removeSite(siteOrigin: string): Promise<void> {
    for (const key of await this.store.keys()) {
      const parts: unknown = JSON.parse(key);
      if (Array.isArray(parts) && typeof parts[1] === 'string' && isOnSite(parts[1], siteOrigin)) await this.store.delete(key);
    }
  }

  clear(): Promise<void> {
    return this.store.clear();
  }

  private async read(key: string): Promise<AuditEntry[]> {
    const parsed = v.safeParse(AuditRecord, await this.store.get(key));
    return parsed.success ? parsed.output.entries : [];
  }
}
