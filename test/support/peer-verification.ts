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

export function nextVerificationRequest(client: MatrixClient): Promise<VerificationRequest> {
  return new Promise((resolve) => client.once(CryptoEvent.VerificationRequestReceived, resolve));
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
    await whenRequest(request, () => (request.phase === VerificationPhase.Ready ? true : undefined));
    verifier = await request.startVerification('m.sas.v1');
  } else {
    verifier = await whenRequest(request, () => request.verifier);
  }
  const shown = new Promise<ShowSasCallbacks>((resolve) => verifier.once(VerifierEvent.ShowSas, resolve));
  const verified = verifier.verify();
  verified.catch(() => undefined); // observed by the caller through `verified`
  const callbacks = verifier.getShowSasCallbacks() ?? (await shown);
  return {
    emojiNames: (callbacks.sas.emoji ?? []).map(([, name]) => name),
    confirm: () => callbacks.confirm(),
    verified,
  };
}
