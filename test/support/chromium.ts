// Debian's Chromium with the built extension, through playwright-core (docs/debugging-browser-tests.md). Each browser
// gets its own HOME, TMPDIR and XDG dirs. The worker is the extension's service worker.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Frame, type Page, type Worker } from 'playwright-core';
import { frameFrom, type ExtensionBrowser, type SitePage, type Surface } from './browser-driver';
import { eventually } from './homeserver';

function frameSurface(frame: Frame | Page): Surface {
  return {
    url: () => frame.url(),
    click: async (selector) => frame.click(selector),
    type: async (selector, text) => frame.fill(selector, text),
    select: async (selector, value) => {
      await frame.selectOption(selector, value);
    },
    evaluate: <T>(expression: string) => frame.evaluate(expression) as Promise<T>,
  };
}

function sitePage(page: Page): SitePage {
  return {
    ...frameSurface(page),
    widget: async (origin, index = 0) => frameSurface(await frameFrom(() => page.frames(), origin, index)),
    reload: async () => {
      await page.reload();
    },
    bringToFront: () => page.bringToFront(),
    screenshot: async (path, size) => {
      if (size) await page.setViewportSize(size);
      await page.screenshot({ path, fullPage: !size });
    },
    close: () => page.close(),
  };
}

export type ChromiumExtensionBrowser = ExtensionBrowser & {
  context: BrowserContext;
  extensionId: string;
  serviceWorker(): Promise<Worker>;
  /** Stops the extension's service worker the way Chrome does when idle (CDP ServiceWorker.stopAllWorkers). */
  stopServiceWorker(): Promise<void>;
  /** Quits the browser and starts it again on the same profile (a browser restart for the user). */
  restart(): Promise<ChromiumExtensionBrowser>;
  /**
   * The JS heap of a target (the extension's service worker, a page: the first whose URL starts
   * with `urlPrefix`) right after a full garbage collection, in bytes.
   */
  jsHeap(urlPrefix: string): Promise<JsHeap>;
};

/** CDP `Runtime.getHeapUsage`: `usedSize` is the live JS heap; `backingStorageSize` holds array buffers and external strings. */
export type JsHeap = { usedSize: number; totalSize: number; embedderHeapUsedSize?: number; backingStorageSize?: number };

/** `extensionDir: null` launches the same Chromium without the extension (bench baselines). */
export async function launchChromium(extensionDir: string | null, { home: reusedHome }: { home?: string } = {}): Promise<ChromiumExtensionBrowser> {
  const home = reusedHome ?? (await mkdtemp(path.join(os.tmpdir(), 'mwb-chromium-')));
  if (!reusedHome) {
    for (const folder of ['tmp', 'config', 'cache', 'data']) await mkdir(path.join(home, folder));
    // Debian's Chromium blocks third-party cookies in a new profile, and with them all storage of a
    // cross-site frame: a widget from another site (Element Call keeps its settings in
    // localStorage) then fails to start. Chrome allows them by default; so does this profile.
    await mkdir(path.join(home, 'profile/Default'), { recursive: true });
    await writeFile(path.join(home, 'profile/Default/Preferences'), JSON.stringify({ profile: { cookie_controls_mode: 0 } }));
  }
  const context = await chromium.launchPersistentContext(path.join(home, 'profile'), {
    executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
    headless: true,
    args: [
      ...(extensionDir ? [`--disable-extensions-except=${extensionDir}`, `--load-extension=${extensionDir}`] : []),
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      // Call widgets (Element Call) ask for camera and microphone: granted without a prompt, from
      // Chromium's synthetic devices, as a headless test has neither a user nor real devices.
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
    ],
    env: {
      ...process.env,
      HOME: home,
      TMPDIR: path.join(home, 'tmp'),
      XDG_CONFIG_HOME: path.join(home, 'config'),
      XDG_CACHE_HOME: path.join(home, 'cache'),
      XDG_DATA_HOME: path.join(home, 'data'),
    },
  });
  // The newest worker: after a stop and wake-up, Playwright reports the restarted one last.
  const serviceWorker = async (): Promise<Worker> =>
    context.serviceWorkers().at(-1) ?? (await context.waitForEvent('serviceworker', { timeout: 30_000 }));
  const extensionId = extensionDir ? new URL((await serviceWorker()).url()).host : '';
  if (process.env['MWB_DEBUG']) {
    // Browser-side logs, for debugging the harness (docs/debugging-browser-tests.md).
    const print = (where: string) => (message: { type(): string; text(): string }) =>
      console.log(`[chromium ${where}] ${message.type()}: ${message.text()}`);
    // The context's console event carries the service worker's messages too.
    context.on('console', print('console'));
  }
  const seenApprovals = new Set<Page>();
  const stopServiceWorker = async () => {
    const page = context.pages()[0] ?? (await context.newPage());
    const cdp = await context.newCDPSession(page);
    await cdp.send('ServiceWorker.enable');
    await cdp.send('ServiceWorker.stopAllWorkers');
    await cdp.detach();
  };

  return {
    name: 'chromium',
    context,
    extensionId,
    serviceWorker,
    stopServiceWorker,
    background: {
      evaluate: async <T>(expression: string) => (await serviceWorker()).evaluate(expression) as Promise<T>,
      stop: stopServiceWorker,
    },
    async openExtensionUi() {
      const page = await context.newPage();
      await page.goto(`chrome-extension://${extensionId}/popup/index.html`);
      return sitePage(page);
    },
    async openPage(url) {
      const page = await context.newPage();
      await page.goto(url);
      return sitePage(page);
    },
    async nextApprovalWindow() {
      const page = await eventually('an approval window', async () =>
        context.pages().find((candidate) => candidate.url().includes('/approval/index.html') && !seenApprovals.has(candidate)),
      );
      seenApprovals.add(page);
      await page.bringToFront();
      return sitePage(page);
    },
    async jsHeap(urlPrefix) {
      // Playwright opens CDP sessions on pages and frames only: a page's session attaches to the
      // other target and talks to it through Target.sendMessageToTarget.
      const page = context.pages()[0] ?? (await context.newPage());
      const cdp = await context.newCDPSession(page);
      try {
        const { targetInfos } = await cdp.send('Target.getTargets');
        const target = targetInfos.find((info) => info.url.startsWith(urlPrefix));
        if (!target) throw new Error(`no target at ${urlPrefix}`);
        const { sessionId } = await cdp.send('Target.attachToTarget', { targetId: target.targetId, flatten: false });
        let lastId = 0;
        const answers = new Map<number, (message: { result?: unknown; error?: { message: string } }) => void>();
        cdp.on('Target.receivedMessageFromTarget', (event) => {
          if (event.sessionId !== sessionId) return;
          const message = JSON.parse(event.message) as { id?: number; result?: unknown; error?: { message: string } };
          if (message.id !== undefined) answers.get(message.id)?.(message);
        });
        const send = <T>(method: string): Promise<T> =>
          new Promise((resolve, reject) => {
            const id = ++lastId;
            answers.set(id, (message) => (message.error ? reject(new Error(`${method}: ${message.error.message}`)) : resolve(message.result as T)));
            void cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method }) }).catch(reject);
          });
        // Console messages stay alive while a debugger (Playwright's own session) could inspect them.
        await send('Runtime.discardConsoleEntries');
        await send('HeapProfiler.collectGarbage');
        const heap = await send<JsHeap>('Runtime.getHeapUsage');
        await cdp.send('Target.detachFromTarget', { sessionId });
        return heap;
      } finally {
        await cdp.detach();
      }
    },
    async extensionPageUrls() {
      return context.pages().map((page) => page.url()).filter((url) => url.startsWith('chrome-extension://'));
    },
    async close() {
      await context.close();
      await rm(home, { recursive: true, force: true });
    },
    async restart() {
      await context.close();
      return launchChromium(extensionDir, { home });
    },
  };
}
