// Retries what is safe to retry when the homeserver or the network falters (issue #7): bounded,
// respecting Retry-After, and only where a second attempt cannot do the thing twice (sends carry a
// transaction id, reads change nothing). Anything else reaches the widget as matrix_api_error.
import { ConnectionError, HTTPError, MatrixError } from 'matrix-js-sdk';

/** Each homeserver request gives up after this long; a stalled connection must not hang a widget. */
export const REQUEST_TIMEOUT_MS = 10_000;
export const MAX_ATTEMPTS = 3;
/** A Retry-After longer than this is not waited out: the widget would time out first. */
const MAX_RETRY_AFTER_MS = 10_000;
const BACKOFF_BASE_MS = 250;

export type Idempotence = 'idempotent' | 'not-idempotent';

function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError');
}

/** How long to wait before trying again, or undefined when the error must not be retried. */
export function retryDelayMs(error: unknown, attempt: number, idempotence: Idempotence): number | undefined {
  const backoff = BACKOFF_BASE_MS * 2 ** (attempt - 1);
  if (error instanceof HTTPError && error.httpStatus === 429) {
    // Rate limited: the request was not processed, so even a non-idempotent one may go again.
    const retryAfter = error instanceof MatrixError ? error.getRetryAfterMs() : Number(error.httpHeaders?.get('retry-after')) * 1000;
    const wait = retryAfter !== null && Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter : backoff;
    return wait <= MAX_RETRY_AFTER_MS ? wait : undefined;
  }
  if (idempotence === 'not-idempotent') return undefined;
  if (error instanceof HTTPError && [500, 502, 503, 504].includes(error.httpStatus ?? 0)) return backoff;
  if (error instanceof ConnectionError || isTimeout(error)) return backoff;
  return undefined;
}

const sleep = (milliseconds: number) => new Promise<void>((resolve) => setTimeout(resolve, milliseconds));

export async function withRetries<T>(idempotence: Idempotence, attempt: () => Promise<T>, wait: (ms: number) => Promise<void> = sleep): Promise<T> {
  for (let number = 1; ; number++) {
    try {
      return await attempt();
    } catch (error) {
      const delay = retryDelayMs(error, number, idempotence);
      if (delay === undefined || number >= MAX_ATTEMPTS) throw error;
      await wait(delay);
    }
  }
}
