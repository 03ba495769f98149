// A small chat widget built only on the published matrix-widget-api, as a third-party widget
// author would write it: it lists the room's messages, shows new ones live, and sends text.
import {
  EventDirection,
  WidgetApi,
  WidgetApiToWidgetAction,
  WidgetEventCapability,
  type IRoomEvent,
  type ISendEventToWidgetActionRequest,
} from 'matrix-widget-api';

const params = new URLSearchParams(location.search);

/**
 * The embedding page's origin, which matrix-widget-api needs as its postMessage target. Matrix
 * clients pass it as `parentUrl`; on an arbitrary page the referrer tells it.
 */
function parentOrigin(): string | undefined {
  const parentUrl = params.get('parentUrl') ?? document.referrer;
  try {
    return parentUrl ? new URL(parentUrl).origin : undefined;
  } catch {
    return undefined;
  }
}

// What a Matrix client (or the extension, filling a template) put in the URL about the user: shown so a
// person, and the tests, can see what the widget learnt.
const LEARNED_PARAMS = ['userId', 'displayName', 'deviceId', 'baseUrl', 'roomId', 'theme', 'lang'];
const learned = Object.fromEntries(LEARNED_PARAMS.flatMap((name) => (params.has(name) ? [[name, params.get(name)]] : [])));
if (Object.keys(learned).length > 0) {
  document.getElementById('learned')!.textContent = JSON.stringify(learned);
  document.getElementById('learned-line')!.hidden = false;
}

const api = new WidgetApi(params.get('widgetId') ?? 'demo-chat', parentOrigin());
const shown = new Set<string>();

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

function show(event: IRoomEvent): void {
  if (event.type !== 'm.room.message' || shown.has(event.event_id)) return;
  shown.add(event.event_id);
  const body = typeof event.content['body'] === 'string' ? event.content['body'] : '';
  const item = document.createElement('li');
  item.dataset['eventId'] = event.event_id;
  const sender = document.createElement('span');
  sender.className = 'sender';
  sender.textContent = event.sender;
  const text = document.createElement('span');
  text.className = 'body';
  text.textContent = body;
  item.append(sender, text);
  const list = $('messages');
  // Keep room order by server timestamp; history and live events may interleave. Searched from the
  // end: a live event belongs there, so a busy room costs one comparison per message, not the list.
  let after: Element | null = null;
  for (let child = list.lastElementChild; child && Number((child as HTMLElement).dataset['ts']) > event.origin_server_ts; child = child.previousElementSibling) {
    after = child;
  }
  item.dataset['ts'] = String(event.origin_server_ts);
  list.insertBefore(item, after);
}

api.requestCapabilities([
  WidgetEventCapability.forRoomEvent(EventDirection.Send, 'm.room.message').raw,
  WidgetEventCapability.forRoomEvent(EventDirection.Receive, 'm.room.message').raw,
]);

api.on(`action:${WidgetApiToWidgetAction.NotifyCapabilities}`, (event: CustomEvent<{ data: { approved: string[] } }>) => {
  $('approved').textContent = JSON.stringify(event.detail.data.approved);
});

api.on(`action:${WidgetApiToWidgetAction.SendEvent}`, (event: CustomEvent<ISendEventToWidgetActionRequest>) => {
  event.preventDefault();
  api.transport.reply(event.detail, {});
  show(event.detail.data);
});

api.on('ready', () => {
  $('status').textContent = 'ready';
  api
    .readRoomEvents('m.room.message', 50)
    .then((events) => events.forEach(show))
    .catch((error: unknown) => {
      $('last-error').textContent = `read failed: ${error instanceof Error ? error.message : String(error)}`;
    });
});

$('composer').addEventListener('submit', (submit) => {
  submit.preventDefault();
  const input = $<HTMLInputElement>('body');
  const body = input.value;
  if (!body) return;
  input.value = '';
  api
    .sendRoomEvent('m.room.message', { msgtype: 'm.text', body })
    .then((result) => {
      $('last-sent').textContent = result.event_id ?? '';
      $('last-error').textContent = '';
    })
    .catch((error: unknown) => {
      $('last-error').textContent = `send failed: ${error instanceof Error ? error.message : String(error)}`;
    });
});

api.start();
$('status').textContent = 'waiting for capabilities';
