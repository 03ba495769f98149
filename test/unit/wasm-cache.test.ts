// The crypto wasm's Cache Storage copy (background/session/crypto/wasm-cache.ts), on a Map-backed
// stand-in for Cache Storage; the real one, in Chromium, serves every encrypted e2e test's wake.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cachedWasmResponse, withFetchAnswering } from '../../src/background/session/crypto/wasm-cache';

class MapCache {
  readonly entries = new Map<string, Response>();
  failPut = false;
  match(key: string): Promise<Response | undefined> {
    return Promise.resolve(this.entries.get(key)?.clone());
  }
  keys(): Promise<Request[]> {
    return Promise.resolve([...this.entries.keys()].map((url) => new Request(url)));
  }
  delete(request: Request): Promise<boolean> {
    return Promise.resolve(this.entries.delete(request.url));
  }
  put(key: string, response: Response): Promise<void> {
    if (this.failPut) return Promise.reject(new DOMException('quota', 'QuotaExceededError'));
    this.entries.set(key, response);
    return Promise.resolve();
  }
}

const storageOf = (cache: MapCache): CacheStorage => ({ open: () => Promise.resolve(cache) }) as unknown as CacheStorage;
const packagedUrl = 'chrome-extension://abc/assets/crypto-NEW.wasm';
const wasmBytes = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]);

afterEach(() => vi.unstubAllGlobals());

describe('cachedWasmResponse', () => {
  it('fetches the package once, stores it under the hashed name, and answers the next wake from the cache', async () => {
    const fetchPackage = vi.fn(() => Promise.resolve(new Response(wasmBytes, { headers: { 'content-type': 'application/wasm' } })));
    vi.stubGlobal('fetch', fetchPackage);
    const cache = new MapCache();
    const first = await cachedWasmResponse(storageOf(cache), packagedUrl, '/assets/crypto-NEW.wasm');
    expect(new Uint8Array(await first!.arrayBuffer())).toEqual(wasmBytes);
    expect([...cache.entries.keys()]).toEqual(['https://crypto-wasm.invalid/assets/crypto-NEW.wasm']);

    const second = await cachedWasmResponse(storageOf(cache), packagedUrl, '/assets/crypto-NEW.wasm');
    expect(new Uint8Array(await second!.arrayBuffer())).toEqual(wasmBytes);
    expect(second!.headers.get('content-type')).toBe('application/wasm');
    expect(fetchPackage).toHaveBeenCalledTimes(1);
  });

  it("drops an older build's wasm when it stores the new one", async () => {
    vi.stubGlobal('fetch', () => Promise.resolve(new Response(wasmBytes)));
    const cache = new MapCache();
    cache.entries.set('https://crypto-wasm.invalid/assets/crypto-OLD.wasm', new Response('old'));
    await cachedWasmResponse(storageOf(cache), packagedUrl, '/assets/crypto-NEW.wasm');
    expect([...cache.entries.keys()]).toEqual(['https://crypto-wasm.invalid/assets/crypto-NEW.wasm']);
  });

  it('still answers the fetched wasm when storing it fails', async () => {
    vi.stubGlobal('fetch', () => Promise.resolve(new Response(wasmBytes)));
    const cache = new MapCache();
    cache.failPut = true;
    const response = await cachedWasmResponse(storageOf(cache), packagedUrl, '/assets/crypto-NEW.wasm');
    expect(new Uint8Array(await response!.arrayBuffer())).toEqual(wasmBytes);
    expect(cache.entries.size).toBe(0);
  });

  it('gives nothing, so the caller loads the package itself, when Cache Storage fails or the package answers an error', async () => {
    const broken = { open: () => Promise.reject(new DOMException('denied', 'SecurityError')) } as unknown as CacheStorage;
    expect(await cachedWasmResponse(broken, packagedUrl, '/assets/crypto-NEW.wasm')).toBeUndefined();
    vi.stubGlobal('fetch', () => Promise.resolve(new Response('missing', { status: 404 })));
    const cache = new MapCache();
    expect(await cachedWasmResponse(storageOf(cache), packagedUrl, '/assets/crypto-NEW.wasm')).toBeUndefined();
    expect(cache.entries.size).toBe(0);
  });
});

describe('withFetchAnswering', () => {
  it('answers one fetch of the URL during the start call and restores fetch before it returns', async () => {
    const realFetch = vi.fn(function (this: unknown) {
      // Browsers throw "Illegal invocation" for a fetch detached from the global object.
      expect(this).toBe(globalThis);
      return Promise.resolve(new Response('network'));
    });
    vi.stubGlobal('fetch', realFetch);
    const cached = new Response('cached');
    const answers = withFetchAnswering(packagedUrl, cached, () => [fetch(packagedUrl), fetch(packagedUrl), fetch('https://hs.example/x')]);
    expect(globalThis.fetch).toBe(realFetch);
    const texts = await Promise.all(answers.map(async (answer) => (await answer).text()));
    expect(texts).toEqual(['cached', 'network', 'network']);
    expect(realFetch).toHaveBeenCalledTimes(2);
  });

  it('restores fetch when the start call throws', () => {
    const realFetch = vi.fn();
    vi.stubGlobal('fetch', realFetch);
    expect(() =>
      withFetchAnswering(packagedUrl, new Response(''), () => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(globalThis.fetch).toBe(realFetch);
  });
});
