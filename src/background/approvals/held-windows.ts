// The approval window itself: opening it for a request, and holding it open after the user
// approved a template load, for the widget's capability request that follows (one flow per widget,
// one window).
import browser from 'webextension-polyfill';
import { createLogger } from '../../shared/log';

const log = createLogger('bg:approvals');

/** How long a held window waits for the widget's capability request before it closes. */
export const HOLD_MS = 30_000;

export type HeldWindow = { holdKey: string; windowId: number; tabId: number | undefined; timer: ReturnType<typeof setTimeout> };

export class HeldWindows {
  private held: HeldWindow | undefined;
  /** The tab of each open window, to load the next request of a held flow into it. */
  private readonly windowTabs = new Map<number, number | undefined>();
  /** Requests that continue a held flow, by approval id → the hold key. */
  private readonly continuations = new Map<string, string>();

  /** `freed`: the screen is free for the next request (a hold ended). */
  constructor(private readonly freed: () => void) {}

  get current(): HeldWindow | undefined {
    return this.held;
  }

  continues(approvalId: string, holdKey: string): void {
    this.continuations.set(approvalId, holdKey);
  }

  isContinuation(approvalId: string, holdKey: string): boolean {
    return this.continuations.get(approvalId) === holdKey;
  }

  forget(approvalId: string): void {
    this.continuations.delete(approvalId);
  }

  /** Opens the window for a request; undefined if the browser would not. */
  async open(approvalId: string): Promise<number | undefined> {
    try {
      const created = await browser.windows.create({
        url: approvalUrl(approvalId),
        type: 'popup',
        width: 480,
        height: 700,
        focused: true,
      });
      if (created.id !== undefined) this.windowTabs.set(created.id, created.tabs?.[0]?.id);
      return created.id;
    } catch (error) {
      log.error('could not open the approval window', String(error));
      return undefined;
    }
  }

  /** The window waits instead of closing (the page shows that it does); nothing else is shown meanwhile. */
  hold(holdKey: string, windowId: number): void {
    this.held = { holdKey, windowId, tabId: this.windowTabs.get(windowId), timer: setTimeout(() => this.release(holdKey), HOLD_MS) };
  }

  release(holdKey: string): void {
    const held = this.held;
    if (held?.holdKey !== holdKey) return;
    this.endHold();
    void browser.windows.remove(held.windowId).catch(() => undefined);
  }

  removed(windowId: number): void {
    this.windowTabs.delete(windowId);
    if (this.held?.windowId === windowId) this.endHold();
  }

  /** Shows the held flow's next request in its window; false (and the window closed) if it could not. */
  async continueIn(held: HeldWindow, approvalId: string): Promise<boolean> {
    clearTimeout(held.timer);
    this.held = undefined;
    try {
      const tabId = held.tabId ?? (await browser.tabs.query({ windowId: held.windowId }))[0]?.id;
      if (tabId === undefined) throw new Error('the held window has no tab');
      await browser.tabs.update(tabId, { url: approvalUrl(approvalId) });
      await browser.windows.update(held.windowId, { focused: true }).catch(() => undefined);
      return true;
    } catch (error) {
      log.warn('could not continue in the approval window', String(error));
      void browser.windows.remove(held.windowId).catch(() => undefined);
      this.freed();
      return false;
    }
  }

  private endHold(): void {
    if (!this.held) return;
    clearTimeout(this.held.timer);
    this.held = undefined;
    this.freed();
  }
}

function approvalUrl(approvalId: string): string {
  return browser.runtime.getURL(`approval/index.html?approval=${approvalId}`);
}
