// `npm run bench`: runs each measure in real Chromium and Firefox ESR against the real Synapse,
// prints the table and writes bench/results.json. Counts: MWB_BENCH_COUNT (default 1000) round trips
// (P1) and encrypted events (P4), a fifth of it messages (P2: 200), half of it rooms (P5: 500), a
// fiftieth of it seconds of load (P6: 20 s of 10 widgets × 50 events/s and a peer at 200 events/s;
// MWB_BENCH_P6_SECONDS sets it apart: this machine's Synapse on SQLite stores about 20 events/s, so
// the full 20 s take half an hour to drain; results.json says how many seconds ran).
// While working on one measure, MWB_BENCH_ONLY (e.g. "P2,P3") and MWB_BENCH_BROWSERS (e.g.
// "firefox") narrow the run; a narrowed run prints its table but leaves bench/results.json alone.
import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, inject, it } from 'vitest';
import { packageExtension } from '../scripts/package.mjs';
import { launchChromium } from '../test/support/chromium';
import { launchFirefox } from '../test/support/firefox';
import { measureEncryptedRead } from './encrypted-read';
import { measureEventDelivery } from './event-delivery';
import { measureLoad } from './load';
import { BARE_EXTENSION_DIR, measureColdWake, measurePackageSize, measureRoundTrips, table, type Result } from './measures';
import { measureSyncScope } from './sync-scope';
import { waitForValue } from '../test/support/browser-driver';
import { cryptoPeer, encryptedRoom, waitForDeviceKeys } from '../test/support/crypto-peer';
import { freshUser, sharedRoom } from '../test/support/homeserver';
import { openGrantedWidget } from '../test/e2e/grant-scenarios';
import { logInThroughPopup } from '../test/e2e/user-story';

/**
 * P3 in Chromium (CDP stops the worker): a logged-in, granted widget vs the bare extension. Twice:
 * reading an unencrypted room (crypto loads behind the answer), and reading an encrypted room's
 * last message, which waits for the crypto store and wasm to load (the wake with crypto).
 */
async function coldWake(origins: { siteOrigin: string; widgetOrigin: string }, wakes: number): Promise<Result[]> {
  const ours = await launchChromium(inject('chromeExtensionDir'));
  const bare = await launchChromium(BARE_EXTENSION_DIR);
  try {
    const alice = await freshUser('alice');
    const bob = await freshUser('bob');
    const roomId = await sharedRoom(bob, alice, 'Wake room');
    await logInThroughPopup(ours, alice);
    const { site, widget } = await openGrantedWidget(ours, roomId);
    const plain = await measureColdWake({ browser: ours, widget }, bare, `${origins.siteOrigin}/?room=none`, wakes);
    await site.close();

    const encryptedRoomId = await encryptedRoom(bob, alice, 'Encrypted wake room');
    const encrypted = await openGrantedWidget(ours, encryptedRoomId);
    const peer = await cryptoPeer(bob);
    try {
      await waitForDeviceKeys(peer, alice.userId);
      const { event_id: eventId } = await peer.client.sendTextMessage(encryptedRoomId, 'read after every wake');
      await waitForValue(encrypted.widget, `!!document.querySelector('#messages li[data-event-id="${eventId}"]')`, 'the decrypted message');
    } finally {
      peer.stop();
    }
    const withCrypto = await measureColdWake({ browser: ours, widget: encrypted.widget }, bare, `${origins.siteOrigin}/?room=none`, wakes);
    return [plain, { ...withCrypto, id: 'P3 cold wake, crypto p50' }];
  } finally {
    await ours.close();
    await bare.close();
  }
}

/**
 * P5 in Chromium (the worker's heap is read over CDP): an account in `rooms` rooms, two granted.
 * The rooms hold their creation events only, unless MWB_BENCH_P5_MESSAGES asks for history.
 */
async function syncScope(origins: { siteOrigin: string; widgetOrigin: string }, rooms: number): Promise<Result[]> {
  const ours = await launchChromium(inject('chromeExtensionDir'));
  const plain = await launchChromium(null);
  try {
    return await measureSyncScope(ours, plain, origins, rooms, Number(process.env['MWB_BENCH_P5_MESSAGES'] ?? 0));
  } finally {
    await ours.close();
    await plain.close();
  }
}

const count = Number(process.env['MWB_BENCH_COUNT'] ?? 1000);
const only = process.env['MWB_BENCH_ONLY']?.split(',').map((id) => id.trim().toUpperCase());
const browserNames = process.env['MWB_BENCH_BROWSERS']?.split(',').map((name) => name.trim());
const isNarrowed = only !== undefined || browserNames !== undefined;
const loadSeconds = Number(process.env['MWB_BENCH_P6_SECONDS'] ?? Math.max(1, Math.round(count / 50)));
const runs = (id: string): boolean => only === undefined || only.includes(id);

describe('bench', () => {
  it('measures the extension against its baselines', async () => {
    const origins = { siteOrigin: inject('siteOrigin'), widgetOrigin: inject('widgetOrigin') };
    const results: Result[] = [];
    for (const [name, launch, dir] of [
      ['chromium', launchChromium, inject('chromeExtensionDir')],
      ['firefox', launchFirefox, inject('firefoxExtensionDir')],
    ] as const) {
      if (browserNames !== undefined && !browserNames.includes(name)) continue;
      if (!runs('P1') && !runs('P2') && !runs('P4') && !runs('P6')) continue;
      const withExtension = await launch(dir);
      const withoutExtension = await launch(null);
      try {
        if (runs('P1')) results.push(...(await measureRoundTrips(name, withExtension, withoutExtension, origins, count)));
        if (!runs('P2') && !runs('P4') && !runs('P6')) continue;
        const alice = await freshUser('alice');
        await logInThroughPopup(withExtension, alice);
        const ours = { browser: withExtension, user: alice };
        if (runs('P2')) results.push(...(await measureEventDelivery(name, ours, withoutExtension, origins, Math.max(5, Math.round(count / 5)))));
        if (runs('P4')) results.push(await measureEncryptedRead(name, ours, origins, { events: count, pageSize: 100, repeats: 3 }));
        // The load (issue #7) in Chromium: 20 s at the default count.
        if (runs('P6') && name === 'chromium') results.push(...(await measureLoad(name, ours, withoutExtension, origins, loadSeconds)));
      } finally {
        await withExtension.close();
        await withoutExtension.close();
      }
    }
    if (runs('P3') && (browserNames === undefined || browserNames.includes('chromium'))) {
      results.push(...(await coldWake(origins, Math.max(5, Math.round(count / 50)))));
    }
    if (runs('P5') && (browserNames === undefined || browserNames.includes('chromium'))) {
      results.push(...(await syncScope(origins, Math.max(4, Math.round(count / 2)))));
    }
    if (runs('P7')) {
      const { chrome } = (await packageExtension()) as { chrome: string };
      results.push(await measurePackageSize(chrome));
    }
    const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.platform()} ${os.release()}`;
    const versionOf = (command: string, args: string[]) => spawnSync(command, args, { encoding: 'utf8' }).stdout.trim();
    const browsers = { chromium: versionOf('/usr/bin/chromium', ['--version']), firefox: versionOf('/usr/bin/firefox-esr', ['--version']) };
    const build = versionOf('git', ['describe', '--always', '--dirty']);
    if (!isNarrowed) await writeFile(
      path.resolve(import.meta.dirname, 'results.json'),
      `${JSON.stringify({ machine, browsers, build, date: new Date().toISOString(), count, loadSeconds, results }, null, 2)}\n`,
    );
    console.log(`\n${table(results)}\n\nmachine: ${machine}\nbrowsers: ${browsers.chromium}; ${browsers.firefox}\nbuild: ${build}`);
  });
});
