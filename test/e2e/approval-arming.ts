// Issue #18, finding 7, in a real browser: Allow is disarmed for a moment whenever the approval window
// (re)gains focus, so a click aimed at something else that lands on the window as it appears grants
// nothing. The background's own refusal of an early decision is in test/unit/approval-queue.test.ts,
// with an injected clock.
import { expect, inject } from 'vitest';
import { waitForValue, type ExtensionBrowser } from '../support/browser-driver';
import { sharedRoom } from '../support/homeserver';
import { approvalReady, approvedIn, openWidget, type Accounts } from './grant-scenarios';

/** Allow clicked while it arms after the window got focus back: nothing is decided; Deny then is. */
export async function clickWhileArmingGrantsNothing(browser: ExtensionBrowser, { alice, bob }: Accounts): Promise<void> {
  const roomId = await sharedRoom(bob, alice, 'Early click room');
  const site = await openWidget(browser, roomId);
  const approval = await approvalReady(browser);
  // Losing focus disarms; getting it back starts the delay again.
  await approval.evaluate(`window.dispatchEvent(new Event('blur'))`);
  await waitForValue(approval, `document.querySelector('#approve').disabled`, 'Allow disarmed by the blur');
  // Focus and click in one task of the page: the click is inside the delay whatever the machine's speed.
  const wasDisabled = await approval.evaluate<boolean>(
    `(() => { window.dispatchEvent(new Event('focus')); const allow = document.querySelector('#approve'); const disabled = allow.disabled; allow.click(); return disabled; })()`,
  );
  expect(wasDisabled).toBe(true);
  // The window is still open and still deciding: it arms again, and Deny is what counts.
  await waitForValue(approval, `!document.querySelector('#approve').disabled`, 'Allow armed again');
  await approval.click('#deny');
  expect(await approvedIn(await site.widget(inject('widgetOrigin')))).toEqual([]);
  await site.close();
}
