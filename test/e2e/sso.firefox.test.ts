// Issue #5: SSO login through the local OpenID provider, in Firefox ESR over WebDriver BiDi. Firefox
// opens launchWebAuthFlow's window as a browser window of its own, which BiDi lists like any page.
import { randomBytes } from 'node:crypto';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { firefoxRedirectUrl } from '../../scripts/extension-ids.mjs';
import { LOCAL_IDP_ID } from '../../scripts/synapse.mjs';
import { waitForValue } from '../support/browser-driver';
import { launchFirefox, type FirefoxExtensionBrowser } from '../support/firefox';
import { eventually } from '../support/homeserver';
import { signInThroughPopup, whoamiOfStoredSession } from './sso-story';

/** The auth window: the page showing the provider's login form (BiDi may report its URL late). */
async function authWindow(browser: FirefoxExtensionBrowser): Promise<Page> {
  return eventually('the sign-in window', async () => {
    for (const page of await browser.puppeteer.pages()) {
      if (await page.evaluate(`!!document.querySelector('input[name="login"]')`).catch(() => false)) return page;
    }
    return undefined;
  });
}

describe('Firefox ESR: SSO login through the local OpenID provider', () => {
  let browser: FirefoxExtensionBrowser;

  beforeAll(async () => {
    browser = await launchFirefox(inject('firefoxExtensionDir'));
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('says so in the popup when the sign-in window is closed before the login', async () => {
    const ui = await signInThroughPopup(browser, LOCAL_IDP_ID, async () => {
      await (await authWindow(browser)).close();
    });
    const error = await waitForValue<string>(ui, `document.querySelector('#login-error').textContent`, 'the popup to report the closed window');
    expect(error).toMatch(/did not finish/);
    expect(await ui.evaluate(`!!document.querySelector('#user-id')`)).toBe(false);
  });

  it('logs in as the user the provider vouches for, and the session works', async () => {
    const username = `sso-${randomBytes(5).toString('hex')}`;
    let signInPage: Page | undefined;
    const ui = await signInThroughPopup(browser, LOCAL_IDP_ID, async () => {
      signInPage = await authWindow(browser);
      await signInPage.type('input[name="login"]', username);
      await signInPage.type('input[name="password"]', 'any password');
      await signInPage.click('button[type="submit"]');
    });
    // Synapse trusts the redirect address computed from the add-on id: it must be Firefox's own.
    expect(await ui.evaluate('browser.identity.getRedirectURL()')).toBe(firefoxRedirectUrl());
    await eventually('the sign-in window to close', async () => signInPage?.isClosed() || undefined);
    const shownUser = await waitForValue<string>(ui, `document.querySelector('#user-id')?.textContent`, 'the logged-in view');
    expect(shownUser).toBe(`@${username}:localhost`);
    expect(await whoamiOfStoredSession(ui)).toBe(`@${username}:localhost`);
  });
});
