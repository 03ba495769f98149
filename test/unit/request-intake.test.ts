// The host's intake of fromWidget requests: a duplicate of a request in flight is neither performed
// nor answered (the original's reply is the one), while an id reused after its reply is a new
// request (matrix-widget-api reuses `widgetapi-<ms>` ids). The e2e story shows the same in a browser,
// where it can only wait; here each `handle()` resolves once its message was dealt with.
import { describe, expect, it } from 'vitest';
import type { ActionResult } from '../../src/background/widgets/actions/action-context';
import { RequestGate } from '../../src/background/widgets/actions/request-gate';
import { MAX_REQUESTS_IN_FLIGHT, RequestIntake } from '../../src/background/widgets/host/request-intake';
import type { FromWidgetRequest, WidgetInbound } from '../../src/shared/protocol/widget-api';

const ORIGIN = 'https://widget.example';

function intake(perform?: (request: FromWidgetRequest) => Promise<ActionResult>) {
  const performed: FromWidgetRequest[] = [];
  const replies: WidgetInbound[] = [];
  const finish: ((result: ActionResult) => void)[] = [];
  const requests = new RequestIntake(
    ORIGIN,
    {
      started: () => undefined,
      perform: (request) => {
        performed.push(request);
        return perform ? perform(request) : new Promise<ActionResult>((resolve) => finish.push(resolve));
      },
      toWidgetAnswered: () => undefined,
      reply: (message) => replies.push(message),
      answered: () => undefined,
    },
    undefined,
  );
  return { requests, performed, replies, finish };
}

const read = (requestId: string) => ({
  api: 'fromWidget',
  widgetId: 'w',
  requestId,
  action: 'org.matrix.msc2876.read_events',
  data: { type: 'm.room.message', limit: 1 },
});

describe('RequestIntake', () => {
  it('performs a duplicate of a request in flight not at all, and answers the original once', async () => {
    const { requests, performed, replies, finish } = intake();
    const original = requests.handle(ORIGIN, read('same-id'));
    // The duplicate is dealt with (dropped) by the time its handle() resolves, the original still in flight.
    await requests.handle(ORIGIN, read('same-id'));
    expect(performed).toHaveLength(1);
    expect(replies).toEqual([]);
    finish[0]?.({ events: [] });
    await original;
    expect(replies.map((reply) => reply.requestId)).toEqual(['same-id']);
  });

  it('performs and answers an id again once its first request was answered', async () => {
    const { requests, performed, replies, finish } = intake();
    const first = requests.handle(ORIGIN, read('reused-id'));
    finish[0]?.({});
    await first;
    const second = requests.handle(ORIGIN, read('reused-id'));
    finish[1]?.({});
    await second;
    expect(performed).toHaveLength(2);
    expect(replies.map((reply) => reply.requestId)).toEqual(['reused-id', 'reused-id']);
  });

  it(`answers a request past ${MAX_REQUESTS_IN_FLIGHT} in flight at once with an error, without performing it`, async () => {
    const { requests, performed, replies, finish } = intake();
    const inFlight = Array.from({ length: MAX_REQUESTS_IN_FLIGHT }, (_, index) => requests.handle(ORIGIN, read(`r${index}`)));
    await requests.handle(ORIGIN, read('one too many'));
    expect(performed).toHaveLength(MAX_REQUESTS_IN_FLIGHT);
    expect(replies).toEqual([{ ...read('one too many'), response: { error: { message: 'Too many requests in flight: wait for some to be answered' } } }]);
    for (const answer of finish) answer({ events: [] });
    await Promise.all(inFlight);
    expect(replies).toHaveLength(MAX_REQUESTS_IN_FLIGHT + 1);
    expect(new Set(replies.map((reply) => reply.requestId)).size).toBe(MAX_REQUESTS_IN_FLIGHT + 1);
  });

  it('answers a request its widget’s full lane at the gate refused with one error reply', async () => {
    const gate = new RequestGate(1, 1);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const { requests, replies } = intake(() => gate.run('host:1:1', async () => (await held, { events: [] })));
    const running = requests.handle(ORIGIN, read('running'));
    const waiting = requests.handle(ORIGIN, read('waiting'));
    await requests.handle(ORIGIN, read('refused'));
    expect(replies).toEqual([
      { ...read('refused'), response: { error: { message: 'Too many requests waiting for the homeserver (at most 1 per widget): wait for some to be answered' } } },
    ]);
    release();
    await Promise.all([running, waiting]);
    expect(replies.map((reply) => reply.requestId)).toEqual(['refused', 'running', 'waiting']);
  });
});
