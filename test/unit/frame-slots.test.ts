// Frame slots (issue #7 review): one port at a time takes a frame.
import { describe, expect, it } from 'vitest';
import { FrameSlots } from '../../src/background/widgets/frame-slots';

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
});
