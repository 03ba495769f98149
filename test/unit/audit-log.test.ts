// The activity log's deletions: per account (logout) and per site ("Forget site"), nested embedders
// of the site included, nothing of another site.
import { describe, expect, it } from 'vitest';
import { AuditLog } from '../../src/background/grants/audit-log';
import { auditKey } from '../../src/shared/core/widget-identity';
import { memoryStore } from '../support/memory-store';

const widget = (account: string, siteOrigin: string) => ({ account, siteOrigin, widgetUrl: 'https://widget.example/', widgetId: 'w1' });
const ENTRY = { at: 1, action: 'sent', roomId: '!room:hs', detail: 'm.room.message' } as const;

describe('AuditLog deletions', () => {
  it('forgets a site for every account, with the widgets its frames of other origins embed, and keeps other sites', async () => {
    const store = memoryStore();
    const log = new AuditLog(store);
    const kept = [widget('@ann:hs', 'https://b.example'), widget('@ann:hs', 'https://a.example.org')];
    const forgotten = [widget('@ann:hs', 'https://a.example'), widget('@bob:hs', 'https://a.example'), widget('@ann:hs', 'https://a.example › https://ads.example')];
    for (const identity of [...kept, ...forgotten]) await log.record(identity, ENTRY);
    await log.removeSite('https://a.example');
    expect([...store.entries.keys()].sort()).toEqual(kept.map(auditKey).sort());
    expect(await log.entries(kept[0]!)).toEqual([ENTRY]);
  });

  it('forgets one account and keeps the others', async () => {
    const store = memoryStore();
    const log = new AuditLog(store);
    await log.record(widget('@ann:hs', 'https://a.example'), ENTRY);
    await log.record(widget('@bob:hs', 'https://a.example'), ENTRY);
    await log.removeAccount('@ann:hs');
    expect([...store.entries.keys()]).toEqual([auditKey(widget('@bob:hs', 'https://a.example'))]);
  });
});
