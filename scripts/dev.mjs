// `npm run dev [-- --firefox] [-- --headless]`: the loop @crxjs/vite-plugin would have given, from
// outside the extension (docs/decisions/build-without-crxjs.md). The three builds of vite.config.ts in watch mode for
// one browser, the services `npm start` starts, and the browser with the extension; after each
// rebuild the browser reloads the extension: Chromium over the DevTools protocol, Firefox through
// web-ext's remote protocol. The built extension has no reload code and opens no connection.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import webExt from 'web-ext';
import { BUILD_MODES, cleanDist, configFile } from './build.mjs';
import { openChromium } from './chromium-window.mjs';
import { startDemoServices } from './demo-services.mjs';

const root = path.resolve(fileURLToPath(import.meta.url), '../..');
const browserName = process.argv.includes('--firefox') ? 'firefox' : 'chrome';
// A browser without a window: for checking the loop itself on a machine without a display.
const headless = process.argv.includes('--headless');
// vite.config.ts then writes only this browser's folder.
process.env.MWB_BROWSER = browserName;
const log = (line) => console.log(`[dev ${new Date().toLocaleTimeString()}] ${line}`);

/**
 * Starts one watch build per mode. `onSettled` runs once every build has finished at least once and
 * none is running, after each round of rebuilds; calls are queued so a reload never overlaps another.
 */
async function watchBuilds(onSettled) {
  const finished = new Set();
  const busy = new Set();
  const failed = new Map();
  let changed = [];
  let settleTimer;
  let queue = Promise.resolve();
  const settle = () => {
    clearTimeout(settleTimer);
    if (busy.size > 0 || finished.size < BUILD_MODES.length) return;
    // One save can restart several of the three watchers a moment apart (a src/shared module is in
    // all of them); a short settle makes that round one reload.
    settleTimer = setTimeout(() => {
      const round = { files: [...new Set(changed)], failed: [...failed.keys()] };
      changed = [];
      queue = queue.then(() => onSettled(round)).catch((error) => log(`reload failed: ${error.message}`));
    }, 250);
  };
  const watchers = [];
  for (const mode of BUILD_MODES) {
    const watcher = await build({ configFile, mode, build: { watch: {} } });
    watcher.on('change', (id) => changed.push(path.relative(root, id)));
    watcher.on('event', (event) => {
      if (event.code === 'START') {
        busy.add(mode);
        clearTimeout(settleTimer);
      } else if (event.code === 'BUNDLE_END') {
        failed.delete(mode);
        log(`built ${mode} in ${event.duration} ms`);
      } else if (event.code === 'ERROR') {
        failed.set(mode, event.error);
        log(`build of ${mode} failed: ${event.error.message}`);
      }
      if (event.code === 'END' || event.code === 'ERROR') {
        busy.delete(mode);
        finished.add(mode);
        settle();
      }
    });
    watchers.push(watcher);
  }
  return { close: () => Promise.all(watchers.map((watcher) => watcher.close())) };
}

/** The browser with the extension: `reload()` after a rebuild, `close()` at the end. */
async function openBrowser(siteOrigin, homeserverUrl, onClosed) {
  if (browserName === 'chrome') {
    const chromiumWindow = await openChromium(siteOrigin, { reloadable: true, headless, homeserverUrl });
    chromiumWindow.context.on('close', onClosed);
    return { reload: () => chromiumWindow.reloadExtension(), close: () => chromiumWindow.close() };
  }
  const sigintBefore = new Set(process.listeners('SIGINT'));
  const runner = await webExt.cmd.run(
    {
      sourceDir: path.join(root, 'dist/firefox'),
      firefox: process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr',
      startUrl: [`${siteOrigin}/`],
      // web-ext's own file watcher would reload at the first file a build writes (it then says
      // "Automatic extension reloading has been disabled"); the reload comes from here instead,
      // through web-ext, once all three builds are done.
      noReload: true,
      noInput: true,
      args: headless ? ['-headless'] : [],
      // A fresh moz-extension:// origin per run, as the test harness does.
      pref: { 'extensions.webextensions.uuids': JSON.stringify({ 'matrix-widget-bridge@example.org': randomUUID() }) },
    },
    { shouldExitProgram: false },
  );
  runner.registerCleanup(onClosed);
  // web-ext's temporary profile (firefox-profile) exits the process with 130 on Ctrl-C, before
  // Synapse and the servers are stopped; shutdown() closes Firefox (and so the profile) itself.
  for (const listener of process.listeners('SIGINT')) if (!sigintBefore.has(listener)) process.off('SIGINT', listener);
  const reload = async () => {
    await runner.reloadAllExtensions();
    // web-ext's "Last extension reload" line ends without a newline (it rewrites it on a terminal).
    process.stdout.write('\n');
  };
  return { reload, close: () => runner.exit() };
}

const shutdownSteps = [];
let isStopping = false;
async function shutdown() {
  if (isStopping) return;
  isStopping = true;
  for (const step of shutdownSteps) await Promise.resolve(step()).catch(() => undefined);
  process.exit(0);
}
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());

await cleanDist();
let browser;
let isReady = false;
const builds = await watchBuilds(async ({ files, failed }) => {
  if (!isReady) {
    if (failed.length > 0) return log(`fix ${failed.join(', ')}: the services and the browser start after a good build`);
    isReady = true;
    log(`dist/${browserName} built; watching src/ and manifest.json for changes`);
    return startEverything();
  }
  if (failed.length > 0) return log(`not reloading: ${failed.join(', ')} failed to build`);
  if (!browser) return log(`rebuilt (${files.join(', ') || 'no file named'}); no browser to reload`);
  await browser.reload();
  log(`reloaded the extension in ${browserName} (${files.join(', ') || 'rebuild'})`);
});
shutdownSteps.push(() => builds.close());

async function startEverything() {
  const services = await startDemoServices();
  shutdownSteps.push(() => services.stop());
  if (headless || process.env.DISPLAY || process.env.WAYLAND_DISPLAY) {
    browser = await openBrowser(services.siteOrigin, services.homeserverUrl, () => void shutdown());
    shutdownSteps.unshift(() => browser.close());
    log(`${browserName} is open with dist/${browserName}; save a file under src/ and it reloads. Ctrl-C stops.`);
  } else {
    log(`no display, so no browser: load dist/${browserName} yourself (README) and reload it there. Ctrl-C stops.`);
  }
}
