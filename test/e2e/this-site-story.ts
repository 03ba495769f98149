// "This site" in the popup, as the toolbar popup opens over a site: the site's widget with its room
// and what it may do, under the site's own icon (the browser's favicon for the tab).
import { expect } from 'vitest';
import { waitForValue, type ExtensionBrowser } from '../support/browser-driver';
import type { StoryState } from './user-story';

export async function thisSiteShowsItsWidget(browser: ExtensionBrowser, { site }: StoryState): Promise<void> {
  const popup = await browser.openExtensionUi();
  // The popup is a tab here: the site's tab is brought back to the front, as under the toolbar popup.
  await site.bringToFront();
  await popup.evaluate(`window.dispatchEvent(new Event('focus'))`);
  const listed = await waitForValue<string>(popup, `document.querySelector('#tab-widgets')?.textContent`, 'the widget under This site');
  expect(listed).toContain('Send messages as you in this room');
  // The demo site declares an SVG icon as a data: URL; the browser reports it for the tab.
  const icon = await waitForValue<{ src: string; width: number }>(
    popup,
    `(() => { const img = document.querySelector('#this-site .site-favicon'); return img?.complete && img.naturalWidth > 0 ? { src: img.src, width: img.naturalWidth } : undefined; })()`,
    'the site’s icon under This site',
  );
  // Chromium passes the URL on as declared; Firefox as base64.
  expect(icon.src).toMatch(/^data:image\/svg\+xml[,;]/);
  await popup.close();
}
