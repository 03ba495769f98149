// Issue #7: no secret ever crosses into a web page. Every message every frame of the page receives
// (the widget's included: all that the background sends the content script is posted into the widget)
// is recorded from before the page's own scripts run, through login, encryption set-up, approval,
// sending and reading in an encrypted room, and an OpenID request; none may contain the session's
// access token, the password, the recovery key, the crypto store's key or the device's keys. In
// Chromium and Firefox ESR.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { waitForValue, type ExtensionBrowser } from '../support/browser-driver';
import { encryptedRoom } from '../support/crypto-peer';
import { ENGINES } from '../support/engines';
import { activeStoredSession } from '../support/extension-storage';
import { addScriptToEveryFrame } from '../support/page-hooks';
import { freshUser, type TestUser } from '../support/homeserver';
import { approvalReady, openGrantedWidget } from './grant-scenarios';
import { showSettings } from './popup-views';
import { logInThroughPopup, sendFromWidget } from './user-story';

/** Installed in every frame before its scripts: a copy of every message it receives. */
const RECORDER = `(() => {
  window.__recorded = [];
  window.addEventListener('message', (event) => {
    try { window.__recorded.push(JSON.stringify(event.data)); } catch { window.__recorded.push(String(event.data)); }
  }, true);
})();`;

describe.each(ENGINES)('$title: secrets stay in the extension', (engine) => {
  let browser: ExtensionBrowser;
  let alice: TestUser;

  beforeAll(async () => {
    browser = await engine.launch();
    await addScriptToEveryFrame(browser, RECORDER);
    alice = await freshUser('alice');
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('never lets a token, the password, the recovery key or a device key reach a page or a widget', async () => {
    const bob = await freshUser('bob');
    const roomId = await encryptedRoom(bob, alice, 'Secret room');
    await logInThroughPopup(browser, alice);
    const ui = await browser.openExtensionUi();
    await showSettings(ui);
    await waitForValue(ui, `!!document.querySelector('#set-up-encryption')`, 'the set-up offer');
    await ui.type('#setup-password', alice.password);
    await ui.click('#set-up-encryption');
    const recoveryKey = await waitForValue<string>(ui, `document.querySelector('#new-recovery-key')?.textContent`, 'the recovery key');
    await ui.close();
    const { site, widget, approved } = await openGrantedWidget(browser, roomId);
    expect(approved).toHaveLength(2);
    await sendFromWidget(widget, 'nothing secret here');
    // An OpenID request too: its token is meant for widgets, the access token is not.
    await widget.evaluate(`parent.postMessage({ api: 'fromWidget', widgetId: 'demo-chat', requestId: 'openid-1', action: 'get_openid', data: {} }, '*')`);
    const openIdApproval = await approvalReady(browser);
    await openIdApproval.click('#approve');
    await waitForValue(widget, `window.__recorded.some((message) => message.includes('openid_credentials'))`, 'the OpenID credentials');

    // Read where the background keeps it: the extension's IndexedDB, through one of its own pages.
    const extensionUi = await browser.openExtensionUi();
    const stored = await activeStoredSession<{ userId: string; accessToken: string; storeKey: string; deviceId: string }>(extensionUi);
    await extensionUi.close();
    if (!stored) throw new Error('no stored session');
    expect(stored.userId).toBe(alice.userId);
    expect(stored.accessToken).toMatch(/^syt_/);
    expect(stored.storeKey.length).toBeGreaterThan(40);
    const { device_keys: deviceKeys } = await alice.client.downloadKeysForUsers([alice.userId]);
    const keys = Object.values(deviceKeys[alice.userId]?.[stored.deviceId]?.keys ?? {});
    expect(keys).toHaveLength(2); // the device's ed25519 and curve25519 keys
    const secrets = [stored.accessToken, stored.storeKey, alice.password, recoveryKey, recoveryKey.replace(/ /g, ''), ...keys];

    const frames = [site, widget, await site.widget(inject('widgetOrigin'))];
    const recorded = (await Promise.all(frames.map((frame) => frame.evaluate<string[]>('window.__recorded')))).flat();
    expect(recorded.length).toBeGreaterThan(10);
    const leaks = recorded.filter((message) => secrets.some((secret) => message.includes(secret)));
    expect(leaks).toEqual([]);
    // The widget did get the OpenID token, which is not the access token.
    expect(recorded.some((message) => message.includes('"state":"allowed"') && message.includes('access_token'))).toBe(true);
  });
});
