// Issue #7: no secret ever crosses into a web page. Every message every frame of the page receives
// (the widget's included: all that the background sends the content script is posted into the widget)
// is recorded from before the page's own scripts run, through login, approval, sending, reading and
// an OpenID request; none may contain the session's access token or password.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium, type ChromiumExtensionBrowser } from '../support/chromium';
import { waitForValue } from '../support/browser-driver';
import { freshUser, sharedRoom, type TestUser } from '../support/homeserver';
import { approvalReady, openGrantedWidget } from './grant-scenarios';
import { logInThroughPopup, sendFromWidget } from './user-story';

/** Installed in every frame before its scripts: a copy of every message it receives. */
const RECORDER = `(() => {
  window.__recorded = [];
  window.addEventListener('message', (event) => {
    try { window.__recorded.push(JSON.stringify(event.data)); } catch { window.__recorded.push(String(event.data)); }
  }, true);
})();`;

describe('Chromium: secrets stay in the extension', () => {
  let browser: ChromiumExtensionBrowser;
  let alice: TestUser;

  beforeAll(async () => {
    browser = await launchChromium(inject('chromeExtensionDir'));
    await browser.context.addInitScript(RECORDER);
    alice = await freshUser('alice');
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('never lets the access token or the password reach a page or a widget', async () => {
    const bob = await freshUser('bob');
    const roomId = await sharedRoom(bob, alice, 'Secret room');
    await logInThroughPopup(browser, alice);
    const { site, widget, approved } = await openGrantedWidget(browser, roomId);
    expect(approved).toHaveLength(2);
    await sendFromWidget(widget, 'nothing secret here');
    // An OpenID request too: its token is meant for widgets, the access token is not.
    await widget.evaluate(`parent.postMessage({ api: 'fromWidget', widgetId: 'demo-chat', requestId: 'openid-1', action: 'get_openid', data: {} }, '*')`);
    const openIdApproval = await approvalReady(browser);
    await openIdApproval.click('#approve');
    await waitForValue(widget, `window.__recorded.some((message) => message.includes('openid_credentials'))`, 'the OpenID credentials');

    const worker = await browser.serviceWorker();
    const accessToken = await worker.evaluate(`new Promise((resolve, reject) => {
      const open = indexedDB.open('matrix-widget-bridge');
      open.onerror = () => reject(open.error);
      open.onsuccess = () => {
        const read = open.result.transaction('session').objectStore('session').get('current');
        read.onsuccess = () => resolve(read.result?.accessToken ?? '');
      };
    })`);
    expect(accessToken).toMatch(/^syt_/);

    const frames = [site, widget, await site.widget(inject('widgetOrigin'))];
    const recorded = (await Promise.all(frames.map((frame) => frame.evaluate<string[]>('window.__recorded')))).flat();
    expect(recorded.length).toBeGreaterThan(10);
    const leaks = recorded.filter((message) => message.includes(accessToken as string) || message.includes(alice.password));
    expect(leaks).toEqual([]);
    // The widget did get the OpenID token, which is not the access token.
    expect(recorded.some((message) => message.includes('"state":"allowed"') && message.includes('access_token'))).toBe(true);
  });
});
