// One host per live widget frame: answers its fromWidget requests (each exactly once), negotiates
// capabilities, and pushes live events. Every request is checked against the stored grants, every time.
import type { MatrixEvent } from 'matrix-js-sdk';
import { MatrixCapabilities } from 'matrix-widget-api';
import * as v from 'valibot';
import { decide, hasCapability } from '../../shared/core/grant-policy';
import { isSameWidget, type WidgetIdentity } from '../../shared/core/widget-identity';
import type { AuditEntry, TabWidgetView } from '../../shared/protocol/background-to-ui';
import { createLogger } from '../../shared/log';
import {
  CapabilitiesResponse,
  FromWidgetRequest,
  WidgetOutbound,
  type WidgetInbound,
} from '../../shared/protocol/widget-api';
import { describeIssues } from '../../shared/protocol/errors';
import type { AuditLog } from '../grants/audit-log';
import type { GrantStore } from '../grants/grant-store';
import { negotiateCapabilities, renegotiateCapabilities, type AskUser } from './capability-negotiation';
import { parseData } from './actions/action-context';
import type { ActionContext, ActionResult } from './actions/action-context';
import { isHostLocal, routeAction, type HostOwnActions } from './action-router';
import type { DeliveryLimits } from './delivery-window';
import { EventPusher } from './event-pusher';
import { PageVisibility } from './page-visibility';
import { ToWidgetChannel } from './to-widget-channel';
import { askForOpenId, rememberedOpenId, type OpenIdAnswer } from './openid';
import type { MatrixSession } from '../session/matrix-session';
import type { AttestedFrame } from './frame-attestation';
import type { HostRecord, HostRecords } from './host-record';
import { TurnServerWatch } from './turn-servers';
import { toWidgetError, WidgetRequestRefused } from './widget-errors';
import { NotLoggedIn } from '../session/matrix-session';

const log = createLogger('bg:host');

export type HostContext = {
  frame: AttestedFrame;
  key: string;
  roomHint: string | undefined;
  /** The template load this frame's document came from, checked against the frame (`TemplateLoads.take`). */
  templateLoad?: { roomId: string; holdKey: string };
  post: (message: WidgetInbound) => void;
  /** The account the widget acts for: the active one when it connected. */
  session: Pick<MatrixSession, 'requireClient' | 'userId' | 'whenLoggedIn'>;
  grants: GrantStore;
  approvals: AskUser;
  audit: AuditLog;
  records: HostRecords;
  /** Back-pressure for pushed events; the defaults unless a test narrows them. */
  deliveryLimits?: DeliveryLimits;
  /**
   * Tells the relay to stop forwarding for this frame (site switched off), or only for its previous
   * document (`isForPreviousDocument`: the frame navigated).
   */
  reject: (reason: string, isForPreviousDocument?: boolean) => void;
  now: () => number;
  /**
   * When the port's attestation began (or when a resumed record was negotiated, if earlier), on the
   * local clock; now if not given. A commit in the frame after it is a newer document.
   */
  createdAt?: number;
};

export class WidgetHost {
  private widgetId: string | undefined;
  private identity: WidgetIdentity | undefined;
  private negotiation: Promise<void> | undefined;
  /**
   * Request ids being answered. matrix-widget-api keeps ids unique only among its outstanding
   * requests (`widgetapi-<Date.now()>`), so an id comes back once answered: only a duplicate of an
   * in-flight request is a replay.
   */
  private readonly inFlightRequestIds = new Set<string>();
  /** Requests that persisted a transaction id, to forget it once answered. */
  private readonly requestsWithTransaction = new Set<string>();
  private renegotiation: Promise<void> = Promise.resolve();
  private readonly channel: ToWidgetChannel;
  private readonly pusher: EventPusher;
  private readonly visibility: PageVisibility;
  private isDisposed = false;
  private isNegotiating = false;
  /** What the widget was last told with notify_capabilities, to tell it again only on change. */
  private lastNotified: string[] = [];
  private readonly wasResumed: boolean;

  constructor(
    private readonly context: HostContext,
    private record: HostRecord | undefined,
  ) {
    this.wasResumed = record !== undefined;
    this.channel = new ToWidgetChannel(context.post, () => this.widgetId);
    this.pusher = new EventPusher(
      {
        negotiated: async () => {
          await this.negotiation;
        },
        record: () => this.record,
        saveRecord: (record) => this.context.records.save(this.context.key, record),
        approved: () => this.currentApproved(),
        isDisposed: () => this.isDisposed,
        client: () => this.context.session.requireClient(),
        audit: (action, roomId, detail) => this.audit(action, roomId, detail),
      },
      this.channel,
      context.deliveryLimits,
    );
    this.visibility = new PageVisibility(this.channel, () => this.record !== undefined && !this.isDisposed, record ? undefined : true);
    if (record) {
      this.widgetId = record.widgetId;
      this.negotiation = this.restoreIdentity(record.widgetId).then(async () => {
        this.lastNotified = await this.currentApproved();
        this.pushStickyState(this.lastNotified);
      });
    }
    this.createdAt = context.createdAt ?? Date.now();
  }

  /** Handles one raw message the relay forwarded, with the origin the relay saw it come from. */
  async handle(origin: string, raw: unknown): Promise<void> {
    if (origin !== this.context.frame.widgetOrigin) {
      log.warn('dropped message from an unexpected origin');
      return;
    }
    const parsed = v.safeParse(WidgetOutbound, raw);
    if (!parsed.success) {
      log.warn('dropped malformed widget message', describeIssues(parsed.issues));
      return;
    }
    const message = parsed.output;
    this.widgetId ??= message.widgetId;
    if (message.widgetId !== this.widgetId) {
      log.warn('dropped message claiming another widget id');
      return;
    }
    if (message.api === 'toWidget') {
      this.channel.answer(message.requestId, message.response);
      return;
    }
    if (this.inFlightRequestIds.has(message.requestId)) return; // the original gets the one reply
    this.inFlightRequestIds.add(message.requestId);
    this.negotiation ??= this.negotiate(message.widgetId).catch((error: unknown) => {
      log.error('capability negotiation failed', String(error));
    });
    const response = await this.perform(message).catch((error: unknown) => toWidgetError(error));
    this.inFlightRequestIds.delete(message.requestId);
    if (this.isDisposed) return;
    this.context.post({ ...message, response });
    if (this.requestsWithTransaction.delete(message.requestId)) {
      void this.context.records.transactionDone(this.context.key, message.requestId).catch(() => undefined);
    }
  }

  /** Pushes a live room event if the widget may see it (once, in room order, with back-pressure). */
  deliver(roomId: string, event: MatrixEvent): void {
    this.pusher.deliver(roomId, event);
  }

  /** Events waiting to be pushed to this widget (back-pressure on sync, see sync-hold.ts). */
  pushBacklog(): number {
    return this.pusher.backlog();
  }

  /** Whether an event pushed to this widget is not yet recorded as delivered (see `EventPusher`). */
  hasUnrecordedPushes(): boolean {
    return this.pusher.hasUnrecordedPushes();
  }

  /** The relay held back a repeated push: the widget has that event already. */
  pushSuppressed(requestId: string): void {
    this.channel.answerForRelay(requestId, 'send_event');
  }

  /** Pushes a to-device message the widget may see (never a crypto-internal type). */
  deliverToDevice(event: MatrixEvent): void {
    this.pusher.deliverToDevice(event);
  }

  /** The relay saw the page become visible or hidden; the widget hears of it as `visibility`. */
  setPageVisibility(isVisible: boolean): void {
    this.visibility.set(isVisible);
  }

  /** The frame went away (page closed, navigated, relay stopped): forget its live state. */
  async dispose(): Promise<void> {
    this.isDisposed = true;
    this.turnWatch?.stop();
    this.pusher.stop();
    this.channel.close();
    await this.context.records.remove(this.context.key);
    if (this.record) await this.context.grants.dropInstanceDecisions(this.record.hostInstance);
  }

  /**
   * Stops hosting at once: the relay stops forwarding for the frame (with `isForPreviousDocument`,
   * for the document this host served; the frame's next document starts afresh).
   */
  async close(reason: string, isForPreviousDocument = false): Promise<void> {
    this.context.reject(reason, isForPreviousDocument);
    await this.dispose();
  }

  get siteOrigin(): string {
    return this.context.frame.siteOrigin;
  }

  /** The frame's key in storage.session (`frameKey`). */
  get key(): string {
    return this.context.key;
  }

  /** Whether this host took over from a stopped worker's host of the same widget (it had a record). */
  get isResumed(): boolean {
    return this.wasResumed;
  }

  isFor(identity: WidgetIdentity, roomId: string): boolean {
    return this.identity !== undefined && isSameWidget(this.identity, identity) && this.record?.roomId === roomId;
  }

  isInTab(tabId: number): boolean {
    return this.context.frame.tabId === tabId;
  }

  isFrame(tabId: number, frameId: number): boolean {
    return this.context.frame.tabId === tabId && this.context.frame.frameId === frameId;
  }

  /**
   * Since when this host speaks for its frame's document, on the local clock (compared with
   * webNavigation time stamps): not its construction, which comes after the attestation's awaits.
   */
  readonly createdAt: number;

  async view(): Promise<TabWidgetView> {
    const record = this.record;
    return {
      siteOrigin: this.context.frame.widgetSite,
      widgetUrl: this.context.frame.widgetUrl,
      widgetId: this.widgetId ?? null,
      roomId: record?.roomId ?? null,
      state: record ? 'ready' : this.isNegotiating ? 'negotiating' : 'waiting',
      approved: await this.currentApproved(),
    };
  }

  /**
   * Called when the user changed this widget's grants (revoke in the popup): the widget is told its
   * new capability set at once; requests are checked against the store anyway.
   */
  async refreshCapabilities(): Promise<void> {
    const record = this.record;
    if (!record || this.isDisposed) return;
    const approved = await this.currentApproved();
    if (approved.length === this.lastNotified.length && approved.every((capability) => this.lastNotified.includes(capability))) return;
    this.notify(record.requested, approved);
  }

  private async perform(request: FromWidgetRequest): Promise<ActionResult> {
    // Answer at once rather than wait for a login that may never come: one reply per request.
    if (!isHostLocal(request.action) && !(await this.context.session.userId())) throw new NotLoggedIn();
    return routeAction(request, this.actionContextFor(request), this.ownActions);
  }

  /** The actions that change this host's own state. */
  private readonly ownActions: HostOwnActions = {
    requestCapabilities: (data) => this.requestCapabilities(data),
    getOpenId: (requestId) => this.getOpenId(requestId),
    watchTurnServers: () => this.watchTurnServers(),
    unwatchTurnServers: () => {
      this.turnWatch?.stop();
      this.turnWatch = undefined;
      return {};
    },
  };

  /**
   * MSC2974: acknowledged at once (the user may take longer than the widget's request timeout); the
   * outcome reaches the widget as notify_capabilities. Requests meanwhile use the current grants.
   */
  private requestCapabilities(data: unknown): ActionResult {
    const { capabilities } = parseData(CapabilitiesResponse, data, 'request_capabilities');
    this.renegotiation = this.renegotiation
      .then(() => this.renegotiate(capabilities))
      .catch((error: unknown) => log.error('capability renegotiation failed', String(error)));
    return {};
  }

  private async renegotiate(capabilities: string[]): Promise<void> {
    await this.negotiation;
    const record = this.record;
    const identity = this.identity;
    if (!record || !identity || this.isDisposed) return;
    const requested = [...new Set([...record.requested, ...capabilities])];
    if (record.roomId === null) {
      // Nothing was granted before: this is a first negotiation, with the room to choose.
      const outcome = await negotiateCapabilities(
        { identity, widgetOrigin: this.context.frame.widgetOrigin, requested, roomHint: this.context.roomHint, hostInstance: record.hostInstance, now: this.context.now },
        this.context.grants,
        this.context.approvals,
        this.context.audit,
      );
      record.roomId = outcome.roomId;
    } else {
      await renegotiateCapabilities(
        { identity, widgetOrigin: this.context.frame.widgetOrigin, roomId: record.roomId, requested, hostInstance: record.hostInstance, now: this.context.now },
        this.context.grants,
        this.context.approvals,
        this.context.audit,
      );
    }
    record.requested = requested;
    if (this.isDisposed) return;
    await this.context.records.save(this.context.key, record);
    this.notify(requested, await this.currentApproved());
  }

  /**
   * get_openid: answered at once when the user already decided; otherwise `request` now and the
   * credentials (or the refusal) later as toWidget openid_credentials, after the approval window.
   */
  private async getOpenId(requestId: string): Promise<ActionResult> {
    await this.negotiation;
    const identity = this.identity;
    if (!identity) throw new WidgetRequestRefused('The widget has not finished capability negotiation');
    const client = () => this.context.session.requireClient();
    const remembered = await rememberedOpenId(identity, this.context.grants, client);
    if (remembered) return remembered;
    void askForOpenId({ identity, widgetOrigin: this.context.frame.widgetOrigin, now: this.context.now }, this.context.grants, this.context.approvals, this.context.audit, client)
      .catch((error: unknown): OpenIdAnswer => {
        log.warn('openid request failed', String(error));
        return { state: 'blocked' };
      })
      // The widget waits for this without a timeout: it always gets an answer.
      .then((answer) => this.requestFromWidget('openid_credentials', { ...answer, original_request_id: requestId }))
      .catch(() => undefined);
    return { state: 'request' };
  }

  private turnWatch: TurnServerWatch | undefined;

  private async watchTurnServers(): Promise<ActionResult> {
    if (!hasCapability(await this.actionContext.approved(), MatrixCapabilities.MSC3846TurnServers)) {
      throw new WidgetRequestRefused('Not allowed to use TURN servers: the capability was not granted');
    }
    if (this.turnWatch) return {};
    const watch = new TurnServerWatch(
      () => this.context.session.requireClient(),
      (server) => void this.requestFromWidget('update_turn_servers', server).catch(() => undefined),
    );
    await watch.start();
    this.turnWatch = watch;
    return {};
  }

  /** What action handlers may use for one request; they never see the frame, the port or the record. */
  private actionContextFor(request: FromWidgetRequest): ActionContext {
    return {
      ...this.actionContext,
      transactionId: () => {
        this.requestsWithTransaction.add(request.requestId);
        return this.context.records.transactionFor(this.context.key, request.requestId, JSON.stringify([request.action, request.data]), () =>
          crypto.randomUUID(),
        );
      },
    };
  }

  private readonly actionContext: Omit<ActionContext, 'transactionId'> = {
    client: () => this.context.session.requireClient(),
    // A request racing the capability negotiation waits for its outcome.
    approved: async () => {
      await this.negotiation;
      return this.currentApproved();
    },
    boundRoom: async () => {
      await this.negotiation;
      return this.record?.roomId ?? null;
    },
    audit: (action, roomId, detail) => this.audit(action, roomId, detail),
    markUsed: (roomId) => this.markUsed(roomId),
    rememberDelayId: (delayId) => {
      const record = this.record;
      if (!record) return;
      record.delayIds = [...record.delayIds, delayId].slice(-100);
      void this.context.records.save(this.context.key, record);
    },
    ownsDelayId: (delayId) => this.record?.delayIds.includes(delayId) ?? false,
  };

  /** The authority on every request: the grant store when the user chose "remember". */
  private async currentApproved(): Promise<string[]> {
    const record = this.record;
    const identity = this.identity;
    if (!record || !identity || record.roomId === null) return [];
    const stored = await this.context.grants.effectiveDecision(identity, record.roomId, record.hostInstance);
    return decide(record.requested, stored).granted;
  }

  private audit(action: AuditEntry['action'], roomId: string | null, detail: string): void {
    if (!this.identity) return;
    void this.context.audit.record(this.identity, { at: this.context.now(), action, roomId, detail });
  }

  private markUsed(roomId: string): void {
    if (!this.identity || !this.record) return;
    const { hostInstance } = this.record;
    void this.context.grants.markUsed(this.identity, roomId, { hostInstance: null }, this.context.now());
    void this.context.grants.markUsed(this.identity, roomId, { hostInstance }, this.context.now());
  }

  private notify(requested: string[], approved: string[]): void {
    this.lastNotified = approved;
    void this.requestFromWidget('notify_capabilities', { requested, approved }).catch(() => undefined);
    void this.pusher.pushRoomState(approved).catch((error: unknown) => log.warn('initial state push failed', String(error)));
    this.pushStickyState(approved);
    this.visibility.tell();
  }

  private pushStickyState(approved: string[]): void {
    void this.pusher.pushStickyState(approved).catch((error: unknown) => log.warn('sticky state push failed', String(error)));
  }

  private async restoreIdentity(widgetId: string): Promise<void> {
    const account = await this.context.session.whenLoggedIn();
    this.identity = { account, siteOrigin: this.context.frame.widgetSite, widgetUrl: this.context.frame.widgetUrl, widgetId };
  }

  private async negotiate(widgetId: string): Promise<void> {
    this.isNegotiating = true;
    await this.restoreIdentity(widgetId);
    const identity = this.identity as WidgetIdentity;
    const answer = v.safeParse(CapabilitiesResponse, await this.requestFromWidget('capabilities', {}));
    const requested = answer.success ? [...new Set(answer.output.capabilities)] : [];
    const hostInstance = crypto.randomUUID();
    const createdAt = this.context.now();
    const { templateLoad } = this.context;
    const outcome = await negotiateCapabilities(
      {
        identity,
        widgetOrigin: this.context.frame.widgetOrigin,
        requested,
        roomHint: this.context.roomHint,
        hostInstance,
        now: this.context.now,
        ...(templateLoad ? { templateLoad } : {}),
      },
      this.context.grants,
      this.context.approvals,
      this.context.audit,
    ).finally(() => {
      // The template's approval window waited for this request; whatever came of it, it is done.
      if (templateLoad) this.context.approvals.release(templateLoad.holdKey);
    });
    if (this.isDisposed) {
      await this.context.grants.dropInstanceDecisions(hostInstance);
      return;
    }
    this.record = {
      widgetId,
      widgetUrl: this.context.frame.widgetUrl,
      roomId: outcome.roomId,
      requested,
      hostInstance,
      createdAt,
      deliveredEventIds: [],
      delayIds: [],
    };
    this.isNegotiating = false;
    if (this.isDisposed) return;
    await this.context.records.save(this.context.key, this.record);
    this.notify(requested, await this.currentApproved());
  }

  private requestFromWidget(action: string, data: Record<string, unknown>): Promise<Record<string, unknown>> {
    return this.channel.request(action, data);
  }
}
