// The user's remembered decisions per (account, site, widget URL, widget id, room), and the room
// each widget was bound to. Values read back are parsed; a malformed record counts as no decision.
import * as v from 'valibot';
import type { StoredDecision } from '../../shared/core/grant-policy';
import { bindingKey, grantKey, type WidgetIdentity } from '../../shared/core/widget-identity';
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
});

const BindingRecord = v.object({ roomId: v.string() });

export class GrantStore {
  constructor(
    private readonly grants: KeyValueStore,
    private readonly bindings: KeyValueStore,
  ) {}

  async decisionFor(identity: WidgetIdentity, roomId: string): Promise<StoredDecision | undefined> {
    const parsed = v.safeParse(GrantRecord, await this.grants.get(grantKey(identity, roomId)));
    return parsed.success ? parsed.output : undefined;
  }

  async saveDecision(identity: WidgetIdentity, roomId: string, decision: StoredDecision, now: number): Promise<void> {
    await this.grants.put(grantKey(identity, roomId), {
      ...identity,
      roomId,
      granted: [...decision.granted],
      denied: [...decision.denied],
      decidedAt: now,
    });
  }

  async boundRoom(identity: WidgetIdentity, roomHint: string | undefined): Promise<string | undefined> {
    const parsed = v.safeParse(BindingRecord, await this.bindings.get(bindingKey(identity, roomHint)));
    return parsed.success ? parsed.output.roomId : undefined;
  }

  bindRoom(identity: WidgetIdentity, roomHint: string | undefined, roomId: string): Promise<void> {
    return this.bindings.put(bindingKey(identity, roomHint), { roomId });
  }

  async list(account: string): Promise<GrantView[]> {
    const records = (await this.grants.values()).flatMap((value) => {
      const parsed = v.safeParse(GrantRecord, value);
      return parsed.success && parsed.output.account === account ? [parsed.output] : [];
    });
    return records.sort((a, b) => b.decidedAt - a.decidedAt);
  }

  async clear(): Promise<void> {
    await Promise.all([this.grants.clear(), this.bindings.clear()]);
  }
}
