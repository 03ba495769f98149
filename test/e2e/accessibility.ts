// Accessibility checks for the extension's pages (issue #16): axe-core on a view as it stands, and
// keyboard steps that fail when the focused control shows no focus indicator.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { expect } from 'vitest';
import { waitForValue, type Surface } from '../support/browser-driver';
import type { ColorScheme, EnginePage } from '../support/keyboard';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's violations on the page as it stands, one line each: rule id and the nodes. */
export async function axeViolations(page: Surface): Promise<string[]> {
  if (!(await page.evaluate<boolean>(`typeof window.axe === 'object'`))) await page.evaluate(axeSource);
  return page.evaluate<string[]>(
    `axe.run(document, { resultTypes: ['violations'] }).then((result) => result.violations.map((violation) => violation.id + ': ' + violation.nodes.map((node) => node.target.join(' ')).join(', ')))`,
  );
}

/** The page renders in `scheme`: a colour-contrast pass must not be a pass of the other theme. */
export async function expectScheme(page: Surface, scheme: ColorScheme): Promise<void> {
  expect(await page.evaluate<boolean>(`matchMedia('(prefers-color-scheme: dark)').matches`)).toBe(scheme === 'dark');
}

export type Focused = { name: string; isFocusVisible: boolean; ring: string };

/**
 * The focused element, whether the browser treats its focus as keyboard focus (:focus-visible), and
 * the indicator drawn for it: an outline or a box-shadow. The switch's checkbox is transparent and
 * its ring is drawn on the track beside it (components.css), so that is where it is looked for.
 */
const FOCUSED = `(() => {
  const element = document.activeElement;
  if (!element || element === document.body) return { name: 'body', isFocusVisible: false, ring: '' };
  const drawn = getComputedStyle(element).opacity === '0' && element.nextElementSibling ? element.nextElementSibling : element;
  const style = getComputedStyle(drawn);
  const ring = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0 ? 'outline ' + style.outlineWidth + ' ' + style.outlineColor : style.boxShadow !== 'none' ? 'box-shadow ' + style.boxShadow : '';
  const label = (element.getAttribute('aria-label') || element.textContent || element.getAttribute('name') || '').trim().replace(/\\s+/g, ' ').slice(0, 40);
  return { name: element.tagName.toLowerCase() + (element.id ? '#' + element.id : '') + (label ? ' "' + label + '"' : ''), isFocusVisible: element.matches(':focus-visible'), ring };
})()`;

export async function focused(page: Surface): Promise<Focused> {
  return page.evaluate<Focused>(FOCUSED);
}

/**
 * Presses Tab until the element `selector` names has the focus, checking at every stop that the
 * focused control shows a focus indicator. Returns the stops, for the log.
 */
export async function tabTo(page: Surface, keys: EnginePage, selector: string, maxPresses = 60): Promise<string[]> {
  const stops: string[] = [];
  for (let press = 0; press < maxPresses; press++) {
    await keys.press('Tab');
    const stop = await focused(page);
    expect(stop, `focus indicator at ${stop.name}`).toMatchObject({ isFocusVisible: true, ring: expect.stringMatching(/\S/) as string });
    stops.push(stop.name);
    if (await page.evaluate<boolean>(`document.activeElement?.matches(${JSON.stringify(selector)}) ?? false`)) return stops;
  }
  throw new Error(`${selector} not reached by ${maxPresses} Tab presses; the stops were: ${stops.join(' → ')}`);
}

/** Waits until `selector` exists, then reaches it by Tab and types `text` into it key by key. */
export async function tabAndType(page: Surface, keys: EnginePage, selector: string, text: string): Promise<string[]> {
  await waitForValue(page, `!!document.querySelector(${JSON.stringify(selector)})`, selector);
  const stops = await tabTo(page, keys, selector);
  await keys.typeText(text);
  return stops;
}
