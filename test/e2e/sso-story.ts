// SSO login through the real popup, written once for each browser: the browser-specific part is
// finding and driving the auth window the browser opens, passed in as `driveAuthWindow`.
import { expect } from 'vitest';
import { waitForValue, type ExtensionBrowser, type SitePage, type Surface } from '../support/browser-driver';
import { activeStoredSession } from '../support/extension-storage';
import { homeserverUrl } from '../support/homeserver';
import { LOCAL_IDP_NAME } from '../../scripts/synapse.mjs';

/**
 * Opens the popup, enters the test homeserver, waits for its "Sign in with …" button, clicks it and
 * lets `driveAuthWindow` sign in. Returns the popup, which shows the outcome.
 */
export async function signInThroughPopup(
  browser: ExtensionBrowser,
  idpId: string,
  driveAuthWindow: () => Promise<unknown>,
): Promise<SitePage> {
  const ui = await browser.openExtensionUi();
  await waitForValue(ui, `!document.querySelector('#logged-out').hidden`, 'the login form');
  await ui.type('#homeserver', homeserverUrl());
  const button = `#sso-login button[data-idp-id="${idpId}"]`;
  const label = await waitForValue<string>(ui, `document.querySelector(${JSON.stringify(button)})?.textContent`, 'the SSO button');
  expect(label).toBe(`Sign in with ${LOCAL_IDP_NAME}`);
  await ui.click(button);
  await waitForValue(ui, `!!document.querySelector('#sso-waiting')`, 'the popup waiting for the sign-in window');
  await driveAuthWindow();
  return ui;
}

/** Asks the homeserver who the active account's stored access token belongs to. */
export async function whoamiOfStoredSession(ui: Surface): Promise<string> {
  const stored = await activeStoredSession<{ accessToken: string; homeserverUrl: string }>(ui);
  expect(stored?.homeserverUrl).toBe(homeserverUrl());
  const response = await fetch(`${homeserverUrl()}/_matrix/client/v3/account/whoami`, {
    headers: { authorization: `Bearer ${stored?.accessToken ?? ''}` },
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { user_id: string }).user_id;
}
