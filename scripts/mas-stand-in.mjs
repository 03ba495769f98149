// Stands in for the Matrix Authentication Service (MAS) between a Synapse configured with
// `matrix_authentication_service` and the OAuth 2.0 server of matrix-auth-server.mjs, so tests can run
// the homeserver side of OIDC-native login. It does only what Synapse 1.163 asks of MAS: the server
// metadata (which must name an account management page), token introspection with the shared secret,
// and the users and devices MAS would have created on Synapse before a token is used. It is not MAS:
// no compatibility /login, no account management, no policy, and ending a session does not delete
// the device on Synapse.
import { startMatrixAuthServer } from './matrix-auth-server.mjs';

const DEVICE_SCOPE = /^urn:matrix:(?:client|org\.matrix\.msc2967\.client):device:(.+)$/;

/**
 * Starts the OAuth 2.0 server with the stand-in in front of it. `synapseUrl` is where Synapse will
 * listen (it calls back there to create users and devices); `secret` is the shared secret both sides
 * know. Point Synapse's `matrix_authentication_service.endpoint` at the returned `issuer`.
 */
export async function startMasStandIn({ synapseUrl, secret, accessTokenTtl = 300 }) {
  const authServer = await startMatrixAuthServer({
    accessTokenTtl,
    // Synapse refuses metadata without it (its MAS integration shows it to clients).
    discovery: { account_management_uri: 'http://127.0.0.1/account-management-is-not-simulated' },
  });
  const { provider } = authServer;

  authServer.intercept(async (request, response) => {
    if (request.method !== 'POST' || request.url !== '/oauth2/introspect') return false;
    if (request.headers.authorization !== `Bearer ${secret}`) {
      respond(response, 401, { error: 'invalid_client' });
      return true;
    }
    const token = new URLSearchParams(await bodyOf(request)).get('token');
    const accessToken = await provider.AccessToken.find(token ?? '');
    // `find` still returns a token within the server's clock tolerance (15 s); MAS would not.
    if (!accessToken || accessToken.isExpired) {
      respond(response, 200, { active: false });
      return true;
    }
    const scope = accessToken.scope ?? '';
    const localpart = accessToken.accountId;
    // MAS creates the user and the device on Synapse before their first token reaches it.
    await callSynapse(synapseUrl, secret, 'provision_user', { localpart });
    for (const deviceId of scope.split(' ').flatMap((part) => DEVICE_SCOPE.exec(part)?.slice(1) ?? [])) {
      await callSynapse(synapseUrl, secret, 'upsert_device', { localpart, device_id: deviceId });
    }
    respond(response, 200, {
      active: true,
      scope,
      username: localpart,
      sub: localpart,
      client_id: accessToken.clientId,
      expires_in: Math.max(0, accessToken.remainingTTL),
    });
    return true;
  });
  return authServer;
}

async function callSynapse(synapseUrl, secret, action, body) {
  const response = await fetch(`${synapseUrl}/_synapse/mas/${action}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`Synapse refused ${action}: ${response.status} ${await response.text()}`);
}

function respond(response, status, body) {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

function bodyOf(request) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}
