// Runs the background's WidgetHost in Node against the real Synapse: real MatrixSession and stores
// (in memory), sync scoped to the granted rooms as in the background, a scripted approval answer,
// and a minimal widget that answers the host's requests.
import { MatrixSession } from '../../src/background/session/matrix-session';
import { SessionStore } from '../../src/background/session/session-store';
import { AuditLog } from '../../src/background/grants/audit-log';
import { GrantStore } from '../../src/background/grants/grant-store';
import type { ApprovalDecision, PendingApproval } from '../../src/background/approvals/approval-queue';
import { HostRecords } from '../../src/background/widgets/host/host-record';
import { WidgetHost, type HostContext } from '../../src/background/widgets/host/widget-host';
import type { WidgetInbound } from '../../src/shared/protocol/widget-api';
import { homeserverUrl, type TestUser } from './homeserver';
import { memoryStore } from './memory-store';

export const SITE_ORIGIN = 'https://site.example';
export const WIDGET_ORIGIN = 'https://widget.example';
export const WIDGET_ID = 'harness-widget';

export type HostHarness = {
  host: WidgetHost;
  session: MatrixSession;
  grants: GrantStore;
  audit: AuditLog;
  /** Every message the host posted to the widget, in order. */
  posted: WidgetInbound[];
  /** Every approval the host asked the user for. */
  asked: PendingApproval[];
  /** The delivered event ids in the stored host record (what a restarted worker would know). */
  recordedDeliveries(): string[];
  /** Sends one fromWidget request and returns the host's reply (its `response`). */
  request(action: string, data?: Record<string, unknown>, requestId?: string): Promise<Record<string, unknown>>;
  /** Replies to the request with `requestId` the host posted, in order. */
  repliesTo(requestId: string): Record<string, unknown>[];
  /** toWidget requests of one action the host sent. */
  toWidget(action: string): WidgetInbound[];
  /** Sends the held acknowledgements of pushed events (see `holdEventAcks`). */
  releaseAcks(): void;
  /** Starts the session's sync, routing live events and to-device messages to this host. */
  startSync(): Promise<void>;
  stopSync(): Promise<void>;
};

export type HarnessOptions = {
  /** What the widget asks for when the host asks for its capabilities. */
  capabilities: string[];
  roomHint?: string;
  /** The user's answer in the approval window. */
  decide?: (pending: PendingApproval) => ApprovalDecision;
  /** Share stores with an earlier harness (a page reload in the same profile). */
  shared?: Pick<HostHarness, 'session' | 'grants' | 'audit'>;
  isLoggedIn?: boolean;
  /** The widget says it supports MSC2762 update_state when the host asks its versions. */
  updatesState?: boolean;
  /** The widget's site as attested (`siteOf(top, embedder)`); the top site by default. */
  widgetSite?: string;
  /** Log in through this URL (e.g. a fault-injecting proxy) instead of the homeserver's. */
  homeserverUrl?: string;
  /** The widget holds back its acknowledgements of pushed events until `releaseAcks()`. */
  holdEventAcks?: boolean;
  deliveryLimits?: { window: number; maxQueued: number };
  /** The account the host acts for (as the background gives it: `Accounts.pinned()`); the harness's session by default. */
  account?: HostContext['account'];
};

let nextFrame = 1;

export async function hostHarness(user: TestUser, options: HarnessOptions): Promise<HostHarness> {
  let session = options.shared?.session;
  let grants = options.shared?.grants;
  if (!session || !grants) {
    const newGrants = new GrantStore(memoryStore(), memoryStore());
    // As the background wires them (services.ts): sync covers the rooms the grants reach.
    session = new MatrixSession(new SessionStore(memoryStore()), { persistence: 'memory', syncScope: (userId) => newGrants.syncScope(userId) });
    const scoped = session;
    newGrants.onChange(() => void scoped.syncScopeChanged());
    grants = newGrants;
    if (options.isLoggedIn !== false) await session.login(options.homeserverUrl ?? homeserverUrl(), user.username, user.password);
  }
  const audit = options.shared?.audit ?? new AuditLog(memoryStore());
  const sessionValues = new Map<string, unknown>();
  const records = new HostRecords({
    read: async (key) => sessionValues.get(key),
    write: async (key, value) => void sessionValues.set(key, structuredClone(value)),
    remove: async (key) => void sessionValues.delete(key),
    keys: async () => [...sessionValues.keys()],
  });
  const posted: WidgetInbound[] = [];
  const asked: PendingApproval[] = [];
  const frameId = nextFrame++;
  let host: WidgetHost | undefined;
  const heldAcks: (() => void)[] = [];
  const answer = (message: WidgetInbound): Record<string, unknown> => {
    if (message.action === 'capabilities') return { capabilities: options.capabilities };
    if (message.action === 'supported_api_versions') {
      return { supported_versions: options.updatesState ? ['0.0.2', 'org.matrix.msc2762_update_state'] : ['0.0.2'] };
    }
    return {};
  };
  host = new WidgetHost(
    {
      target: {
        frame: {
          tabId: 1,
          frameId,
          siteOrigin: SITE_ORIGIN,
          widgetSite: options.widgetSite ?? SITE_ORIGIN,
          widgetOrigin: WIDGET_ORIGIN,
          widgetUrl: `${WIDGET_ORIGIN}/widget`,
          documentUrl: `${WIDGET_ORIGIN}/widget?widgetId=${WIDGET_ID}`,
        },
        key: `host:1:${frameId}`,
        roomHint: options.roomHint,
      },
      port: {
        reject: () => undefined,
        post: (message) => {
          posted.push(message);
          // The widget answers the host's own requests, as matrix-widget-api does.
          if (message.api === 'toWidget' && !message.response) {
            const acknowledge = () => void host?.handle(WIDGET_ORIGIN, { ...message, response: answer(message) });
            if (options.holdEventAcks && message.action === 'send_event') heldAcks.push(acknowledge);
            else queueMicrotask(acknowledge);
          }
        },
      },
      ...(options.deliveryLimits ? { deliveryLimits: options.deliveryLimits } : {}),
      account: options.account ?? session,
      decisions: {
        grants,
        approvals: {
          request: async (pending) => {
            asked.push(pending);
            return (options.decide ?? ((p) => ({ roomId: p.roomHint, approved: p.capabilities, remember: true })))(pending);
          },
          release: () => undefined,
        },
        audit,
        records,
      },
      now: Date.now,
    },
    undefined,
  );
  let counter = 0;
  const repliesTo = (requestId: string) =>
    posted.filter((message) => message.api === 'fromWidget' && message.requestId === requestId && message.response).map((message) => message.response ?? {});
  return {
    host,
    session,
    grants,
    audit,
    posted,
    asked,
    recordedDeliveries: () => (sessionValues.get(`host:1:${frameId}`) as { deliveredEventIds?: string[] } | undefined)?.deliveredEventIds ?? [],
    repliesTo,
    releaseAcks: () => {
      for (const acknowledge of heldAcks.splice(0)) acknowledge();
    },
    toWidget: (action) => posted.filter((message) => message.api === 'toWidget' && message.action === action),
    async startSync() {
      const routed = host;
      session.onLiveEvent((roomId, event) => routed.deliver(roomId, event));
      session.onToDeviceEvent((event) => routed.deliverToDevice(event));
      session.acquireSync();
      const client = await session.requireClient();
      await new Promise<void>((resolve) => {
        const check = () => (client.isInitialSyncComplete() ? resolve() : setTimeout(check, 50));
        check();
      });
    },
    async stopSync() {
      (await session.requireClient()).stopClient();
    },
    async request(action, data = {}, requestId = `request-${++counter}`) {
      await host.handle(WIDGET_ORIGIN, { api: 'fromWidget', widgetId: WIDGET_ID, requestId, action, data });
      const replies = repliesTo(requestId);
      if (replies.length !== 1) throw new Error(`expected one reply to ${action}, got ${replies.length}`);
      return replies[0] ?? {};
    },
  };
}
