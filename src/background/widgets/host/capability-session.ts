// What one widget frame may do: who it is (identity), what it asked for and which room it is bound
// to (its host record), the negotiation that settles both, MSC2974 renegotiation, and what the widget
// was last told. The grant store stays the authority: `approved()` reads it on every call.
import * as v from 'valibot';
import { decide } from '../../../shared/core/grant-policy';
import { isSameWidget, type WidgetIdentity } from '../../../shared/core/widget-identity';
import type { AuditEntry } from '../../../shared/protocol/background-to-ui';
import { CapabilitiesResponse, MAX_REQUESTED_CAPABILITIES } from '../../../shared/protocol/widget-api';
import { createLogger } from '../../../shared/log';
import type { AuditLog } from '../../grants/audit-log';
import type { GrantStore } from '../../grants/grant-store';
import type { MatrixSession } from '../../session/matrix-session';
import { negotiateCapabilities, renegotiateCapabilities, type AskUser } from './capability-negotiation';
import type { AttestedFrame } from '../frames/frame-attestation';
import type { HostRecord, HostRecords } from './host-record';

const log = createLogger('bg:host');

/** Where a negotiation stands: `failed` is final for this frame's document (the widget reloads to retry). */
export type NegotiationState = 'waiting' | 'negotiating' | 'ready' | 'failed';

/** The stores a capability session reads and writes, and the user it asks. */
export type Decisions = { grants: GrantStore; approvals: AskUser; audit: AuditLog; records: HostRecords };

/** The frame being negotiated for: what the browser attested, and what its page and template said. */
export type NegotiatedFrame = {
  frame: AttestedFrame;
  key: string;
  roomHint: string | undefined;
  templateLoad?: { roomId: string; holdKey: string } | undefined;
};

/** What the session tells the widget through its host: toWidget requests and what follows a grant. */
export type GrantAnnouncer = {
  request: (action: string, data: Record<string, unknown>) => Promise<Record<string, unknown>>;
  /**
   * Pushes what the widget may now see: after a grant, room state, sticky events and visibility;
   * for a host resuming a stopped worker's record, only the sticky events (the rest it had).
   */
  granted: (approved: string[], isResumed: boolean) => void;
  isDisposed: () => boolean;
};

export class CapabilitySession {
  private identity: WidgetIdentity | undefined;
  private negotiation: Promise<void> | undefined;
  private renegotiation: Promise<void> = Promise.resolve();
  private negotiationState: NegotiationState;
  /** What the widget was last told with notify_capabilities, to tell it again only on change. */
  private lastNotified: string[] = [];

  constructor(
    private readonly target: NegotiatedFrame,
    private readonly account: Pick<MatrixSession, 'whenLoggedIn'>,
    private readonly decisions: Decisions,
    private readonly announcer: GrantAnnouncer,
    private readonly now: () => number,
    private record: HostRecord | undefined,
  ) {
    this.negotiationState = record ? 'ready' : 'waiting';
    if (record) {
      // A host that took over a stopped worker's record: same widget, same grants, no new question.
      this.negotiation = this.restoreIdentity(record.widgetId).then(async () => {
        this.lastNotified = await this.approved();
        this.announcer.granted(this.lastNotified, true);
      });
    }
  }

  get state(): NegotiationState {
    return this.negotiationState;
  }

  get currentRecord(): HostRecord | undefined {
    return this.record;
  }

  get widgetIdentity(): WidgetIdentity | undefined {
    return this.identity;
  }

  /**
   * Starts the negotiation on the widget's first request (once). `requested`: what a stopped
   * worker's host already had the widget ask for; a widget answers the capabilities request only
   * once (matrix-widget-api refuses a second), so this one is not asked again.
   */
  start(widgetId: string, requested?: string[]): void {
    this.negotiation ??= this.negotiate(widgetId, requested).catch((error: unknown) => {
      this.negotiationState = 'failed';
      log.error('capability negotiation failed', String(error));
    });
  }

  /** Resolves once the first negotiation is over, however it ended. */
  async negotiated(): Promise<void> {
    await this.negotiation;
  }

  /** The authority on every request: the grant store when the user chose "remember". */
  async approved(): Promise<string[]> {
    const { record, identity } = this;
    if (!record || !identity || record.roomId === null) return [];
    const stored = await this.decisions.grants.effectiveDecision(identity, record.roomId, record.hostInstance);
    return decide(record.requested, stored).granted;
  }

  isFor(identity: WidgetIdentity, roomId: string): boolean {
    return this.identity !== undefined && isSameWidget(this.identity, identity) && this.record?.roomId === roomId;
  }

  /** MSC2974: queued after earlier ones; the outcome reaches the widget as notify_capabilities. */
  requestMore(capabilities: string[]): void {
    this.renegotiation = this.renegotiation
      .then(() => this.renegotiate(capabilities))
      .catch((error: unknown) => log.error('capability renegotiation failed', String(error)));
  }

  /** The user changed this widget's grants (the popup): the widget hears its new set at once. */
  async refresh(): Promise<void> {
    const record = this.record;
    if (!record || this.announcer.isDisposed()) return;
    const approved = await this.approved();
    if (approved.length === this.lastNotified.length && approved.every((capability) => this.lastNotified.includes(capability))) return;
    this.notify(record.requested, approved);
  }

  /** Saves a changed record (delay ids, delivered events) for a worker that stops. */
  saveRecord(record: HostRecord): Promise<void> {
    return this.decisions.records.save(this.target.key, record);
  }

  audit(action: AuditEntry['action'], roomId: string | null, detail: string): void {
    if (!this.identity) return;
    void this.decisions.audit.record(this.identity, { at: this.now(), action, roomId, detail });
  }

  markUsed(roomId: string): void {
    if (!this.identity || !this.record) return;
    const { hostInstance } = this.record;
    void this.decisions.grants.markUsed(this.identity, roomId, { hostInstance: null }, this.now());
    void this.decisions.grants.markUsed(this.identity, roomId, { hostInstance }, this.now());
  }

  private async restoreIdentity(widgetId: string): Promise<void> {
    const account = await this.account.whenLoggedIn();
    const { widgetSite, widgetUrl } = this.target.frame;
    this.identity = { account, siteOrigin: widgetSite, widgetUrl, widgetId };
  }

  private async negotiate(widgetId: string, knownRequest: string[] | undefined): Promise<void> {
    this.negotiationState = 'negotiating';
    await this.restoreIdentity(widgetId);
    const identity = this.identity as WidgetIdentity;
    const requested = boundedRequest(knownRequest ?? (await this.askWidgetForCapabilities()));
    const hostInstance = crypto.randomUUID();
    const createdAt = this.now();
    const { frame, roomHint, templateLoad } = this.target;
    const { grants, approvals, audit, records } = this.decisions;
    const outcome = await negotiateCapabilities(
      { identity, widgetOrigin: frame.widgetOrigin, requested, roomHint, hostInstance, now: this.now, ...(templateLoad ? { templateLoad } : {}) },
      grants,
      approvals,
      audit,
    ).finally(() => {
      // The template's approval window waited for this request; whatever came of it, it is done.
      if (templateLoad) approvals.release(templateLoad.holdKey);
    });
    if (this.announcer.isDisposed()) {
      await grants.dropInstanceDecisions(hostInstance);
      return;
    }
    // With nothing granted the list is of no use to keep (approved() is empty without a room), and
    // a page that floods frames asking for hundreds of long capabilities must not fill storage.session.
    const kept = outcome.roomId === null ? [] : requested;
    this.record = { widgetId, widgetUrl: frame.widgetUrl, roomId: outcome.roomId, requested: kept, hostInstance, createdAt, deliveredEventIds: [], delayIds: [] };
    this.negotiationState = 'ready';
    if (this.announcer.isDisposed()) return;
    await records.save(this.target.key, this.record);
    this.notify(requested, await this.approved());
  }

  /** The widget's capabilities request (MSC2762); nothing if its answer is malformed. */
  private async askWidgetForCapabilities(): Promise<string[]> {
    const answer = v.safeParse(CapabilitiesResponse, await this.announcer.request('capabilities', {}));
    return answer.success ? answer.output.capabilities : [];
  }

  private async renegotiate(capabilities: string[]): Promise<void> {
    await this.negotiation;
    const { record, identity } = this;
    if (!record || !identity || this.announcer.isDisposed()) return;
    // Bounded like a first request: a widget cannot grow its record by asking again and again.
    const requested = boundedRequest([...record.requested, ...capabilities]);
    const { frame, roomHint } = this.target;
    const { grants, approvals, audit, records } = this.decisions;
    const common = { identity, widgetOrigin: frame.widgetOrigin, requested, hostInstance: record.hostInstance, now: this.now };
    if (record.roomId === null) {
      // Nothing was granted before: this is a first negotiation, with the room to choose.
      record.roomId = (await negotiateCapabilities({ ...common, roomHint }, grants, approvals, audit)).roomId;
    } else {
      await renegotiateCapabilities({ ...common, roomId: record.roomId }, grants, approvals, audit);
    }
    record.requested = requested;
    if (this.announcer.isDisposed()) return;
    await records.save(this.target.key, record);
    this.notify(requested, await this.approved());
  }

  private notify(requested: string[], approved: string[]): void {
    this.lastNotified = approved;
    void this.announcer.request('notify_capabilities', { requested, approved }).catch(() => undefined);
    this.announcer.granted(approved, false);
  }
}

/**
 * What a record keeps of a widget's request: each capability once, at most MAX_REQUESTED_CAPABILITIES
 * (what the protocol lets one answer carry), whether it came from the widget, a renegotiation or a
 * stopped worker's open approval.
 */
function boundedRequest(capabilities: readonly string[]): string[] {
  return [...new Set(capabilities)].slice(0, MAX_REQUESTED_CAPABILITIES);
}
