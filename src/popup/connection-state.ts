// The sync state of matrix-js-sdk (SYNCING, RECONNECTING, ERROR, …) as the few states a person knows:
// connecting, connected, reconnecting, offline. The raw word stays on the element for tests and support.
import type { SessionStatus } from '../shared/protocol/background-to-ui';

export type Connection = 'connecting' | 'connected' | 'reconnecting' | 'offline';

/** Whether the first sync is through (the rooms are loaded). */
export function hasSynced(syncState: string): boolean {
  return syncState === 'SYNCING' || syncState === 'PREPARED' || syncState === 'CATCHUP';
}

export function connectionOf(syncState: string): Connection {
  if (hasSynced(syncState)) return 'connected';
  if (syncState === 'RECONNECTING') return 'reconnecting';
  if (syncState === 'ERROR') return 'offline';
  return 'connecting';
}

/** The homeserver's name as people write it: the URL's host (and port, when it has one). */
export function homeserverName(homeserverUrl: string): string {
  return URL.canParse(homeserverUrl) ? new URL(homeserverUrl).host : homeserverUrl;
}

/** The Matrix ID's localpart, the name to show until (or unless) the account has a display name. */
export function localpartOf(userId: string): string {
  return userId.replace(/^@/, '').split(':')[0] ?? userId;
}

export type VerificationState = 'unavailable' | 'verified' | 'unverified' | 'noIdentity' | 'unknown';

/** One word for the device's encryption state; the popup's wording and tests key on it. */
export function verificationState(encryption: NonNullable<SessionStatus['encryption']>): VerificationState {
  if (!encryption.isReady) return 'unavailable';
  if (encryption.isDeviceVerified) return 'verified';
  // Unknown while the homeserver has not answered: offering set-up then could replace an identity.
  if (encryption.hasCrossSigning === null) return 'unknown';
  return encryption.hasCrossSigning ? 'unverified' : 'noIdentity';
}
