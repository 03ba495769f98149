// OIDC-native login (MSC3861) through the real popup, written once for each browser: a homeserver
// that delegates sign-in (test/support/delegating-homeserver.ts) gets only a "Continue with …" button,
// which makes the background register the extension and open the browser's auth window. The
// browser-specific part, driving that window, is passed in as `driveAuthWindow`.
import { expect } from 'vitest';
import { waitForValue, type ExtensionBrowser, type SitePage, type Surface } from '../support/browser-driver';
import type { DelegatingHomeserver } from '../support/delegating-homeserver';
import { activeStoredSession } from '../support/extension-storage';

export async function continueThroughPopup(
  browser: ExtensionBrowser,
  homeserver: DelegatingHomeserver,
  driveAuthWindow: () => Promise<unknown>,
): Promise<SitePage> {
  const ui = await browser.openExtensionUi();
  await waitForValue(ui, `!document.querySelector('#logged-out').hidden`, 'the login form');
  await ui.type('#homeserver', homeserver.baseUrl);
  const label = await waitForValue<string>(ui, `document.querySelector('#oidc-login')?.textContent`, 'the OIDC button');
  expect(label).toBe(`Continue with ${new URL(homeserver.issuer).host}`);
  // Nothing else is offered: no password form, no SSO buttons.
  expect(await ui.evaluate(`!document.querySelector('#password') && !document.querySelector('#sso-login')`)).toBe(true);
  await ui.click('#oidc-login');
  await waitForValue(ui, `!!document.querySelector('#sso-waiting')`, 'the popup waiting for the sign-in window');
  await driveAuthWindow();
  return ui;
}

type StoredOidcSession = {
  homeserverUrl: string;
  accessToken: string;
  deviceId: string;
  oidc?: { issuer: string; clientId: string; refreshToken?: string };
};

/** Checks the stored session on the homeserver and the extension's registration at the service. */
export async function expectWorkingSession(ui: Surface, homeserver: DelegatingHomeserver, userId: string, redirectUrl: string): Promise<void> {
  const stored = await activeStoredSession<StoredOidcSession>(ui);
  expect(stored?.homeserverUrl).toBe(homeserver.baseUrl);
  expect(stored?.oidc).toMatchObject({ issuer: homeserver.issuer, refreshToken: expect.any(String) });
  const response = await fetch(`${homeserver.baseUrl}/_matrix/client/v3/account/whoami`, {
    headers: { authorization: `Bearer ${stored?.accessToken ?? ''}` },
  });
  expect(response.status).toBe(200);
  expect(await response.json()).toMatchObject({ user_id: userId, device_id: stored?.deviceId });
  // The extension registered itself for this browser's own redirect address (MSC2966).
  const client = await homeserver.provider.Client.find(stored?.oidc?.clientId ?? '');
  expect(client?.metadata()).toMatchObject({ application_type: 'web', redirect_uris: [redirectUrl], client_uri: redirectUrl });
}
