// Derives the Chrome and Firefox manifests from the one source manifest.json.
export function manifestFor(browserName, source, version) {
  const { background, browser_specific_settings: geckoSettings, ...common } = source;
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
