// Which widget frames of a tab are taken, or being taken by a port whose host is not registered
// yet, and when each frame last committed a new document. Never decides which frame a port is for.
import type { HostRegistry } from '../host/host-registry';

/**
 * Widget frames hosted (or being hosted) per tab. A page decides how many marked iframes it has;
 * each host holds a port, a sync reference, queues and a storage record. 32 is far more than a page
 * shows at once (the load test has 10 in 3 tabs); past it a port is refused with this reason.
 */
export const MAX_WIDGET_FRAMES_PER_TAB = 32;
/**
 * How long a frame's last commit is remembered: it matters only to a port being attested while it
 * happened (the challenge gives up after 15 s), and after that the host, whose `createdAt` is when
 * its attestation began, is closed by the commit itself.
 */
export const COMMIT_MEMORY_MS = 60_000;
/** Frames whose commit is remembered at once: commits of every iframe of every tab come here. */
export const MAX_REMEMBERED_COMMITS = 1024;

export type Claim = 'claimed' | 'alreadyHosted' | 'tabFull';

export class FrameSlots {
  /** Frames chosen for a port whose host is not registered yet, by tab. */
  private readonly reserved = new Map<number, Set<number>>();
  /** Last commit time (webNavigation time stamp) by `tab:frame`, oldest first. */
  private readonly commits = new Map<string, number>();

  constructor(
    private readonly hosts: Pick<HostRegistry, 'hasFrame' | 'countInTab'>,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Takes the frame for one port, synchronously, as soon as attestation chose it: of two ports
   * racing for one frame only the first gets it (the other is `alreadyHosted`). Release it once
   * the host is registered or refused.
   */
  claim(tabId: number, frameId: number): Claim {
    const reserved = this.reserved.get(tabId) ?? new Set<number>();
    if (reserved.has(frameId) || this.hosts.hasFrame(tabId, frameId)) return 'alreadyHosted';
    if (reserved.size + this.hosts.countInTab(tabId) >= MAX_WIDGET_FRAMES_PER_TAB) return 'tabFull';
    reserved.add(frameId);
    this.reserved.set(tabId, reserved);
    return 'claimed';
  }

  release(tabId: number, frameId: number): void {
    const reserved = this.reserved.get(tabId);
    reserved?.delete(frameId);
    if (reserved?.size === 0) this.reserved.delete(tabId);
  }

  /** The browser committed a new document in the frame (`webNavigation.onCommitted`). */
  noteCommit(tabId: number, frameId: number, committedAt: number): void {
    const key = `${tabId}:${frameId}`;
    const latest = Math.max(committedAt, this.commits.get(key) ?? 0);
    this.commits.delete(key); // re-inserted last: the map stays in the order frames committed
    this.commits.set(key, latest);
    const oldest = this.now() - COMMIT_MEMORY_MS;
    for (const [remembered, at] of this.commits) {
      if (this.commits.size <= MAX_REMEMBERED_COMMITS && at >= oldest) break;
      this.commits.delete(remembered);
    }
  }

  /** Whether the frame committed a document after `since` (a port attested since then is for an older one). */
  hasCommitSince(tabId: number, frameId: number, since: number): boolean {
    const at = this.commits.get(`${tabId}:${frameId}`);
    return at !== undefined && at > since;
  }
}
