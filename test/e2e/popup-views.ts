// The popup's two views and its account switcher, for tests that drive them. Idempotent: Firefox keeps
// one popup tab for the whole run, so whatever a previous test left open is still open.
import { waitForValue, type Surface } from '../support/browser-driver';

/** Settings (the account, encryption and logout), reached by the header's gear. */
export async function showSettings(ui: Surface): Promise<void> {
  await waitForValue(ui, `!!document.querySelector('#open-settings, #settings')`, 'the logged-in popup');
  // Clicked in the page, so a re-render between finding the button and clicking it (a status change
  // redraws the header) is met by the next try rather than a driver's "no element".
  await waitForValue(ui, `!!document.querySelector('#settings') || (document.querySelector('#open-settings')?.click(), false)`, 'the settings view');
}

/** The main view: the account header, this site, all sites. */
export async function showMainView(ui: Surface): Promise<void> {
  await waitForValue(ui, `!!document.querySelector('#open-settings, #settings')`, 'the logged-in popup');
  if (await ui.evaluate<boolean>(`!!document.querySelector('#settings')`)) await ui.click('#settings-back');
  await waitForValue(ui, `!!document.querySelector('#open-settings')`, 'the main view');
}

/** The header's account switcher, opened: the other accounts and "Add another account". */
export async function openAccountSwitcher(ui: Surface): Promise<void> {
  await showMainView(ui);
  if (await ui.evaluate<boolean>(`!document.querySelector('#account-switcher').open`)) await ui.click('#account-switcher > summary');
  await waitForValue(ui, `document.querySelector('#account-switcher').open`, 'the account switcher');
}

/** A selector for the activity disclosure of the widget whose grant `grantSelector` names. */
export function activityOf(grantSelector: string): string {
  return `.widget-block:has(${grantSelector}) .activity-disclosure`;
}

/** Opens the activity log of the widget whose grant `grantSelector` names, unless it is open already. */
export async function openActivity(ui: Surface, grantSelector: string): Promise<void> {
  const disclosure = activityOf(grantSelector);
  if (await ui.evaluate<boolean>(`!document.querySelector('${disclosure}').open`)) await ui.click(`${disclosure} summary`);
  await waitForValue(ui, `document.querySelector('${disclosure}').open`, 'the activity log open');
}
