// Issue #5: SSO login through the local OpenID provider, in Chromium. The popup's "Sign in with …"
// button makes the background open the browser's auth window (identity.launchWebAuthFlow); the test
// signs in there as a fresh user, and the popup then shows that user, whose session works.
import { randomBytes } from 'node:crypto';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { chromeUnpackedId } from '../../scripts/extension-ids.mjs';
import { LOCAL_IDP_ID } from '../../scripts/synapse.mjs';
import { waitForValue } from '../support/browser-driver';
import { launchChromium, type ChromiumExtensionBrowser } from '../support/chromium';
import { eventually } from '../support/homeserver';
import { signInThroughPopup, whoamiOfStoredSession } from './sso-story';

/** The auth window: the page of the browser's own that is not the popup. */
async function authWindow(browser: ChromiumExtensionBrowser, except: Set<Page>): Promise<Page> {
  return eventually('the sign-in window', async () => browser.context.pages().find((page) => !except.has(page) && page.url().startsWith('http')));
}

describe('Chromium: SSO login through the local OpenID provider', () => {
  let browser: ChromiumExtensionBrowser;

  beforeAll(async () => {
    browser = await launchChromium(inject('chromeExtensionDir'));
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('says so in the popup when the sign-in window is closed before the login', async () => {
    const known = new Set(browser.context.pages());
    const ui = await signInThroughPopup(browser, LOCAL_IDP_ID, async () => {
      const page = await authWindow(browser, known);
      await page.waitForSelector('input[name="login"]');
      await page.close();
    });
    const error = await waitForValue<string>(ui, `document.querySelector('#login-error').textContent`, 'the popup to report the closed window');
    expect(error).toMatch(/did not finish/);
    expect(await ui.evaluate(`!!document.querySelector('#user-id')`)).toBe(false);
    await ui.close();
  });

  it('logs in as the user the provider vouches for, and the session works', async () => {
    // Synapse trusts the redirect address computed from the extension's directory: it must be the real one.
    expect(browser.extensionId).toBe(chromeUnpackedId(inject('chromeExtensionDir')));
    const username = `sso-${randomBytes(5).toString('hex')}`;
    const known = new Set(browser.context.pages());
    let signInPage: Page | undefined;
    const ui = await signInThroughPopup(browser, LOCAL_IDP_ID, async () => {
      signInPage = await authWindow(browser, known);
      // The window starts on the homeserver, which sends it on to the provider's login form.
      await signInPage.waitForSelector('input[name="login"]');
      await signInPage.fill('input[name="login"]', username);
      await signInPage.fill('input[name="password"]', 'any password');
      await signInPage.click('button[type="submit"]');
    });
    // Synapse trusts the extension's redirect address, so the window goes there and Chrome closes it.
    await eventually('the sign-in window to close', async () => signInPage?.isClosed() || undefined);
    const shownUser = await waitForValue<string>(ui, `document.querySelector('#user-id')?.textContent`, 'the logged-in view');
    expect(shownUser).toBe(`@${username}:localhost`);
    expect(await whoamiOfStoredSession(ui)).toBe(`@${username}:localhost`);
    await ui.close();
  });
});

describe('Chromium: SSO with a homeserver that does not know the extension', () => {
  let browser: ChromiumExtensionBrowser;
  let copy: string;

  beforeAll(async () => {
    // Another directory is another extension id, one Synapse's whitelist does not name: as with any
    // homeserver in the wild, Synapse asks the user before handing the token over.
    copy = await mkdtemp(path.join(os.tmpdir(), 'mwb-untrusted-extension-'));
    await cp(inject('chromeExtensionDir'), copy, { recursive: true });
    browser = await launchChromium(copy);
  });
  afterAll(async () => {
    await browser?.close();
    await rm(copy, { recursive: true, force: true });
  });

  it('logs in after the user confirms on the homeserver’s page', async () => {
    const username = `sso-${randomBytes(5).toString('hex')}`;
    const known = new Set(browser.context.pages());
    const ui = await signInThroughPopup(browser, LOCAL_IDP_ID, async () => {
      const page = await authWindow(browser, known);
      await page.waitForSelector('input[name="login"]');
      await page.fill('input[name="login"]', username);
      await page.fill('input[name="password"]', 'any password');
      await page.click('button[type="submit"]');
      await page.waitForSelector('text=Continue to your account');
      expect(await page.textContent('.confirm-trust')).toContain(`${browser.extensionId}.chromiumapp.org`);
      await page.click('a.primary-button');
    });
    expect(await waitForValue<string>(ui, `document.querySelector('#user-id')?.textContent`, 'the logged-in view')).toBe(`@${username}:localhost`);
    expect(await whoamiOfStoredSession(ui)).toBe(`@${username}:localhost`);
    await ui.close();
  });
});
