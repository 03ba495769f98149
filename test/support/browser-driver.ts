// One small interface over Playwright (Chromium) and Puppeteer WebDriver BiDi (Firefox ESR), so the
// same user story runs in both browsers. Waits poll the real DOM; none asserts on time.
import { eventually } from './homeserver';

/** A page or frame the tests read and drive with real clicks and typing. */
export type Surface = {
  url(): string;
  click(selector: string): Promise<void>;
  type(selector: string, text: string): Promise<void>;
  select(selector: string, value: string): Promise<void>;
  evaluate<T>(expression: string): Promise<T>;
};

export type SitePage = Surface & {
  /** The widget frame whose URL starts with `origin` (the `index`-th such frame). */
  widget(origin: string, index?: number): Promise<Surface>;
  reload(): Promise<void>;
  /** Makes this tab the active one (in Firefox, other tabs of the window become hidden). */
  bringToFront(): Promise<void>;
  /** A PNG of the page; `size` resizes the viewport first (e.g. to a popup's size). */
  screenshot(path: string, size?: { width: number; height: number }): Promise<void>;
  close(): Promise<void>;
};

/**
 * The extension's background: Chromium's service worker, Firefox's event page
 * (docs/debugging-browser-tests.md says how each is reached).
 */
export type ExtensionBackground = {
  /**
   * Runs `expression` in the background's global scope and returns its (awaited, JSON-able) value.
   * A stopped background is waited for, never woken: what wakes it must be the extension's own events.
   */
  evaluate<T>(expression: string): Promise<T>;
  /**
   * Ends the background for real, its global scope with it, as the browser does when it is idle;
   * the next event the extension listens for starts a fresh one, which re-reads what was persisted.
   */
  stop(): Promise<void>;
};

export type ExtensionBrowser = {
  name: 'chromium' | 'firefox';
  background: ExtensionBackground;
  /** The extension's popup UI, in a tab. */
  openExtensionUi(): Promise<SitePage>;
  openPage(url: string): Promise<SitePage>;
  /** The next approval window the extension opens (extension-owned, never inside the page). */
  nextApprovalWindow(): Promise<SitePage>;
  /** Extension pages currently open, by URL: approval windows included. */
  extensionPageUrls(): Promise<string[]>;
  /** Quits the browser and starts it again on the same profile (a browser restart for the user). */
  restart(): Promise<ExtensionBrowser>;
  close(): Promise<void>;
};

/** Waits until `expression` evaluates truthy in `surface`, and returns its value. */
export function waitForValue<T>(surface: Surface, expression: string, what: string, timeoutMs = 30_000): Promise<T> {
  return eventually(
    what,
    async () => {
      const value = await surface.evaluate<T>(expression).catch(() => undefined);
      return value ? value : undefined;
    },
    timeoutMs,
  );
}

export function textOf(surface: Surface, selector: string): Promise<string> {
  return surface.evaluate<string>(`document.querySelector(${JSON.stringify(selector)})?.textContent ?? ''`);
}

/** The `index`-th frame whose URL starts with `origin`, once the page has it. */
export function frameFrom<F extends { url(): string }>(frames: () => F[], origin: string, index = 0): Promise<F> {
  return eventually(`a widget frame from ${origin}`, async () => frames().filter((frame) => frame.url().startsWith(origin))[index]);
}
