// Issue #5 in both browsers: SSO login through the local OpenID provider. The popup's "Sign in with …"
// button makes the background open the browser's auth window (identity.launchWebAuthFlow); the test
// signs in there as a fresh user, and the popup then shows that user, whose session works.
import { randomBytes } from 'node:crypto';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { LOCAL_IDP_ID } from '../../scripts/synapse.mjs';
import { authWindowShowing, expectedRedirectUrl, type AuthWindow } from '../support/auth-window';
import { waitForValue, type ExtensionBrowser } from '../support/browser-driver';
import { launchChromium, type ChromiumExtensionBrowser } from '../support/chromium';
import { ENGINES } from '../support/engines';
import { signInThroughPopup, whoamiOfStoredSession } from './sso-story';

const LOGIN_FORM = 'input[name="login"]';

describe.each(ENGINES)('$title: SSO login through the local OpenID provider', (engine) => {
  let browser: ExtensionBrowser;

  beforeAll(async () => {
    browser = await engine.launch();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('says so in the popup when the sign-in window is closed before the login', async () => {
    const ui = await signInThroughPopup(browser, LOCAL_IDP_ID, async () => {
      await (await authWindowShowing(browser, LOGIN_FORM)).close();
    });
    const error = await waitForValue<string>(ui, `document.querySelector('#login-error').textContent`, 'the popup to report the closed window');
    expect(error).toMatch(/did not finish/);
    expect(await ui.evaluate(`!!document.querySelector('#user-id')`)).toBe(false);
    await ui.close();
  });

  it('logs in as the user the provider vouches for, and the session works', async () => {
    const username = `sso-${randomBytes(5).toString('hex')}`;
    let signIn: AuthWindow | undefined;
    const ui = await signInThroughPopup(browser, LOCAL_IDP_ID, async () => {
      // The window starts on the homeserver, which sends it on to the provider's login form.
      signIn = await authWindowShowing(browser, LOGIN_FORM);
      await signIn.type(LOGIN_FORM, username);
      await signIn.type('input[name="password"]', 'any password');
      await signIn.click('button[type="submit"]');
    });
    // Synapse trusts the redirect address computed from what was installed: it must be the browser's own.
    expect(await ui.evaluate('(globalThis.browser ?? globalThis.chrome).identity.getRedirectURL()')).toBe(expectedRedirectUrl(browser));
    // So the window goes there, and the browser closes it.
    await signIn?.closed();
    const shownUser = await waitForValue<string>(ui, `document.querySelector('#user-id')?.textContent`, 'the logged-in view');
    expect(shownUser).toBe(`@${username}:localhost`);
    expect(await whoamiOfStoredSession(ui)).toBe(`@${username}:localhost`);
    await ui.close();
  });
});

// Chromium only: an unpacked Chromium extension's id follows its directory, so a copy elsewhere is an
// extension the homeserver does not know. Firefox's id is the manifest's gecko id wherever it lies.
describe('Chromium: SSO with a homeserver that does not know the extension', () => {
  let browser: ChromiumExtensionBrowser;
  let copy: string;

  beforeAll(async () => {
    // As with any homeserver in the wild, Synapse asks the user before handing the token over.
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
    const ui = await signInThroughPopup(browser, LOCAL_IDP_ID, async () => {
      const signIn = await authWindowShowing(browser, LOGIN_FORM);
      await signIn.type(LOGIN_FORM, username);
      await signIn.type('input[name="password"]', 'any password');
      await signIn.click('button[type="submit"]');
      await signIn.waitFor('.confirm-trust');
      expect(await signIn.textOf('.confirm-trust')).toContain(`${browser.extensionId}.chromiumapp.org`);
      await signIn.click('a.primary-button');
    });
    expect(await waitForValue<string>(ui, `document.querySelector('#user-id')?.textContent`, 'the logged-in view')).toBe(`@${username}:localhost`);
    expect(await whoamiOfStoredSession(ui)).toBe(`@${username}:localhost`);
    await ui.close();
  });
});
