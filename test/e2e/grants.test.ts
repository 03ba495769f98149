// Issue #6 in Chromium and Firefox ESR: the grant scenarios (a subset, a remembered denial, a closed
// window, a live revoke, another site or room, copies of one widget, queued approvals); in Chromium
// also the accessibility of the extension pages and the README screenshots (see the case).
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ExtensionBrowser } from '../support/browser-driver';
import type { ChromiumExtensionBrowser } from '../support/chromium';
import { ENGINES } from '../support/engines';
import { badgeText } from '../support/extension-context';
import { freshUser, sharedRoom } from '../support/homeserver';
import {
  approvalReady,
  approveSubset,
  closingTheWindowDeniesForNow,
  copiesOfOneWidget,
  denyIsRemembered,
  grantsStayInTheirPlace,
  openWidget,
  queuedApprovals,
  revokeWhileRunning,
  type Accounts,
} from './grant-scenarios';
import { waitForValue } from '../support/browser-driver';
import { clickWhileArmingGrantsNothing } from './approval-arming';
import { axeViolations } from './accessibility';
import { openAccountSwitcher, showMainView, showSettings } from './popup-views';
import { logInThroughPopup, sendFromWidget } from './user-story';

const screenshots = path.resolve(import.meta.dirname, '../../docs/screenshots');

describe.each(ENGINES)('$title: grants the user understands and controls', (engine) => {
  let browser: ExtensionBrowser;
  let accounts: Accounts;
  const chromium = () => browser as ChromiumExtensionBrowser;

  beforeAll(async () => {
    browser = await engine.launch();
    accounts = { alice: await freshUser('alice'), bob: await freshUser('bob') };
    await logInThroughPopup(browser, accounts.alice);
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('grants exactly the subset the user ticked', () => approveSubset(browser, accounts));
  it('remembers a denial and does not ask again on reload', () => denyIsRemembered(browser, accounts));
  it('treats a closed approval window as "deny for now"', () => closingTheWindowDeniesForNow(browser, accounts));
  it('revokes one capability live from the popup', () => revokeWhileRunning(browser, accounts));
  it('asks again for another site or another room', () => grantsStayInTheirPlace(browser, accounts));
  it('hosts two copies of one widget (same URL and widget id) as two frames, across a stopped background', () =>
    copiesOfOneWidget(browser, accounts, () => browser.background.stop()));
  it('queues two approvals and counts them on the badge', () => queuedApprovals(browser, accounts, () => badgeText(browser)));
  it('decides nothing on a click on Allow while it arms after the window got focus', () => clickWhileArmingGrantsNothing(browser, accounts));

  // Chromium only: the screenshots are the README's (one browser's), and the dark-theme pass uses
  // Playwright's colour-scheme emulation, which the Firefox harness (BiDi) does not offer.
  it.runIf(engine.name === 'chromium')('has no accessibility violations in the approval window and the popup (and takes the README screenshots)', async () => {
    // A fresh account after a logout, so the screenshots show one person's first grant.
    const carol = await freshUser('carol');
    const before = await browser.openExtensionUi();
    await showSettings(before);
    await before.click('#logout');
    await before.close();
    await logInThroughPopup(browser, carol);
    const roomId = await sharedRoom(accounts.bob, carol, 'Book club');
    const site = await openWidget(browser, roomId);
    const approval = await approvalReady(browser);
    await approval.screenshot(path.join(screenshots, 'approval.png'), { width: 480, height: 700 });
    expect(await axeViolations(approval)).toEqual([]);
    await approval.click('#approve');
    const widget = await site.widget(inject('widgetOrigin'));
    await sendFromWidget(widget, 'Chapter 3 tonight?');
    const popup = await browser.openExtensionUi();
    // As when the toolbar popup opens over the site: the site's tab is the active one, and "This site"
    // lists its widget with what it may do.
    await site.bringToFront();
    await popup.evaluate(`window.dispatchEvent(new Event('focus'))`);
    const thisSite = await waitForValue<string>(popup, `document.querySelector('#tab-widgets')?.textContent`, 'the widget under This site');
    expect(thisSite).toContain('Room: Book club');
    expect(thisSite).toContain('Send messages as you in this room');
    await waitForValue(popup, `!!document.querySelector('#grants [data-grant-room]')`, 'the grant in the popup');
    await popup.click('#grants .activity-disclosure summary');
    await waitForValue(popup, `!!document.querySelector('#grants .activity li')`, 'the activity log');
    await popup.screenshot(path.join(screenshots, 'popup.png'), { width: 380, height: 640 });
    expect(await axeViolations(popup)).toEqual([]);
    // The account switcher open, the details disclosed, and the settings view: axe on each.
    await openAccountSwitcher(popup);
    await popup.click('#grants .capability-details summary');
    expect(await axeViolations(popup)).toEqual([]);
    await showSettings(popup);
    await popup.click('#technical-details summary');
    expect(await axeViolations(popup)).toEqual([]);
    // Both views again in the dark theme (its colour pairs are other ones).
    const page = chromium().context.pages().find((candidate) => candidate.url() === popup.url());
    await page?.emulateMedia({ colorScheme: 'dark' });
    expect(await axeViolations(popup)).toEqual([]);
    await showMainView(popup);
    expect(await axeViolations(popup)).toEqual([]);
    await page?.emulateMedia({ colorScheme: null });
    await popup.close();
    await site.close();
  });
});
