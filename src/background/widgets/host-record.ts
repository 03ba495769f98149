// What a live widget host must remember across a stopped worker (storage.session): its negotiated
// state and the events it already delivered. Grants themselves live in the grant store.
import * as v from 'valibot';

const MAX_REMEMBERED_EVENT_IDS = 500;

export const HostRecord = v.object({
  widgetId: v.string(),
  widgetUrl: v.string(),
  roomId: v.nullable(v.string()),
  requested: v.array(v.string()),
  /** This page load of the widget; decisions not remembered are stored under it. */
  hostInstance: v.string(),
  /** Whether the user chose "remember"; if not, the decision is scoped to `hostInstance`. */
  isRemembered: v.boolean(),
  /** Server timestamps older than this were never meant for this widget instance. */
  createdAt: v.number(),
  deliveredEventIds: v.array(v.string()),
  /** Delayed events (MSC4140) this instance scheduled, the only ones it may update. */
  delayIds: v.optional(v.array(v.string()), []),
});
export type HostRecord = v.InferOutput<typeof HostRecord>;

export function frameKey(tabId: number, frameId: number): string {
  return `host:${tabId}:${frameId}`;
}

/** Where host records live: storage.session in the extension, memory in Node tests. */
export type HostRecordBackend = {
  read(key: string): Promise<unknown>;
  write(key: string, value: unknown): Promise<void>;
  remove(key: string): Promise<void>;
};

export class HostRecords {
  constructor(private readonly backend: HostRecordBackend) {}

  async load(key: string): Promise<HostRecord | undefined> {
    const parsed = v.safeParse(HostRecord, await this.backend.read(key));
    return parsed.success ? parsed.output : undefined;
  }

  save(key: string, record: HostRecord): Promise<void> {
    return this.backend.write(key, { ...record, deliveredEventIds: record.deliveredEventIds.slice(-MAX_REMEMBERED_EVENT_IDS) });
  }

  remove(key: string): Promise<void> {
    return this.backend.remove(key);
  }
}
