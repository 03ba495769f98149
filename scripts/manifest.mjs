// Derives the Chrome and Firefox manifests from the one source manifest.json (vite.config.ts writes them).
// The version is package.json's and nobody else's: manifest.json carries a placeholder.
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** @typedef {'chrome' | 'firefox'} BrowserName */

/** @type {readonly BrowserName[]} */
export const BROWSERS = ['chrome', 'firefox'];

/**
 * What both browsers accept as an extension's version: one to four dot-separated integers, each at
 * most 65535 without leading zeros (Chrome's rule; Firefox's is looser). A semver pre-release such as
 * `1.0.0-beta.1` is refused by both stores.
 */
const STORE_VERSION = /^(0|[1-9]\d{0,4})(\.(0|[1-9]\d{0,4})){0,3}$/;

/** @param {string} version */
export function isStoreVersion(version) {
  return STORE_VERSION.test(version) && version.split('.').every((part) => Number(part) <= 65535);
}

/**
 * The name and version from package.json, the one place the version is written.
 * @param {string} root the repository's folder
 * @returns {{ name: string, version: string }}
 */
export function readPackage(root) {
  const { name, version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  if (typeof name !== 'string' || typeof version !== 'string') throw new Error('package.json needs a name and a version');
  return { name, version };
}

/**
 * @param {BrowserName} browserName
 * @param {Record<string, any>} source manifest.json as parsed
 * @param {string} version from package.json
 * @returns {Record<string, unknown>}
 */
export function manifestFor(browserName, source, version) {
  if (!isStoreVersion(version)) throw new Error(`package.json's version "${version}" is not one browsers accept (1 to 4 dot-separated integers)`);
  const { background, browser_specific_settings: geckoSettings, ...common } = source;
  /** @type {Record<string, unknown>} */
  const manifest = { ...common, version };
  if (browserName === 'chrome') {
    // A classic worker, not a module: it starts sooner (vite.config.ts, bench/README.md P3).
    manifest.background = { service_worker: background.entry };
    manifest.minimum_chrome_version = '120';
  } else {
    // Firefox runs MV3 backgrounds as event pages.
    manifest.background = { scripts: [background.entry] };
    manifest.browser_specific_settings = geckoSettings;
  }
  return manifest;
}
