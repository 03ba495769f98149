// Loads the Rust crypto wasm from the extension package. The package's own default
// URL is relative to a module vite rewrites, so the worker names the packaged file itself; the
// exports map hides the wasm, hence the path into node_modules.
import { initAsync } from '@matrix-org/matrix-sdk-crypto-wasm';
import wasmPath from '../../../../node_modules/@matrix-org/matrix-sdk-crypto-wasm/pkg/matrix_sdk_crypto_wasm_bg.wasm?url';
import browser from 'webextension-polyfill';
import { cachedWasmResponse, withFetchAnswering } from './wasm-cache';

/**
 * In a service worker (Chromium), from Cache Storage: the worker is stopped when idle and loads the
 * wasm on each wake. Firefox's event page loads it once per start, where a second copy of 7.8 MB
 * would buy nothing measured.
 */
export async function loadCryptoWasm(): Promise<void> {
  const url = browser.runtime.getURL(wasmPath);
  // Only worker scopes define this constructor; an event page is a window.
  const isServiceWorker = 'ServiceWorkerGlobalScope' in globalThis;
  const cached = isServiceWorker ? await cachedWasmResponse(globalThis.caches, url, wasmPath) : undefined;
  if (!cached) return initAsync(url);
  return withFetchAnswering(url, cached, () => initAsync(url));
}
