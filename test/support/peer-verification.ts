// The Node peer's side of an emoji (SAS) verification, as the user's other device: it reports the
// emoji it shows and confirms when the test says the user compared them.
import type { MatrixClient } from 'matrix-js-sdk';
import {
  CryptoEvent,
  VerificationPhase,
  VerificationRequestEvent,
  VerifierEvent,
  type ShowSasCallbacks,
  type VerificationRequest,
  type Verifier,
} from 'matrix-js-sdk/lib/crypto-api/index.js';

const STEP_TIMEOUT_MS = 30_000;

/** Fails with `what` instead of hanging until the test's own timeout. */
export function within<T>(what: string, promise: Promise<T>, timeoutMs = STEP_TIMEOUT_MS): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export function nextVerificationRequest(client: MatrixClient): Promise<VerificationRequest> {
  return within('the verification request at the peer', new Promise((resolve) => client.once(CryptoEvent.VerificationRequestReceived, resolve)));
}

function whenRequest<T>(request: VerificationRequest, check: () => T | undefined): Promise<T> {
  return new Promise((resolve, reject) => {
    const onChange = () => {
      if (request.phase === VerificationPhase.Cancelled) {
        request.off(VerificationRequestEvent.Change, onChange);
        return reject(new Error(`verification cancelled: ${request.cancellationCode}`));
      }
      const value = check();
      if (value === undefined) return;
      request.off(VerificationRequestEvent.Change, onChange);
      resolve(value);
    };
    request.on(VerificationRequestEvent.Change, onChange);
    onChange();
  });
}

export type PeerSas = { emojiNames: string[]; confirm(): Promise<void>; verified: Promise<void> };

/** Runs the peer's side once the request is accepted: it starts the comparison or follows the other side's start. */
export async function peerSas(request: VerificationRequest, { startsIt }: { startsIt: boolean }): Promise<PeerSas> {
  let verifier: Verifier;
  if (startsIt) {
    await within('the request to be accepted', whenRequest(request, () => (request.phase === VerificationPhase.Ready ? true : undefined)));
    verifier = await within('the peer to start SAS', request.startVerification('m.sas.v1'));
  } else {
    verifier = await within('the other side to start SAS', whenRequest(request, () => request.verifier));
  }
  const shown = new Promise<ShowSasCallbacks>((resolve) => verifier.once(VerifierEvent.ShowSas, resolve));
  const verified = verifier.verify();
  verified.catch(() => undefined); // observed by the caller through `verified`
  const callbacks = verifier.getShowSasCallbacks() ?? (await within('the emoji at the peer', shown));
  return {
    emojiNames: (callbacks.sas.emoji ?? []).map(([, name]) => name),
    confirm: () => within('the peer to confirm', callbacks.confirm()),
    verified: within('the verification to finish at the peer', verified),
  };
}
