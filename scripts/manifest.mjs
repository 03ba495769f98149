// Derives the Chrome and Firefox manifests from the one source manifest.json (vite.config.ts writes them).

/** @typedef {'chrome' | 'firefox'} BrowserName */

/** @type {readonly BrowserName[]} */
export const BROWSERS = ['chrome', 'firefox'];

/**
 * @param {BrowserName} browserName
 * @param {Record<string, any>} source manifest.json as parsed
 * @param {string} version from package.json
 * @returns {Record<string, unknown>}
 */
export function manifestFor(browserName, source, version) {
  const { background, browser_specific_settings: geckoSettings, ...common } = source;
  /** @type {Record<string, unknown>} */
  const manifest = { ...common, version };
  if (browserName === 'chrome') {
    manifest.background = { service_worker: background.entry, type: 'module' };
    manifest.minimum_chrome_version = '120';
  } else {
    // Firefox runs MV3 backgrounds as event pages.
    manifest.background = { scripts: [background.entry], type: 'module' };
    manifest.browser_specific_settings = geckoSettings;
  }
  return manifest;
}
