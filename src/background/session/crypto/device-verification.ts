// Making this device trusted (issue #5): unlock with the recovery key (secret storage → the
// cross-signing keys sign this device, the backup key restores old room keys), verify with another
// of the user's devices by comparing emoji (SAS, either side may start), or set cross-signing and
// key backup up for an account that has neither. What already exists is checked before anything
// new is created: a second cross-signing identity would untrust every other device of the user.
import { MatrixError, type MatrixClient } from 'matrix-js-sdk';
import {
  CryptoEvent,
  decodeRecoveryKey,
  VerificationPhase,
  VerificationRequestEvent,
  VerifierEvent,
  type ShowSasCallbacks,
  type VerificationRequest,
} from 'matrix-js-sdk/lib/crypto-api/index.js';
import { createLogger } from '../../../shared/log';
import type { VerificationView } from '../../../shared/protocol/background-to-ui';
import { cryptoOf } from './crypto-readiness';
import type { SecretKeyHolder } from './secret-keys';

const log = createLogger('bg:verification');

export class VerificationRefused extends Error {}

type BackupProgress = { done: number; total: number } | 'finished' | undefined;

export class DeviceVerification {
  private request: VerificationRequest | undefined;
  private sas: ShowSasCallbacks | undefined;
  private hookedVerifier = false;
  private failure: string | undefined;
  private backup: BackupProgress;

  constructor(private readonly secretKeys: SecretKeyHolder) {}

  /** Follows requests the user's other devices send to this one. */
  watch(client: MatrixClient): void {
    client.on(CryptoEvent.VerificationRequestReceived, (request) => {
      // A bridge is not a chat client: only the user's own devices may verify it.
      if (!request.isSelfVerification) return;
      this.follow(request);
    });
  }

  view(): VerificationView {
    const request = this.request;
    const backup = this.backup;
    return {
      phase: request ? phaseName(request.phase) : 'none',
      initiatedByMe: request?.initiatedByMe ?? false,
      otherDeviceId: request?.otherDeviceId ?? null,
      emoji: this.sas?.sas.emoji?.map(([symbol, name]) => ({ symbol, name })) ?? null,
      failure: this.failure ?? null,
      backupRestore: backup === undefined ? null : backup === 'finished' ? { done: 1, total: 1, isFinished: true } : { ...backup, isFinished: false },
    };
  }

  /** Unlocks secret storage with the recovery key: cross-signs this device, then restores the key backup. */
  async withRecoveryKey(client: MatrixClient, recoveryKey: string): Promise<void> {
    const crypto = await requireCrypto(client);
    let key: Uint8Array<ArrayBuffer>;
    try {
      key = decodeRecoveryKey(recoveryKey.trim());
    } catch {
      throw new VerificationRefused('That is not a recovery key: check for typing mistakes');
    }
    const defaultKey = await client.secretStorage.getKey();
    if (!defaultKey) throw new VerificationRefused('Your account has no secret storage to unlock: verify with another device, or set encryption up');
    if (!(await client.secretStorage.checkKey(key, defaultKey[1]))) throw new VerificationRefused('That recovery key does not belong to this account');
    if (!(await client.secretStorage.isStored('m.cross_signing.master'))) {
      // bootstrapCrossSigning would create a new identity here, untrusting every other device.
      throw new VerificationRefused('Your secret storage holds no cross-signing keys: verify with another device instead');
    }
    await this.secretKeys.with(key, async () => {
      await crypto.bootstrapCrossSigning({});
      if (await client.secretStorage.isStored('m.megolm_backup.v1')) await crypto.loadSessionBackupPrivateKeyFromSecretStorage();
    });
    this.failure = undefined;
    void this.restoreBackup(client);
  }

  /**
   * For an account without cross-signing: creates the identity (the password confirms the upload
   * where the server asks), secret storage and a key backup. Returns the new recovery key, shown once.
   */
  async setUp(client: MatrixClient, password: string): Promise<string> {
    const crypto = await requireCrypto(client);
    const userId = client.getSafeUserId();
    if (await crypto.userHasCrossSigningKeys(userId, true)) {
      throw new VerificationRefused('Your account already has cross-signing: verify this device with your recovery key or another device');
    }
    const generated = await crypto.createRecoveryKeyFromPassphrase();
    if (!generated.encodedPrivateKey) throw new Error('js-sdk generated a recovery key without its display form');
    await this.secretKeys.with(generated.privateKey, async () => {
      await crypto.bootstrapCrossSigning({
        setupNewCrossSigning: true,
        authUploadDeviceSigningKeys: async (makeRequest) => {
          try {
            await makeRequest(null);
          } catch (error) {
            // Interactive auth: the server names a session; the user's password completes it.
            const session = error instanceof MatrixError ? (error.data['session'] as string | undefined) : undefined;
            if (!(error instanceof MatrixError) || error.httpStatus !== 401) throw error;
            await makeRequest({ type: 'm.login.password', identifier: { type: 'm.id.user', user: userId }, password, ...(session ? { session } : {}) });
          }
        },
      });
      await crypto.bootstrapSecretStorage({ createSecretStorageKey: async () => generated, setupNewSecretStorage: true, setupNewKeyBackup: true });
    });
    return generated.encodedPrivateKey;
  }

  /** Asks the user's other devices to verify this one. */
  async requestFromOtherDevice(client: MatrixClient): Promise<void> {
    const crypto = await requireCrypto(client);
    // Refreshes the user's own identity and device list first: the request goes to the devices this
    // device knows of, and the one the user holds in their hand may have appeared moments ago.
    await crypto.userHasCrossSigningKeys(client.getSafeUserId());
    this.follow(await crypto.requestOwnUserVerification());
  }

  async accept(): Promise<void> {
    const request = this.request;
    if (!request || request.phase !== VerificationPhase.Requested || request.initiatedByMe) throw new VerificationRefused('There is no request to accept');
    await request.accept();
  }

  /** The user compared the emoji: equal confirms, different cancels (a mismatch may be an attack). */
  async confirmEmoji(isMatch: boolean): Promise<void> {
    const sas = this.sas;
    if (!sas) throw new VerificationRefused('There are no emoji to compare yet');
    if (!isMatch) return sas.mismatch();
    await sas.confirm();
  }

  /** Cancels a verification in progress; a finished or cancelled one is left as it is. */
  cancel(): void {
    const request = this.request;
    if (!request?.pending) return;
    void request.cancel().catch((error: unknown) => log.warn('cancelling failed', String(error)));
  }

  /** Forgets everything (logout). */
  reset(): void {
    this.cancel();
    this.request = undefined;
    this.sas = undefined;
    this.failure = undefined;
    this.backup = undefined;
  }

  private follow(request: VerificationRequest): void {
    if (this.request && this.request !== request && this.request.pending) void this.request.cancel().catch(() => undefined);
    this.request = request;
    this.sas = undefined;
    this.hookedVerifier = false;
    this.failure = undefined;
    const onChange = (): void => {
      if (this.request !== request) return void request.off(VerificationRequestEvent.Change, onChange);
      if (request.phase === VerificationPhase.Ready && request.initiatedByMe && !request.verifier) {
        // We asked, they accepted: we start the emoji comparison.
        void request.startVerification('m.sas.v1').catch((error: unknown) => this.fail(error));
      }
      if (request.verifier && !this.hookedVerifier) {
        this.hookedVerifier = true;
        const verifier = request.verifier;
        verifier.on(VerifierEvent.ShowSas, (sas) => {
          this.sas = sas;
        });
        verifier.on(VerifierEvent.Cancel, (reason) => this.fail(reason));
        void verifier.verify().catch((error: unknown) => this.fail(error));
      }
      if (request.phase === VerificationPhase.Cancelled) this.failure ??= `Cancelled (${request.cancellationCode ?? 'no reason given'})`;
    };
    request.on(VerificationRequestEvent.Change, onChange);
    onChange();
  }

  private fail(reason: unknown): void {
    this.failure = reason instanceof Error ? reason.message : 'The other device cancelled';
    log.warn('verification failed', this.failure);
  }

  private async restoreBackup(client: MatrixClient): Promise<void> {
    const crypto = await requireCrypto(client);
    try {
      if (!(await crypto.checkKeyBackupAndEnable())) return;
      this.backup = { done: 0, total: 0 };
      await crypto.restoreKeyBackup({
        progressCallback: (progress) => {
          if (progress.stage === 'load_keys') this.backup = { done: progress.successes + progress.failures, total: progress.total };
        },
      });
      this.backup = 'finished';
    } catch (error) {
      this.backup = undefined;
      log.warn('restoring the key backup failed', String(error));
    }
  }
}

async function requireCrypto(client: MatrixClient) {
  const crypto = await cryptoOf(client);
  if (!crypto) throw new VerificationRefused('End-to-end encryption is unavailable in this browser');
  return crypto;
}

function phaseName(phase: VerificationPhase): VerificationView['phase'] {
  switch (phase) {
    case VerificationPhase.Unsent:
    case VerificationPhase.Requested:
      return 'requested';
    case VerificationPhase.Ready:
      return 'ready';
    case VerificationPhase.Started:
      return 'started';
    case VerificationPhase.Cancelled:
      return 'cancelled';
    case VerificationPhase.Done:
      return 'done';
  }
}
