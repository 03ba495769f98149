// What `npm start` and `npm run dev` both run besides the browser: a local OpenID provider, the
// local MatrixRTC JWT stand-in, Synapse with a demo account and room (members may join calls there),
// and the demo site and widget on two origins (Element Call among the widgets).
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildDemoWidget, demoWidgetDir } from './build-demo.mjs';
import { chromeRedirectUrl, firefoxRedirectUrl } from './extension-ids.mjs';
import { startLivekitJwtStandin } from './livekit-jwt-standin.mjs';
import { startOidcProvider } from './oidc-provider.mjs';
import { LOCAL_IDP_NAME, oidcCallbackUrl, registerUser, startSynapse } from './synapse.mjs';
import { startDemoServers } from '../demo/servers.mjs';

const root = path.resolve(fileURLToPath(import.meta.url), '../..');
const HOMESERVER_PORT = Number(process.env.MWB_HOMESERVER_PORT ?? 8608);
const SITE_PORT = Number(process.env.MWB_SITE_PORT ?? 8610);
const WIDGET_PORT = Number(process.env.MWB_WIDGET_PORT ?? 8620);
const OIDC_PORT = Number(process.env.MWB_OIDC_PORT ?? 8609);
const LIVEKIT_JWT_PORT = Number(process.env.MWB_LIVEKIT_JWT_PORT ?? 8611);
const DEMO_USER = { username: 'demo', password: 'demo-password' };
const FRIEND = { username: 'demo-friend', password: 'demo-friend-password' };
// Fixed so the demo account survives restarts of `npm start`; it only guards a loopback server.
const SHARED_SECRET = 'matrix-widget-bridge-demo-registration-secret';

async function login(baseUrl, { username, password }) {
  const response = await fetch(`${baseUrl}/_matrix/client/v3/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'm.login.password', identifier: { type: 'm.id.user', user: username }, password }),
  });
  if (!response.ok) throw new Error(`login of ${username} failed: ${response.status}`);
  return response.json();
}

async function call(baseUrl, token, method, endpoint, body) {
  const response = await fetch(`${baseUrl}/_matrix/client/v3${endpoint}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${endpoint} failed: ${response.status} ${await response.text()}`);
  return response.json();
}

/**
 * Lets every member send MatrixRTC call membership (power 0), as Element does for the rooms it
 * creates; Synapse's default asks 50 for state. Merged into the room's power levels: Synapse applies
 * a creation override shallowly, which would replace all event levels.
 */
async function allowCallMembership(baseUrl, token, roomId) {
  const endpoint = `/rooms/${encodeURIComponent(roomId)}/state/m.room.power_levels/`;
  const levels = await call(baseUrl, token, 'GET', endpoint);
  if (levels.events?.['org.matrix.msc3401.call.member'] === 0) return;
  await call(baseUrl, token, 'PUT', endpoint, { ...levels, events: { ...levels.events, 'org.matrix.msc3401.call.member': 0 } });
}

/** The demo account, a friend, and a shared room, created once and reused; members may join calls there. */
async function ensureDemoAccount(baseUrl) {
  for (const user of [DEMO_USER, FRIEND]) {
    await registerUser(baseUrl, SHARED_SECRET, user.username, user.password).catch((error) => {
      if (!String(error).includes('M_USER_IN_USE')) throw error;
    });
  }
  const demo = await login(baseUrl, DEMO_USER);
  const friend = await login(baseUrl, FRIEND);
  const { joined_rooms: rooms } = await call(baseUrl, demo.access_token, 'GET', '/joined_rooms');
  if (rooms.length > 0) {
    // A demo room made before calls were part of the demo gets the power level now.
    await allowCallMembership(baseUrl, friend.access_token, rooms[0]);
    return { userId: demo.user_id, roomId: rooms[0] };
  }
  const { room_id: roomId } = await call(baseUrl, friend.access_token, 'POST', '/createRoom', {
    name: 'Demo room',
    preset: 'private_chat',
    invite: [demo.user_id],
  });
  await allowCallMembership(baseUrl, friend.access_token, roomId);
  await call(baseUrl, demo.access_token, 'POST', `/join/${encodeURIComponent(roomId)}`, {});
  await call(baseUrl, friend.access_token, 'PUT', `/rooms/${encodeURIComponent(roomId)}/send/m.room.message/welcome`, {
    msgtype: 'm.text',
    body: 'Welcome! This message is in the demo room on your local homeserver.',
  });
  return { userId: demo.user_id, roomId };
}

/**
 * Builds the demo widget and starts the services; prints how to use them. The extension must be
 * built first: its dist/chrome path decides the Chrome extension id Synapse lets SSO return to.
 */
export async function startDemoServices() {
  await buildDemoWidget();
  const dataDir = path.join(root, '.cache/demo-synapse');
  await mkdir(dataDir, { recursive: true });
  // SSO: a local OpenID provider upstream of Synapse; its login form takes any name and password.
  const oidc = await startOidcProvider({ redirectUris: [oidcCallbackUrl(HOMESERVER_PORT)], port: OIDC_PORT });
  // Calls: Synapse advertises the stand-in, which checks OpenID tokens with Synapse (no SFU runs).
  const livekitJwt = await startLivekitJwtStandin({ homeserverUrl: `http://127.0.0.1:${HOMESERVER_PORT}`, port: LIVEKIT_JWT_PORT });
  const synapse = await startSynapse({
    dataDir,
    port: HOMESERVER_PORT,
    sharedSecret: SHARED_SECRET,
    oidc,
    livekitServiceUrl: livekitJwt.url,
    // This checkout's dist/chrome loaded unpacked, and the Firefox build: no confirmation page after SSO.
    ssoClientWhitelist: [chromeRedirectUrl(path.join(root, 'dist/chrome')), firefoxRedirectUrl()],
  });
  const { userId, roomId } = await ensureDemoAccount(synapse.baseUrl);
  const demo = await startDemoServers({ widgetDir: demoWidgetDir, sitePort: SITE_PORT, widgetPort: WIDGET_PORT, defaultRoomHint: roomId });

  console.log(`
Matrix Widget Bridge demo is running.
  homeserver   ${synapse.baseUrl}   (user "${DEMO_USER.username}", password "${DEMO_USER.password}" → ${userId})
               or "Sign in with ${LOCAL_IDP_NAME}" (${oidc.issuer}): any user name and password
  demo site    ${demo.siteOrigin}/  embeds a chat widget from ${demo.widgetOrigin}
  call page    ${demo.siteOrigin}/call  embeds Element Call (signalling only: no media server runs)
  demo room    ${roomId}
Log in from the extension's popup (it proposes this homeserver) with the user name and password above,
then open the demo site: the widget asks for permission in an extension window; approve it and chat.`);

  return {
    siteOrigin: demo.siteOrigin,
    /** What the login form proposes in the demo browser (scripts/chromium-window.mjs). */
    homeserverUrl: synapse.baseUrl,
    async stop() {
      await demo.stop();
      await synapse.stop();
      await oidc.stop();
      await livekitJwt.stop();
    },
  };
}
