// Issue #5: OIDC-native login (MSC3861) in Firefox ESR over WebDriver BiDi, with a Synapse that
// delegates sign-in to a stand-in for the Matrix Authentication Service. Firefox opens
// launchWebAuthFlow's window as a browser window of its own, which BiDi lists like any page.
import { randomBytes } from 'node:crypto';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { firefoxRedirectUrl } from '../../scripts/extension-ids.mjs';
import { waitForValue } from '../support/browser-driver';
import { startDelegatingHomeserver, type DelegatingHomeserver } from '../support/delegating-homeserver';
import { launchFirefox, type FirefoxExtensionBrowser } from '../support/firefox';
import { eventually } from '../support/homeserver';
import { continueThroughPopup, expectWorkingSession } from './oidc-story';

describe('Firefox ESR: OIDC-native login with a homeserver that delegates sign-in', () => {
  let homeserver: DelegatingHomeserver;
  let browser: FirefoxExtensionBrowser;

  beforeAll(async () => {
    homeserver = await startDelegatingHomeserver();
    browser = await launchFirefox(inject('firefoxExtensionDir'));
  });
  afterAll(async () => {
    await browser?.close();
    await homeserver?.stop();
  });

  it('signs in and consents in the auth window; the popup shows the user and the session works', async () => {
    const username = `oidc-${randomBytes(5).toString('hex')}`;
    let signInPage: Page | undefined;
    const ui = await continueThroughPopup(browser, homeserver, async () => {
      // The auth window: the page showing the service's login form (BiDi may report its URL late).
      signInPage = await eventually('the sign-in window', async () => {
        for (const page of await browser.puppeteer.pages()) {
          if (await page.evaluate(`!!document.querySelector('input[name="login"]')`).catch(() => false)) return page;
        }
        return undefined;
      });
      await signInPage.type('input[name="login"]', username);
      await signInPage.type('input[name="password"]', 'any password');
      await signInPage.click('button[type="submit"]');
      await signInPage.waitForSelector('input[name="prompt"][value="consent"]');
      await signInPage.click('button[type="submit"]');
    });
    await eventually('the sign-in window to close', async () => signInPage?.isClosed() || undefined);
    const shownUser = await waitForValue<string>(ui, `document.querySelector('#user-id')?.textContent`, 'the logged-in view');
    expect(shownUser).toBe(`@${username}:localhost`);
    await expectWorkingSession(ui, homeserver, `@${username}:localhost`, firefoxRedirectUrl());
  });
});
