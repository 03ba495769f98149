// The relay between one widget frame and the background (frame-relay.ts): widget messages go over
// the port in order, the background's go into the frame with the widget's exact origin as target,
// a challenge goes into the relay's own iframe, a refusal stops it, a repeated push is held back,
// and a worker that goes away is reconnected (at once, or backing off when it never answered) and
// given again what it had not answered. The browser parts are fakes: the runtime port, the iframe
// and the document; timers and the clock are the test's.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WIDGET_PORT_NAME } from '../../src/shared/protocol/ports';

type FakePort = {
  name: string;
  posted: unknown[];
  isDisconnected: boolean;
  /** The background sends a message over this port. */
  receive(message: unknown): void;
  /** The worker went away: the browser disconnects the port. */
  drop(): void;
};

const ports: FakePort[] = [];
vi.mock('webextension-polyfill', () => ({
  default: {
    runtime: {
      connect: ({ name }: { name: string }) => {
        const onMessage: ((message: unknown) => void)[] = [];
        const onDisconnect: (() => void)[] = [];
        const port: FakePort & Record<string, unknown> = {
          name,
          posted: [],
          isDisconnected: false,
          receive: (message) => onMessage.forEach((listener) => listener(message)),
          drop: () => {
            port.isDisconnected = true;
            onDisconnect.forEach((listener) => listener());
          },
          postMessage: (message: unknown) => {
            if (port.isDisconnected) throw new Error('Attempting to use a disconnected port object');
            port.posted.push(structuredClone(message));
          },
          disconnect: () => void (port.isDisconnected = true),
          onMessage: { addListener: (listener: (message: unknown) => void) => onMessage.push(listener) },
          onDisconnect: { addListener: (listener: () => void) => onDisconnect.push(listener) },
        };
        ports.push(port);
        return port;
      },
    },
  },
}));

const { FrameRelay, MAX_IN_FLIGHT, MAX_MESSAGES_BURST, MAX_MESSAGES_PER_SECOND } = await import('../../src/content/frame-relay');
const { NO_LONGER_HOSTED, NO_LONGER_HOSTED_IN_FLIGHT } = await import('../../src/content/message-routing');

const WIDGET_ORIGIN = 'https://widget.example';

/** The embedding document as the relay's isolated world sees it. */
const fakeDocument = {
  visibilityState: 'visible' as DocumentVisibilityState,
  listeners: new Map<string, () => void>(),
  addEventListener(type: string, listener: () => void) {
    this.listeners.set(type, listener);
  },
  removeEventListener(type: string) {
    this.listeners.delete(type);
  },
};

function fakeIframe(dataset: Record<string, string> = {}) {
  const intoFrame: { message: unknown; targetOrigin: string }[] = [];
  const iframe = {
    isConnected: true,
    dataset,
    contentWindow: { postMessage: (message: unknown, targetOrigin: string) => intoFrame.push({ message, targetOrigin }) },
  };
  return { iframe, intoFrame };
}

function relay(options: { dataset?: Record<string, string>; templateLoadId?: string } = {}) {
  const { iframe, intoFrame } = fakeIframe(options.dataset);
  const events: string[] = [];
  const created = new FrameRelay(
    iframe as unknown as HTMLIFrameElement,
    WIDGET_ORIGIN,
    true,
    false,
    options.templateLoadId,
    () => events.push('stopped'),
    () => events.push('rejected'),
  );
  return { relay: created, iframe, intoFrame, events, port: () => ports.at(-1) as FakePort };
}

/** Lets the relay's promise chain (binary encoding before each forward) run. */
const flush = () => vi.advanceTimersByTimeAsync(0);

const request = (requestId: string, action = 'send_event') => ({ api: 'fromWidget', widgetId: 'w', requestId, action, data: {} });
const replyMessage = (requestId: string) => ({ ...request(requestId), response: { event_id: '$sent' } });
const pushMessage = (requestId: string, eventId: string) => ({
  api: 'toWidget',
  widgetId: 'w',
  requestId,
  action: 'send_event',
  data: { event_id: eventId, type: 'm.room.message' },
});
const reply = (requestId: string) => ({ kind: 'postToWidget', messages: [replyMessage(requestId)] });
const push = (requestId: string, eventId: string) => ({ kind: 'postToWidget', messages: [pushMessage(requestId, eventId)] });
const relayed = (port: FakePort) =>
  port.posted.filter((message) => (message as { kind: string }).kind === 'widgetMessageRelayed').map((message) => (message as { message: { requestId: string } }).message.requestId);

beforeEach(() => {
  ports.length = 0;
  fakeDocument.visibilityState = 'visible';
  fakeDocument.listeners.clear();
  vi.stubGlobal('document', fakeDocument);
  vi.useFakeTimers({ now: 1_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('FrameRelay: connecting', () => {
  it('opens a widget port and announces the frame, then the page’s visibility', () => {
    const { port } = relay({ dataset: { matrixRoom: '!room:hs' }, templateLoadId: 'load-1' });
    expect(port().name).toBe(WIDGET_PORT_NAME);
    expect(port().posted).toEqual([
      { kind: 'frameAnnounced', widgetOrigin: WIDGET_ORIGIN, isMarked: true, roomHint: '!room:hs', templateLoadId: 'load-1', isResumed: false },
      { kind: 'pageVisibilityChanged', isVisible: true },
    ]);
  });

  it('reports each visibility change as the document says it is', () => {
    const { port } = relay();
    fakeDocument.visibilityState = 'hidden';
    fakeDocument.listeners.get('visibilitychange')?.();
    expect(port().posted.at(-1)).toEqual({ kind: 'pageVisibilityChanged', isVisible: false });
  });
});

describe('FrameRelay: widget → background', () => {
  it('forwards what the widget posts, with the origin it came from, in order even when one needs encoding', async () => {
    const { relay: frame, port } = relay();
    const withFile = { ...request('upload', 'org.matrix.msc4039.upload_file'), data: { file: new Blob(['bytes'], { type: 'text/plain' }) } };
    frame.forward(withFile);
    frame.forward(request('after'));
    frame.forward('not even an object'); // the background refuses it; the relay decides nothing
    await flush();
    const forwarded = port().posted.filter((message) => (message as { kind: string }).kind === 'widgetMessageRelayed');
    expect(forwarded.map((message) => (message as { origin: string }).origin)).toEqual([WIDGET_ORIGIN, WIDGET_ORIGIN, WIDGET_ORIGIN]);
    expect(forwarded.map((message) => (message as { message: unknown }).message)).toEqual([
      { ...withFile, data: { file: expect.objectContaining({ type: 'text/plain' }) } },
      request('after'),
      'not even an object',
    ]);
    expect(((forwarded[0] as { message: { data: { file: unknown } } }).message.data.file as object) instanceof Blob).toBe(false); // encoded for JSON
  });
});

describe('FrameRelay: shedding load', () => {
  /** A message that is no request and answers nothing the relay posted: metered, never replied to. */
  const stray = (index: number) => ({ api: 'toWidget', widgetId: 'w', requestId: `stray-${index}`, action: 'send_event', data: {}, response: {} });
  const refusals = (intoFrame: { message: unknown }[]) =>
    intoFrame.map(({ message }) => message as { requestId: string; response?: { error?: { message: string } } }).filter((message) => message.response?.error);

  it('answers a request past the rate itself, once, and drops anything else past it', async () => {
    const { relay: frame, port, intoFrame } = relay();
    for (let index = 0; index < MAX_MESSAGES_BURST; index++) frame.forward(stray(index));
    frame.forward(request('over-the-rate'));
    frame.forward(stray(-1));
    await flush();
    expect(relayed(port())).toHaveLength(MAX_MESSAGES_BURST);
    expect(relayed(port())).not.toContain('over-the-rate');
    expect(intoFrame).toEqual([
      {
        message: { ...request('over-the-rate'), response: { error: { message: `Too many messages: a widget may post at most ${MAX_MESSAGES_PER_SECOND} a second (${MAX_MESSAGES_BURST} at once)` } } },
        targetOrigin: WIDGET_ORIGIN,
      },
    ]);
    // The bucket refills: a second later the widget may post again.
    await vi.advanceTimersByTimeAsync(1_000);
    frame.forward(request('a second later'));
    await flush();
    expect(relayed(port()).at(-1)).toBe('a second later');
    expect(refusals(intoFrame)).toHaveLength(1);
  });

  it('does not meter a widget that waits for each reply before it asks again, only what it posts on top', async () => {
    const { relay: frame, port, intoFrame } = relay();
    const rounds = MAX_MESSAGES_BURST * 3;
    for (let index = 0; index < rounds; index++) {
      frame.forward(request(`sequential-${index}`));
      await flush();
      port().receive(reply(`sequential-${index}`));
    }
    expect(relayed(port())).toHaveLength(rounds);
    expect(refusals(intoFrame)).toEqual([]);
    // They took no tokens: the whole burst is still there for what is posted on top, and a request
    // posted while those wait to be forwarded is metered like them.
    for (let index = 0; index < MAX_MESSAGES_BURST; index++) frame.forward(stray(index));
    frame.forward(request('on-top'));
    await flush();
    expect(relayed(port())).toHaveLength(rounds + MAX_MESSAGES_BURST);
    expect(refusals(intoFrame).map((message) => message.requestId)).toEqual(['on-top']);
  });

  it('passes the widget’s answers to the background’s own requests whatever the rate, each once', async () => {
    const { relay: frame, port } = relay();
    for (let index = 0; index < MAX_MESSAGES_BURST; index++) frame.forward(stray(index));
    port().receive(push('push-1', '$event'));
    const answer = { ...pushMessage('push-1', '$event'), response: {} };
    frame.forward(answer);
    frame.forward(answer); // a second answer to it is metered like anything else: the bucket is empty
    await flush();
    expect(relayed(port()).filter((requestId) => requestId === 'push-1')).toHaveLength(1);
  });

  it(`keeps at most ${MAX_IN_FLIGHT} unanswered requests and answers the next itself, once`, async () => {
    const { relay: frame, port, intoFrame } = relay();
    for (let index = 0; index < MAX_IN_FLIGHT; index++) frame.forward(request(`r${index}`));
    frame.forward(request('one too many'));
    frame.forward(request('r0')); // a duplicate of one in flight goes on: the host answers the original once
    await flush();
    expect(relayed(port())).toHaveLength(MAX_IN_FLIGHT + 1);
    expect(relayed(port())).not.toContain('one too many');
    expect(refusals(intoFrame).map((message) => [message.requestId, message.response?.error?.message])).toEqual([
      ['one too many', 'Too many requests in flight: wait for some to be answered'],
    ]);
    // Once one is answered there is room again.
    port().receive(reply('r1'));
    frame.forward(request('after an answer'));
    await flush();
    expect(relayed(port()).at(-1)).toBe('after an answer');
  });
});

describe('FrameRelay: background → widget', () => {
  it('posts the background’s messages into the frame with the widget’s exact origin, never "*"', () => {
    const { port, intoFrame } = relay();
    port().receive(reply('r1'));
    expect(intoFrame).toEqual([{ message: replyMessage('r1'), targetOrigin: WIDGET_ORIGIN }]);
  });

  it('posts the messages of one port message into the frame one by one, in order, holding back a repeated push', () => {
    const { port, intoFrame } = relay();
    port().receive({ kind: 'postToWidget', messages: [pushMessage('push-1', '$a'), replyMessage('r1'), pushMessage('push-2', '$a'), pushMessage('push-3', '$b')] });
    expect(intoFrame.map(({ message }) => (message as { requestId: string }).requestId)).toEqual(['push-1', 'r1', 'push-3']);
    expect(intoFrame.every(({ targetOrigin }) => targetOrigin === WIDGET_ORIGIN)).toBe(true);
    expect(port().posted).toContainEqual({ kind: 'pushSuppressed', requestId: 'push-2' });
  });

  it('ignores what does not match the protocol', () => {
    const { port, intoFrame } = relay();
    port().receive({ kind: 'postToWidget', messages: [{ api: 'somethingElse' }] });
    port().receive({ kind: 'postToWidget', messages: [] });
    port().receive({ kind: 'postToWidget', message: replyMessage('r1') });
    port().receive({ kind: 'evalThis', code: '1' });
    expect(intoFrame).toEqual([]);
  });

  it('posts a frame challenge into its own iframe, for the widget origin only', () => {
    const { port, intoFrame } = relay();
    port().receive({ kind: 'frameChallenge', nonce: 'nonce-1' });
    expect(intoFrame).toEqual([{ message: { mwbFrameChallenge: 'nonce-1' }, targetOrigin: WIDGET_ORIGIN }]);
  });

  it('holds back a second push of an event already in the frame, and tells the background it was there', () => {
    const { port, intoFrame } = relay();
    port().receive(push('push-1', '$event'));
    port().receive(push('push-2', '$event'));
    port().receive(push('push-3', '$other'));
    expect(intoFrame.map(({ message }) => (message as { requestId: string }).requestId)).toEqual(['push-1', 'push-3']);
    expect(port().posted.filter((message) => (message as { kind: string }).kind === 'pushSuppressed')).toEqual([{ kind: 'pushSuppressed', requestId: 'push-2' }]);
  });

  it('stops when refused: the port closes and nothing more is forwarded; a refusal for the previous document is not the frame’s', async () => {
    const refused = relay();
    refused.port().receive({ kind: 'frameRejected', reason: 'The extension is switched off for this site', isForPreviousDocument: false });
    expect(refused.events).toEqual(['stopped', 'rejected']);
    expect(refused.port().isDisconnected).toBe(true);
    const before = ports.length;
    refused.relay.forward(request('too-late'));
    await flush();
    expect(ports.length).toBe(before); // no reconnect
    expect(relayed(refused.port())).toEqual([]);

    const navigated = relay();
    navigated.port().receive({ kind: 'frameRejected', reason: 'The frame navigated', isForPreviousDocument: true });
    expect(navigated.events).toEqual(['stopped']);
  });

  it('answers, when refused, every request the background had not answered and every one after, with an error (issue #18)', async () => {
    const refused = relay();
    refused.relay.forward(request('answered'));
    refused.relay.forward(request('open-1'));
    refused.relay.forward(request('open-2'));
    await flush();
    refused.port().receive(reply('answered'));
    // Posted before the refusal and still being encoded when it came.
    refused.relay.forward(request('in-the-queue'));
    refused.port().receive({ kind: 'frameRejected', reason: 'Switched to another account', isForPreviousDocument: false });
    refused.relay.forward(request('after'));
    refused.relay.forward({ api: 'toWidget', widgetId: 'w', requestId: 'an-answer', action: 'capabilities', data: {}, response: {} });
    await flush();
    const answers = refused.intoFrame.map(({ message, targetOrigin }) => {
      const { requestId, response } = message as { requestId: string; response: { event_id?: string; error?: { message: string } } };
      return { requestId, targetOrigin, answer: response.event_id ?? response.error?.message };
    });
    expect(answers).toEqual([
      { requestId: 'answered', targetOrigin: WIDGET_ORIGIN, answer: '$sent' },
      { requestId: 'open-1', targetOrigin: WIDGET_ORIGIN, answer: NO_LONGER_HOSTED_IN_FLIGHT },
      { requestId: 'open-2', targetOrigin: WIDGET_ORIGIN, answer: NO_LONGER_HOSTED_IN_FLIGHT },
      { requestId: 'in-the-queue', targetOrigin: WIDGET_ORIGIN, answer: NO_LONGER_HOSTED },
      { requestId: 'after', targetOrigin: WIDGET_ORIGIN, answer: NO_LONGER_HOSTED },
    ]);
    // The reason stays with the extension: the page is not told that another account is active.
    expect(JSON.stringify(refused.intoFrame)).not.toContain('account');
    expect(relayed(refused.port())).toEqual(['answered', 'open-1', 'open-2']);

    // A frame that navigated: the open request was its previous document's, and is not answered into the new one.
    const navigated = relay();
    navigated.relay.forward(request('of-the-old-document'));
    await flush();
    navigated.port().receive({ kind: 'frameRejected', reason: 'The frame navigated', isForPreviousDocument: true });
    navigated.relay.forward(request('too-late'));
    await flush();
    expect(navigated.intoFrame).toEqual([]);
  });
});

describe('FrameRelay: the worker goes away', () => {
  it('reconnects at once as resumed, and delivers again only what was not answered, before anything newer', async () => {
    const { relay: frame, port } = relay();
    frame.forward(request('answered'));
    frame.forward(request('unanswered'));
    await flush();
    const first = port();
    first.receive(reply('answered'));
    first.drop();
    await vi.advanceTimersByTimeAsync(0);
    const second = port();
    expect(second).not.toBe(first);
    expect(second.posted[0]).toMatchObject({ kind: 'frameAnnounced', isResumed: true });
    frame.forward(request('newer'));
    await flush();
    expect(relayed(second)).toEqual(['unanswered', 'newer']);
  });

  it('backs off while a new worker never answers, doubling from 100 ms', async () => {
    relay();
    const delays: number[] = [];
    for (let attempt = 0; attempt < 4; attempt++) {
      const count = ports.length;
      ports.at(-1)?.drop(); // dropped at once, without a word from the background
      let waited = 0;
      while (ports.length === count) {
        await vi.advanceTimersByTimeAsync(10);
        waited += 10;
      }
      delays.push(waited);
    }
    expect(delays).toEqual([100, 200, 400, 800]);
  });

  it('reconnects and posts again when posting shows the port is gone', async () => {
    const { relay: frame, port } = relay();
    const first = port();
    first.isDisconnected = true; // the browser has not told the relay yet
    frame.forward(request('r1'));
    await flush();
    expect(port()).not.toBe(first);
    expect(port().posted[0]).toMatchObject({ kind: 'frameAnnounced', isResumed: true });
    expect(relayed(port())).toContain('r1');
  });
});

describe('FrameRelay: keep-alive', () => {
  it('keeps the worker alive every 20 s while the frame is in the page, and stops once the page removed it', async () => {
    const { iframe, port, events } = relay();
    await vi.advanceTimersByTimeAsync(20_000);
    expect(port().posted.at(-1)).toEqual({ kind: 'keepAlive' });
    iframe.isConnected = false;
    await vi.advanceTimersByTimeAsync(20_000);
    expect(events).toEqual(['stopped']);
    expect(port().isDisconnected).toBe(true);
    expect(fakeDocument.listeners.has('visibilitychange')).toBe(false);
  });
});
