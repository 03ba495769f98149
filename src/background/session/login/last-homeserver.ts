// The homeserver of the last successful login, in `storage.local` (a URL, not a secret), so the
// login form proposes it next time. `npm start` writes the local homeserver here in a fresh demo
// profile (scripts/chromium-window.mjs), under the same key.
import browser from 'webextension-polyfill';

export const LAST_HOMESERVER_KEY = 'lastHomeserverUrl';

export async function lastHomeserver(): Promise<string | null> {
  const value = (await browser.storage.local.get(LAST_HOMESERVER_KEY))[LAST_HOMESERVER_KEY];
  return typeof value === 'string' ? value : null;
}

export async function rememberHomeserver(homeserverUrl: string): Promise<void> {
  await browser.storage.local.set({ [LAST_HOMESERVER_KEY]: homeserverUrl });
}
