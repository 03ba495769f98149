// The demo site and the demo widget, on two different origins as on the real web:
// the site on http://127.0.0.1:<sitePort>, the widget on http://localhost:<widgetPort>. The widget
// origin also serves Element Call's published embedded build under /element-call/.
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { toolkitPage } from './toolkit-page.mjs';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.map': 'application/json',
  '.json': 'application/json',
  // Browsers compile WebAssembly while it streams only when it is served as such (Element Call's crypto).
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.mp3': 'audio/mpeg',
  '.ogg': 'audio/ogg',
};

/** Element Call's embedded build as npm ships it (`@element-hq/element-call-embedded`), unchanged. */
export const elementCallDir = path.join(
  path.dirname(createRequire(import.meta.url).resolve('@element-hq/element-call-embedded/package.json')),
  'dist',
);

/**
 * The template of Element Call's widget URL, as Element Web registers the embedded build: its
 * parameters in the fragment (`#?…`), so they never reach the server. Our `$widget_bridge_parent_url`
 * stands where a Matrix client writes its own URL. No end-to-end encryption per participant: the
 * demo and test rooms are unencrypted. `intent=start_call` with `skipLobby`: opening the page is
 * the user's wish to be in the call, and the extension's approval window is where they agree.
 */
export const ELEMENT_CALL_TEMPLATE_FRAGMENT = [
  'widgetId=$matrix_widget_id',
  'parentUrl=$widget_bridge_parent_url',
  'userId=$matrix_user_id',
  'deviceId=$org.matrix.msc3819.matrix_device_id',
  'roomId=$matrix_room_id',
  'baseUrl=$org.matrix.msc4039.matrix_base_url',
  'lang=$org.matrix.msc2873.client_language',
  'theme=$org.matrix.msc2873.client_theme',
  'perParticipantE2EE=false',
  'intent=start_call',
  'hideHeader=true',
  'confineToRoom=true',
  'preload=false',
  'skipLobby=true',
].join('&');

function escapeAttribute(value) {
  return value.replace(/[&"<>]/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** The demo chat widget's template query: every variable whose value it shows. */
export const CHAT_TEMPLATE_QUERY = [
  'widgetId=$matrix_widget_id',
  'parentUrl=$widget_bridge_parent_url',
  'userId=$matrix_user_id',
  'displayName=$matrix_display_name',
  'deviceId=$org.matrix.msc3819.matrix_device_id',
  'baseUrl=$org.matrix.msc4039.matrix_base_url',
  'roomId=$matrix_room_id',
  'theme=$org.matrix.msc2873.client_theme',
  'lang=$org.matrix.msc2873.client_language',
].join('&');

/**
 * The embedding page. `?room=` sets the room hint; `?widgets=2` embeds a second widget (`demo-chat-2`);
 * with `&copies=1` the widgets are copies of the first, URL and widget id alike (two polls of one kind);
 * `?template=1` embeds the widget by its URL template (`data-matrix-widget-src`), for the extension to fill.
 */

/** The demo site's own icon, which the popup shows beside the site under "This site". */
const SITE_ICON = `<link rel="icon" href="data:image/svg+xml,${encodeURIComponent(
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#0b7a75"/><path d="M4 11V5l4 3 4-3v6" stroke="#fff" stroke-width="1.6" fill="none"/></svg>',
)}">`;

export function sitePage({ widgetOrigin, roomHint, widgetCount = 1, areCopies = false, isTemplated = false, title = 'Demo site' }) {
  const frames = Array.from({ length: widgetCount }, (_, index) => {
    const widgetId = index === 0 || areCopies ? 'demo-chat' : `demo-chat-${index + 1}`;
    const room = roomHint ? ` data-matrix-room="${escapeAttribute(roomHint)}"` : '';
    const attributes = `${room} id="widget-${index + 1}" name="widget-${index + 1}" title="Chat widget" width="480" height="360"`;
    if (isTemplated) {
      // The widget's template URL, as a room's widget state event would hold it: the extension fills it.
      const template = `${widgetOrigin}/index.html?${CHAT_TEMPLATE_QUERY}`;
      return `<iframe data-matrix-widget-src="${escapeAttribute(template)}" data-matrix-widget-id="${widgetId}" data-matrix-widget-name="Demo chat"${attributes}></iframe>`;
    }
    const src = `${widgetOrigin}/index.html?widgetId=${encodeURIComponent(widgetId)}`;
    return `<iframe data-matrix-widget${attributes} src="${escapeAttribute(src)}"></iframe>`;
  }).join('\n');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title>${SITE_ICON}</head>
<body style="font:14px system-ui,sans-serif">
<h1>${title}</h1>
<p>An ordinary web page that embeds a Matrix chat widget from another origin. With Matrix Widget Bridge
installed and logged in, the widget asks for permission and then works with your account.</p>
${frames}
${title === 'Demo site' ? '<p><a href="/toolkit">A widget built on the Matrix widget toolkit</a>, embedded by its URL template.</p>' : ''}
<p><a href="/call${roomHint ? `?room=${encodeURIComponent(roomHint)}` : ''}">Join a call in this room with Element Call</a></p>
</body></html>`;
}

/** A page that embeds Element Call for the room `roomHint` by its template: one frame, nothing else. */
function callPage(widgetOrigin, roomHint) {
  const room = roomHint ? ` data-matrix-room="${escapeAttribute(roomHint)}"` : '';
  const template = `${widgetOrigin}/element-call/index.html#?${ELEMENT_CALL_TEMPLATE_FRAGMENT}`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Call</title></head>
<body style="font:14px system-ui,sans-serif;margin:0">
<p style="margin:8px">Element Call, embedded in an ordinary page. The extension asks before it loads it with your account.
This demo has no media server, so the call connects in Matrix but carries no audio or video.</p>
<iframe id="call" data-matrix-widget-src="${escapeAttribute(template)}" data-matrix-widget-id="element-call" data-matrix-widget-name="Element Call"${room} title="Element Call" allow="camera; microphone; display-capture; autoplay; clipboard-write" style="border:0;width:100%;height:80vh"></iframe>
</body></html>`;
}

async function listenOn(server, port, host) {
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server.address().port;
}

/** Starts both servers; `widgetDir` holds the built widget. */
/** Serves files under `dir`; never outside it. */
async function serveFile(dir, pathname, response) {
  // A directory's index.html: the toolkit widget's registration URL names its directory.
  const relative = path.normalize(pathname.endsWith('/') ? `${pathname}index.html` : pathname).replace(/^(\.\.[/\\])+/, '');
  try {
    const body = await readFile(path.join(dir, relative));
    response.writeHead(200, { 'content-type': TYPES[path.extname(relative)] ?? 'application/octet-stream' });
    response.end(body);
  } catch {
    response.writeHead(404).end('not found');
  }
}

/**
 * A frame an attacker controls (for the spoofing tests): it records what it receives and can nest a
 * frame of another origin (`?nest=<url>`). Tests drive it by evaluating script in it.
 */
function attackerPage() {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Attacker frame</title></head><body>
<script>
window.received = [];
window.addEventListener('message', (event) => window.received.push(event.data));
const nest = new URLSearchParams(location.search).get('nest');
if (nest) { const frame = document.createElement('iframe'); frame.src = nest; document.body.append(frame); }
</script></body></html>`;
}

/**
 * A widget that only asks (for the approval-flood test): on load it makes one request, and answers
 * the host's capabilities request with `?count=` capabilities of `?length=` characters each.
 */
function askingWidgetPage() {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Asking widget</title></head><body>
<script>
const params = new URLSearchParams(location.search);
const widgetId = params.get('widgetId');
const count = Number(params.get('count') || '200');
const length = Number(params.get('length') || '200');
const capabilities = Array.from({ length: count }, (_, index) => 'org.example.flood.' + index + '.' + 'x'.repeat(Math.max(0, length - 24)));
window.addEventListener('message', (event) => {
  const message = event.data;
  if (message && message.api === 'toWidget' && !message.response && message.action === 'capabilities') {
    parent.postMessage({ ...message, response: { capabilities } }, '*');
  }
});
parent.postMessage({ api: 'fromWidget', widgetId, requestId: 'hello', action: 'supported_api_versions', data: {} }, '*');
</script></body></html>`;
}

/**
 * A hostile page (the approval-flood test): it keeps replacing up to `?frames=` widget frames, each
 * claiming a fresh widget id and asking for many long capabilities, with no click from anyone.
 */
function floodPage(widgetOrigin, params) {
  const frames = Number(params.get('frames') ?? '32');
  const everyMs = Number(params.get('every') ?? '250');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Flooding site</title></head><body>
<script>
let serial = 0;
window.floodFramesMade = 0;
function replaceOne() {
  const frames = document.querySelectorAll('iframe');
  if (frames.length >= ${frames}) frames[0].remove();
  const frame = document.createElement('iframe');
  frame.setAttribute('data-matrix-widget', '');
  const length = 150 + (serial % 7) * 60;
  frame.src = ${JSON.stringify(widgetOrigin)} + '/asking.html?widgetId=flood-' + (serial++) + '-' + Math.random().toString(36).slice(2) + '&count=200&length=' + length;
  document.body.append(frame);
  window.floodFramesMade += 1;
}
setInterval(replaceOne, ${everyMs});
</script></body></html>`;
}

/**
 * The page of the account-switch race test (issue #18, finding 2): the race widget, granted once,
 * then re-created again and again while the user switches accounts. `startChurn()` removes the
 * current frame and creates a new one every 50–100 ms (the same widget URL and id, so the grant
 * applies to each); every fifth frame stays as a witness (the last ten), so the test can read the
 * ledger of frames created before, during and after the switch. `stopChurn()` keeps the last one.
 */
function switchRacePage(widgetOrigin, roomHint) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Switch race</title></head><body>
<script>
const src = ${JSON.stringify(`${widgetOrigin}/race.html?widgetId=race`)};
const room = ${JSON.stringify(roomHint ?? '')};
const WITNESS_EVERY = 5;
const MAX_WITNESSES = 10;
let serial = 0;
let timer = null;
window.raceFramesMade = 0;
window.raceWitnesses = [];
function make() {
  const frame = document.createElement('iframe');
  frame.setAttribute('data-matrix-widget', '');
  if (room) frame.dataset.matrixRoom = room;
  frame.name = 'race-' + serial++;
  frame.title = 'Race widget';
  frame.width = '160';
  frame.height = '40';
  frame.src = src;
  document.body.append(frame);
  window.raceFramesMade = serial;
  return frame;
}
function keep(frame) {
  if (window.raceWitnesses.includes(frame.name)) return;
  window.raceWitnesses.push(frame.name);
  while (window.raceWitnesses.length > MAX_WITNESSES) document.querySelector('iframe[name="' + window.raceWitnesses.shift() + '"]')?.remove();
}
let current = make();
function tick() {
  if (serial % WITNESS_EVERY === 0) keep(current);
  if (!window.raceWitnesses.includes(current.name)) current.remove();
  current = make();
  timer = setTimeout(tick, 50 + Math.random() * 50);
}
window.startChurn = () => {
  keep(current);
  timer ??= setTimeout(tick, 50 + Math.random() * 50);
  return true;
};
window.stopChurn = () => {
  clearTimeout(timer);
  timer = null;
  keep(current);
  return window.raceWitnesses;
};
</script></body></html>`;
}

/**
 * The page of the spoofing tests: the real widget, a copy of it (same URL, same widget id), and
 * attacker frames around them.
 */
function spoofPage({ widgetOrigin, thirdOrigin, roomHint }) {
  const room = roomHint ? ` data-matrix-room="${escapeAttribute(roomHint)}"` : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Spoofing test site</title></head><body>
<iframe id="widget" name="widget" data-matrix-widget${room} title="Chat widget" src="${widgetOrigin}/index.html?widgetId=demo-chat" width="480" height="300"></iframe>
<iframe id="widget-copy" name="widget-copy" data-matrix-widget${room} title="Chat widget, again" src="${widgetOrigin}/index.html?widgetId=demo-chat" width="480" height="300"></iframe>
<iframe id="sibling" title="Third-origin sibling" src="${thirdOrigin}/attacker.html?sibling=1"></iframe>
<iframe id="same-origin-sibling" title="Same-origin sibling" src="${widgetOrigin}/attacker.html?nest=${encodeURIComponent(`${thirdOrigin}/attacker.html?nested=1`)}"></iframe>
</body></html>`;
}

/**
 * The page the bench measures the extension with: the bench widget, marked. `?room=` sets the room
 * hint and `?capabilities=receive` makes the widget ask to receive messages (P2, P4); without them
 * it has no room and asks for nothing (P1).
 */
function benchPage(widgetOrigin, roomHint, capabilities) {
  const room = roomHint ? ` data-matrix-room="${escapeAttribute(roomHint)}"` : '';
  const src = `${widgetOrigin}/bench.html?widgetId=bench${capabilities ? `&capabilities=${encodeURIComponent(capabilities)}` : ''}`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Bench site</title></head><body>
<iframe data-matrix-widget${room} id="bench" title="Bench widget" src="${escapeAttribute(src)}" width="400" height="120"></iframe>
</body></html>`;
}

/**
 * @param {{ widgetDir: string, baselineDir?: string, sitePort?: number, widgetPort?: number, defaultRoomHint?: string }} options
 */
export async function startDemoServers({ widgetDir, baselineDir = undefined, sitePort = 0, widgetPort = 0, defaultRoomHint = undefined }) {
  const widgetHandler = async (request, response) => {
    const url = new URL(request.url, 'http://localhost');
    if (url.pathname === '/favicon.ico') return response.writeHead(204).end();
    if (url.pathname === '/attacker.html') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      return response.end(attackerPage());
    }
    if (url.pathname === '/asking.html') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      return response.end(askingWidgetPage());
    }
    if (url.pathname.startsWith('/element-call/')) {
      return void serveFile(elementCallDir, url.pathname.slice('/element-call'.length), response);
    }
    await serveFile(widgetDir, url.pathname, response);
  };
  const widgetServer = http.createServer(widgetHandler);
  const boundWidgetPort = await listenOn(widgetServer, widgetPort, '127.0.0.1');
  // "localhost" may resolve to ::1 first; answer there too when the machine has IPv6 loopback.
  const widgetServerV6 = http.createServer(widgetHandler);
  await listenOn(widgetServerV6, boundWidgetPort, '::1').catch(() => undefined);
  const widgetOrigin = `http://localhost:${boundWidgetPort}`;

  let secondSiteOrigin = '';
  const siteHandler = (request, response) => {
    const url = new URL(request.url, 'http://127.0.0.1');
    if (url.pathname === '/favicon.ico') return response.writeHead(204).end();
    if (url.pathname.startsWith('/baseline/') && baselineDir) return void serveFile(baselineDir, url.pathname.slice('/baseline'.length), response);
    if (url.pathname === '/attacker.html' || url.pathname === '/spoof') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      return response.end(
        url.pathname === '/spoof'
          ? spoofPage({ widgetOrigin, thirdOrigin: secondSiteOrigin, roomHint: url.searchParams.get('room') ?? undefined })
          : attackerPage(),
      );
    }
    if (url.pathname === '/flood') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      return response.end(floodPage(widgetOrigin, url.searchParams));
    }
    if (url.pathname === '/switch-race') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      return response.end(switchRacePage(widgetOrigin, url.searchParams.get('room') ?? undefined));
    }
    if (url.pathname === '/conformance') {
      const room = url.searchParams.get('room');
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      return response.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Conformance</title></head><body>
<iframe data-matrix-widget${room ? ` data-matrix-room="${escapeAttribute(room)}"` : ''} title="Conformance widget" src="${widgetOrigin}/conformance.html?widgetId=conformance" width="600" height="500"></iframe>
</body></html>`);
    }
    if (url.pathname === '/toolkit') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      return response.end(toolkitPage({ widgetOrigin, roomHint: url.searchParams.get('room') ?? defaultRoomHint }));
    }
    if (url.pathname === '/call') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      return response.end(callPage(widgetOrigin, url.searchParams.get('room') ?? defaultRoomHint));
    }
    if (url.pathname === '/bench') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      return response.end(benchPage(widgetOrigin, url.searchParams.get('room'), url.searchParams.get('capabilities')));
    }
    const page = sitePage({
      widgetOrigin,
      roomHint: url.searchParams.get('room') ?? defaultRoomHint,
      widgetCount: Number(url.searchParams.get('widgets') ?? '1'),
      areCopies: url.searchParams.get('copies') === '1',
      isTemplated: url.searchParams.get('template') === '1',
      title: url.pathname === '/' ? 'Demo site' : `Demo site ${url.pathname}`,
    });
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(page);
  };
  const siteServer = http.createServer(siteHandler);
  const boundSitePort = await listenOn(siteServer, sitePort, '127.0.0.1');
  // A second site (another origin) that embeds the very same widget, for grant isolation tests.
  const secondSiteServer = http.createServer(siteHandler);
  const secondSitePort = await listenOn(secondSiteServer, 0, '127.0.0.1');
  secondSiteOrigin = `http://127.0.0.1:${secondSitePort}`;
  return {
    siteOrigin: `http://127.0.0.1:${boundSitePort}`,
    secondSiteOrigin: `http://127.0.0.1:${secondSitePort}`,
    widgetOrigin,
    async stop() {
      for (const server of [siteServer, secondSiteServer, widgetServer, widgetServerV6]) {
        server.closeAllConnections?.();
        await new Promise((resolve) => server.close(() => resolve()));
      }
    },
  };
}
