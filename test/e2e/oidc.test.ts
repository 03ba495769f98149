// Issue #5 in both browsers: OIDC-native login (MSC3861), with a Synapse that delegates sign-in to a
// stand-in for the Matrix Authentication Service. The popup's "Continue with …" makes the background
// register the extension and open identity.launchWebAuthFlow; the test signs in and consents there,
// and the popup then shows the user, whose device-scoped session works on the homeserver.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authWindowShowing, expectedRedirectUrl, type AuthWindow } from '../support/auth-window';
import { waitForValue, type ExtensionBrowser } from '../support/browser-driver';
import { startDelegatingHomeserver, type DelegatingHomeserver } from '../support/delegating-homeserver';
import { ENGINES } from '../support/engines';
import { continueThroughPopup, expectWorkingSession } from './oidc-story';

describe.each(ENGINES)('$title: OIDC-native login with a homeserver that delegates sign-in', (engine) => {
  let homeserver: DelegatingHomeserver;
  let browser: ExtensionBrowser;

  beforeAll(async () => {
    homeserver = await startDelegatingHomeserver();
    browser = await engine.launch();
  });
  afterAll(async () => {
    await browser?.close();
    await homeserver?.stop();
  });

  it('signs in and consents in the auth window; the popup shows the user and the session works', async () => {
    const username = `oidc-${randomBytes(5).toString('hex')}`;
    let signIn: AuthWindow | undefined;
    const ui = await continueThroughPopup(browser, homeserver, async () => {
      signIn = await authWindowShowing(browser, 'input[name="login"]');
      await signIn.type('input[name="login"]', username);
      await signIn.type('input[name="password"]', 'any password');
      await signIn.click('button[type="submit"]');
      // The service asks whether "Matrix Widget Bridge" may have access (a client that registered itself).
      await signIn.waitFor('input[name="prompt"][value="consent"]');
      await signIn.click('button[type="submit"]');
    });
    await signIn?.closed();
    const shownUser = await waitForValue<string>(ui, `document.querySelector('#user-id')?.textContent`, 'the logged-in view');
    expect(shownUser).toBe(`@${username}:localhost`);
    await expectWorkingSession(ui, homeserver, `@${username}:localhost`, expectedRedirectUrl(browser));
    await ui.close();
  });
});
