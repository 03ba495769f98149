// `storage.session`: survives a stopped worker, not a browser restart. Holds the state the worker
// rebuilds on wake (live widget frames, pending approvals). No secrets are kept here.
import browser from 'webextension-polyfill';

export async function readSession(key: string): Promise<unknown> {
  const entries = await browser.storage.session.get(key);
  return entries[key];
}

export async function writeSession(key: string, value: unknown): Promise<void> {
  await browser.storage.session.set({ [key]: value });
}

export async function removeSession(key: string): Promise<void> {
  await browser.storage.session.remove(key);
}

export async function sessionKeys(): Promise<string[]> {
  return Object.keys(await sessionEntries());
}

/** Everything stored, in one read (a new worker taking up what the previous one left). */
export async function sessionEntries(): Promise<Record<string, unknown>> {
  return browser.storage.session.get(null);
}
