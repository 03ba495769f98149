// The widget frame's side of the frame challenge (issue #7 review): it answers only browser-delivered
// challenges from its parent, never in a top-level document, and stops after a few answers the
// background did not count (a page posting fakes into its frame), while real ones go on being answered.
import { describe, expect, it } from 'vitest';
import { answerFrameChallenges, MAX_UNCOUNTED_ANSWERS, type ChallengedWindow } from '../../src/content/frame-challenge';
import type { FrameChallengeAnswered } from '../../src/shared/protocol/content-to-background';

const parent = { name: 'parent page' };

function frameWindow(isTopLevel = false) {
  const listeners: ((event: MessageEvent) => void)[] = [];
  const frame: ChallengedWindow & { post(data: unknown, options?: { source?: unknown; isTrusted?: boolean }): void } = {
    parent,
    top: parent,
    addEventListener: (_type, listener) => listeners.push(listener),
    post: (data, { source = parent, isTrusted = true } = {}) => {
      for (const listener of listeners) listener({ data, source, isTrusted } as unknown as MessageEvent);
    },
  };
  if (isTopLevel) Object.assign(frame, { parent: frame, top: frame });
  return { frame, listeners };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('answerFrameChallenges', () => {
  it('never listens in a top-level document', () => {
    const { frame, listeners } = frameWindow(true);
    answerFrameChallenges(frame, async () => true);
    expect(listeners).toEqual([]);
  });

  it('reports challenges from its parent only, delivered by the browser', async () => {
    const { frame } = frameWindow();
    const reported: FrameChallengeAnswered[] = [];
    answerFrameChallenges(frame, async (answer) => (reported.push(answer), true));
    frame.post({ mwbFrameChallenge: 'from-a-sibling' }, { source: { name: 'sibling' } });
    frame.post({ mwbFrameChallenge: 'synthetic' }, { isTrusted: false });
    frame.post({ api: 'toWidget', action: 'capabilities' });
    frame.post({ mwbFrameChallenge: 'real' });
    await settle();
    expect(reported).toEqual([{ kind: 'frameChallengeAnswered', nonce: 'real' }]);
  });

  it(`stops after ${MAX_UNCOUNTED_ANSWERS} answers the background did not count, even in one burst`, async () => {
    const { frame } = frameWindow();
    const reported: string[] = [];
    answerFrameChallenges(frame, async (answer) => (reported.push(answer.nonce), answer.nonce.startsWith('real')));
    for (let index = 0; index < 100; index++) frame.post({ mwbFrameChallenge: `fake-${index}` });
    await settle();
    frame.post({ mwbFrameChallenge: 'real-after' });
    await settle();
    expect(reported).toEqual(Array.from({ length: MAX_UNCOUNTED_ANSWERS }, (_, index) => `fake-${index}`));
  });

  it('keeps answering challenges that counted (one per relay connection, again after each worker stop)', async () => {
    const { frame } = frameWindow();
    const reported: string[] = [];
    answerFrameChallenges(frame, async (answer) => {
      reported.push(answer.nonce);
      if (answer.nonce === 'lost') throw new Error('the worker stopped before it replied');
      return answer.nonce.startsWith('real');
    });
    for (let index = 0; index < 50; index++) {
      frame.post({ mwbFrameChallenge: `real-${index}` });
      await settle();
    }
    // A report that failed counts as one that did not count.
    frame.post({ mwbFrameChallenge: 'lost' });
    await settle();
    for (let index = 0; index < 10; index++) frame.post({ mwbFrameChallenge: `fake-${index}` });
    await settle();
    expect(reported).toHaveLength(50 + 1 + MAX_UNCOUNTED_ANSWERS - 1);
  });
});
