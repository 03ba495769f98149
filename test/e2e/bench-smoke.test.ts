// Keeps `npm run bench` working: its measures run here with tiny counts. Nothing is asserted on
// the figures themselves (speed is measured, not asserted by timers).
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { measureEncryptedRead } from '../../bench/encrypted-read';
import { measureLoadRegimes } from '../../bench/load';
import { deliveryTimings, measureEventDelivery } from '../../bench/event-delivery';
import { measureSyncScope } from '../../bench/sync-scope';
import { BARE_EXTENSION_DIR, BARE_RELAY_DIR, measureColdWake, measureRoundTrips, percentile, table } from '../../bench/measures';
import { freshUser, sharedRoom, type TestUser } from '../support/homeserver';
import { openGrantedWidget } from './grant-scenarios';
import { logInThroughPopup } from './user-story';
import type { ExtensionBrowser } from '../support/browser-driver';
import { launchChromium, type ChromiumExtensionBrowser } from '../support/chromium';
import { launchFirefox } from '../support/firefox';

describe('bench smoke', () => {
  let withExtension: ChromiumExtensionBrowser;
  let withoutExtension: ChromiumExtensionBrowser;
  let loggedIn: TestUser | undefined;

  /** One user logged in to the extension for the measures that need an account. */
  async function loggedInUser(): Promise<TestUser> {
    if (!loggedIn) {
      loggedIn = await freshUser('alice');
      await logInThroughPopup(withExtension, loggedIn);
    }
    return loggedIn;
  }

  beforeAll(async () => {
    withExtension = await launchChromium(inject('chromeExtensionDir'));
    withoutExtension = await launchChromium(null);
  });
  afterAll(async () => {
    await withExtension?.close();
    await withoutExtension?.close();
  });

  /** P1 in `launch`'s browser against the in-page host and the bare relay, 20 round trips. */
  async function smokeRoundTrips(name: 'chromium' | 'firefox', browsers: { withExtension: ExtensionBrowser; withoutExtension: ExtensionBrowser }, launchBare: () => Promise<ExtensionBrowser>) {
    const origins = { siteOrigin: inject('siteOrigin'), widgetOrigin: inject('widgetOrigin') };
    const bareRelay = await launchBare();
    try {
      const results = await measureRoundTrips(name, { ...browsers, bareRelay }, origins, 20);
      expect(results.map((result) => result.id)).toEqual(['P1 round trip p50', 'P1 round trip p99', 'P1 vs floor p50', 'P1 vs floor p99', 'P1 floor vs in-page p50']);
      for (const result of results) {
        expect(result.n).toBe(20);
        expect(result.ours).toBeGreaterThan(0);
        expect(result.baseline).toBeGreaterThan(0);
        expect(Number.isFinite(result.ratio)).toBe(true);
      }
      expect(table(results)).toContain('P1 vs floor p50');
    } finally {
      await bareRelay.close();
    }
  }

  it('measures P1 round trips through the extension, the in-page host and the bare relay (the floor)', async () => {
    await smokeRoundTrips('chromium', { withExtension, withoutExtension }, () => launchChromium(BARE_RELAY_DIR));
  });

  it('measures P1 and its floor in Firefox ESR too', async () => {
    const firefox = { withExtension: await launchFirefox(inject('firefoxExtensionDir')), withoutExtension: await launchFirefox(null) };
    try {
      await smokeRoundTrips('firefox', firefox, () => launchFirefox(BARE_RELAY_DIR));
    } finally {
      await firefox.withExtension.close();
      await firefox.withoutExtension.close();
    }
  });

  it('measures P3 cold wake against a bare worker', async () => {
    const alice = await loggedInUser();
    const bob = await freshUser('bob');
    const roomId = await sharedRoom(bob, alice, 'Smoke wake room');
    const { widget } = await openGrantedWidget(withExtension, roomId);
    const bare = await launchChromium(BARE_EXTENSION_DIR);
    try {
      const result = await measureColdWake({ browser: withExtension, widget }, bare, `${inject('siteOrigin')}/?room=none`, 2);
      expect(result.id).toBe('P3 cold wake p50');
      expect(result.ours).toBeGreaterThan(0);
      expect(result.baseline).toBeGreaterThan(0);
    } finally {
      await bare.close();
    }
  });

  it('measures P2 event delivery to the widget and to a plain js-sdk client page', async () => {
    const origins = { siteOrigin: inject('siteOrigin'), widgetOrigin: inject('widgetOrigin') };
    const results = await measureEventDelivery('chromium', { browser: withExtension, user: await loggedInUser() }, withoutExtension, origins, 5);
    expect(results.map((result) => result.id)).toEqual(['P2 delivery p50', 'P2 delivery p99', 'P2 burst']);
    for (const result of results) {
      expect(result.n).toBe(5);
      expect(Number.isFinite(result.ours) && Number.isFinite(result.baseline)).toBe(true);
    }
  });

  it('measures P4 encrypted read_events paging against js-sdk with Rust crypto in Node', async () => {
    const origins = { siteOrigin: inject('siteOrigin'), widgetOrigin: inject('widgetOrigin') };
    // 20 events, 8 a page: the widget pages three times with next_batch.
    const result = await measureEncryptedRead('chromium', { browser: withExtension, user: await loggedInUser() }, origins, { events: 20, pageSize: 8, repeats: 1 });
    expect(result.id).toBe('P4 read encrypted');
    expect(result.n).toBe(20);
    expect(result.ours).toBeGreaterThan(0);
    expect(result.baseline).toBeGreaterThan(0);
  });

  it('measures P5 heap and bytes synced for an account in many rooms with two granted, against a plain js-sdk client', async () => {
    const origins = { siteOrigin: inject('siteOrigin'), widgetOrigin: inject('widgetOrigin') };
    // Its own browsers: P5 logs in a fresh account of its own (through a counting proxy).
    const ours = await launchChromium(inject('chromeExtensionDir'));
    try {
      const results = await measureSyncScope(ours, withoutExtension, origins, 6);
      expect(results.map((result) => result.id)).toEqual(['P5 background heap', 'P5 bytes synced']);
      for (const result of results) {
        expect(result.n).toBe(6);
        expect(result.ours).toBeGreaterThan(0);
        expect(result.baseline).toBeGreaterThan(0);
      }
    } finally {
      await ours.close();
    }
  });

  it('measures P6 at a rate the homeserver sustains and at twice it, against a plain js-sdk client page', async () => {
    const origins = { siteOrigin: inject('siteOrigin'), widgetOrigin: inject('widgetOrigin') };
    const results = await measureLoadRegimes('chromium', { browser: withExtension, user: await loggedInUser() }, withoutExtension, origins, 1, { seconds: 2, warmUpSeconds: 1 });
    expect(results.map((result) => result.id)).toEqual([
      'P6a sustained delivery p50',
      'P6a sustained delivery p99',
      'P6a sustained offered rate',
      'P6b 2× overload delivery p50',
      'P6b 2× overload delivery p99',
      'P6b 2× overload offered rate',
    ]);
    for (const result of results) expect(Number.isFinite(result.ours) && Number.isFinite(result.baseline) && result.n > 0).toBe(true);
  });

  it('times delivery from each send’s response to its arrival, and the burst from the first send to the last arrival', () => {
    const sends = new Map([
      ['a', { started: 100, answered: 120 }],
      ['b', { started: 105, answered: 115 }],
    ]);
    expect(deliveryTimings(new Map([['a', 130], ['b', 125]]), sends)).toEqual({ latencies: [10, 10], burst: 30 });
  });

  it('computes percentiles as nearest rank', () => {
    expect(percentile([5, 1, 4, 2, 3], 0.5)).toBe(3);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.99)).toBe(10);
  });
});
