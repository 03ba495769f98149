// Issue #14: the local MatrixRTC JWT service stand-in against the real Synapse: a token is
// exchanged only when the homeserver vouches for it, and the answer is a LiveKit token signed
// with the stand-in's key, for the caller's identity.
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLivekitJwtStandin } from '../../scripts/livekit-jwt-standin.mjs';
import { freshUser, homeserverUrl } from '../support/homeserver';

type Standin = Awaited<ReturnType<typeof startLivekitJwtStandin>>;

async function post(url: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

function payloadOf(jwt: string, secret: Buffer): Record<string, unknown> {
  const [header, payload, signature] = jwt.split('.') as [string, string, string];
  expect(createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url')).toBe(signature);
  expect(JSON.parse(Buffer.from(header, 'base64url').toString())).toEqual({ alg: 'HS256', typ: 'JWT' });
  return JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
}

describe('LiveKit JWT service stand-in', () => {
  let standin: Standin;
  beforeAll(async () => {
    standin = await startLivekitJwtStandin({ homeserverUrl: homeserverUrl() });
  });
  afterAll(() => standin?.stop());

  it('exchanges an OpenID token the homeserver vouches for, on both endpoints, and refuses others', async () => {
    const alice = await freshUser('standin');
    const token = async (): Promise<unknown> => alice.client.getOpenIdToken();
    const legacy = await post(`${standin.url}/sfu/get`, { room: '!call:localhost', openid_token: await token(), device_id: 'DEV' });
    expect(legacy.status).toBe(200);
    expect(legacy.body['url']).toBe(standin.livekitUrl);
    const claims = payloadOf(legacy.body['jwt'] as string, standin.secret);
    expect(claims).toMatchObject({ iss: standin.apiKey, sub: `${alice.userId}:DEV`, video: { roomJoin: true, canPublish: true } });

    const member = { id: 'member-1', claimed_user_id: alice.userId, claimed_device_id: 'DEV' };
    const current = await post(`${standin.url}/get_token`, { room_id: '!call:localhost', slot_id: 'm.call#ROOM', openid_token: await token(), member });
    expect(current.status).toBe(200);
    // Both endpoints name the same LiveKit room for the same Matrix room and slot.
    expect(payloadOf(current.body['jwt'] as string, standin.secret)['video']).toEqual(claims['video']);

    const forged = { access_token: 'not-a-token', token_type: 'Bearer', matrix_server_name: 'localhost', expires_in: 3600 };
    expect(await post(`${standin.url}/sfu/get`, { room: '!call:localhost', openid_token: forged, device_id: 'DEV' })).toMatchObject({
      status: 401,
      body: { errcode: 'M_UNAUTHORIZED' },
    });
    const otherUser = { ...member, claimed_user_id: '@mallory:localhost' };
    expect(
      (await post(`${standin.url}/get_token`, { room_id: '!call:localhost', slot_id: 'm.call#ROOM', openid_token: await token(), member: otherUser })).status,
    ).toBe(401);
    // It does not take over delayed leave events: clients read the 404 as "not supported".
    expect((await post(`${standin.url}/delegate_delayed_leave`, {})).status).toBe(404);
  });
});
