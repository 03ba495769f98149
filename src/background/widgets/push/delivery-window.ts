// Back-pressure for pushing events to one widget (docs/architecture.md, the sync pipeline): at most `window` pushes wait for
// the widget's acknowledgement at a time, at most `maxQueued` events wait behind them. Past that,
// events are not silently dropped: the widget is told how many it missed, so it can read them back.

export type DeliveryLimits = { window: number; maxQueued: number };

/**
 * The queue holds what the syncs already under way bring after the worker's sync started waiting for
 * a slow widget (at SYNC_HOLD_BACKLOG, host-registry.ts): a full sync and a gap read back.
 */
export const DEFAULT_DELIVERY_LIMITS: DeliveryLimits = { window: 50, maxQueued: 5000 };

export class DeliveryWindow {
  private unacknowledged = 0;
  private queued = 0;
  private dropped = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limits: DeliveryLimits) {}

  /** Admits one more event into the queue, or counts it as dropped when the queue is full. */
  admit(): boolean {
    if (this.queued >= this.limits.maxQueued) {
      this.dropped++;
      return false;
    }
    this.queued++;
    return true;
  }

  /** Waits until fewer than `window` pushes are unacknowledged, then takes a slot. */
  async acquire(): Promise<void> {
    while (this.unacknowledged >= this.limits.window) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.unacknowledged++;
  }

  /** Takes a slot if one is free now, without waiting. */
  tryAcquire(): boolean {
    if (this.unacknowledged >= this.limits.window) return false;
    this.unacknowledged++;
    return true;
  }

  /** The widget answered (or did not, in time): the slot is free. */
  release(): void {
    this.unacknowledged = Math.max(0, this.unacknowledged - 1);
    this.waiting.shift()?.();
  }

  /** An admitted event left the queue (pushed, or found not deliverable). */
  done(): void {
    this.queued = Math.max(0, this.queued - 1);
  }

  /** How many admitted events have not left the queue yet. */
  backlog(): number {
    return this.queued;
  }

  /** Whether admitted events are still waiting to go out. */
  hasQueued(): boolean {
    return this.queued > 0;
  }

  /** How many events were dropped since the last call; resets the count. */
  takeDropped(): number {
    const dropped = this.dropped;
    this.dropped = 0;
    return dropped;
  }
}
