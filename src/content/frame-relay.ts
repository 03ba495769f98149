// Relays one widget frame: its messages go to the background over one port, the background's
// messages go back with the widget's exact origin as target (never '*'). Decides nothing about what a
// widget may do; it keeps a pushed event from reaching the frame twice (it outlives the worker that
// pushes), and sheds load at the transport: a frame posting faster than the relay forwards, or with
// more requests unanswered than it keeps for re-delivery, gets an error reply from the relay itself.
// Shedding here rather than in the background keeps a flood in the page's own renderer: it never
// crosses extension messaging or wakes the worker. A frame the background stops hosting gets an error
// reply from here for every request the background will no longer answer.
import browser, { type Runtime } from 'webextension-polyfill';
import * as v from 'valibot';
import { BackgroundToContent } from '../shared/protocol/background-to-content';
import type { ContentToBackground } from '../shared/protocol/content-to-background';
import { WIDGET_PORT_NAME } from '../shared/protocol/ports';
import type { FrameChallengePosted } from '../shared/protocol/relay-to-frame';
import { TokenBucket } from '../shared/core/token-bucket';
import { FromWidgetRequest, ToWidgetResponse, type WidgetInbound } from '../shared/protocol/widget-api';
import { decodeBinaryResponse, encodeBinaryData } from './binary-transfer';
import { NO_LONGER_HOSTED, NO_LONGER_HOSTED_IN_FLIGHT, refusalOf } from './message-routing';

/** Below Chrome's 30 s idle limit: a live widget keeps the worker (and its sync) running. */
const KEEP_ALIVE_INTERVAL_MS = 20_000;
/**
 * Requests waiting for their reply that are kept for re-delivery; a widget has few at a time. One
 * more is answered here with an error (as the host does past its own bound, request-intake.ts):
 * a request is either kept or refused, never forwarded without a way back after a stopped worker.
 */
export const MAX_IN_FLIGHT = 100;
/**
 * Messages a frame may post in a burst, and per second after it; past that, a request is answered
 * with an error by the relay and anything else is dropped (it would get no reply anyway). Issue #7's
 * load is 50 sends/s per widget. Not metered: the widget's answers to the background's own requests
 * (the background paces those: at most 50 pushes unanswered per widget), and a request posted while
 * nothing of the frame's is waiting, neither to be forwarded nor for its reply: a widget that waits
 * for each reply before it asks again is paced by the background itself (the bench's round trips
 * run at ~1,000 a second), and only what it posts on top of that is counted.
 */
export const MAX_MESSAGES_BURST = 200;
export const MAX_MESSAGES_PER_SECOND = 100;
/** toWidget requests posted into the frame whose answer is awaited; the background keeps far fewer open. */
const MAX_OPEN_TO_WIDGET = 1000;
/** Pushed event ids remembered per frame: more than the host replays after a stopped worker. */
const MAX_PUSHED_EVENT_IDS = 2000;
/**
 * A port dropped within this time and before the background said anything over it counts as a
 * failed connection: reconnecting then waits, doubling from RECONNECT_BACKOFF_MS up to
 * MAX_RECONNECT_DELAY_MS, so a worker that cannot start is not woken in a tight loop. (A worker
 * stopped often but answering, as in the kill tests, is reconnected at once.)
 */
const SHORT_CONNECTION_MS = 1_000;
const RECONNECT_BACKOFF_MS = 100;
const MAX_RECONNECT_DELAY_MS = 5_000;

export class FrameRelay {
  private port: Runtime.Port | undefined;
  private isStopped = false;
  /** The background stopped hosting this frame's document: what it still posts is answered with an error. */
  private isRejected = false;
  private readonly keepAliveTimer: ReturnType<typeof setInterval>;
  /**
   * fromWidget requests sent to the background and not answered yet, by request id. If the worker
   * dies meanwhile (its port disconnects), they are delivered again to the new worker, which
   * answers each once (issue #7: nothing is lost).
   */
  private readonly inFlight = new Map<string, unknown>();
  /**
   * Events pushed into this frame (toWidget `send_event`), by id. The host marks an event delivered
   * once the widget answered it; a worker stopped before it learnt that pushes the event again after
   * the wake, and this is where the second copy stops (issue #8).
   */
  private readonly pushedEventIds = new Set<string>();
  /** Ids of the background's requests posted into the frame and not answered yet (not metered). */
  private readonly openToWidget = new Set<string>();
  private readonly rate = new TokenBucket(MAX_MESSAGES_BURST, MAX_MESSAGES_PER_SECOND, Date.now);
  /** True once the document this relay speaks for has fired its `load` event. */
  hasSeenLoad: boolean;
  /** When the current port was opened, and how many connections in a row failed (see SHORT_CONNECTION_MS). */
  private connectedAt = 0;
  private hasHeardBack = false;
  private failedConnections = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly iframe: HTMLIFrameElement,
    readonly origin: string,
    private readonly isMarked: boolean,
    hasSeenLoad: boolean,
    /** The template load this frame's document came from, if the background filled its URL. */
    private readonly templateLoadId: string | undefined,
    private readonly onStopped: () => void,
    private readonly onRejected: (iframe: HTMLIFrameElement) => void,
  ) {
    this.hasSeenLoad = hasSeenLoad;
    this.connect(false);
    document.addEventListener('visibilitychange', this.reportVisibility);
    this.keepAliveTimer = setInterval(() => {
      if (this.iframe.isConnected) this.send({ kind: 'keepAlive' });
      else this.stop(); // the page removed the frame
    }, KEEP_ALIVE_INTERVAL_MS);
  }

  /** Messages are forwarded in order even when one of them needs its binary encoded first. */
  private forwarding: Promise<void> = Promise.resolve();

  forward(raw: unknown): void {
    if (this.isStopped) {
      // In turn behind what is still being encoded, so the answers come in the order of the requests.
      if (this.isRejected) this.forwarding = this.forwarding.then(() => this.refuse(raw, NO_LONGER_HOSTED));
      return;
    }
    if (!this.answersOpenRequest(raw) && !this.isSelfClocked(raw) && !this.rate.take()) {
      this.refuse(raw, `Too many messages: a widget may post at most ${MAX_MESSAGES_PER_SECOND} a second (${MAX_MESSAGES_BURST} at once)`);
      return;
    }
    this.queued++;
    this.forwarding = this.forwarding.then(async () => {
      // If encoding fails, the message goes as it is: the background then refuses it with a reply.
      const message = await encodeBinaryData(raw).catch(() => raw);
      this.queued--;
      // Refused while this one was being encoded: it is answered, not sent to a port that is gone.
      if (this.isStopped) {
        if (this.isRejected) this.refuse(raw, NO_LONGER_HOSTED);
        return;
      }
      if (v.is(FromWidgetRequest, message) && !this.inFlight.has(message.requestId)) {
        if (this.inFlight.size >= MAX_IN_FLIGHT) {
          this.refuse(raw, 'Too many requests in flight: wait for some to be answered');
          return;
        }
        this.inFlight.set(message.requestId, message);
      }
      this.send({ kind: 'widgetMessageRelayed', origin: this.origin, message });
    });
  }

  /** Messages taken by `forward` and not yet handed on (their binary may still be encoding). */
  private queued = 0;

  /** A request while nothing of this frame's waits to be forwarded or answered. */
  private isSelfClocked(raw: unknown): boolean {
    return this.queued === 0 && this.inFlight.size === 0 && v.is(FromWidgetRequest, raw);
  }

  /** The widget's answer to a request the background posted into the frame (each counts once). */
  private answersOpenRequest(raw: unknown): boolean {
    return v.is(ToWidgetResponse, raw) && this.openToWidget.delete(raw.requestId);
  }

  /** A request gets its one reply from here, with the widget's exact origin as target; the rest is dropped. */
  private refuse(raw: unknown, message: string): void {
    const reply = refusalOf(raw, message);
    if (reply) this.iframe.contentWindow?.postMessage(reply, this.origin);
  }

  stop(): void {
    this.isStopped = true;
    clearInterval(this.keepAliveTimer);
    clearTimeout(this.reconnectTimer);
    document.removeEventListener('visibilitychange', this.reportVisibility);
    this.port?.disconnect();
    this.port = undefined;
    this.onStopped();
  }

  /**
   * The page's visibility, read again on every event: a page can dispatch a fake `visibilitychange`,
   * but cannot change what `document.visibilityState` says in this isolated world.
   */
  private readonly reportVisibility = (): void => {
    this.send({ kind: 'pageVisibilityChanged', isVisible: document.visibilityState === 'visible' });
  };

  private send(message: ContentToBackground): void {
    if (this.isStopped) return;
    // A stopped worker disconnects the port; the next message reconnects and wakes it. The
    // disconnect can also be noticed only when posting throws: reconnect and post once more.
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        if (!this.port) this.connect(true);
        this.port?.postMessage(message);
        return;
      } catch {
        this.port = undefined;
      }
    }
  }

  private connect(isResumed: boolean): void {
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    const port = browser.runtime.connect({ name: WIDGET_PORT_NAME });
    this.port = port;
    this.connectedAt = Date.now();
    this.hasHeardBack = false;
    port.onMessage.addListener((raw: unknown) => this.receive(raw));
    port.onDisconnect.addListener(() => {
      if (this.port !== port) return;
      this.port = undefined;
      if (this.isStopped) return;
      // The worker went away (stopped, crashed, updated). The widget is still live, so the relay
      // comes back at once rather than at its next message: a new worker pushes the events synced
      // since to the hosts that are back (issue #7).
      const hasFailed = !this.hasHeardBack && Date.now() - this.connectedAt < SHORT_CONNECTION_MS;
      this.failedConnections = hasFailed ? this.failedConnections + 1 : 0;
      const delay = hasFailed ? Math.min(MAX_RECONNECT_DELAY_MS, RECONNECT_BACKOFF_MS * 2 ** (this.failedConnections - 1)) : 0;
      this.reconnectTimer = setTimeout(() => this.resume(), delay);
    });
    const roomHint = this.iframe.dataset['matrixRoom'];
    port.postMessage({
      kind: 'frameAnnounced',
      widgetOrigin: this.origin,
      isMarked: this.isMarked,
      ...(roomHint ? { roomHint } : {}),
      ...(this.templateLoadId ? { templateLoadId: this.templateLoadId } : {}),
      isResumed,
    } satisfies ContentToBackground);
    // Each host (a new one after a stopped worker too) learns the current state at once.
    port.postMessage({ kind: 'pageVisibilityChanged', isVisible: document.visibilityState === 'visible' } satisfies ContentToBackground);
    // What the previous worker had not answered goes to this one, before anything newer.
    if (isResumed) {
      for (const message of this.inFlight.values()) port.postMessage({ kind: 'widgetMessageRelayed', origin: this.origin, message } satisfies ContentToBackground);
    }
  }

  /** Reconnects after the worker went away (and delivers again what it had not answered). */
  private resume(): void {
    this.reconnectTimer = undefined;
    if (this.isStopped || this.port) return;
    try {
      this.connect(true);
    } catch {
      // The extension was reloaded or removed: this content script is orphaned for good.
      this.stop();
    }
  }

  private receive(raw: unknown): void {
    const parsed = v.safeParse(BackgroundToContent, raw);
    if (!parsed.success) return;
    this.hasHeardBack = true;
    const message = parsed.output;
    if (message.kind === 'frameRejected') {
      if (!message.isForPreviousDocument) {
        // The document that asked is still there: each request the background will no longer answer
        // gets its one reply from here (a host closed by an account switch drops what it had open).
        this.isRejected = true;
        for (const waiting of this.inFlight.values()) this.refuse(waiting, NO_LONGER_HOSTED_IN_FLIGHT);
        this.inFlight.clear();
      }
      this.stop();
      // A frame that navigated: its new document may already be speaking (in Firefox 153 its first
      // request arrived between this and the frame's `load`), so it is not ignored until then.
      if (!message.isForPreviousDocument) this.onRejected(this.iframe);
      return;
    }
    if (message.kind === 'frameChallenge') {
      // Into this relay's own iframe only, and only while it holds a document of the widget's origin:
      // its content script reports the nonce, and the browser tells the background which frame it is.
      this.iframe.contentWindow?.postMessage({ mwbFrameChallenge: message.nonce } satisfies FrameChallengePosted, this.origin);
      return;
    }
    for (const widgetMessage of message.messages) this.postToWidget(widgetMessage);
  }

  private postToWidget(message: WidgetInbound): void {
    if (message.api === 'fromWidget' && message.response) this.inFlight.delete(message.requestId);
    if (this.isRepeatedPush(message)) {
      this.send({ kind: 'pushSuppressed', requestId: message.requestId });
      return;
    }
    if (message.api === 'toWidget' && !message.response) this.expectAnswer(message.requestId);
    // If the frame navigated to another origin, the browser drops this instead of leaking it.
    this.iframe.contentWindow?.postMessage(decodeBinaryResponse(message), this.origin);
  }

  private expectAnswer(requestId: string): void {
    this.openToWidget.add(requestId);
    if (this.openToWidget.size > MAX_OPEN_TO_WIDGET) this.openToWidget.delete(this.openToWidget.values().next().value as string);
  }

  /** A toWidget `send_event` of an event already posted into this frame; remembers new ones. */
  private isRepeatedPush(message: WidgetInbound): boolean {
    if (message.api !== 'toWidget' || message.action !== 'send_event' || message.response) return false;
    const eventId = message.data['event_id'];
    if (typeof eventId !== 'string') return false;
    if (this.pushedEventIds.has(eventId)) return true;
    this.pushedEventIds.add(eventId);
    if (this.pushedEventIds.size > MAX_PUSHED_EVENT_IDS) this.pushedEventIds.delete(this.pushedEventIds.values().next().value as string);
    return false;
  }
}
