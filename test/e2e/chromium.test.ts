// Issue #3 on real Chromium: the user story, the worker stopped between two requests, and a
// forged message from the page.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium, type ChromiumExtensionBrowser } from '../support/chromium';
import { eventually, roomMessages } from '../support/homeserver';
import { runConformance } from './conformance';
import { elementCallJoinsAndLeaves } from './element-call';
import { deniedTemplateStaysEmpty, templatedWidgetInOneApproval } from './template-story';
import { thisSiteShowsItsWidget } from './this-site-story';
import { toolkitWidgetReadsSendsAndObserves } from './toolkit-story';
import { forgedPageMessageIsIgnored, requestIdsFollowThePackage, runUserStory, sendFromWidget, type StoryState } from './user-story';

describe('Chromium', () => {
  let browser: ChromiumExtensionBrowser;
  let story: StoryState;

  beforeAll(async () => {
    browser = await launchChromium(inject('chromeExtensionDir'));
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('logs in, approves, sends, receives live, and remembers the grant across a reload', async () => {
    story = await runUserStory(browser);
  });

  it('serves a request after the service worker was stopped, without a second login', async () => {
    expect(story).toBeDefined();
    const { widget, bob, roomId, alice } = story;
    await sendFromWidget(widget, 'before the worker stops');
    // A mark in the worker's global scope: gone after a real stop and restart.
    await (await browser.serviceWorker()).evaluate('globalThis.__testMark = "before stop"');
    await browser.stopServiceWorker();
    const afterId = await sendFromWidget(widget, 'after the worker stopped');
    const restarted = await browser.serviceWorker();
    expect(await restarted.evaluate('globalThis.__testMark ?? "fresh worker"')).toBe('fresh worker');
    const event = await eventually('the post-restart message on the server', async () =>
      (await roomMessages(bob, roomId)).find((candidate) => candidate.event_id === afterId),
    );
    expect(event.sender).toBe(alice.userId);
    expect((await browser.extensionPageUrls()).filter((url) => url.includes('/approval/'))).toEqual([]);
  });

  it('lists the site’s widget under This site in the popup, beside the site’s icon', () => thisSiteShowsItsWidget(browser, story));

  it('ignores a fromWidget imitation posted by the page itself', async () => {
    await forgedPageMessageIsIgnored(story);
  });

  it('answers a request id reused after its reply, and a duplicate in flight once', async () => {
    await requestIdsFollowThePackage(story.widget);
  });

  it('passes the Widget API conformance widget (matrix-widget-api client methods)', async () => {
    const results = await runConformance(browser, story);
    expect(results.filter((check) => !check.ok)).toEqual([]);
  });

  it('loads a templated widget after one approval flow: the room and what its URL tells, then its capabilities', () =>
    templatedWidgetInOneApproval(browser, story));
  it('leaves a denied template empty, and does not ask again on reload', () => deniedTemplateStaysEmpty(browser, story));
  it('runs a widget built on @matrix-widget-toolkit/api from its templated registration URL: room name, members, send, live', () =>
    toolkitWidgetReadsSendsAndObserves(browser, story));
  it('joins a call with Element Call’s published build, and the delayed leave ends it when the page goes away', () =>
    elementCallJoinsAndLeaves(browser, story, path.resolve(import.meta.dirname, '../../docs/screenshots/approval-element-call.png')));
});
