// Which widget frames of a tab are taken, or being taken by a port whose host is not registered
// yet. Never decides which frame a port is for.
import type { HostRegistry } from './host-registry';

export type Claim = 'claimed' | 'alreadyHosted';

export class FrameSlots {
  /** Frames chosen for a port whose host is not registered yet, by tab. */
  private readonly reserved = new Map<number, Set<number>>();

  constructor(
    private readonly hosts: Pick<HostRegistry, 'hasFrame'>,
  ) {}

  /**
   * Takes the frame for one port, synchronously, as soon as attestation chose it: of two ports
   * racing for one frame only the first gets it (the other is `alreadyHosted`). Release it once
   * the host is registered or refused.
   */
  claim(tabId: number, frameId: number): Claim {
    const reserved = this.reserved.get(tabId) ?? new Set<number>();
    if (reserved.has(frameId) || this.hosts.hasFrame(tabId, frameId)) return 'alreadyHosted';
    reserved.add(frameId);
    this.reserved.set(tabId, reserved);
    return 'claimed';
  }

  release(tabId: number, frameId: number): void {
    const reserved = this.reserved.get(tabId);
    reserved?.delete(frameId);
    if (reserved?.size === 0) this.reserved.delete(tabId);
  }
}
