// Real key presses and the colour scheme, for the accessibility stories. The shared driver
// (browser-driver.ts) speaks clicks and typing into a selector; a keyboard-only user has neither, so
// this file reaches the engine's own page behind a SitePage: Playwright's in Chromium, Puppeteer's
// (WebDriver BiDi) in Firefox. Their key presses are input events the browser treats as the user's
// (they move focus, set :focus-visible and submit forms), never script-dispatched events.
import puppeteer, { type Page as PuppeteerPage } from 'puppeteer-core';
import type { Page as PlaywrightPage } from 'playwright-core';
import type { ExtensionBrowser, SitePage } from './browser-driver';
import type { ChromiumExtensionBrowser } from './chromium';
import { launchFirefox, type FirefoxExtensionBrowser } from './firefox';
import { eventually } from './homeserver';

export type ColorScheme = 'light' | 'dark';

export type EnginePage = {
  press(key: 'Tab' | 'Enter' | 'Space'): Promise<void>;
  /** Types into whatever has the focus, key by key. */
  typeText(text: string): Promise<void>;
  /** A PNG of the viewport at `width`×`height`. */
  screenshot(path: string, width: number, height: number): Promise<void>;
  /** Chromium only: follows `scheme` from now on (Firefox takes its scheme at launch, launchFirefoxIn). */
  emulateColorScheme(scheme: ColorScheme): Promise<void>;
};

const PUPPETEER_KEYS = { Tab: 'Tab', Enter: 'Enter', Space: ' ' } as const;

/** A key that closes its page (Enter on Allow closes the approval window) has no page to lift it in. */
function closedBy(isClosed: () => boolean) {
  return (error: unknown) => {
    if (!isClosed()) throw error;
  };
}

function fromPlaywright(page: PlaywrightPage): EnginePage {
  return {
    press: (key) => page.keyboard.press(key === 'Space' ? ' ' : key).catch(closedBy(() => page.isClosed())),
    typeText: (text) => page.keyboard.type(text),
    screenshot: async (path, width, height) => {
      await page.setViewportSize({ width, height });
      await page.screenshot({ path });
    },
    emulateColorScheme: (scheme) => page.emulateMedia({ colorScheme: scheme }),
  };
}

function fromPuppeteer(page: PuppeteerPage): EnginePage {
  return {
    press: (key) => page.keyboard.press(PUPPETEER_KEYS[key]).catch(closedBy(() => page.isClosed())),
    typeText: (text) => page.keyboard.type(text),
    screenshot: async (path, width, height) => {
      await page.setViewport({ width, height });
      await page.screenshot({ path });
    },
    emulateColorScheme: () => Promise.reject(new Error('Firefox over BiDi has no media emulation: launch it with launchFirefoxIn')),
  };
}

/** The engine's page showing `surface` (found by URL: extension pages are unique by theirs). */
export async function enginePageOf(browser: ExtensionBrowser, surface: SitePage): Promise<EnginePage> {
  const url = surface.url();
  if (browser.name === 'chromium') {
    const { context } = browser as ChromiumExtensionBrowser;
    return fromPlaywright(await eventually(`the Chromium page at ${url}`, async () => context.pages().findLast((page) => page.url() === url)));
  }
  const { puppeteer: firefox } = browser as FirefoxExtensionBrowser;
  // BiDi reports about:blank for pages the extension opened: each document is asked for its location.
  return fromPuppeteer(
    await eventually(`the Firefox page at ${url}`, async () => {
      for (const page of await firefox.pages()) {
        if ((await page.evaluate('location.href').catch(() => '')) === url) return page;
      }
      return undefined;
    }),
  );
}

/**
 * Firefox with the extension, its system theme set to `scheme` (the `ui.systemUsesDarkTheme` pref,
 * which prefers-color-scheme follows in every page, extension pages included). Puppeteer's media
 * emulation is CDP-only, and launchFirefox takes no prefs, so the one launch made here passes the
 * pref through Puppeteer's own launch options.
 */
export async function launchFirefoxIn(extensionDir: string, scheme: ColorScheme): Promise<FirefoxExtensionBrowser> {
  const launch = puppeteer.launch.bind(puppeteer);
  puppeteer.launch = (options) =>
    launch({ ...options, extraPrefsFirefox: { ...options?.extraPrefsFirefox, 'ui.systemUsesDarkTheme': scheme === 'dark' ? 1 : 0 } });
  try {
    return await launchFirefox(extensionDir);
  } finally {
    puppeteer.launch = launch;
  }
}
