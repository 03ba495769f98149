// Issue #3 on real Firefox ESR (WebDriver BiDi): the user story and a forged message from the page.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ExtensionBrowser } from '../support/browser-driver';
import { launchFirefox } from '../support/firefox';
import { approveSubset, copiesOfOneWidget, revokeWhileRunning } from './grant-scenarios';
import { runConformance } from './conformance';
import { elementCallJoinsAndLeaves } from './element-call';
import { deniedTemplateStaysEmpty, templatedWidgetInOneApproval } from './template-story';
import { thisSiteShowsItsWidget } from './this-site-story';
import { toolkitWidgetReadsSendsAndObserves } from './toolkit-story';
import { forgedPageMessageIsIgnored, requestIdsFollowThePackage, runUserStory, type StoryState } from './user-story';

describe('Firefox ESR', () => {
  let browser: ExtensionBrowser;
  let story: StoryState;

  beforeAll(async () => {
    browser = await launchFirefox(inject('firefoxExtensionDir'));
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

  it('grants exactly the subset the user ticked', () => approveSubset(browser, story));
  it('revokes one capability live from the popup', () => revokeWhileRunning(browser, story));
  it('hosts two copies of one widget (same URL and widget id) as two frames', () => copiesOfOneWidget(browser, story));

  it('passes the Widget API conformance widget (matrix-widget-api client methods), and relays the page’s visibility', async () => {
    const results = await runConformance(browser, story, true);
    expect(results.filter((check) => !check.ok)).toEqual([]);
  });

  it('loads a templated widget after one approval flow: the room and what its URL tells, then its capabilities', () =>
    templatedWidgetInOneApproval(browser, story));
  it('leaves a denied template empty, and does not ask again on reload', () => deniedTemplateStaysEmpty(browser, story));
  it('runs a widget built on @matrix-widget-toolkit/api from its templated registration URL: room name, members, send, live', () =>
    toolkitWidgetReadsSendsAndObserves(browser, story));
  it('joins a call with Element Call’s published build, and the delayed leave ends it when the page goes away', () =>
    elementCallJoinsAndLeaves(browser, story));
});
