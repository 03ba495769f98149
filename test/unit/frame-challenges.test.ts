// Frame attestation's challenge (issue #7): only the frame the nonce was posted into can answer it,
// as the browser names the sender; nothing in the answer itself says which frame it is.
import { describe, expect, it } from 'vitest';
import {
  ChallengeUnanswered,
  FrameChallenges,
  MAX_PENDING_CHALLENGES_PER_TAB,
  TooManyChallenges,
  type AnswerSender,
  type ChallengeScope,
} from '../../src/background/widgets/frames/frame-challenges';

const SCOPE: ChallengeScope = { tabId: 7, relayFrameId: 0, widgetOrigin: 'https://widget.example', candidates: [11, 12] };
const FROM_12: AnswerSender = { tab: { id: 7 }, frameId: 12, url: 'https://widget.example/poll?widgetId=p' };

function counter(): () => string {
  let next = 0;
  return () => `nonce-${++next}`;
}

describe('FrameChallenges', () => {
  it('resolves with the frame the browser names as the sender of the right nonce', async () => {
    const challenges = new FrameChallenges(counter());
    const { nonce, answered } = challenges.issue(SCOPE);
    expect(challenges.answer(FROM_12, nonce)).toBe(true);
    await expect(answered).resolves.toEqual({ frameId: 12, url: FROM_12.url });
  });

  it.each<[string, AnswerSender]>([
    ['another tab', { ...FROM_12, tab: { id: 8 } }],
    ['no tab (not a content script)', { frameId: 12, url: FROM_12.url }],
    ['a frame that is not a candidate (the relay’s own frame)', { ...FROM_12, frameId: 0 }],
    ['a frame of the same tab outside the candidates', { ...FROM_12, frameId: 13 }],
    ['no frame id', { tab: { id: 7 }, url: FROM_12.url }],
    ['a document of another origin', { ...FROM_12, url: 'https://attacker.example/poll' }],
    ['no document URL', { tab: { id: 7 }, frameId: 12 }],
    ['a URL that does not parse', { ...FROM_12, url: 'not a url' }],
  ])('does not count an answer from %s, and the right frame can still answer', async (_name, sender) => {
    const challenges = new FrameChallenges(counter());
    const { nonce, answered } = challenges.issue(SCOPE);
    expect(challenges.answer(sender, nonce)).toBe(false);
    expect(challenges.answer(FROM_12, nonce)).toBe(true);
    await expect(answered).resolves.toMatchObject({ frameId: 12 });
  });

  it('counts a nonce once, and none it did not issue', async () => {
    const challenges = new FrameChallenges(counter());
    const first = challenges.issue(SCOPE);
    const second = challenges.issue(SCOPE);
    expect(challenges.answer(FROM_12, 'nonce-99')).toBe(false);
    expect(challenges.answer(FROM_12, first.nonce)).toBe(true);
    expect(challenges.answer({ ...FROM_12, frameId: 11 }, first.nonce)).toBe(false);
    // Each port's challenge has its own nonce: the other one is still open, for its own frame.
    expect(challenges.answer({ ...FROM_12, frameId: 11 }, second.nonce)).toBe(true);
    await expect(first.answered).resolves.toMatchObject({ frameId: 12 });
    await expect(second.answered).resolves.toMatchObject({ frameId: 11 });
  });

  it('issues a new nonce for every challenge', () => {
    const challenges = new FrameChallenges();
    // One tab keeps few open at once (see below): the 1000 are spread over tabs.
    const nonces = new Set(Array.from({ length: 1000 }, (_, index) => challenges.issue({ ...SCOPE, tabId: index }).nonce));
    expect(nonces.size).toBe(1000);
  });

  it('fails when no frame answers in time, and forgets the nonce', async () => {
    const challenges = new FrameChallenges(counter(), 5);
    const { nonce, answered } = challenges.issue(SCOPE);
    await expect(answered).rejects.toBeInstanceOf(ChallengeUnanswered);
    expect(challenges.answer(FROM_12, nonce)).toBe(false);
  });

  it('forgets a withdrawn nonce (the relay’s port went away)', async () => {
    const challenges = new FrameChallenges(counter());
    const { nonce, answered } = challenges.issue(SCOPE);
    challenges.withdraw(nonce);
    await expect(answered).rejects.toBeInstanceOf(ChallengeUnanswered);
    expect(challenges.answer(FROM_12, nonce)).toBe(false);
  });

  it(`keeps at most ${MAX_PENDING_CHALLENGES_PER_TAB} open per tab; other tabs are not affected, and an answered or withdrawn one makes room`, () => {
    const challenges = new FrameChallenges(counter());
    const open = Array.from({ length: MAX_PENDING_CHALLENGES_PER_TAB }, () => challenges.issue(SCOPE));
    for (const { answered } of open) answered.catch(() => undefined);
    expect(() => challenges.issue(SCOPE)).toThrow(TooManyChallenges);
    challenges.issue({ ...SCOPE, tabId: 8 }).answered.catch(() => undefined);
    expect(challenges.answer(FROM_12, open[0]?.nonce ?? '')).toBe(true);
    challenges.issue(SCOPE).answered.catch(() => undefined);
    expect(() => challenges.issue(SCOPE)).toThrow(TooManyChallenges);
    challenges.withdraw(open[1]?.nonce ?? '');
    challenges.issue(SCOPE).answered.catch(() => undefined);
  });
});
