// The secret-storage key, held in memory only while an operation needs it (unlocking with the
// recovery key, or setting secret storage up). js-sdk asks for it through these callbacks.
import type { CryptoCallbacks } from 'matrix-js-sdk/lib/crypto-api/index.js';

export class SecretKeyHolder {
  private key: Uint8Array<ArrayBuffer> | undefined;

  readonly callbacks: CryptoCallbacks = {
    getSecretStorageKey: async ({ keys }) => {
      const keyIds = Object.keys(keys);
      const key = this.key;
      return key && keyIds.length > 0 ? [keyIds[0] as string, key] : null;
    },
    // bootstrapSecretStorage hands over a key it just created, then stores secrets with it.
    cacheSecretStorageKey: (_keyId, _keyInfo, key) => {
      this.key = key;
    },
  };

  /** Runs `operation` with `key` available to js-sdk, and forgets the key afterwards. */
  async with<T>(key: Uint8Array<ArrayBuffer> | undefined, operation: () => Promise<T>): Promise<T> {
    this.key = key;
    try {
      return await operation();
    } finally {
      this.key = undefined;
    }
  }
}
