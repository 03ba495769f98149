// Per-site settings; today the switch that turns the extension off for a site. A site without a
// record is enabled.
import * as v from 'valibot';
import type { KeyValueStore } from '../adapters/database';

const SiteRecord = v.object({ isEnabled: v.boolean() });

export class SiteSettings {
  constructor(private readonly store: KeyValueStore) {}

  async isEnabled(siteOrigin: string): Promise<boolean> {
    const parsed = v.safeParse(SiteRecord, await this.store.get(siteOrigin));
    return parsed.success ? parsed.output.isEnabled : true;
  }

  setEnabled(siteOrigin: string, isEnabled: boolean): Promise<void> {
    return isEnabled ? this.store.delete(siteOrigin) : this.store.put(siteOrigin, { isEnabled });
  }

  async disabledSites(): Promise<string[]> {
    const sites: string[] = [];
    for (const siteOrigin of await this.store.keys()) {
      if (!(await this.isEnabled(siteOrigin))) sites.push(siteOrigin);
    }
    return sites;
  }

  forget(siteOrigin: string): Promise<void> {
    return this.store.delete(siteOrigin);
  }
}
