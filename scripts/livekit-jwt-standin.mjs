// A local stand-in for a MatrixRTC authorisation service (MSC4195's "LiveKit JWT service"), so
// Element Call gets past its OpenID step against the project's own Synapse. It does what such a
// service does with a request: checks the OpenID token with the homeserver (federation
// `openid/userinfo`), then signs a LiveKit access token (HS256, a key made at start) for the
// caller's identity and the call's LiveKit room. What it cannot do: no LiveKit SFU runs, so the
// `url` it answers points at a loopback port that accepts connections and never says a word (no
// LiveKit protocol at all), and media never flows. Accepting matters: on a closed port a client
// fails at once, and Element Call 0.26.1 then leaves the call before its own join is sent (it
// treats a failed SFU connection as fatal; the join and that leave race). Held open, the client
// waits for the SFU to answer, as it would for a slow one, and stays in the call meanwhile.
// It creates no LiveKit rooms and does not take over delayed leave events (its
// `/delegate_delayed_leave` answers 404, which clients read as "not supported").
import { createHash, createHmac, randomBytes } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';

const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'POST, OPTIONS',
  'access-control-allow-headers': 'content-type',
};
const TOKEN_LIFETIME_S = 3600;
const MAX_BODY = 64 * 1024;

function base64url(bytes) {
  return Buffer.from(bytes).toString('base64url');
}

/** An opaque, stable name: services map Matrix rooms and members to LiveKit names by hashing. */
function opaque(...parts) {
  return base64url(createHash('sha256').update(parts.join('|')).digest());
}

function signJwt(payload, apiKey, secret) {
  const body = `${base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))}.${base64url(JSON.stringify({ iss: apiKey, ...payload }))}`;
  return `${body}.${base64url(createHmac('sha256', secret).update(body).digest())}`;
}

class Refusal extends Error {
  constructor(status, errcode, message) {
    super(message);
    this.status = status;
    this.errcode = errcode;
  }
}

function isOpenIdToken(value) {
  return typeof value?.access_token === 'string' && typeof value?.matrix_server_name === 'string';
}

/**
 * Starts the stand-in on 127.0.0.1 (a free port unless `port` is given). `homeserverUrl` is where
 * it checks OpenID tokens (`serverName` is the homeserver's server name, which tokens must name:
 * a real service resolves that name; this one knows its single homeserver). Resolves to
 * `{ url, livekitUrl, apiKey, secret, stop() }`; `url` is the service URL a homeserver
 * advertises as `livekit_service_url`.
 * @param {{ homeserverUrl: string, serverName?: string, port?: number }} options
 */
export async function startLivekitJwtStandin({ homeserverUrl, serverName = 'localhost', port = 0 }) {
  const apiKey = 'standin';
  const secret = randomBytes(32);
  const silent = await silentListener();
  const livekitUrl = `ws://127.0.0.1:${silent.port}`;

  /** The Matrix user the token belongs to, as the homeserver says. */
  async function userOf(openidToken) {
    if (!isOpenIdToken(openidToken)) throw new Refusal(400, 'M_BAD_JSON', 'openid_token is missing or malformed');
    if (openidToken.matrix_server_name !== serverName) {
      throw new Refusal(401, 'M_UNAUTHORIZED', `This service only knows the homeserver ${serverName}`);
    }
    const response = await fetch(
      `${homeserverUrl}/_matrix/federation/v1/openid/userinfo?access_token=${encodeURIComponent(openidToken.access_token)}`,
    );
    const body = await response.json().catch(() => ({}));
    if (!response.ok || typeof body.sub !== 'string') throw new Refusal(401, 'M_UNAUTHORIZED', 'The OpenID token was not accepted by the homeserver');
    return body.sub;
  }

  function tokenFor(identity, livekitRoom) {
    const now = Math.floor(Date.now() / 1000);
    const jwt = signJwt(
      {
        sub: identity,
        nbf: now,
        exp: now + TOKEN_LIFETIME_S,
        video: { roomJoin: true, room: livekitRoom, canPublish: true, canSubscribe: true },
      },
      apiKey,
      secret,
    );
    return { url: livekitUrl, jwt };
  }

  const routes = {
    // The legacy endpoint (Element Call's "compatibility" mode): LiveKit identity `user:device`.
    async '/sfu/get'(body) {
      if (typeof body.room !== 'string' || typeof body.device_id !== 'string') throw new Refusal(400, 'M_BAD_JSON', 'room and device_id are required');
      // Delegating the delayed leave is what this stand-in does not do; the client then sends
      // its leave itself (Element Call retries without these fields on M_BAD_JSON).
      if (body.delay_id !== undefined) throw new Refusal(400, 'M_BAD_JSON', 'Delegation of delayed events is not supported here');
      const userId = await userOf(body.openid_token);
      return tokenFor(`${userId}:${body.device_id}`, opaque(body.room, 'm.call#ROOM'));
    },
    // MSC4195's endpoint (Element Call's "Matrix 2.0" mode): the member claims its user and device.
    async '/get_token'(body) {
      const member = body.member;
      if (typeof body.room_id !== 'string' || typeof body.slot_id !== 'string' || typeof member?.id !== 'string') {
        throw new Refusal(400, 'M_BAD_JSON', 'room_id, slot_id and member.id are required');
      }
      if (body.delay_id !== undefined) throw new Refusal(400, 'M_BAD_JSON', 'Delegation of delayed events is not supported here');
      const userId = await userOf(body.openid_token);
      if (member.claimed_user_id !== undefined && member.claimed_user_id !== userId) {
        throw new Refusal(401, 'M_UNAUTHORIZED', 'The claimed user is not the token’s user');
      }
      return tokenFor(opaque(userId, String(member.claimed_device_id ?? ''), member.id), opaque(body.room_id, body.slot_id));
    },
  };

  const server = http.createServer((request, response) => {
    const answer = (status, body) => {
      response.writeHead(status, { ...CORS, 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    if (request.method === 'OPTIONS') return void response.writeHead(204, CORS).end();
    const pathname = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
    if (request.method === 'GET' && pathname === '/healthz') return answer(200, {});
    const route = request.method === 'POST' ? routes[pathname] : undefined;
    if (!route) return answer(404, { errcode: 'M_NOT_FOUND', error: 'Not supported by this stand-in' });
    const chunks = [];
    let size = 0;
    request.on('data', (chunk) => {
      size += chunk.length;
      if (size > MAX_BODY) request.destroy();
      else chunks.push(chunk);
    });
    request.on('end', () => {
      let body;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return answer(400, { errcode: 'M_NOT_JSON', error: 'The body is not JSON' });
      }
      route(body ?? {}).then(
        (result) => answer(200, result),
        (error) => {
          if (error instanceof Refusal) answer(error.status, { errcode: error.errcode, error: error.message });
          else answer(500, { errcode: 'M_UNKNOWN', error: String(error) });
        },
      );
    });
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    livekitUrl,
    apiKey,
    secret,
    async stop() {
      server.closeAllConnections?.();
      await new Promise((resolve) => server.close(() => resolve()));
      await silent.stop();
    },
  };
}

/** Where the SFU would be: accepts TCP connections, reads nothing, answers nothing, until stopped. */
async function silentListener() {
  const sockets = new Set();
  const listener = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise((resolve, reject) => {
    listener.once('error', reject);
    listener.listen(0, '127.0.0.1', resolve);
  });
  return {
    port: listener.address().port,
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => listener.close(() => resolve()));
    },
  };
}
