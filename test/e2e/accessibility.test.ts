// Issue #16 in both browsers and both colour schemes: axe-core finds nothing on any view of the popup
// and the approval window, and a keyboard-only user logs in, approves a widget and revokes it with a
// visible focus indicator at every stop. The same run takes the store screenshots (1280×800).
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { waitForValue, type ExtensionBrowser, type SitePage } from '../support/browser-driver';
import { ENGINES } from '../support/engines';
import { freshUser, homeserverUrl, roomMessages, sharedRoom, type TestUser } from '../support/homeserver';
import { enginePageOf, launchFirefoxIn, type EnginePage } from '../support/keyboard';
import { axeViolations, expectScheme, tabAndType, tabTo } from './accessibility';
import { approvedIn, openWidget, RECEIVE, SEND } from './grant-scenarios';
import { activityOf, openAccountSwitcher, showMainView, showSettings } from './popup-views';
import { sendFromWidget } from './user-story';

const storeScreenshots = path.resolve(import.meta.dirname, '../../docs/store/screenshots');
const STORE_SIZE = { width: 1280, height: 800 };

const RUNS = ENGINES.flatMap((engine) => (['light', 'dark'] as const).map((scheme) => ({ engine, scheme, title: `${engine.title}, ${scheme}` })));

describe.each(RUNS)('$title: accessibility', ({ engine, scheme }) => {
  let browser: ExtensionBrowser;
  let alice: TestUser;
  let bob: TestUser;
  /** Every view axe looked at, with what it found: all must be empty. */
  const found: Record<string, string[]> = {};

  /** The engine's page behind `surface`, rendering in this run's scheme. */
  async function inScheme(surface: SitePage): Promise<EnginePage> {
    const page = await enginePageOf(browser, surface);
    if (engine.name === 'chromium') await page.emulateColorScheme(scheme);
    await expectScheme(surface, scheme);
    return page;
  }
  async function axe(view: string, surface: SitePage): Promise<void> {
    found[view] = await axeViolations(surface);
  }
  /** docs/store/screenshots/<view>-<scheme>.png from Chromium; Firefox's are prefixed "firefox-". */
  async function storeShot(page: EnginePage, view: string): Promise<void> {
    await mkdir(storeScreenshots, { recursive: true });
    const prefix = engine.name === 'chromium' ? '' : 'firefox-';
    if (engine.name === 'firefox' && view === 'popup') return;
    await page.screenshot(path.join(storeScreenshots, `${prefix}${view}-${scheme}.png`), STORE_SIZE.width, STORE_SIZE.height);
  }

  beforeAll(async () => {
    browser = engine.name === 'firefox' ? await launchFirefoxIn(inject('firefoxExtensionDir'), scheme) : await engine.launch();
    alice = await freshUser('alice');
    bob = await freshUser('bob');
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('logs in, approves a widget and revokes it by keyboard alone, with a visible focus indicator at every stop; axe finds nothing on any view', async () => {
    const stops: Record<string, string[]> = {};
    const roomId = await sharedRoom(bob, alice, 'Book club');

    // Log in: Tab to each field, type, Enter submits the form.
    const login = await browser.openExtensionUi();
    const loginKeys = await inScheme(login);
    await waitForValue(login, `!document.querySelector('#logged-out').hidden`, 'the login form');
    await axe('login', login);
    stops['login: homeserver'] = await tabAndType(login, loginKeys, '#homeserver', homeserverUrl());
    // The password fields appear once the homeserver is found.
    stops['login: username'] = await tabAndType(login, loginKeys, '#username', alice.username);
    await axe('login, homeserver found', login);
    stops['login: password'] = await tabAndType(login, loginKeys, '#password', alice.password);
    await loginKeys.press('Enter');
    expect(await waitForValue<string>(login, `document.querySelector('#user-id')?.textContent`, 'the logged-in view')).toBe(alice.userId);
    await login.close();

    // The site asks; the approval window is reached and answered by keyboard once Allow is armed.
    const site = await openWidget(browser, roomId);
    const approval = await browser.nextApprovalWindow();
    const approvalKeys = await inScheme(approval);
    await waitForValue(approval, `!document.querySelector('#approve').disabled`, 'the armed Allow button');
    await axe('approval', approval);
    await storeShot(approvalKeys, 'approval');
    // The capability details, opened by keyboard (Enter on the summary), then Allow.
    stops['approval: details'] = await tabTo(approval, approvalKeys, '#capability-details summary');
    await approvalKeys.press('Enter');
    await waitForValue(approval, `document.querySelector('#capability-details').open`, 'the capability details');
    await axe('approval, details open', approval);
    stops['approval: allow'] = await tabTo(approval, approvalKeys, '#approve');
    await approvalKeys.press('Enter');

    // The widget works with what was allowed.
    const widget = await site.widget(inject('widgetOrigin'));
    expect(await approvedIn(widget)).toEqual([RECEIVE, SEND].sort());
    await sendFromWidget(widget, 'Chapter 3 tonight?');

    // The popup over the site: "This site" lists the widget; every view of it through axe.
    const popup = await browser.openExtensionUi();
    const popupKeys = await inScheme(popup);
    await site.bringToFront();
    await popup.evaluate(`window.dispatchEvent(new Event('focus'))`);
    await waitForValue(popup, `document.querySelector('#tab-widgets')?.textContent.includes('Room: Book club')`, 'the widget under This site');
    const grant = `[data-grant-room="${roomId}"]`;
    const card = `#grants ${grant}`;
    const activity = `#grants ${activityOf(grant)}`;
    await waitForValue(popup, `!!document.querySelector('${card}')`, 'the grant under All sites');
    await axe('popup: This site and All sites', popup);
    await storeShot(popupKeys, 'popup');
    await popup.close();

    // Revoke sending by keyboard, in the popup in front (as the user has it after opening it).
    const views = await browser.openExtensionUi();
    const viewKeys = await inScheme(views);
    const sendRevoke = `${card} button[data-revoke="${SEND}"]`;
    await waitForValue(views, `!!document.querySelector('${sendRevoke}')`, 'the revoke button');
    stops['popup: revoke sending'] = await tabTo(views, viewKeys, sendRevoke);
    await viewKeys.press('Enter');
    await waitForValue(views, `!document.querySelector('${sendRevoke}')`, 'the revoked capability to go');
    await waitForValue(widget, `document.querySelector('#approved').textContent === ${JSON.stringify(JSON.stringify([RECEIVE]))}`, 'notify_capabilities');
    await widget.type('#body', 'after the revoke');
    await widget.click('#send');
    expect(await waitForValue<string>(widget, `document.querySelector('#last-error').textContent`, 'the refusal')).toContain('Not allowed to send');
    expect((await roomMessages(bob, roomId)).map((event) => event.content?.['body'])).not.toContain('after the revoke');
    // The activity, opened by keyboard, says so.
    stops['popup: activity'] = await tabTo(views, viewKeys, `${activity} summary`);
    await viewKeys.press('Enter');
    expect(await waitForValue<string>(views, `document.querySelector('${activity} .activity')?.textContent`, 'the activity log')).toContain('You revoked:');

    // The other views through axe, in the popup in front (Firefox throttles a tab in the background).
    await axe('popup: activity open', views);
    await openAccountSwitcher(views);
    await views.click(`${card} .capability-details summary`);
    await axe('popup: account switcher and capability details open', views);
    await showSettings(views);
    await views.click('#technical-details summary');
    await axe('popup: settings, technical details open', views);
    await showMainView(views);
    await views.close();
    await site.close();

    console.log(`[a11y] ${engine.title}, ${scheme}: keyboard stops`, JSON.stringify(stops));
    console.log(`[a11y] ${engine.title}, ${scheme}: axe`, JSON.stringify(Object.fromEntries(Object.entries(found).map(([view, lines]) => [view, lines.length]))));
    expect(found).toEqual(Object.fromEntries(Object.keys(found).map((view) => [view, []])));
  });
});
