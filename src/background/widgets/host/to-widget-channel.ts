// The host's own requests to the widget (toWidget direction): ids, one pending answer each, and a
// timeout, so a widget that never answers cannot hold anything forever.
import type { WidgetInbound } from '../../../shared/protocol/widget-api';

/** A widget that does not answer a host request within this time is treated as not answering. */
export const TO_WIDGET_TIMEOUT_MS = 30_000;

export class ToWidgetChannel {
  private readonly pending = new Map<string, { action: string; settle: (response: Record<string, unknown>) => void }>();
  private counter = 0;
  private isClosed = false;

  constructor(
    private readonly post: (message: WidgetInbound) => void,
    private readonly widgetId: () => string | undefined,
  ) {}

  request(action: string, data: Record<string, unknown>): Promise<Record<string, unknown>> {
    const widgetId = this.widgetId();
    if (!widgetId || this.isClosed) return Promise.reject(new Error('widget is gone'));
    const requestId = `mwb-${++this.counter}-${crypto.randomUUID()}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(requestId);
        reject(new Error(`widget did not answer ${action}`));
      }, TO_WIDGET_TIMEOUT_MS);
      this.pending.set(requestId, {
        action,
        settle: (response) => {
          clearTimeout(timer);
          resolve(response);
        },
      });
      this.post({ api: 'toWidget', widgetId, requestId, action, data });
    });
  }

  /** The widget answered one of our requests (unknown ids are ignored). */
  answer(requestId: string, response: Record<string, unknown>): void {
    this.pending.get(requestId)?.settle(response);
    this.pending.delete(requestId);
  }

  /** The relay did not post this request because the frame has its event already: settled as answered. */
  answerForRelay(requestId: string, action: string): void {
    if (this.pending.get(requestId)?.action === action) this.answer(requestId, {});
  }

  close(): void {
    this.isClosed = true;
    this.pending.clear();
  }
}
