// A script run in every frame of every page before the page's own scripts (the secrets test's message
// recorder), cross-origin frames included. Chromium: Playwright's init scripts, which apply to every
// frame of the context. Firefox: a WebDriver BiDi preload script added without `contexts`, which
// applies to every navigable of the browser; puppeteer's per-page `evaluateOnNewDocument` would
// need the page before its first navigation, and the harness opens pages already navigated.
import type { ExtensionBrowser } from './browser-driver';
import type { ChromiumExtensionBrowser } from './chromium';
import type { FirefoxExtensionBrowser } from './firefox';

/** Puppeteer's BiDi connection, public on its BiDi browser though not in its typings. */
type BidiSender = { connection: { send(method: 'script.addPreloadScript', params: { functionDeclaration: string }): Promise<unknown> } };

/** `script`: statements, run as they are in each new document's own realm. Affects pages opened from now on. */
export async function addScriptToEveryFrame(browser: ExtensionBrowser, script: string): Promise<void> {
  if (browser.name === 'chromium') {
    await (browser as ChromiumExtensionBrowser).context.addInitScript(script);
    return;
  }
  const { puppeteer } = browser as FirefoxExtensionBrowser;
  await (puppeteer as unknown as BidiSender).connection.send('script.addPreloadScript', { functionDeclaration: `() => { ${script} }` });
}
