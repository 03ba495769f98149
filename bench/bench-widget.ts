// Opens the bench widget (demo/widget/bench.ts) in the extension, bound to a room and allowed to
// receive m.room.message there, through the real approval window (P2, P4).
import { waitForValue, type ExtensionBrowser, type SitePage, type Surface } from '../test/support/browser-driver';
import { approvalReady, RECEIVE } from '../test/e2e/grant-scenarios';

export type Origins = { siteOrigin: string; widgetOrigin: string };

export async function openReceivingBenchWidget(browser: ExtensionBrowser, origins: Origins, roomId: string): Promise<{ site: SitePage; widget: Surface }> {
  const site = await browser.openPage(`${origins.siteOrigin}/bench?room=${encodeURIComponent(roomId)}&capabilities=receive`);
  await (await approvalReady(browser)).click('#approve');
  const widget = await site.widget(`${origins.widgetOrigin}/bench.html`);
  await waitForValue(widget, `window.approvedCapabilities().includes(${JSON.stringify(RECEIVE)})`, 'the bench widget to be allowed to receive');
  return { site, widget };
}

/** Runs `task` for 0..count-1 with at most `concurrency` at a time; resolves when all are done. */
export async function pooled(count: number, concurrency: number, task: (index: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}
