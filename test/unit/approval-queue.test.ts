// The approval queue refuses a granting decision that comes before the window armed (issue #18):
// the page disables its buttons for that long, and the background holds the same line for a page
// that did not. The browser parts (windows, storage.session, the badge) are fakes; the clock is injected.
import { describe, expect, it, vi } from 'vitest';

const session = new Map<string, unknown>();
vi.mock('webextension-polyfill', () => ({
  default: {
    storage: {
      session: {
        get: async (key: string) => (session.has(key) ? { [key]: session.get(key) } : {}),
        set: async (entries: Record<string, unknown>) => Object.entries(entries).forEach(([key, value]) => session.set(key, value)),
        remove: async (key: string) => void session.delete(key),
      },
    },
    windows: { create: async () => ({ id: 7, tabs: [{ id: 70 }] }), remove: async () => undefined, update: async () => undefined },
    tabs: { update: async () => undefined, query: async () => [] },
    action: { setBadgeText: async () => undefined, setBadgeBackgroundColor: async () => undefined },
    runtime: { getURL: (path: string) => `chrome-extension://id/${path}` },
  },
}));

const { ApprovalNotArmed, ApprovalQueue } = await import('../../src/background/approvals/approval-queue');
const { APPROVAL_ARM_DELAY_MS } = await import('../../src/shared/protocol/background-to-ui');

const REQUEST = {
  identity: { account: '@ann:hs', siteOrigin: 'https://site.example', widgetUrl: 'https://widget.example/', widgetId: 'w' },
  widgetOrigin: 'https://widget.example',
  capabilities: ['m.send.event:m.room.message'],
  roomHint: '!room:hs',
};
const ALLOW = { roomId: '!room:hs', approved: ['m.send.event:m.room.message'], remember: true };

async function shown(clock: { now: number }) {
  const queue = new ApprovalQueue(() => clock.now);
  const decision = queue.request(REQUEST);
  await vi.waitFor(() => expect(session.size).toBeGreaterThan(0));
  const approvalId = [...session.keys()].find((key) => key.startsWith('approval:'))!.slice('approval:'.length);
  return { queue, decision, approvalId };
}

describe('ApprovalQueue arming', () => {
  it('refuses Allow before the window showed the request, and until the arming delay passed', async () => {
    session.clear();
    const clock = { now: 1_000 };
    const { queue, decision, approvalId } = await shown(clock);
    await expect(queue.decide(approvalId, ALLOW)).rejects.toBeInstanceOf(ApprovalNotArmed);
    await queue.pending(approvalId); // the window read it
    clock.now += APPROVAL_ARM_DELAY_MS - 1;
    await expect(queue.decide(approvalId, ALLOW)).rejects.toBeInstanceOf(ApprovalNotArmed);
    clock.now += 1;
    await queue.decide(approvalId, ALLOW);
    await expect(decision).resolves.toEqual(ALLOW);
  });

  it('takes Deny at once: refusing is always safe', async () => {
    session.clear();
    const clock = { now: 5_000 };
    const { queue, decision, approvalId } = await shown(clock);
    const deny = { roomId: null, approved: [], remember: true };
    await queue.decide(approvalId, deny);
    await expect(decision).resolves.toEqual(deny);
  });
});
