// Frame slots (issue #7 review): one port at a time takes a frame, a tab holds a bounded number of
// widget frames, and a frame's last commit is remembered for a while, within a bounded memory.
import { describe, expect, it } from 'vitest';
import { COMMIT_MEMORY_MS, FrameSlots, MAX_REMEMBERED_COMMITS, MAX_WIDGET_FRAMES_PER_TAB } from '../../src/background/widgets/frames/frame-slots';

function hostsAt(hosted: [number, number][]) {
  return {
    hasFrame: (tabId: number, frameId: number) => hosted.some(([tab, frame]) => tab === tabId && frame === frameId),
    countInTab: (tabId: number) => hosted.filter(([tab]) => tab === tabId).length,
  };
}

describe('FrameSlots', () => {
  it('gives a frame to one port until released, and never a hosted one', () => {
    const slots = new FrameSlots(hostsAt([[1, 9]]));
    expect(slots.claim(1, 6)).toBe('claimed');
    expect(slots.claim(1, 6)).toBe('alreadyHosted');
    expect(slots.claim(1, 9)).toBe('alreadyHosted');
    expect(slots.claim(2, 6)).toBe('claimed'); // another tab's frame 6
    slots.release(1, 6);
    expect(slots.claim(1, 6)).toBe('claimed');
  });

  it(`counts hosted and claimed frames against ${MAX_WIDGET_FRAMES_PER_TAB} per tab`, () => {
    const hosted = Array.from({ length: 20 }, (_, index): [number, number] => [1, 100 + index]);
    const slots = new FrameSlots(hostsAt(hosted));
    for (let frame = 0; frame < MAX_WIDGET_FRAMES_PER_TAB - 20; frame++) expect(slots.claim(1, frame)).toBe('claimed');
    expect(slots.claim(1, 50)).toBe('tabFull');
    expect(slots.claim(2, 50)).toBe('claimed');
    slots.release(1, 0);
    expect(slots.claim(1, 50)).toBe('claimed');
  });

  it('knows of a commit after a given time, for a while', () => {
    let now = 10_000;
    const slots = new FrameSlots(hostsAt([]), () => now);
    slots.noteCommit(1, 6, 10_000);
    expect(slots.hasCommitSince(1, 6, 9_999)).toBe(true);
    expect(slots.hasCommitSince(1, 6, 10_000)).toBe(false);
    expect(slots.hasCommitSince(1, 7, 0)).toBe(false);
    // A late event of an older commit does not hide the newer one.
    slots.noteCommit(1, 6, 5_000);
    expect(slots.hasCommitSince(1, 6, 9_999)).toBe(true);
    now += COMMIT_MEMORY_MS + 1;
    slots.noteCommit(1, 7, now);
    expect(slots.hasCommitSince(1, 6, 9_999)).toBe(false); // forgotten
    expect(slots.hasCommitSince(1, 7, now - 1)).toBe(true);
  });

  it(`remembers at most ${MAX_REMEMBERED_COMMITS} frames, forgetting the earliest`, () => {
    const slots = new FrameSlots(hostsAt([]), () => 1_000);
    for (let frame = 0; frame < MAX_REMEMBERED_COMMITS + 10; frame++) slots.noteCommit(1, frame, 1_000);
    expect(slots.hasCommitSince(1, 9, 0)).toBe(false);
    expect(slots.hasCommitSince(1, 10, 0)).toBe(true);
    expect(slots.hasCommitSince(1, MAX_REMEMBERED_COMMITS + 9, 0)).toBe(true);
  });
});
