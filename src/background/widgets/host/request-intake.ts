// A widget frame's incoming messages: only from the attested widget origin, well-formed, of the
// widget id its first message named; toWidget answers go to the channel; each fromWidget request is
// performed once (a duplicate of one in flight waits for the original's reply) and answered once.
import * as v from 'valibot';
import { createLogger } from '../../../shared/log';
import { describeIssues } from '../../../shared/protocol/errors';
import { WidgetOutbound, type FromWidgetRequest, type WidgetInbound } from '../../../shared/protocol/widget-api';
import type { ActionResult } from '../actions/action-context';
import { toWidgetError } from '../actions/widget-errors';

const log = createLogger('bg:host');

/** The relay forwards at most 100 unanswered requests; more in flight here means something is wrong. */
export const MAX_REQUESTS_IN_FLIGHT = 100;

export type IntakeHandlers = {
  /** The widget's first fromWidget request: negotiation starts (once). */
  started: (widgetId: string) => void;
  perform: (request: FromWidgetRequest) => Promise<ActionResult>;
  toWidgetAnswered: (requestId: string, response: Record<string, unknown>) => void;
  /** Posts the reply, unless the host is gone. */
  reply: (message: WidgetInbound) => void;
  /** After the reply: what the request held (its transaction id) may go. */
  answered: (requestId: string) => void;
};

export class RequestIntake {
  /**
   * Request ids being answered. matrix-widget-api keeps ids unique only among its outstanding
   * requests (`widgetapi-<Date.now()>`), so an id comes back once answered: only a duplicate of an
   * in-flight request is a replay.
   */
  private readonly inFlight = new Set<string>();

  constructor(
    private readonly widgetOrigin: string,
    private readonly handlers: IntakeHandlers,
    private pinnedWidgetId: string | undefined,
  ) {}

  get widgetId(): string | undefined {
    return this.pinnedWidgetId;
  }

  /** Takes the widget id a previous host of this frame saw; false if the widget already spoke as another. */
  adopt(widgetId: string): boolean {
    this.pinnedWidgetId ??= widgetId;
    return this.pinnedWidgetId === widgetId;
  }

  /** Handles one raw message the relay forwarded, with the origin the relay saw it come from. */
  async handle(origin: string, raw: unknown): Promise<void> {
    if (origin !== this.widgetOrigin) {
      log.warn('dropped message from an unexpected origin');
      return;
    }
    const parsed = v.safeParse(WidgetOutbound, raw);
    if (!parsed.success) {
      log.warn('dropped malformed widget message', describeIssues(parsed.issues));
      return;
    }
    const message = parsed.output;
    this.pinnedWidgetId ??= message.widgetId;
    if (message.widgetId !== this.pinnedWidgetId) {
      log.warn('dropped message claiming another widget id');
      return;
    }
    if (message.api === 'toWidget') {
      this.handlers.toWidgetAnswered(message.requestId, message.response);
      return;
    }
    if (this.inFlight.has(message.requestId)) return; // the original gets the one reply
    if (this.inFlight.size >= MAX_REQUESTS_IN_FLIGHT) {
      this.handlers.reply({ ...message, response: { error: { message: 'Too many requests in flight: wait for some to be answered' } } });
      return;
    }
    this.inFlight.add(message.requestId);
    this.handlers.started(message.widgetId);
    const response = await this.handlers.perform(message).catch((error: unknown) => toWidgetError(error));
    this.inFlight.delete(message.requestId);
    this.handlers.reply({ ...message, response });
    this.handlers.answered(message.requestId);
  }
}
