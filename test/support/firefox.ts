// Debian's Firefox ESR with the built extension, through puppeteer-core over WebDriver BiDi
// (docs/debugging-browser-tests.md). Firefox refuses BiDi navigation to moz-extension:// pages, so the harness attaches
// to pages the extension opens itself: the first-run tab and approval windows.
import { randomUUID } from 'node:crypto';
import { mkdtemp, mkdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import puppeteer, { type Browser, type Frame, type Page } from 'puppeteer-core';
import { frameFrom, type ExtensionBrowser, type SitePage, type Surface } from './browser-driver';
import { listFiles, zipFolder } from '../../scripts/zip.mjs';
import { firefoxBackground, privilegedEvaluator, type BidiConnection } from './firefox-background';
import { eventually } from './homeserver';

export const GECKO_ID = 'matrix-widget-bridge@example.org';

function frameSurface(frame: Frame | Page): Surface {
  return {
    url: () => frame.url(),
    click: (selector) => frame.click(selector),
    type: async (selector, text) => {
      await frame.$eval(selector, (element) => {
        (element as HTMLInputElement).value = '';
      });
      await frame.type(selector, text);
    },
    select: async (selector, value) => {
      await frame.select(selector, value);
    },
    evaluate: <T>(expression: string) => frame.evaluate(expression) as Promise<T>,
  };
}

function sitePage(page: Page, knownUrl?: string): SitePage {
  return {
    ...frameSurface(page),
    // BiDi keeps reporting about:blank for tabs the extension opened; their real URL was read at discovery.
    url: () => knownUrl ?? page.url(),
    widget: async (origin, index = 0) => frameSurface(await frameFrom(() => page.frames(), origin, index)),
    reload: async () => {
      await page.reload();
    },
    bringToFront: () => page.bringToFront(),
    screenshot: async (path, size) => {
      if (size) await page.setViewport(size);
      await page.screenshot({ path: path, fullPage: !size });
    },
    close: () => page.close(),
  };
}

/**
 * Firefox 153 over BiDi reports `about:blank` as the URL of tabs and windows an extension opens,
 * so pages are found by asking each document for its own location.
 */
async function locationOf(page: Page): Promise<string> {
  return page.evaluate('location.href').then(String, () => page.url());
}

async function findPage(
  browser: Browser,
  predicate: (url: string) => boolean,
  exclude: Set<Page>,
): Promise<{ page: Page; url: string }> {
  return eventually('an extension page in Firefox', async () => {
    for (const page of await browser.pages()) {
      if (exclude.has(page)) continue;
      const url = await locationOf(page);
      if (predicate(url)) return { page, url };
    }
    return undefined;
  });
}

/** Web pages (not the extension's own) whose tab is the visible one of its window, except `except`. */
async function visibleSiteTabs(browser: Browser, except: Page): Promise<Page[]> {
  const visible: Page[] = [];
  for (const page of await browser.pages()) {
    if (page === except) continue;
    const state = await page.evaluate(`[location.protocol, document.visibilityState]`).catch(() => undefined);
    if (Array.isArray(state) && /^https?:$/.test(String(state[0])) && state[1] === 'visible') visible.push(page);
  }
  return visible;
}

export type FirefoxExtensionBrowser = ExtensionBrowser & {
  /** The puppeteer browser, for windows the harness has no words for (the SSO auth window). */
  puppeteer: Browser;
  /** Quits Firefox and starts it again on the same profile (a browser restart for the user). */
  restart(): Promise<FirefoxExtensionBrowser>;
};

/**
 * Installs the extension as a user has it: permanently, from a package (a folder is zipped first), so
 * it and its storage outlive a restart. BiDi's plain install is a temporary add-on, which Firefox
 * uninstalls, storage and all, when it quits. ESR installs an unsigned package once the
 * `xpinstall.signatures.required` pref is off.
 */
async function installPermanently(browser: Browser, extension: string, home: string): Promise<void> {
  let archive = extension;
  if ((await stat(extension)).isDirectory()) {
    archive = path.join(home, 'tmp', 'extension.xpi');
    await writeFile(archive, await zipFolder(extension, await listFiles(extension)));
  }
  const connection = (browser as unknown as { connection: BidiConnection }).connection;
  await connection.send('webExtension.install', { extensionData: { type: 'archivePath', path: archive }, 'moz:permanent': true });
}

/** `extensionDir: null` launches the same Firefox without the extension (bench baselines). */
export async function launchFirefox(extensionDir: string | null, restarted?: { home: string; uuid: string }): Promise<FirefoxExtensionBrowser> {
  const home = restarted?.home ?? (await mkdtemp(path.join(os.tmpdir(), 'mwb-firefox-')));
  if (!restarted) for (const folder of ['tmp', 'config', 'cache', 'profile']) await mkdir(path.join(home, folder));
  const uuid = restarted?.uuid ?? randomUUID();
  const browser = await puppeteer.launch({
    browser: 'firefox',
    protocol: 'webDriverBiDi',
    executablePath: process.env['FIREFOX_PATH'] ?? '/usr/bin/firefox-esr',
    headless: true,
    userDataDir: path.join(home, 'profile'),
    // BiDi may evaluate in the browser's chrome window, from where the harness reaches the extension's
    // event page (test/support/firefox-background.ts). The pages a user sees are unaffected.
    args: ['--remote-allow-system-access'],
    extraPrefsFirefox: {
      'extensions.webextensions.uuids': JSON.stringify({ [GECKO_ID]: uuid }),
      'extensions.autoDisableScopes': 0,
      'xpinstall.signatures.required': false,
      'browser.shell.checkDefaultBrowser': false,
      // Sub-millisecond performance.now(), as in Chromium, so timings can be compared (npm run bench).
      'privacy.reduceTimerPrecision': false,
      // Call widgets (Element Call) ask for camera and microphone: Firefox's synthetic streams,
      // granted without a prompt, as a headless test has neither a user nor real devices.
      'media.navigator.streams.fake': true,
      'media.navigator.permission.disabled': true,
    },
    env: {
      ...process.env,
      HOME: home,
      TMPDIR: path.join(home, 'tmp'),
      XDG_CONFIG_HOME: path.join(home, 'config'),
      XDG_CACHE_HOME: path.join(home, 'cache'),
    },
  });
  if (extensionDir && !restarted) await installPermanently(browser, extensionDir, home);
  const base = `moz-extension://${uuid}/`;
  const seen = new Set<Page>();
  // After a restart there is no first-run tab to attach to: one is opened as the user would open the
  // popup, from the browser itself (BiDi may not navigate to moz-extension:// pages).
  if (extensionDir && restarted) {
    await privilegedEvaluator(browser, GECKO_ID)(`openTrustedLinkIn(policy.getURL('popup/index.html'), 'tab')`);
  }

  return {
    name: 'firefox',
    puppeteer: browser,
    background: firefoxBackground(browser, GECKO_ID),
    async openExtensionUi() {
      // The first-run tab the extension opened itself (runtime.onInstalled). It cannot be reopened
      // over BiDi, so it is kept, and the page refreshes itself on focus. "Closing" it brings back
      // the site tabs that were in front, as closing Chromium's popup tab does: a tab left behind the
      // first-run tab is hidden, and keys typed into it reach nothing (issue #18: after the popup was
      // read, a widget's message in spoofing.test.ts was never typed, so never sent, and looked unanswered).
      const { page, url } = await findPage(browser, (candidate) => candidate.startsWith(`${base}popup/index.html`), seen);
      const behind = await visibleSiteTabs(browser, page);
      await page.bringToFront();
      // Headless Firefox does not always fire `focus` on bringToFront; the page refreshes on it.
      await page.evaluate(`window.dispatchEvent(new Event('focus'))`);
      return {
        ...sitePage(page, url),
        close: async () => {
          for (const tab of behind) if (!tab.isClosed()) await tab.bringToFront();
        },
      };
    },
    async openPage(url) {
      const page = await browser.newPage();
      if (process.env['MWB_DEBUG']) page.on('console', (message) => console.log(`[firefox page] ${message.text()}`));
      await page.goto(url);
      return sitePage(page);
    },
    async nextApprovalWindow() {
      const { page, url } = await findPage(browser, (candidate) => candidate.startsWith(`${base}approval/index.html`), seen);
      seen.add(page);
      await page.bringToFront();
      return sitePage(page, url);
    },
    async extensionPageUrls() {
      const urls = await Promise.all((await browser.pages()).map(locationOf));
      return urls.filter((url) => url.startsWith('moz-extension://'));
    },
    async close() {
      await browser.close();
      await rm(home, { recursive: true, force: true });
    },
    async restart() {
      await browser.close();
      return launchFirefox(extensionDir, { home, uuid });
    },
  };
}
