// P4 (issue #8): reading encrypted history. A Rust-crypto peer fills an encrypted room with real
// Megolm messages; the bench widget pages through all of them with read_events (the extension
// fetches and decrypts in its worker), vs matrix-js-sdk with Rust crypto in Node, logged in as the
// same user on its own device, paging /messages the same way and decrypting each event.
import { performance } from 'node:perf_hooks';
import { Method, type IEvent, type MatrixClient } from 'matrix-js-sdk';
import { waitForValue, type ExtensionBrowser, type Surface } from '../test/support/browser-driver';
import { cryptoPeer, encryptedRoom, waitForDeviceKeys } from '../test/support/crypto-peer';
import { eventually, freshUser, type TestUser } from '../test/support/homeserver';
import { showSettings } from '../test/e2e/popup-views';
import { openReceivingBenchWidget, pooled, type Origins } from './bench-widget';
import { percentile, result, type Result } from './measures';

/** Encrypted sends in flight at once while filling the room (js-sdk encrypts them one by one). */
const FILL_CONCURRENCY = 8;
const TYPE = 'm.room.message';

type Pass = { ms: number; events: number; pages: number };

/** The extension's device of the user logged in there, as its popup shows it. */
async function extensionDeviceId(browser: ExtensionBrowser): Promise<string> {
  const ui = await browser.openExtensionUi();
  // The device id sits in the popup's settings view.
  await showSettings(ui);
  const deviceId = await waitForValue<string>(ui, `document.querySelector('#device-id')?.dataset.deviceId`, 'the device id in the popup');
  await ui.close();
  return deviceId;
}

function readInWidget(widget: Surface, pageSize: number): Promise<Pass> {
  return widget.evaluate<Pass>(`window.readAllPages(${JSON.stringify(TYPE)}, ${pageSize})`);
}

/**
 * The baseline: what the extension's read_events does for a widget, done by a plain js-sdk client.
 * The same /messages request per page (the type and m.room.encrypted, `pageSize` a page, backwards
 * from the latest), each encrypted event turned into a MatrixEvent and decrypted, all of a page at once.
 */
export async function readInNode(client: MatrixClient, roomId: string, pageSize: number): Promise<Pass> {
  const toMatrixEvent = client.getEventMapper({ decrypt: false });
  const filter = JSON.stringify({ types: [TYPE, 'm.room.encrypted'] });
  let from: string | undefined;
  let events = 0;
  let pages = 0;
  const started = performance.now();
  for (;;) {
    const query: Record<string, string> = { dir: 'b', limit: String(pageSize), filter, ...(from === undefined ? {} : { from }) };
    const page = await client.http.authedRequest<{ chunk: IEvent[]; end?: string }>(Method.Get, `/rooms/${encodeURIComponent(roomId)}/messages`, query);
    pages++;
    const decrypted = await Promise.all(
      page.chunk.map(async (raw) => {
        const event = toMatrixEvent({ ...raw, room_id: roomId });
        await client.decryptEventIfNeeded(event);
        return event;
      }),
    );
    events += decrypted.filter((event) => !event.isDecryptionFailure() && event.getType() === TYPE).length;
    if (page.chunk.length === 0 || page.end === undefined) break;
    from = page.end;
  }
  return { ms: performance.now() - started, events, pages };
}

/** Repeats `read` until it sees all `count` events decrypted (room keys still arriving), or fails. */
function allDecrypted(what: string, count: number, read: () => Promise<Pass>): Promise<Pass> {
  return eventually(what, async () => {
    const pass = await read();
    return pass.events >= count ? pass : undefined;
  }, 120_000);
}

/**
 * P4: `ours.user` is logged in to the extension in `ours.browser`. A fresh Rust-crypto peer sends
 * `events` encrypted messages, after it knows both of the user's devices (the extension's and a Node
 * one), so both get the room keys. Then `repeats` times, alternately: the bench widget reads all of
 * them with read_events pages of `pageSize` (ours), and the Node device reads and decrypts them
 * (baseline). The figure is the median time for one full pass.
 */
export async function measureEncryptedRead(
  browserName: string,
  ours: { browser: ExtensionBrowser; user: TestUser },
  origins: Origins,
  { events, pageSize, repeats }: { events: number; pageSize: number; repeats: number },
): Promise<Result> {
  const sender = await freshUser('sender');
  const roomId = await encryptedRoom(sender, ours.user, 'Encrypted read bench room');
  // The extension syncs while the widget is open, so the room keys reach its device as they are sent.
  const { site, widget } = await openReceivingBenchWidget(ours.browser, origins, roomId);
  const reader = await cryptoPeer(ours.user);
  const peer = await cryptoPeer(sender, { queuesSends: false });
  try {
    await waitForDeviceKeys(peer, ours.user.userId, await extensionDeviceId(ours.browser));
    await waitForDeviceKeys(peer, ours.user.userId, reader.client.getDeviceId() ?? undefined);
    await pooled(events, FILL_CONCURRENCY, (index) => peer.client.sendTextMessage(roomId, `encrypted ${index}`));

    // Warm-up, and proof that both read every event decrypted: no pass is timed before that.
    const oursFirst = await allDecrypted('the widget to read every event decrypted', events, () => readInWidget(widget, pageSize));
    const baseFirst = await allDecrypted('the Node client to decrypt every event', events, () => readInNode(reader.client, roomId, pageSize));
    if (oursFirst.pages !== baseFirst.pages || oursFirst.events !== baseFirst.events) {
      throw new Error(`P4 read different things: widget ${oursFirst.events} events in ${oursFirst.pages} pages, Node ${baseFirst.events} in ${baseFirst.pages}`);
    }
    const oursTimes: number[] = [];
    const baseTimes: number[] = [];
    for (let index = 0; index < repeats; index++) {
      oursTimes.push((await readInWidget(widget, pageSize)).ms);
      baseTimes.push((await readInNode(reader.client, roomId, pageSize)).ms);
    }
    return result('P4 read encrypted', browserName, percentile(oursTimes, 0.5), percentile(baseTimes, 0.5), 'ms', events);
  } finally {
    peer.stop();
    reader.stop();
    await site.close();
  }
}
