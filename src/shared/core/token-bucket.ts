// A token bucket: up to `capacity` at once, refilled at `perSecond`. The widget relay meters what a
// frame posts with one (content/frame-relay.ts), so a widget cannot make the relay hand the background
// messages without bound. Pure: the clock is passed in.

export class TokenBucket {
  private tokens: number;
  private refilledAt: number;

  constructor(
    private readonly capacity: number,
    private readonly perSecond: number,
    private readonly now: () => number,
  ) {
    if (!(capacity >= 1) || !(perSecond > 0)) throw new RangeError('a token bucket holds at least one token and refills');
    this.tokens = capacity;
    this.refilledAt = now();
  }

  /** Takes one token if there is one. */
  take(): boolean {
    const now = this.now();
    // A clock that went back (a suspended machine's monotonic clock does not, Date.now can) adds nothing.
    this.tokens = Math.min(this.capacity, this.tokens + (Math.max(0, now - this.refilledAt) * this.perSecond) / 1000);
    this.refilledAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
