// Bounds how many widget requests are at the homeserver at once. Browsers open at most six
// connections to one host; the sync's long poll holds one and the client's own requests (key
// queries, to-device, encrypted sends) need some. Beyond that, requests wait inside the browser's
// network stack, where the request timeout already runs: a busy page (issue #7's load: ten widgets
// at 50 sends/s) then saw most sends time out before they left. Waiting here instead starts each
// request's timeout when it can actually go out.
// The waiting is fair between widgets (issue #18): each widget host waits in its own lane and a free
// slot goes to the lanes in turn, so a widget with one request waits behind at most one request of
// each other busy widget, however many those have queued (a single FIFO let one widget flooding
// `read_events` over every room starve all others). A lane holds a bounded number of waiting calls;
// past it the call is refused at once, and the widget gets that as its request's error reply.
// Pure: no browser APIs.
import { WidgetRequestRefused } from './widget-errors';

/** A call refused because its lane already holds `maxWaitingPerLane` waiting calls. */
export class RequestGateFull extends WidgetRequestRefused {
  constructor(maxWaitingPerLane: number) {
    super(`Too many requests waiting for the homeserver (at most ${maxWaitingPerLane} per widget): wait for some to be answered`);
  }
}

export class RequestGate {
  private running = 0;
  /**
   * Waiting calls by lane, oldest first. The map's order is the rotation: the first lane gets the
   * next free slot and, if it still has calls waiting, goes to the back. An empty lane is removed.
   */
  private readonly lanes = new Map<string, (() => void)[]>();

  constructor(
    private readonly limit: number,
    private readonly maxWaitingPerLane: number,
  ) {
    if (!(limit >= 1)) throw new RangeError('a request gate lets at least one request through');
    if (!(maxWaitingPerLane >= 1)) throw new RangeError('a request gate lets each lane wait with at least one request');
  }

  /**
   * Runs `task` once fewer than `limit` tasks run and it is `lane`'s turn; within a lane, tasks start
   * in the order they arrived. Rejects with `RequestGateFull`, without running `task`, when the lane
   * already has `maxWaitingPerLane` tasks waiting.
   */
  async run<T>(lane: string, task: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) {
      const waiting = this.lanes.get(lane) ?? [];
      if (waiting.length >= this.maxWaitingPerLane) throw new RequestGateFull(this.maxWaitingPerLane);
      // A lane seen for the first time joins the rotation at the back; a known one keeps its place.
      this.lanes.set(lane, waiting);
      await new Promise<void>((resolve) => waiting.push(resolve));
    } else {
      this.running++;
    }
    try {
      return await task();
    } finally {
      this.passSlot();
    }
  }

  /** Requests running and waiting, in all and per lane (for tests and diagnostics). */
  get load(): { running: number; waiting: number; lanes: Record<string, number> } {
    const lanes = Object.fromEntries([...this.lanes].map(([lane, waiting]) => [lane, waiting.length]));
    return { running: this.running, waiting: Object.values(lanes).reduce((sum, count) => sum + count, 0), lanes };
  }

  /** The slot passes straight to the next lane's oldest task, so a newcomer cannot overtake the queue. */
  private passSlot(): void {
    const next = this.lanes.entries().next();
    if (next.done) {
      this.running--;
      return;
    }
    const [lane, waiting] = next.value;
    const wake = waiting.shift();
    this.lanes.delete(lane);
    if (waiting.length > 0) this.lanes.set(lane, waiting);
    if (wake) wake();
    else this.running--; // not reached: a lane in the rotation has a task waiting
  }
}
