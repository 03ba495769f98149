// Bounds how many widget requests are at the homeserver at once. Browsers open at most six
// connections to one host; the sync's long poll holds one and the client's own requests (key
// queries, to-device, encrypted sends) need some. Beyond that, requests wait inside the browser's
// network stack, where the request timeout already runs: a busy page (issue #7's load: ten widgets
// at 50 sends/s) then saw most sends time out before they left. Waiting here instead, in arrival
// order, starts each request's timeout when it can actually go out. Pure: no browser APIs.

export class RequestGate {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {
    if (!(limit >= 1)) throw new RangeError('a request gate lets at least one request through');
  }

  /** Runs `task` once fewer than `limit` tasks run; tasks start in the order they arrived. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    try {
      return await task();
    } finally {
      // The slot passes straight to the next waiter, so a newcomer cannot overtake the queue.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }

  /** Requests running and waiting (for tests and diagnostics). */
  get load(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }
}
