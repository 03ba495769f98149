// The measures of `npm run bench` (issue #8). Each compares the extension ("ours") with a baseline
// measured in the same run on the same machine; nothing here asserts on time.
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { ExtensionBrowser, SitePage, Surface } from '../test/support/browser-driver';
import type { ChromiumExtensionBrowser } from '../test/support/chromium';
import { waitForValue } from '../test/support/browser-driver';

/** One figure against its baseline; `database` says where the homeserver it used stores, when it used one. */
export type Result = { id: string; browser: string; ours: number; baseline: number; ratio: number; unit: string; n: number; database?: string };
/** A measure that threw: the run records it with its error and goes on with the others. */
export type FailedRow = { id: string; browser: string; error: string; database?: string };
export type Row = Result | FailedRow;

export function isFailed(row: Row): row is FailedRow {
  return 'error' in row;
}

export function percentile(values: readonly number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] ?? Number.NaN;
}

export function result(id: string, browser: string, ours: number, baseline: number, unit: string, n: number): Result {
  const round = (value: number) => Math.round(value * 1000) / 1000;
  return { id, browser, ours: round(ours), baseline: round(baseline), ratio: round(ours / baseline), unit, n };
}

async function roundTripsIn(page: SitePage, widgetOrigin: string, warmUp: number, count: number): Promise<number[]> {
  const widget = await page.widget(`${widgetOrigin}/bench.html`);
  await waitForValue(widget, `typeof window.roundTrips === 'function'`, 'the bench widget');
  await widget.evaluate(`roundTrips(${warmUp})`);
  return widget.evaluate<number[]>(`roundTrips(${count})`);
}

/**
 * P1: sequential `supported_api_versions` round trips from the same widget, hosted by the extension
 * (page → content script → background and back) vs by matrix-widget-api's ClientWidgetApi inside the
 * page (Element Web's architecture) in the same browser binary without the extension; and vs its
 * floor, a bare relay extension (bench/bare-relay: the same hops, an echo instead of a host) in the
 * same binary. The three alternate, `rounds` times, each in a fresh page; the figures pool the rounds.
 */
export async function measureRoundTrips(
  browserName: string,
  browsers: { withExtension: ExtensionBrowser; withoutExtension: ExtensionBrowser; bareRelay: ExtensionBrowser },
  origins: { siteOrigin: string; widgetOrigin: string },
  count: number,
  rounds = 2,
): Promise<Result[]> {
  const warmUp = Math.max(10, Math.round(count / 10));
  const perRound = Math.max(1, Math.round(count / rounds));
  const ours: number[] = [];
  const baseline: number[] = [];
  const floor: number[] = [];
  const widgetUrl = `${origins.widgetOrigin}/bench.html?widgetId=bench`;
  const timed = async (browser: ExtensionBrowser, url: string, into: number[]) => {
    const page = await browser.openPage(url);
    into.push(...(await roundTripsIn(page, origins.widgetOrigin, warmUp, perRound)));
    await page.close();
  };
  for (let round = 0; round < rounds; round++) {
    await timed(browsers.withExtension, `${origins.siteOrigin}/bench`, ours);
    await timed(browsers.withoutExtension, `${origins.siteOrigin}/baseline/index.html?widget=${encodeURIComponent(widgetUrl)}`, baseline);
    await timed(browsers.bareRelay, `${origins.siteOrigin}/bench`, floor);
  }
  return [
    result('P1 round trip p50', browserName, percentile(ours, 0.5), percentile(baseline, 0.5), 'ms', ours.length),
    result('P1 round trip p99', browserName, percentile(ours, 0.99), percentile(baseline, 0.99), 'ms', ours.length),
    result('P1 vs floor p50', browserName, percentile(ours, 0.5), percentile(floor, 0.5), 'ms', ours.length),
    result('P1 vs floor p99', browserName, percentile(ours, 0.99), percentile(floor, 0.99), 'ms', ours.length),
    result('P1 floor vs in-page p50', browserName, percentile(floor, 0.5), percentile(baseline, 0.5), 'ms', floor.length),
  ];
}

/** Times one request from inside `surface` until its reply, in milliseconds (performance.now). */
function timeRoundTrip(surface: Surface, script: string): Promise<number> {
  return surface.evaluate<number>(script);
}

/**
 * P3: cold wake. The worker is stopped (CDP), then a widget asks for something that needs the
 * Matrix client (read_events: session, grants and the homeserver), vs a bare extension's worker that
 * answers a page's ping at once (bench/bare-extension). Both stopped and woken the same way.
 */
export async function measureColdWake(
  ours: { browser: ChromiumExtensionBrowser; widget: Surface },
  bare: ChromiumExtensionBrowser,
  bareUrl: string,
  count: number,
): Promise<Result> {
  const oursTimes: number[] = [];
  for (let index = 0; index < count; index++) {
    await ours.browser.stopServiceWorker();
    oursTimes.push(
      await timeRoundTrip(
        ours.widget,
        `new Promise((resolve) => {
          const requestId = 'wake-' + ${index} + '-' + Math.random();
          const started = performance.now();
          const onMessage = (event) => {
            if (event.data && event.data.requestId === requestId && event.data.response) {
              window.removeEventListener('message', onMessage);
              resolve(performance.now() - started);
            }
          };
          window.addEventListener('message', onMessage);
          parent.postMessage({ api: 'fromWidget', widgetId: 'demo-chat', requestId, action: 'org.matrix.msc2876.read_events', data: { type: 'm.room.message', limit: 1 } }, '*');
        })`,
      ),
    );
  }
  const page = await bare.openPage(bareUrl);
  const bareTimes: number[] = [];
  for (let index = 0; index < count; index++) {
    await bare.stopServiceWorker();
    bareTimes.push(
      await timeRoundTrip(
        page,
        `new Promise((resolve) => {
          const id = 'ping-' + ${index};
          const started = performance.now();
          const onMessage = (event) => {
            if (event.data && event.data.bench === 'pong' && event.data.id === id) {
              window.removeEventListener('message', onMessage);
              resolve(performance.now() - started);
            }
          };
          window.addEventListener('message', onMessage);
          window.postMessage({ bench: 'ping', id }, '*');
        })`,
      ),
    );
  }
  await page.close();
  return result('P3 cold wake p50', 'chromium', percentile(oursTimes, 0.5), percentile(bareTimes, 0.5), 'ms', count);
}

export const BARE_EXTENSION_DIR = path.resolve(import.meta.dirname, 'bare-extension');
/** P1's floor: a relay and an echoing background, no host (both browsers). */
export const BARE_RELAY_DIR = path.resolve(import.meta.dirname, 'bare-relay');

/** P7: the Chrome package vs the crypto wasm file alone, the one part no build can shrink. */
export async function measurePackageSize(chromeZip: string): Promise<Result> {
  // By path: the package's exports map hides the wasm file.
  const wasm = path.resolve(import.meta.dirname, '../node_modules/@matrix-org/matrix-sdk-crypto-wasm/pkg/matrix_sdk_crypto_wasm_bg.wasm');
  return result('P7 package size', 'chrome', (await stat(chromeZip)).size, (await stat(wasm)).size, 'bytes', 1);
}

/** The printed table; a failed measure's row says FAILED, and its error follows the table. */
export function table(results: readonly Row[]): string {
  const cells = (r: Row) =>
    isFailed(r)
      ? [r.id, r.browser, 'FAILED', '—', '—', '—', '—', r.database ?? '']
      : [r.id, r.browser, String(r.ours), String(r.baseline), `${r.ratio}×`, r.unit, String(r.n), r.database ?? ''];
  const rows = [['measure', 'browser', 'ours', 'baseline', 'ratio', 'unit', 'n', 'database'], ...results.map(cells)];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  const lines = rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd());
  const errors = results.filter(isFailed).map((r) => `FAILED ${r.id} (${r.browser}): ${r.error.split('\n')[0]!.slice(0, 300)}`);
  return [...lines, ...(errors.length > 0 ? ['', ...errors] : [])].join('\n');
}
