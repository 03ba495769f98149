// Issue #5: OIDC-native login (MSC3861) in Chromium, with a Synapse that delegates sign-in to a
// stand-in for the Matrix Authentication Service. The popup's "Continue with …" makes the background
// register the extension and open identity.launchWebAuthFlow; the test signs in and consents there,
// and the popup then shows the user, whose device-scoped session works on the homeserver.
import { randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { waitForValue } from '../support/browser-driver';
import { launchChromium, type ChromiumExtensionBrowser } from '../support/chromium';
import { startDelegatingHomeserver, type DelegatingHomeserver } from '../support/delegating-homeserver';
import { eventually } from '../support/homeserver';
import { continueThroughPopup, expectWorkingSession } from './oidc-story';

describe('Chromium: OIDC-native login with a homeserver that delegates sign-in', () => {
  let homeserver: DelegatingHomeserver;
  let browser: ChromiumExtensionBrowser;

  beforeAll(async () => {
    homeserver = await startDelegatingHomeserver();
    browser = await launchChromium(inject('chromeExtensionDir'));
  });
  afterAll(async () => {
    await browser?.close();
    await homeserver?.stop();
  });

  it('signs in and consents in the auth window; the popup shows the user and the session works', async () => {
    const username = `oidc-${randomBytes(5).toString('hex')}`;
    const known = new Set(browser.context.pages());
    let signInPage: Page | undefined;
    const ui = await continueThroughPopup(browser, homeserver, async () => {
      signInPage = await eventually('the sign-in window', async () =>
        browser.context.pages().find((page) => !known.has(page) && page.url().startsWith('http')),
      );
      await signInPage.waitForSelector('input[name="login"]');
      await signInPage.fill('input[name="login"]', username);
      await signInPage.fill('input[name="password"]', 'any password');
      await signInPage.click('button[type="submit"]');
      // The service asks whether "Matrix Widget Bridge" may have access (a client that registered itself).
      await signInPage.waitForSelector('input[name="prompt"][value="consent"]', { state: 'attached' });
      await signInPage.click('button[type="submit"]');
    });
    await eventually('the sign-in window to close', async () => signInPage?.isClosed() || undefined);
    const shownUser = await waitForValue<string>(ui, `document.querySelector('#user-id')?.textContent`, 'the logged-in view');
    expect(shownUser).toBe(`@${username}:localhost`);
    await expectWorkingSession(ui, homeserver, `@${username}:localhost`, `https://${browser.extensionId}.chromiumapp.org/`);
    await ui.close();
  });
});
