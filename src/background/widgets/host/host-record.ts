// What a live widget host must remember across a stopped worker (storage.session): its negotiated
// state and the events it already delivered. Grants themselves live in the grant store.
import * as v from 'valibot';

/** Delivered event ids a host record keeps: more than a stopped worker replays. */
export const MAX_REMEMBERED_EVENT_IDS = 500;

export const HostRecord = v.object({
  widgetId: v.string(),
  widgetUrl: v.string(),
  roomId: v.nullable(v.string()),
  requested: v.array(v.string()),
  /** This page load of the widget; decisions not remembered are stored under it. */
  hostInstance: v.string(),
  /** Server timestamps older than this were never meant for this widget instance. */
  createdAt: v.number(),
  deliveredEventIds: v.array(v.string()),
  /** Delayed events (MSC4140) this instance scheduled, the only ones it may update. */
  delayIds: v.optional(v.array(v.string()), []),
});
export type HostRecord = v.InferOutput<typeof HostRecord>;

const FRAME_KEY_PREFIX = 'host:';

export function frameKey(tabId: number, frameId: number): string {
  return `${FRAME_KEY_PREFIX}${tabId}:${frameId}`;
}

/** Where host records live: storage.session in the extension, memory in Node tests. */
export type HostRecordBackend = {
  read(key: string): Promise<unknown>;
  write(key: string, value: unknown): Promise<void>;
  remove(key: string): Promise<void>;
  /** Every key stored. */
  keys(): Promise<string[]>;
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

  /** The frames with a record: the widgets that were live when the previous worker stopped. */
  async frameKeys(): Promise<string[]> {
    return (await this.backend.keys()).filter((key) => key.startsWith(FRAME_KEY_PREFIX));
  }

  /**
   * The transaction id for one widget request, persisted before the request goes out: a worker
   * stopped mid-send gets the request again (the relay re-delivers it) and reuses the id, so the
   * homeserver stores the event once. `fingerprint` ties the id to the request's content, because
   * matrix-widget-api reuses request ids once answered.
   */
  async transactionFor(key: string, requestId: string, fingerprint: string, fresh: () => string): Promise<string> {
    const storageKey = `txn:${key}:${requestId}`;
    const parsed = v.safeParse(PendingTransaction, await this.backend.read(storageKey));
    if (parsed.success && parsed.output.fingerprint === fingerprint) return parsed.output.txnId;
    const txnId = fresh();
    await this.backend.write(storageKey, { txnId, fingerprint });
    return txnId;
  }

  /** The request was answered: its transaction id is not needed any more. */
  transactionDone(key: string, requestId: string): Promise<void> {
    return this.backend.remove(`txn:${key}:${requestId}`);
  }
}

const PendingTransaction = v.object({ txnId: v.string(), fingerprint: v.string() });
