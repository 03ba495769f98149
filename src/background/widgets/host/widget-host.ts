// One host per live widget frame: its requests (request-intake.ts, each answered once), what it may
// do (capability-session.ts, checked against the stored grants on every request), the actions that
// touch the host itself (host-actions.ts), and what is pushed to it (event-pusher.ts). A facade that
// wires them to the frame's port.
import type { MatrixEvent } from 'matrix-js-sdk';
import type { WidgetIdentity } from '../../../shared/core/widget-identity';
import type { TabWidgetView } from '../../../shared/protocol/background-to-ui';
import { createLogger } from '../../../shared/log';
import type { WidgetInbound } from '../../../shared/protocol/widget-api';
import type { MatrixSession } from '../../session/matrix-session';
import { NotLoggedIn } from '../../session/matrix-session';
import { isHostLocal, routeAction } from '../actions/action-router';
import { askingFrom } from './capability-negotiation';
import { CapabilitySession, type Decisions, type NegotiatedFrame } from './capability-session';
import type { DeliveryLimits } from '../push/delivery-window';
import { EventPusher } from '../push/event-pusher';
import { HostActions } from './host-actions';
import type { HostRecord } from './host-record';
import { PageVisibility } from './page-visibility';
import { RequestIntake } from './request-intake';
import { ToWidgetChannel } from './to-widget-channel';

const log = createLogger('bg:host');

export type HostContext = {
  /**
   * The frame, its page's room hint and the template load its document came from. `createdAt`:
   * when the port's attestation began (or when a resumed record was negotiated, if earlier), on the
   * local clock; now if not given. A commit in the frame after it is a newer document.
   */
  target: NegotiatedFrame & { createdAt?: number };
  /**
   * The relay's port: `post` a message to the widget; `reject` tells the relay to stop forwarding for
   * this frame (site switched off), or only for its previous document (the frame navigated).
   */
  port: { post: (message: WidgetInbound) => void; reject: (reason: string, isForPreviousDocument?: boolean) => void };
  /**
   * The account the widget acts for: pinned to the one active when the widget first needed one
   * (`PinnedAccount`), whatever becomes active later; `pinnedUserId` says which, once known.
   */
  account: Pick<MatrixSession, 'requireClient' | 'userId' | 'whenLoggedIn'> & { readonly pinnedUserId?: string | undefined };
  decisions: Decisions;
  now: () => number;
  /** Back-pressure for pushed events; the defaults unless a test narrows them. */
  deliveryLimits?: DeliveryLimits;
};

export class WidgetHost {
  private readonly channel: ToWidgetChannel;
  private readonly pusher: EventPusher;
  private readonly visibility: PageVisibility;
  private readonly capabilities: CapabilitySession;
  private readonly actions: HostActions;
  private readonly intake: RequestIntake;
  private isDisposed = false;
  private readonly asking = new AbortController();
  private readonly wasResumed: boolean;
  /**
   * Since when this host speaks for its frame's document, on the local clock (compared with
   * webNavigation time stamps): not its construction, which comes after the attestation's awaits.
   */
  readonly createdAt: number;

  constructor(
    private readonly context: HostContext,
    record: HostRecord | undefined,
  ) {
    const { target, port, account, now } = context;
    // Every question this frame puts to the user carries its attested tab and site, and is
    // withdrawn when the frame goes (dispose).
    const decisions = { ...context.decisions, approvals: askingFrom(context.decisions.approvals, {
        tabId: target.frame.tabId,
        siteOrigin: target.frame.siteOrigin,
        frameKey: target.key,
        signal: this.asking.signal,
      }),
    };
    this.wasResumed = record !== undefined;
    this.createdAt = target.createdAt ?? Date.now();
    this.channel = new ToWidgetChannel(port.post, () => this.intake.widgetId);
    const toWidget = (action: string, data: Record<string, unknown>) => this.channel.request(action, data);
    this.capabilities = new CapabilitySession(
      target,
      account,
      decisions,
      { request: toWidget, granted: (approved, isResumed) => this.granted(approved, isResumed), isDisposed: () => this.isDisposed },
      now,
      record,
    );
    this.pusher = new EventPusher(
      {
        negotiated: () => this.capabilities.negotiated(),
        record: () => this.capabilities.currentRecord,
        saveRecord: (saved) => this.capabilities.saveRecord(saved),
        approved: () => this.capabilities.approved(),
        isDisposed: () => this.isDisposed,
        client: () => account.requireClient(),
        lane: target.key,
        audit: (action, roomId, detail) => this.capabilities.audit(action, roomId, detail),
      },
      this.channel,
      context.deliveryLimits,
    );
    this.visibility = new PageVisibility(this.channel, () => this.capabilities.currentRecord !== undefined && !this.isDisposed, record ? undefined : true);
    this.actions = new HostActions(target, this.capabilities, decisions, { client: () => account.requireClient(), toWidget, now });
    this.intake = new RequestIntake(
      target.frame.widgetOrigin,
      {
        started: (widgetId) => this.capabilities.start(widgetId),
        perform: async (request) => {
          // Answer at once rather than wait for a login that may never come: one reply per request.
          if (!isHostLocal(request.action) && !(await account.userId())) throw new NotLoggedIn();
          return routeAction(request, this.actions.contextFor(request), this.actions.own);
        },
        toWidgetAnswered: (requestId, response) => this.channel.answer(requestId, response),
        reply: (message) => {
          if (!this.isDisposed) port.post(message);
        },
        answered: (requestId) => {
          if (!this.isDisposed) this.actions.answered(requestId);
        },
      },
      record?.widgetId,
    );
  }

  /** Handles one raw message the relay forwarded, with the origin the relay saw it come from. */
  handle(origin: string, raw: unknown): Promise<void> {
    return this.intake.handle(origin, raw);
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
    this.asking.abort();
    this.actions.stop();
    this.pusher.stop();
    this.channel.close();
    const { decisions, target } = this.context;
    await decisions.records.remove(target.key);
    const record = this.capabilities.currentRecord;
    if (record) await decisions.grants.dropInstanceDecisions(record.hostInstance);
  }

  /**
   * Stops hosting at once: the relay stops forwarding for the frame (with `isForPreviousDocument`,
   * for the document this host served; the frame's next document starts afresh).
   */
  async close(reason: string, isForPreviousDocument = false): Promise<void> {
    this.context.port.reject(reason, isForPreviousDocument);
    await this.dispose();
  }

  /**
   * A stopped worker's host had asked the user for this frame's widget (`widgetId`, from its
   * requests then): this host asks again now, joining the request still open, instead of waiting for
   * a widget that waits for it.
   */
  resumeAsking(widgetId: string, requested: string[]): void {
    if (!this.intake.adopt(widgetId)) return;
    this.capabilities.start(widgetId, requested);
  }

  /** The account this host acts for, once it is tied to one. */
  account(): string | undefined {
    return this.context.account.pinnedUserId;
  }

  get siteOrigin(): string {
    return this.context.target.frame.siteOrigin;
  }

  /** The frame's key in storage.session (`frameKey`). */
  get key(): string {
    return this.context.target.key;
  }

  /** Whether this host took over from a stopped worker's host of the same widget (it had a record). */
  get isResumed(): boolean {
    return this.wasResumed;
  }

  isFor(identity: WidgetIdentity, roomId: string): boolean {
    return this.capabilities.isFor(identity, roomId);
  }

  isInTab(tabId: number): boolean {
    return this.context.target.frame.tabId === tabId;
  }

  isFrame(tabId: number, frameId: number): boolean {
    const { frame } = this.context.target;
    return frame.tabId === tabId && frame.frameId === frameId;
  }

  async view(): Promise<TabWidgetView> {
    const { frame } = this.context.target;
    const record = this.capabilities.currentRecord;
    const state = this.capabilities.state;
    return {
      siteOrigin: frame.widgetSite,
      widgetUrl: frame.widgetUrl,
      widgetId: this.intake.widgetId ?? null,
      roomId: record?.roomId ?? null,
      state: state === 'failed' ? 'waiting' : state,
      approved: await this.capabilities.approved(),
    };
  }

  /**
   * Called when the user changed this widget's grants (revoke in the popup): the widget is told its
   * new capability set at once; requests are checked against the store anyway.
   */
  refreshCapabilities(): Promise<void> {
    return this.capabilities.refresh();
  }

  /** After a grant: what the widget may now see. A resumed host had the rest already. */
  private granted(approved: string[], isResumed: boolean): void {
    if (!isResumed) void this.pusher.pushRoomState(approved).catch((error: unknown) => log.warn('initial state push failed', String(error)));
    void this.pusher.pushStickyState(approved).catch((error: unknown) => log.warn('sticky state push failed', String(error)));
    if (!isResumed) this.visibility.tell();
  }
}
