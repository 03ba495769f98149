// Issue #16: log in by Matrix ID, written once for each browser. The popup's one field takes
// `@ann:localhost:<port>`; the background discovers the homeserver through the server's
// `.well-known/matrix/client` (on another host name than the one typed: 127.0.0.1), the user name
// comes from the Matrix ID, and the next login form proposes that homeserver.
import { expect } from 'vitest';
import { waitForValue, type ExtensionBrowser } from '../support/browser-driver';
import type { DiscoverableHomeserver } from '../support/discoverable-homeserver';
import { showSettings } from './popup-views';

const STATUS = `(document.querySelector('#homeserver-status')?.textContent ?? '')`;

export async function logInByMatrixId(browser: ExtensionBrowser, homeserver: DiscoverableHomeserver): Promise<void> {
  const ann = await homeserver.user('ann');
  expect(ann.userId).toBe(`@${ann.username}:${homeserver.serverName}`);
  const ui = await browser.openExtensionUi();
  await waitForValue(ui, `!document.querySelector('#logged-out').hidden`, 'the login form');

  // A server that does not answer is named as such, under the field.
  await ui.type('#homeserver', `@${ann.username}:127.0.0.1:1`);
  expect(await waitForValue<string>(ui, `${STATUS}.includes('cannot be reached') && ${STATUS}`, 'the unreachable server named')).toBe(
    '127.0.0.1:1 cannot be reached. Check the name and your connection.',
  );

  // The Matrix ID: discovery finds the homeserver, and no user name is asked for.
  await ui.type('#homeserver', ann.userId);
  expect(await waitForValue<string>(ui, `${STATUS}.startsWith('Homeserver:') && ${STATUS}`, 'the discovered homeserver')).toBe(
    `Homeserver: ${homeserver.baseUrl}`,
  );
  expect(await ui.evaluate(`!document.querySelector('#username')`)).toBe(true);
  await ui.type('#password', ann.password);
  await ui.click('#login');
  expect(await waitForValue<string>(ui, `document.querySelector('#user-id')?.textContent`, 'the logged-in view')).toBe(ann.userId);

  // Logged out, the form proposes the homeserver of that login.
  await showSettings(ui);
  await ui.click('#logout');
  await waitForValue(ui, `!!document.querySelector('#logged-out')`, 'the login form again');
  expect(await ui.evaluate<string>(`document.querySelector('#homeserver').value`)).toBe(homeserver.baseUrl);
  await waitForValue(ui, `!!document.querySelector('#username')`, 'the user name field for a homeserver URL');
  await ui.close();
}
