// webNavigation's frame list: the browser's own word on which frame of a tab holds which document.
// Hides only the polyfill's optional fields; never adds a frame the browser did not list.
import browser from 'webextension-polyfill';
import type { ListedFrame } from '../widgets/frames/frame-attestation';

export async function listFrames(tabId: number): Promise<ListedFrame[]> {
  const frames = (await browser.webNavigation.getAllFrames({ tabId })) ?? [];
  return frames.map(({ frameId, parentFrameId, url }) => ({ frameId, parentFrameId, url }));
}
