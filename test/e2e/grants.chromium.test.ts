// Issue #6 on real Chromium: the grant scenarios, accessibility of the extension pages, and the
// README screenshots.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { SitePage } from '../support/browser-driver';
import { launchChromium, type ChromiumExtensionBrowser } from '../support/chromium';
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
import { logInThroughPopup, sendFromWidget } from './user-story';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const screenshots = path.resolve(import.meta.dirname, '../../docs/screenshots');

async function axeViolations(page: SitePage): Promise<string[]> {
  await page.evaluate(axeSource);
  return page.evaluate<string[]>(
    `axe.run(document, { resultTypes: ['violations'] }).then((result) => result.violations.map((violation) => violation.id + ': ' + violation.nodes.map((node) => node.target.join(' ')).join(', ')))`,
  );
}

describe('Chromium: grants the user understands and controls', () => {
  let browser: ChromiumExtensionBrowser;
  let accounts: Accounts;

  beforeAll(async () => {
    browser = await launchChromium(inject('chromeExtensionDir'));
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
  it('hosts two copies of one widget (same URL and widget id) as two frames, across a stopped worker', () =>
    copiesOfOneWidget(browser, accounts, () => browser.stopServiceWorker()));
  it('queues two approvals and counts them on the badge', () =>
    queuedApprovals(browser, accounts, async () => (await browser.serviceWorker()).evaluate('chrome.action.getBadgeText({})') as Promise<string>));

  it('has no accessibility violations in the approval window and the popup (and takes the README screenshots)', async () => {
    // A fresh account after a logout, so the screenshots show one person's first grant.
    const carol = await freshUser('carol');
    const before = await browser.openExtensionUi();
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
    await waitForValue(popup, `!!document.querySelector('#grants [data-grant-room]')`, 'the grant in the popup');
    await popup.click('#grants details summary');
    await waitForValue(popup, `!!document.querySelector('#grants .activity li')`, 'the activity log');
    await popup.screenshot(path.join(screenshots, 'popup.png'), { width: 420, height: 640 });
    expect(await axeViolations(popup)).toEqual([]);
    await popup.close();
    await site.close();
  });
});
