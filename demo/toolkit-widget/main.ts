// A widget written the way @matrix-widget-toolkit/api (Nordeck's widget toolkit) expects widgets to
// be written: it learns everything from its registration URL (widget id and parent URL in the query,
// the toolkit's `matrix_*` parameters in the `#/?` fragment) and never asks the page for anything.
// It shows the room's name and members, the room's messages as they arrive, and sends text.
import {
  hasWidgetParameters,
  isValidRoomMemberStateEvent,
  STATE_EVENT_ROOM_MEMBER,
  WidgetApiImpl,
  type RoomEvent,
  type StateEvent,
  type WidgetApi,
} from '@matrix-widget-toolkit/api';
import { EventDirection, WidgetEventCapability } from 'matrix-widget-api';

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

function showError(what: string, error: unknown): void {
  $('last-error').textContent = `${what}: ${error instanceof Error ? error.message : String(error)}`;
}

const CAPABILITIES = [
  WidgetEventCapability.forStateEvent(EventDirection.Receive, 'm.room.name'),
  WidgetEventCapability.forStateEvent(EventDirection.Receive, STATE_EVENT_ROOM_MEMBER),
  WidgetEventCapability.forRoomEvent(EventDirection.Send, 'm.room.message'),
  WidgetEventCapability.forRoomEvent(EventDirection.Receive, 'm.room.message'),
];

/** The joined members by user ID; a later membership event replaces an earlier one. */
const members = new Map<string, string>();

function showMembers(): void {
  const items = [...members.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([userId, displayName]) => {
      const item = document.createElement('li');
      item.dataset['userId'] = userId;
      item.textContent = displayName === userId ? userId : `${displayName} (${userId})`;
      return item;
    });
  $('members').replaceChildren(...items);
}

function onMember(event: StateEvent): void {
  if (!isValidRoomMemberStateEvent(event)) return;
  if (event.content.membership === 'join') members.set(event.state_key, event.content.displayname || event.state_key);
  else members.delete(event.state_key);
  showMembers();
}

const shown = new Set<string>();

function onMessage(event: RoomEvent<{ body?: unknown }>): void {
  // History and live events come through one observable; an event the widget sent itself comes
  // back from the server too, so each is shown once.
  if (shown.has(event.event_id)) return;
  shown.add(event.event_id);
  const item = document.createElement('li');
  item.dataset['eventId'] = event.event_id;
  const sender = document.createElement('span');
  sender.className = 'sender';
  sender.textContent = event.sender;
  const body = document.createElement('span');
  body.className = 'body';
  body.textContent = typeof event.content.body === 'string' ? event.content.body : '';
  item.append(sender, body);
  $('messages').append(item);
}

function wire(api: WidgetApi): void {
  api.observeStateEvents<{ name?: unknown }>('m.room.name').subscribe({
    next: (event) => {
      $('room-name').textContent = typeof event.content.name === 'string' ? event.content.name : '';
    },
    error: (error: unknown) => showError('reading the room name failed', error),
  });
  api.observeStateEvents(STATE_EVENT_ROOM_MEMBER).subscribe({ next: onMember, error: (error: unknown) => showError('reading the members failed', error) });
  api.observeRoomEvents<{ body?: unknown }>('m.room.message').subscribe({ next: onMessage, error: (error: unknown) => showError('reading messages failed', error) });

  $('send').addEventListener('submit', (submit) => {
    submit.preventDefault();
    const input = $<HTMLInputElement>('body');
    const body = input.value;
    if (!body) return;
    input.value = '';
    // The toolkit resolves once the server's copy of the event came back to the widget.
    api
      .sendRoomEvent('m.room.message', { msgtype: 'm.text', body })
      .then((event) => {
        $('last-sent').textContent = event.event_id;
        $('last-error').textContent = '';
      })
      .catch((error: unknown) => showError('send failed', error));
  });
}

async function start(): Promise<void> {
  // create() throws without widgetId and parentUrl in the query, and resolves once the host
  // answered the capability request (approved or not).
  const api = await WidgetApiImpl.create({ capabilities: CAPABILITIES });
  if (!hasWidgetParameters(api)) {
    $('status').textContent = 'missing widget parameters';
    return;
  }
  if (!api.hasInitialCapabilities()) {
    $('status').textContent = 'capabilities refused';
    return;
  }
  // What the toolkit read from the filled fragment: who the host says the user is.
  $('user').textContent = api.widgetParameters.userId ?? '';
  wire(api);
  $('status').textContent = 'ready';
}

$('status').textContent = 'waiting for the host';
start().catch((error: unknown) => {
  $('status').textContent = 'failed';
  showError('start failed', error);
});
