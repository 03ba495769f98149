// `npm start`: builds the extension, starts a local Synapse with a demo account and room (and the
// local MatrixRTC JWT stand-in it advertises for calls), the demo site and widget on two origins
// (Element Call among the widgets), and opens Chromium with the extension when there is a display.
// `npm run dev` (scripts/dev.mjs) runs the same with watch builds and reloads.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildExtension } from './build.mjs';
import { chromeExtensionDir, openChromium } from './chromium-window.mjs';
import { startDemoServices } from './demo-services.mjs';

const root = path.resolve(fileURLToPath(import.meta.url), '../..');

console.log('[start] building the extension and the demo widget …');
await buildExtension();
const services = await startDemoServices();

let chromiumWindow;
if (process.env.DISPLAY || process.env.WAYLAND_DISPLAY) {
  chromiumWindow = await openChromium(services.siteOrigin, { homeserverUrl: services.homeserverUrl });
  console.log('\nChromium is open with the extension loaded. Close it or press Ctrl-C to stop.');
  chromiumWindow.context.on('close', () => void shutdown());
} else {
  console.log(`
No display found, so no browser was opened; the services keep running. To try it in your own browser:
  Chrome/Chromium: chrome://extensions → Developer mode → Load unpacked → ${chromeExtensionDir}
  Firefox:         about:debugging#/runtime/this-firefox → Load Temporary Add-on → ${path.join(root, 'dist/firefox/manifest.json')}
Then open ${services.siteOrigin}/ in that browser. Press Ctrl-C to stop.`);
}

let isStopping = false;
async function shutdown() {
  if (isStopping) return;
  isStopping = true;
  await chromiumWindow?.close().catch(() => undefined);
  await services.stop();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());
