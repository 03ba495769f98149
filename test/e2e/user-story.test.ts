// Issue #3 and what followed, in Chromium and Firefox ESR: the user story (log in, approve, send,
// receive live, a reload), a stopped background between two requests, a forged message from the page,
// request ids, the Widget API conformance widget, URL templates, and widgets nobody on the team wrote
// (a @matrix-widget-toolkit widget, Element Call's published build).
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExtensionBrowser } from '../support/browser-driver';
import { ENGINES } from '../support/engines';
import { eventually, roomMessages } from '../support/homeserver';
import { runConformance } from './conformance';
import { elementCallJoinsAndLeaves } from './element-call';
import { deniedTemplateStaysEmpty, templatedWidgetInOneApproval } from './template-story';
import { thisSiteShowsItsWidget } from './this-site-story';
import { toolkitWidgetReadsSendsAndObserves } from './toolkit-story';
import { forgedPageMessageIsIgnored, requestIdsFollowThePackage, runUserStory, sendFromWidget, type StoryState } from './user-story';

describe.each(ENGINES)('$title', (engine) => {
  let browser: ExtensionBrowser;
  let story: StoryState;

  beforeAll(async () => {
    browser = await engine.launch();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('logs in, approves, sends, receives live, and remembers the grant across a reload', async () => {
    story = await runUserStory(browser);
  });

  it('lists the site’s widget under This site in the popup, beside the site’s icon', () => thisSiteShowsItsWidget(browser, story));

  it('ignores a fromWidget imitation posted by the page itself', async () => {
    await forgedPageMessageIsIgnored(story);
  });

  it('answers a request id reused after its reply, and a duplicate in flight once', async () => {
    await requestIdsFollowThePackage(story.widget);
  });

  // Headless Firefox hides a tab when another comes to the front; headless Chromium keeps every page visible.
  it(`passes the Widget API conformance widget (matrix-widget-api client methods)${engine.name === 'firefox' ? ', and relays the page’s visibility' : ''}`, async () => {
    const results = await runConformance(browser, story, engine.name === 'firefox');
    expect(results.filter((check) => !check.ok)).toEqual([]);
  });

  it('loads a templated widget after one approval flow: the room and what its URL tells, then its capabilities', () =>
    templatedWidgetInOneApproval(browser, story));
  it('leaves a denied template empty, and does not ask again on reload', () => deniedTemplateStaysEmpty(browser, story));
  it('runs a widget built on @matrix-widget-toolkit/api from its templated registration URL: room name, members, send, live', () =>
    toolkitWidgetReadsSendsAndObserves(browser, story));
  it('joins a call with Element Call’s published build, and the delayed leave ends it when the page goes away', () =>
    elementCallJoinsAndLeaves(
      browser,
      story,
      // The README's screenshot comes from one browser.
      engine.name === 'chromium' ? path.resolve(import.meta.dirname, '../../docs/screenshots/approval-element-call.png') : undefined,
    ));

  // Last: in Firefox, approval windows asked for after this stop were not found by the harness (open
  // question: the harness's privileged stop or the product), so nothing after it needs one.
  it('serves a request after the background was stopped, without a second login', async () => {
    expect(story).toBeDefined();
    const { widget, bob, roomId, alice } = story;
    await sendFromWidget(widget, 'before the background stops');
    // A mark in the background's global scope: gone after a real stop and restart.
    await browser.background.evaluate('globalThis.__testMark = "before stop"');
    await browser.background.stop();
    const afterId = await sendFromWidget(widget, 'after the background stopped');
    expect(await browser.background.evaluate('globalThis.__testMark ?? "fresh background"')).toBe('fresh background');
    const event = await eventually('the post-restart message on the server', async () =>
      (await roomMessages(bob, roomId)).find((candidate) => candidate.event_id === afterId),
    );
    expect(event.sender).toBe(alice.userId);
    expect((await browser.extensionPageUrls()).filter((url) => url.includes('/approval/'))).toEqual([]);
  });
});
