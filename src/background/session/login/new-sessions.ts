// A new session, however the user logged in: the stored record it starts from. Each gets a new key
// for its crypto store; OIDC sessions keep what renewing their tokens needs.
import { createClient, type LoginRequest } from 'matrix-js-sdk';
import { newStoreKey } from '../account-stores';
import { boundFetch } from '../client-factory';
import type { OidcSession } from './oidc-native';
import type { StoredSession } from '../session-store';

/** Logs in with the homeserver (password or SSO's login token) as a new device of the extension. */
export async function loginForSession(homeserverUrl: string, credentials: LoginRequest): Promise<StoredSession> {
  const baseUrl = homeserverUrl.replace(/\/+$/, '');
  const anonymous = createClient({ baseUrl, fetchFn: boundFetch });
  const response = await anonymous.loginRequest({ ...credentials, initial_device_display_name: 'Matrix Widget Bridge' });
  const { user_id: userId, device_id: deviceId, access_token: accessToken } = response;
  return { homeserverUrl: baseUrl, userId, deviceId, accessToken, storeKey: newStoreKey() };
}

/** OIDC-native login's outcome (oidc-native.ts) as a stored session. */
export function sessionFromOidc(oidc: OidcSession): StoredSession {
  const { homeserverUrl, userId, deviceId, accessToken, issuer, clientId, refreshToken } = oidc;
  const oidcPart = { issuer, clientId, ...(refreshToken ? { refreshToken } : {}) };
  return { homeserverUrl, userId, deviceId, accessToken, storeKey: newStoreKey(), oidc: oidcPart };
}

/** A session saved before the crypto store existed gets a key now: there is nothing to decrypt with an older one. */
export async function withStoreKey(saved: StoredSession, save: (session: StoredSession) => Promise<void>): Promise<StoredSession & { storeKey: string }> {
  if (saved.storeKey) return saved as StoredSession & { storeKey: string };
  const upgraded = { ...saved, storeKey: newStoreKey() };
  await save(upgraded);
  return upgraded;
}
