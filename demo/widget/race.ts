// The widget of the account-switch race test (issue #18, finding 2), on the published
// matrix-widget-api: once it may send, it sends numbered messages one after another, each naming its
// frame (`window.name`), until one fails or the test sets `window.raceStop`. It keeps a ledger of every fromWidget
// request it posted and every reply that came back, counted from the raw messages (matrix-widget-api
// keeps only the first reply and forgets a request once it timed out), so a test can see that each
// request got exactly one reply.
import { EventDirection, WidgetApi, WidgetApiToWidgetAction, WidgetEventCapability } from 'matrix-widget-api';

const SEND = WidgetEventCapability.forRoomEvent(EventDirection.Send, 'm.room.message').raw;
/** The pause between two sends: a dozen frames send at once, into one room. */
const PAUSE_MS = 200;

type Ledger = {
  /** fromWidget request ids in the order they were posted, with their action. */
  requests: { requestId: string; action: string }[];
  /** Replies seen per request id. */
  replies: Record<string, number>;
  /** Event ids the host replied with to this frame's sends. */
  sent: string[];
  /** The error that ended the sending, if one did. */
  error: string | null;
  /** What the host last said the widget may do. */
  approved: string[];
  /** True once the frame stopped sending (told to, or a send failed), or was granted nothing. */
  isDone: boolean;
};

const ledger: Ledger = { requests: [], replies: {}, sent: [], error: null, approved: [], isDone: false };
(window as unknown as { raceLedger: Ledger }).raceLedger = ledger;

const params = new URLSearchParams(location.search);
const parentUrl = params.get('parentUrl') ?? document.referrer;
const api = new WidgetApi(params.get('widgetId') ?? 'race', parentUrl ? new URL(parentUrl).origin : undefined);
const status = document.getElementById('status') as HTMLElement;

// Every request the transport posts passes here: what a reply must come back for.
const transport = api.transport as unknown as { sendInternal(message: Record<string, unknown>): void };
const post = transport.sendInternal.bind(transport);
transport.sendInternal = (message) => {
  if (message['api'] === 'fromWidget' && message['response'] === undefined) {
    ledger.requests.push({ requestId: String(message['requestId']), action: String(message['action']) });
  }
  post(message);
};
window.addEventListener('message', (event: MessageEvent) => {
  const data = event.data as Record<string, unknown> | null;
  if (event.source !== window.parent || !data || data['api'] !== 'fromWidget' || data['response'] === undefined) return;
  const requestId = String(data['requestId']);
  ledger.replies[requestId] = (ledger.replies[requestId] ?? 0) + 1;
});

api.requestCapabilities([SEND]);

let isSending = false;
async function sendAll(): Promise<void> {
  isSending = true;
  status.textContent = 'sending';
  try {
    const state = window as unknown as { raceStop?: boolean };
    for (let count = 1; !state.raceStop; count++) {
      const result = await api.sendRoomEvent('m.room.message', { msgtype: 'm.text', body: `race ${window.name} ${count}` });
      ledger.sent.push(result.event_id ?? '');
      await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
    }
    status.textContent = 'sent';
  } catch (error) {
    ledger.error = error instanceof Error ? error.message : String(error);
    status.textContent = 'stopped';
  }
  ledger.isDone = true;
}

api.on(`action:${WidgetApiToWidgetAction.NotifyCapabilities}`, (event: CustomEvent<{ data: { approved: string[] } }>) => {
  ledger.approved = event.detail.data.approved;
  if (ledger.approved.includes(SEND) && !isSending) void sendAll();
  // Nothing granted: this frame has nothing to send, and is done.
  if (!ledger.approved.includes(SEND) && !isSending) ledger.isDone = true;
});

api.start();
status.textContent = 'waiting for capabilities';
