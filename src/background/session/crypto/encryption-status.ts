// What the popup shows about this device's end-to-end encryption. Reads the crypto store; asks the
// homeserver only briefly, so that a status is always answered (the popup must be able to say the
// homeserver is unreachable).
import type { CryptoApi } from 'matrix-js-sdk/lib/crypto-api/index.js';
import type { SessionStatus } from '../../../shared/protocol/background-to-ui';

export type EncryptionStatus = NonNullable<SessionStatus['encryption']>;

/** How long a status waits for the homeserver to confirm the account's cross-signing identity. */
const IDENTITY_CHECK_WAIT_MS = 2_000;

/**
 * Whether the account has a cross-signing identity, as the homeserver last confirmed it. js-sdk asks
 * the server for the user's own keys on every call (`/keys/query`) and retries while the server is
 * away (seen: a popup status that never came). One question at a time; null until one was answered.
 */
export class CrossSigningAnswer {
  private known: boolean | undefined;
  private checking: Promise<void> | undefined;

  constructor(private readonly waitMs = IDENTITY_CHECK_WAIT_MS) {}

  async get(crypto: Pick<CryptoApi, 'userHasCrossSigningKeys'>, userId: string): Promise<boolean | null> {
    this.checking ??= crypto
      .userHasCrossSigningKeys(userId)
      .then(
        (hasKeys) => {
          this.known = hasKeys;
        },
        () => undefined,
      )
      .finally(() => {
        this.checking = undefined;
      });
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([this.checking, new Promise((resolve) => (timer = setTimeout(resolve, this.waitMs)))]);
    clearTimeout(timer);
    return this.known ?? null;
  }
}

export async function encryptionStatus(
  crypto: CryptoApi | undefined,
  device: { userId: string; deviceId: string },
  identity: CrossSigningAnswer,
): Promise<EncryptionStatus> {
  if (!crypto) return { isReady: false, isDeviceVerified: false, hasCrossSigning: false, hasKeyBackup: false };
  const [verification, backupVersion, hasCrossSigning] = await Promise.all([
    crypto.getDeviceVerificationStatus(device.userId, device.deviceId),
    crypto.getActiveSessionBackupVersion(),
    identity.get(crypto, device.userId),
  ]);
  return { isReady: true, isDeviceVerified: verification?.crossSigningVerified ?? false, hasCrossSigning, hasKeyBackup: backupVersion !== null };
}
