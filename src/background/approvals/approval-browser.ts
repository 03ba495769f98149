// Where the approval queue reaches the browser outside its windows: taking up what a stopped worker
// left in storage.session, asking whether a tab is in front, and the badge that counts what waits.
import browser from 'webextension-polyfill';
import { readStoredApprovals, type StoredApproval } from './approval-store';

/**
 * Reads every stored request and hands each to `takeUp` with whether its window is still open, so the
 * open window stays the shown one and can still decide.
 */
export async function takeUpStoredApprovals(takeUp: (stored: StoredApproval, isWindowOpen: boolean) => void): Promise<void> {
  for (const stored of await readStoredApprovals()) {
    const { windowId } = stored.meta;
    const isWindowOpen = windowId !== undefined && (await browser.windows.get(windowId).then(() => true, () => false));
    takeUp(stored, isWindowOpen);
  }
}

/** The toolbar badge: how many requests wait for the user (nothing when none). */
export function showPendingCount(count: number): void {
  void browser.action.setBadgeText({ text: count > 0 ? String(count) : '' }).catch(() => undefined);
  void browser.action.setBadgeBackgroundColor({ color: '#b3261e' }).catch(() => undefined);
}

/** Whether the tab is the one its window shows (undefined: no tab, or it is gone). */
export function isTabInFront(tabId: number | undefined): Promise<boolean | undefined> {
  if (tabId === undefined) return Promise.resolve(undefined);
  return browser.tabs.get(tabId).then((tab) => tab.active, () => undefined);
}
