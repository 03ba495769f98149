// The crypto wasm (7.8 MB) as a response from the worker's Cache Storage instead of the extension
// package. Chromium stops an idle service worker after 30 s and every wake that decrypts compiles
// the wasm again: from Cache Storage, instantiateStreaming gets it ready in about half the time
// (bench/README.md, "P3"). The entry is keyed by the packaged file's hashed name, so an update that
// ships another wasm misses once and replaces it.
import { createLogger } from '../../../shared/log';

const log = createLogger('bg:crypto');
const CACHE_NAME = 'crypto-wasm';
/** Cache Storage keys must be http(s) URLs; nothing fetches this one, it only names the entry. */
const cacheKeyFor = (packagedPath: string): string => `https://crypto-wasm.invalid/${packagedPath.replace(/^\/+/, '')}`;

/**
 * The wasm's response from the cache, or fetched from `packagedUrl` and stored for the next wake.
 * Undefined when the cache cannot be used (no Cache Storage, quota, a failed read): the caller then
 * loads the package as if there were no cache.
 */
export async function cachedWasmResponse(storage: CacheStorage, packagedUrl: string, packagedPath: string): Promise<Response | undefined> {
  const key = cacheKeyFor(packagedPath);
  try {
    const cache = await storage.open(CACHE_NAME);
    const hit = await cache.match(key);
    if (hit) return hit;
    const fetched = await fetch(packagedUrl);
    if (!fetched.ok) return undefined;
    // Older builds' wasm: one file of this size is enough to keep.
    for (const stale of await cache.keys()) if (stale.url !== key) await cache.delete(stale);
    await cache.put(key, fetched.clone()).catch((error: unknown) => log.warn('crypto wasm not cached', String(error)));
    return fetched;
  } catch (error) {
    log.warn('crypto wasm cache unavailable', String(error));
    return undefined;
  }
}

/**
 * Runs `start`, during which a `fetch` of `url` answers `response`. The crypto package fetches its
 * wasm by URL, synchronously inside `initAsync` before its first await, so the stand-in is in place
 * for that one call only and no other code of the worker ever sees it.
 */
export function withFetchAnswering<T>(url: string, response: Response, start: () => T): T {
  const realFetch = globalThis.fetch;
  let answered = false;
  globalThis.fetch = (input, init) => {
    if (!answered && String(input instanceof Request ? input.url : input) === url) {
      answered = true;
      return Promise.resolve(response);
    }
    return realFetch.call(globalThis, input, init);
  };
  try {
    return start();
  } finally {
    globalThis.fetch = realFetch;
  }
}
