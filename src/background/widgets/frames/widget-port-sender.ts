// What the background posts over one widget frame's port. The widget messages of one task go as one
// port message: a sync answer's events for a widget then cross extension messaging once rather than
// once each (under issue #7's load, tens of thousands of pushes: bench/README.md, P6). The relay
// still posts each into the frame on its own, in the same order.
import { MAX_WIDGET_MESSAGES_PER_POST, type BackgroundToContent } from '../../../shared/protocol/background-to-content';
import type { WidgetInbound } from '../../../shared/protocol/widget-api';

type OtherMessage = Exclude<BackgroundToContent, { kind: 'postToWidget' }>;

export class WidgetPortSender {
  private queued: WidgetInbound[] = [];

  constructor(
    private readonly post: (message: BackgroundToContent) => void,
    /** When the queued messages go: at the end of the current task, by default. */
    private readonly schedule: (flush: () => void) => void = (flush) => queueMicrotask(flush),
  ) {}

  /** Queued behind the widget messages of this task; they leave together at its end. */
  toWidget(message: WidgetInbound): void {
    this.queued.push(message);
    if (this.queued.length >= MAX_WIDGET_MESSAGES_PER_POST) this.flush();
    else if (this.queued.length === 1) this.schedule(() => this.flush());
  }

  /** Any other message goes at once, after what was queued before it, so the relay sees them in order. */
  send(message: OtherMessage): void {
    this.flush();
    this.post(message);
  }

  private flush(): void {
    if (this.queued.length === 0) return;
    const messages = this.queued;
    this.queued = [];
    this.post({ kind: 'postToWidget', messages });
  }
}
