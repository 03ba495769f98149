// Sync runs while something needs it: each widget frame or open popup holds a claim. The last
// release ends sync only after a grace period, so a page reload does not restart it.
export class SyncClaims {
  private claims = 0;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly hooks: { onClaimed: () => void; onIdle: () => void },
    private readonly graceMs: number,
  ) {}

  get count(): number {
    return this.claims;
  }

  get isClaimed(): boolean {
    return this.claims > 0;
  }

  acquire(): void {
    this.claims++;
    clearTimeout(this.idleTimer);
    this.hooks.onClaimed();
  }

  release(): void {
    this.claims = Math.max(0, this.claims - 1);
    if (this.claims > 0) return;
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      if (this.claims === 0) this.hooks.onIdle();
    }, this.graceMs);
  }
}
