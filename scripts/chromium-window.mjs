// The Chromium window `npm start` and `npm run dev` open: Debian's chromium with this checkout's
// dist/chrome loaded unpacked, the demo site in one tab and the popup in another, its login form
// proposing the local homeserver.
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = path.resolve(fileURLToPath(import.meta.url), '../..');
export const chromeExtensionDir = path.join(root, 'dist/chrome');
/** Where the extension keeps the last login's homeserver (src/background/session/login/last-homeserver.ts). */
const LAST_HOMESERVER_KEY = 'lastHomeserverUrl';
/** How long the extension may take to open its welcome tab after Chromium installed it. */
const WELCOME_TAB_WAIT_MS = 5_000;

/**
 * `reloadable` (for `npm run dev`) lets `reloadExtension()` work; `headless` is for checking that
 * loop on a machine without a display, the window is the point otherwise. `homeserverUrl` (the
 * local homeserver) is what the login form proposes until the profile has logged in somewhere.
 */
export async function openChromium(siteOrigin, { reloadable = false, headless = false, homeserverUrl = undefined } = {}) {
  const profileDir = path.join(root, '.cache/demo-chromium-profile');
  if (!existsSync(path.join(profileDir, 'Default/Preferences'))) {
    // Debian's Chromium blocks third-party cookies, and with them a cross-site frame's storage, in a
    // new profile: Element Call (the call page) cannot start without localStorage. Chrome's default.
    await mkdir(path.join(profileDir, 'Default'), { recursive: true });
    await writeFile(path.join(profileDir, 'Default/Preferences'), JSON.stringify({ profile: { cookie_controls_mode: 0 } }));
  }
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless,
    // start.mjs and dev.mjs stop everything on Ctrl-C themselves; Playwright's own handler would
    // close the browser and exit the process (code 130) before Synapse and the servers are stopped.
    handleSIGINT: false,
    args: [
      `--disable-extensions-except=${chromeExtensionDir}`,
      `--load-extension=${chromeExtensionDir}`,
      '--no-first-run',
      // The DevTools protocol's Extensions domain, which reloads the extension from disk.
      ...(reloadable ? ['--enable-unsafe-extension-debugging'] : []),
      // Chromium refuses to run as root with its sandbox (root is what containers and CI machines use).
      ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
    ],
  });
  const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
  const extensionId = new URL(worker.url()).host;
  const popupUrl = `chrome-extension://${extensionId}/popup/index.html`;
  const isPopupTab = (tab) => tab.url().startsWith(popupUrl);
  // The extension opens its welcome tab (the popup, in a tab) when it is installed, which
  // --load-extension does at every launch: that tab is the popup tab, the script opens none beside it.
  const welcome = context.pages().find(isPopupTab) ?? context.waitForEvent('page', { predicate: isPopupTab, timeout: WELCOME_TAB_WAIT_MS }).catch(() => undefined);

  if (homeserverUrl !== undefined) {
    const proposed = await worker.evaluate(
      async ({ key, url }) => {
        const stored = (await chrome.storage.local.get(key))[key];
        if (typeof stored === 'string') return stored;
        await chrome.storage.local.set({ [key]: url });
        return url;
      },
      { key: LAST_HOMESERVER_KEY, url: homeserverUrl },
    );
    // A welcome tab that asked before the homeserver was there asks again.
    for (const tab of context.pages().filter(isPopupTab)) await tab.reload();
    if (proposed !== homeserverUrl) console.log(`[start] the login form proposes ${proposed}, where this profile last logged in`);
  }

  const page = context.pages().find((tab) => !isPopupTab(tab)) ?? (await context.newPage());
  await page.goto(`${siteOrigin}/`);
  // The popup, in a tab, so the login form is one click away.
  const openPopup = async () => (await context.newPage()).goto(popupUrl);
  if (!(await welcome)) await openPopup();

  return {
    context,
    extensionId,
    /**
     * Reloads the extension from disk, from outside over the DevTools protocol: the extension
     * carries no reload code of its own. Not `chrome.runtime.reload()` from one of its pages: Chromium
     * does not load an extension given by --load-extension again after that, it stays disabled.
     */
    async reloadExtension() {
      const cdp = await context.browser().newBrowserCDPSession();
      const restarted = context.waitForEvent('serviceworker');
      // The same path keeps the same id: Chromium replaces the loaded extension with the new files.
      await cdp.send('Extensions.loadUnpacked', { path: chromeExtensionDir });
      await cdp.detach();
      await restarted;
      // The old content scripts lost their extension: reload the sites' tabs so the new ones run.
      // Chromium closed the extension's own tabs as it unloaded it, and opens no welcome tab on a reload.
      for (const tab of context.pages()) if (/^https?:/.test(tab.url())) await tab.reload();
      if (!context.pages().some(isPopupTab)) await openPopup();
    },
    close: () => context.close(),
  };
}
