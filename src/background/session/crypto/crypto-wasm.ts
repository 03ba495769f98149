// Loads the Rust crypto wasm from the extension package. The package's own default
// URL is relative to a module vite rewrites, so the worker names the packaged file itself; the
// exports map hides the wasm, hence the path into node_modules.
import { initAsync } from '@matrix-org/matrix-sdk-crypto-wasm';
import wasmPath from '../../../../node_modules/@matrix-org/matrix-sdk-crypto-wasm/pkg/matrix_sdk_crypto_wasm_bg.wasm?url';
import browser from 'webextension-polyfill';

export function loadCryptoWasm(): Promise<void> {
  return initAsync(browser.runtime.getURL(wasmPath));
}
