// A conformance widget (issue #4): it exercises the host through matrix-widget-api's own client
// methods, exactly as third-party widgets call them, and reports each result. The e2e suite runs it
// in Chromium and Firefox against the extension and the real Synapse.
import {
  EventDirection,
  MatrixCapabilities,
  WidgetApi,
  WidgetApiToWidgetAction,
  WidgetEventCapability,
} from 'matrix-widget-api';

type Check = { name: string; ok: boolean; detail: string };

const params = new URLSearchParams(location.search);
const parentUrl = params.get('parentUrl') ?? document.referrer;
const api = new WidgetApi(params.get('widgetId') ?? 'conformance', parentUrl ? new URL(parentUrl).origin : undefined);
const results: Check[] = [];
/** The `visibility` the host told the widget, in order (the package acknowledges each by itself). */
const visibility: boolean[] = [];
const state = { done: false, results, visibility };
Object.assign(window, { conformance: state });

const MESSAGE = 'm.room.message';
api.requestCapabilities([
  WidgetEventCapability.forRoomEvent(EventDirection.Send, MESSAGE).raw,
  WidgetEventCapability.forRoomEvent(EventDirection.Receive, MESSAGE).raw,
  WidgetEventCapability.forStateEvent(EventDirection.Send, 'm.room.topic', '').raw,
  WidgetEventCapability.forStateEvent(EventDirection.Receive, 'm.room.topic').raw,
  WidgetEventCapability.forRoomEvent(EventDirection.Receive, 'm.reaction').raw,
  WidgetEventCapability.forToDeviceEvent(EventDirection.Send, 'org.example.ping').raw,
  WidgetEventCapability.forToDeviceEvent(EventDirection.Receive, 'org.example.ping').raw,
  MatrixCapabilities.MSC4157SendDelayedEvent,
  MatrixCapabilities.MSC4157UpdateDelayedEvent,
  MatrixCapabilities.MSC4407SendStickyEvent,
  MatrixCapabilities.MSC4515RtcTransports,
  MatrixCapabilities.MSC4533RtcLivekitGetToken,
  MatrixCapabilities.MSC3973UserDirectorySearch,
  MatrixCapabilities.MSC4039UploadFile,
  MatrixCapabilities.MSC4039DownloadFile,
  MatrixCapabilities.MSC3846TurnServers,
  WidgetEventCapability.forRoomAccountData(EventDirection.Receive, 'org.example.conformance').raw,
]);

/** To-device messages the host pushed (toWidget send_to_device). */
const toDevice: { type: string; content: Record<string, unknown> }[] = [];
api.on(`action:${WidgetApiToWidgetAction.SendToDevice}`, (event: CustomEvent<{ data: { type: string; content: Record<string, unknown> } }>) => {
  event.preventDefault();
  toDevice.push(event.detail.data);
  api.transport.reply(event.detail as never, {});
});

/** The state the host pushed with update_state (MSC2762), in order; the package leaves answering to us. */
const stateUpdates: { type: string; content: Record<string, unknown> }[] = [];
api.on(`action:${WidgetApiToWidgetAction.UpdateState}`, (event: CustomEvent<{ data: { state: { type: string; content: Record<string, unknown> }[] } }>) => {
  event.preventDefault();
  stateUpdates.push(...event.detail.data.state);
  api.transport.reply(event.detail as never, {});
});

function show(check: Check): void {
  results.push(check);
  const item = document.createElement('li');
  item.className = check.ok ? 'ok' : 'failed';
  item.textContent = `${check.ok ? '✓' : '✗'} ${check.name}: ${check.detail}`;
  document.getElementById('results')?.append(item);
}

async function check(name: string, run: () => Promise<string>): Promise<void> {
  try {
    show({ name, ok: true, detail: await run() });
  } catch (error) {
    show({ name, ok: false, detail: error instanceof Error ? error.message : String(error) });
  }
}

async function expectRefusal(run: () => Promise<unknown>, pattern: RegExp): Promise<string> {
  try {
    await run();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (pattern.test(message)) return `refused: ${message}`;
    throw new Error(`refused for the wrong reason: ${message}`);
  }
  throw new Error('was not refused');
}

function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

async function run(): Promise<void> {
  let sentId = '';
  let ownUserId = '';
  let roomId = '';
  await check('send_event (room message)', async () => {
    const sent = await api.sendRoomEvent(MESSAGE, { msgtype: 'm.text', body: 'conformance message' });
    sentId = sent.event_id ?? '';
    roomId = sent.room_id;
    assert(sentId.startsWith('$'), 'no event id');
    return sentId;
  });
  await check('read_events (room messages)', async () => {
    const events = await api.readRoomEvents(MESSAGE, 10);
    const sent = events.find((event) => event.event_id === sentId);
    assert(sent, 'the sent message is missing');
    ownUserId = sent.sender;
    return `${events.length} events`;
  });
  await check('send_event (state)', async () => {
    await api.sendStateEvent('m.room.topic', '', { topic: 'conformance topic' });
    return 'topic set';
  });
  await check('read_events (state, one key)', async () => {
    const events = await api.readStateEvents('m.room.topic', 1, '');
    assert(events[0]?.content && (events[0].content as { topic?: string }).topic === 'conformance topic', 'topic not read back');
    return 'topic read';
  });
  await check('read_events (state, any key)', async () => {
    const events = await api.readStateEvents('m.room.topic', 5);
    assert(events.length >= 1, 'no state read');
    return `${events.length} state events`;
  });
  await check('update_state pushes the state it may see (MSC2762)', async () => {
    for (let attempt = 0; attempt < 100; attempt++) {
      const topic = stateUpdates.find((event) => event.type === 'm.room.topic' && event.content['topic'] === 'conformance topic');
      if (topic) return `${stateUpdates.length} state events pushed`;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`the new topic never came: ${JSON.stringify(stateUpdates)}`);
  });
  await check('read_room_account_data', async () => {
    const data = await api.readRoomAccountData('org.example.conformance');
    const found = data.find((item) => item.type === 'org.example.conformance');
    assert((found?.content as { hello?: string } | undefined)?.hello === 'widget', `not the account data set for the room: ${JSON.stringify(data)}`);
    return `${data.length} item(s)`;
  });
  await check('watch_turn_servers', async () => {
    const servers = api.getTurnServers();
    const first = await Promise.race([
      servers.next(),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no update_turn_servers within 10 s')), 10_000)),
    ]);
    await servers.return(undefined);
    const server = first.value as { uris?: string[]; username?: string } | undefined;
    const uris = server?.uris ?? [];
    assert(uris[0]?.startsWith('turn:') && server?.username, `no TURN server: ${JSON.stringify(server)}`);
    return `${uris.length} URI(s) with credentials`;
  });
  await check('read_relations', async () => {
    const relations = await api.readEventRelations(sentId);
    return `${relations.chunk.length} relations`;
  });
  await check('user_directory_search', async () => {
    const found = await api.searchUserDirectory('bob', 5);
    return `${found.results.length} users`;
  });
  await check('send_to_device', async () => {
    await api.sendToDevice('org.example.ping', false, { [ownUserId]: { '*': { ping: true } } });
    return `sent to ${ownUserId}'s devices`;
  });
  await check('to-device message pushed to the widget (toWidget send_to_device)', async () => {
    // The ping above went to every device of the user, the extension's own included.
    for (let attempt = 0; attempt < 100; attempt++) {
      if (toDevice.some((message) => message.type === 'org.example.ping' && message.content['ping'] === true)) return 'the ping came back';
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('no to-device message pushed');
  });
  await check('delayed event, then cancelled', async () => {
    const scheduled = await api.sendRoomEvent(MESSAGE, { msgtype: 'm.text', body: 'never sent' }, undefined, 600_000);
    assert(scheduled.delay_id, 'no delay id');
    await api.cancelScheduledDelayedEvent(scheduled.delay_id);
    return scheduled.delay_id;
  });
  await check('send_event (sticky, MSC4354 / MSC4407)', async () => {
    const { event_id: eventId } = await api.sendRoomEvent(MESSAGE, { msgtype: 'm.text', body: 'conformance sticky' }, undefined, undefined, 60_000);
    const events = (await api.readRoomEvents(MESSAGE, 10)) as { event_id: string; msc4354_sticky?: { duration_ms?: number } }[];
    const sent = events.find((event) => event.event_id === eventId);
    assert(sent?.msc4354_sticky?.duration_ms === 60_000, 'not sticky on the server');
    return eventId ?? '';
  });
  await check('get_media_config', async () => {
    const config = await api.getMediaConfig();
    assert(typeof config['m.upload.size'] === 'number', 'no upload size');
    return `${config['m.upload.size']} bytes`;
  });
  await check('upload_file and download_file (binary through the extension)', async () => {
    const text = 'conformance file ✓';
    const { content_uri: contentUri } = await api.uploadFile(new Blob([text], { type: 'text/plain' }));
    assert(contentUri.startsWith('mxc://'), 'no content URI');
    const { file } = await api.downloadFile(contentUri);
    assert(file instanceof Blob, 'the download is not a Blob');
    const back = await file.text();
    assert(back === text, `downloaded "${back}"`);
    return contentUri;
  });
  await check('get_rtc_transports (MSC4515)', async () => {
    const { rtc_transports: transports } = await api.getRtcTransports();
    assert(transports.some((transport) => transport.type === 'livekit'), 'no LiveKit transport');
    return `${transports.length} transport(s)`;
  });
  await check('rtc_livekit_get_token passes the homeserver’s refusal through (MSC4533)', () =>
    expectRefusal(
      () => api.getRtcLivekitToken({ server_name: 'localhost', url: 'wss://livekit.invalid', room_id: roomId, slot_id: 'm.call#ROOM', member: { id: 'conformance' } }),
      /Unrecognized request/,
    ),
  );
  await check('client-UI action gets a specific refusal', () => expectRefusal(() => api.setAlwaysOnScreen(true), /page/));
  await check('unknown action is refused', () => expectRefusal(() => api.transport.send('com.example.unknown', {}), /Unknown or unsupported/));
  await check('sending without the capability is refused', () =>
    expectRefusal(() => api.sendRoomEvent('m.reaction', { 'm.relates_to': { rel_type: 'm.annotation', event_id: sentId, key: 'x' } }), /not granted/),
  );
  await check('get_openid (after the user consents)', async () => {
    const credentials = await api.requestOpenIDConnectToken();
    assert(credentials.access_token && credentials.matrix_server_name, 'no credentials');
    return credentials.matrix_server_name ?? '';
  });
  await check('request_capabilities (MSC2974)', async () => {
    const reaction = WidgetEventCapability.forRoomEvent(EventDirection.Send, 'm.reaction').raw;
    api.requestCapability(reaction);
    const notified = new Promise<string[]>((resolve) =>
      api.once(`action:${WidgetApiToWidgetAction.NotifyCapabilities}`, (event: CustomEvent<{ data: { approved: string[] } }>) => resolve(event.detail.data.approved)),
    );
    await api.updateRequestedCapabilities();
    const approved = await notified;
    assert(approved.includes(reaction), 'not granted after renegotiation');
    await api.sendRoomEvent('m.reaction', { 'm.relates_to': { rel_type: 'm.annotation', event_id: sentId, key: '👍' } });
    return 'reaction sent';
  });
  state.done = true;
  document.getElementById('status')!.textContent = 'done';
}

api.on(`action:${WidgetApiToWidgetAction.UpdateVisibility}`, (event: CustomEvent<{ data: { visible: boolean } }>) => {
  visibility.push(event.detail.data.visible);
});

api.on('ready', () => {
  document.getElementById('status')!.textContent = 'running';
  void run();
});
api.start();
