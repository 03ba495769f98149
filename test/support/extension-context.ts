// Code run in the extension's own origin without taking the screen, for what the harness reads
// there (the toolbar badge): Chromium's service worker; in Firefox, the first-run extension tab, left
// in the background so the site's tab stays the active one (an approval waits for its tab to be in
// front, and opening the extension UI would bring that tab forward instead).
import type { ExtensionBrowser } from './browser-driver';
import type { ChromiumExtensionBrowser } from './chromium';
import type { FirefoxExtensionBrowser } from './firefox';
import { eventually } from './homeserver';

export async function evaluateInExtension<T>(browser: ExtensionBrowser, expression: string): Promise<T> {
  if (browser.name === 'chromium') return (await (browser as ChromiumExtensionBrowser).serviceWorker()).evaluate(expression) as Promise<T>;
  const { puppeteer } = browser as FirefoxExtensionBrowser;
  const page = await eventually('an extension page in Firefox', async () => {
    for (const candidate of await puppeteer.pages()) {
      // BiDi reports about:blank for tabs the extension opened: each document is asked for its location.
      const url = await candidate.evaluate('location.href').then(String, () => '');
      if (url.startsWith('moz-extension://') && url.includes('/popup/index.html')) return candidate;
    }
    return undefined;
  });
  return page.evaluate(expression) as Promise<T>;
}

/** The toolbar badge's text, read with the same `action` API the background sets it with. */
export function badgeText(browser: ExtensionBrowser): Promise<string> {
  return evaluateInExtension<string>(browser, `(globalThis.browser ?? globalThis.chrome).action.getBadgeText({})`);
}
