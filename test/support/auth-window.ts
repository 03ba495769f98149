// The window a browser opens for identity.launchWebAuthFlow (SSO, OIDC-native login), driven the same
// way in both browsers. Chromium lists it among the context's pages; Firefox opens a browser window of
// its own, which BiDi lists like any page but whose URL it may report late, so a window is recognised
// by what it shows, not by its address.
import type { Page as PlaywrightPage } from 'playwright-core';
import type { Page as PuppeteerPage } from 'puppeteer-core';
import { inject } from 'vitest';
import { chromeRedirectUrl, firefoxRedirectUrl } from '../../scripts/extension-ids.mjs';
import type { ExtensionBrowser } from './browser-driver';
import type { ChromiumExtensionBrowser } from './chromium';
import type { FirefoxExtensionBrowser } from './firefox';
import { eventually } from './homeserver';

export type AuthWindow = {
  type(selector: string, text: string): Promise<void>;
  click(selector: string): Promise<void>;
  waitFor(selector: string): Promise<void>;
  textOf(selector: string): Promise<string>;
  close(): Promise<void>;
  /** Resolves once the browser closed the window (it reached the extension's redirect address). */
  closed(): Promise<void>;
};

/** What the two drivers have in common, for a page of the browser's own. */
type BrowserPage = {
  evaluate<T>(expression: string): Promise<T>;
  type(selector: string, text: string): Promise<void>;
  click(selector: string): Promise<void>;
  close(): Promise<void>;
  isClosed(): boolean;
};

function fromPlaywright(page: PlaywrightPage): BrowserPage {
  return {
    evaluate: <T>(expression: string) => page.evaluate(expression) as Promise<T>,
    type: (selector, text) => page.fill(selector, text),
    click: (selector) => page.click(selector),
    close: () => page.close(),
    isClosed: () => page.isClosed(),
  };
}

function fromPuppeteer(page: PuppeteerPage): BrowserPage {
  return {
    evaluate: <T>(expression: string) => page.evaluate(expression) as Promise<T>,
    type: (selector, text) => page.type(selector, text),
    click: (selector) => page.click(selector),
    close: () => page.close(),
    isClosed: () => page.isClosed(),
  };
}

async function pagesOf(browser: ExtensionBrowser): Promise<BrowserPage[]> {
  if (browser.name === 'chromium') return (browser as ChromiumExtensionBrowser).context.pages().map(fromPlaywright);
  return (await (browser as FirefoxExtensionBrowser).puppeteer.pages()).map(fromPuppeteer);
}

const shows = (page: BrowserPage, selector: string): Promise<boolean> =>
  page.evaluate<boolean>(`!!document.querySelector(${JSON.stringify(selector)})`).catch(() => false);

function driving(page: BrowserPage): AuthWindow {
  return {
    type: (selector, text) => page.type(selector, text),
    click: (selector) => page.click(selector),
    waitFor: async (selector) => {
      await eventually(`${selector} in the sign-in window`, async () => (await shows(page, selector)) || undefined);
    },
    textOf: (selector) => page.evaluate<string>(`document.querySelector(${JSON.stringify(selector)})?.textContent ?? ''`),
    close: () => page.close(),
    closed: async () => {
      await eventually('the sign-in window to close', async () => page.isClosed() || undefined);
    },
  };
}

/** The auth window the browser opened, once it shows `selector` (the provider's login form). */
export async function authWindowShowing(browser: ExtensionBrowser, selector: string): Promise<AuthWindow> {
  const page = await eventually('the sign-in window', async () => {
    for (const candidate of await pagesOf(browser)) {
      if (!candidate.isClosed() && (await shows(candidate, selector))) return candidate;
    }
    return undefined;
  });
  return driving(page);
}

/** The address the browser sends the auth window to at the end, computed from what was installed. */
export function expectedRedirectUrl(browser: ExtensionBrowser): string {
  return browser.name === 'chromium' ? chromeRedirectUrl(inject('chromeExtensionDir')) : firefoxRedirectUrl();
}
