// The two browsers every shared e2e story runs in. A story file says once what it proves and runs in each
// (`describe.each(ENGINES)`), instead of a *.chromium / *.firefox pair repeating the same set-up.
import { inject } from 'vitest';
import type { ExtensionBrowser } from './browser-driver';
import { launchChromium } from './chromium';
import { launchFirefox } from './firefox';

export type Engine = {
  name: ExtensionBrowser['name'];
  /** How test names call it ("Chromium: …", "Firefox ESR: …"). */
  title: string;
  /** Launches the browser with the extension the global setup built for it. */
  launch(): Promise<ExtensionBrowser>;
};

export const CHROMIUM: Engine = { name: 'chromium', title: 'Chromium', launch: () => launchChromium(inject('chromeExtensionDir')) };
export const FIREFOX: Engine = { name: 'firefox', title: 'Firefox ESR', launch: () => launchFirefox(inject('firefoxExtensionDir')) };
export const ENGINES: readonly Engine[] = [CHROMIUM, FIREFOX];
