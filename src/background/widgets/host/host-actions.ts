// The part of a widget host that action handlers reach: the ActionContext of each request (client,
// grants, bound room, audit, delay ids, its transaction id) and the few actions that change the
// host's own state (MSC2974 renegotiation, OpenID consent, the TURN watch).
import type { MatrixClient } from 'matrix-js-sdk';
import { MatrixCapabilities } from 'matrix-widget-api';
import { hasCapability } from '../../../shared/core/grant-policy';
import { createLogger } from '../../../shared/log';
import { CapabilitiesResponse, type FromWidgetRequest } from '../../../shared/protocol/widget-api';
import { parseData, type ActionContext, type ActionResult } from '../actions/action-context';
import type { HostOwnActions } from '../actions/action-router';
import type { Homeserver } from '../actions/room-actions';
import type { CapabilitySession, Decisions, NegotiatedFrame } from './capability-session';
import { askForOpenId, rememberedOpenId, type OpenIdAnswer } from './openid';
import { TurnServerWatch } from './turn-servers';
import { WidgetRequestRefused } from '../actions/widget-errors';

const log = createLogger('bg:host');

/** Delayed events remembered per widget instance: enough for a call's leave events, bounded. */
const MAX_DELAY_IDS = 100;

export class HostActions {
  /** Requests that persisted a transaction id, to forget it once answered. */
  private readonly requestsWithTransaction = new Set<string>();
  private turnWatch: TurnServerWatch | undefined;

  private readonly client: () => Promise<MatrixClient>;
  private readonly toWidget: (action: string, data: Record<string, unknown>) => Promise<Record<string, unknown>>;
  private readonly now: () => number;

  constructor(
    private readonly target: NegotiatedFrame,
    private readonly capabilities: CapabilitySession,
    private readonly decisions: Decisions,
    io: {
      client: () => Promise<MatrixClient>;
      toWidget: (action: string, data: Record<string, unknown>) => Promise<Record<string, unknown>>;
      now: () => number;
    },
  ) {
    this.client = io.client;
    this.toWidget = io.toWidget;
    this.now = io.now;
  }

  /** The account's client with this host's lane at its gate (one per frame: widgets take turns there). */
  private readonly homeserver = async (): Promise<Homeserver> => ({ client: await this.client(), lane: this.target.key });

  /** What action handlers may use for one request; they never see the frame, the port or the record. */
  contextFor(request: FromWidgetRequest): ActionContext {
    const { capabilities } = this;
    return {
      homeserver: this.homeserver,
      // A request racing the capability negotiation waits for its outcome.
      approved: async () => {
        await capabilities.negotiated();
        return capabilities.approved();
      },
      boundRoom: async () => {
        await capabilities.negotiated();
        return capabilities.currentRecord?.roomId ?? null;
      },
      audit: (action, roomId, detail) => capabilities.audit(action, roomId, detail),
      markUsed: (roomId) => capabilities.markUsed(roomId),
      rememberDelayId: (delayId) => {
        const record = capabilities.currentRecord;
        if (!record) return;
        record.delayIds = [...record.delayIds, delayId].slice(-MAX_DELAY_IDS);
        void capabilities.saveRecord(record);
      },
      ownsDelayId: (delayId) => capabilities.currentRecord?.delayIds.includes(delayId) ?? false,
      transactionId: () => {
        this.requestsWithTransaction.add(request.requestId);
        return this.decisions.records.transactionFor(this.target.key, request.requestId, JSON.stringify([request.action, request.data]), () => crypto.randomUUID());
      },
    };
  }

  /** The request was answered: its transaction id (if it took one) is no longer needed. */
  answered(requestId: string): void {
    if (this.requestsWithTransaction.delete(requestId)) {
      void this.decisions.records.transactionDone(this.target.key, requestId).catch(() => undefined);
    }
  }

  readonly own: HostOwnActions = {
    requestCapabilities: (data) => {
      // Acknowledged at once (the user may take longer than the widget's request timeout).
      const { capabilities } = parseData(CapabilitiesResponse, data, 'request_capabilities');
      this.capabilities.requestMore(capabilities);
      return {};
    },
    getOpenId: (requestId) => this.getOpenId(requestId),
    watchTurnServers: () => this.watchTurnServers(),
    unwatchTurnServers: () => {
      this.stop();
      return {};
    },
  };

  stop(): void {
    this.turnWatch?.stop();
    this.turnWatch = undefined;
  }

  /**
   * get_openid: answered at once when the user already decided; otherwise `request` now and the
   * credentials (or the refusal) later as toWidget openid_credentials, after the approval window.
   */
  private async getOpenId(requestId: string): Promise<ActionResult> {
    await this.capabilities.negotiated();
    const identity = this.capabilities.widgetIdentity;
    if (!identity) throw new WidgetRequestRefused('The widget has not finished capability negotiation');
    const { grants, approvals, audit } = this.decisions;
    const remembered = await rememberedOpenId(identity, grants, this.client);
    if (remembered) return remembered;
    void askForOpenId({ identity, widgetOrigin: this.target.frame.widgetOrigin, now: this.now }, grants, approvals, audit, this.client)
      .catch((error: unknown): OpenIdAnswer => {
        log.warn('openid request failed', String(error));
        return { state: 'blocked' };
      })
      // The widget waits for this without a timeout: it always gets an answer.
      .then((answer) => this.toWidget('openid_credentials', { ...answer, original_request_id: requestId }))
      .catch(() => undefined);
    return { state: 'request' };
  }

  private async watchTurnServers(): Promise<ActionResult> {
    await this.capabilities.negotiated();
    if (!hasCapability(await this.capabilities.approved(), MatrixCapabilities.MSC3846TurnServers)) {
      throw new WidgetRequestRefused('Not allowed to use TURN servers: the capability was not granted');
    }
    if (this.turnWatch) return {};
    const watch = new TurnServerWatch(this.homeserver, (server) => void this.toWidget('update_turn_servers', server).catch(() => undefined));
    await watch.start();
    this.turnWatch = watch;
    return {};
  }
}
