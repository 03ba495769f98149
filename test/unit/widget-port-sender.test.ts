// The background's side of a widget frame's port (widget-port-sender.ts): the widget messages of one
// task leave as one port message, in order; any other message leaves at once, behind them; a task
// with more than a post holds is split. The port is a list, the end of the task the test's call.
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { MAX_WIDGET_MESSAGES_PER_POST, type BackgroundToContent } from '../../src/shared/protocol/background-to-content';
import { WidgetPortSender } from '../../src/background/widgets/frames/widget-port-sender';
import type { WidgetInbound } from '../../src/shared/protocol/widget-api';

const message = (requestId: string): WidgetInbound => ({ api: 'toWidget', widgetId: 'w', requestId, action: 'send_event', data: {} });

function sender() {
  const posted: BackgroundToContent[] = [];
  const scheduled: (() => void)[] = [];
  const created = new WidgetPortSender(
    (posting) => posted.push(posting),
    (flush) => scheduled.push(flush),
  );
  const endTask = () => scheduled.splice(0).forEach((flush) => flush());
  const ids = () => posted.map((post) => (post.kind === 'postToWidget' ? post.messages.map(({ requestId }) => requestId) : post.kind));
  return { sender: created, posted, endTask, ids };
}

describe('WidgetPortSender', () => {
  it('sends the widget messages of one task as one port message, at the end of the task, in order', () => {
    const { sender: port, posted, endTask, ids } = sender();
    port.toWidget(message('a'));
    port.toWidget(message('b'));
    port.toWidget(message('c'));
    expect(posted).toEqual([]);
    endTask();
    expect(ids()).toEqual([['a', 'b', 'c']]);
    port.toWidget(message('d'));
    endTask();
    expect(ids()).toEqual([['a', 'b', 'c'], ['d']]);
  });

  it('sends any other message at once, behind the widget messages queued before it', () => {
    const { sender: port, endTask, ids } = sender();
    port.toWidget(message('a'));
    port.send({ kind: 'frameRejected', reason: 'The frame navigated', isForPreviousDocument: true });
    port.toWidget(message('b'));
    endTask();
    expect(ids()).toEqual([['a'], 'frameRejected', ['b']]);
  });

  it('splits a task’s messages into posts of at most MAX_WIDGET_MESSAGES_PER_POST', () => {
    const { sender: port, endTask, ids } = sender();
    const count = MAX_WIDGET_MESSAGES_PER_POST * 2 + 3;
    for (let index = 0; index < count; index++) port.toWidget(message(`m${index}`));
    endTask();
    const posts = ids() as string[][];
    expect(posts.map((post) => post.length)).toEqual([MAX_WIDGET_MESSAGES_PER_POST, MAX_WIDGET_MESSAGES_PER_POST, 3]);
    expect(posts.flat()).toEqual(Array.from({ length: count }, (_, index) => `m${index}`));
  });

  it('posts nothing for a task that queued nothing', () => {
    const { sender: port, posted, endTask } = sender();
    port.toWidget(message('a'));
    port.send({ kind: 'frameChallenge', nonce: 'n' });
    endTask();
    expect(posted.map((post) => post.kind)).toEqual(['postToWidget', 'frameChallenge']);
  });

  it('by default sends at the end of the current task (a microtask)', async () => {
    // Browsers refuse a global function called on another object ("Illegal invocation"); Node does not.
    const nodeQueueMicrotask = globalThis.queueMicrotask;
    vi.stubGlobal('queueMicrotask', function (this: unknown, callback: () => void) {
      if (this !== undefined && this !== globalThis) throw new TypeError('Illegal invocation');
      nodeQueueMicrotask(callback);
    });
    onTestFinished(() => {
      vi.unstubAllGlobals();
    });
    const posted: BackgroundToContent[] = [];
    const port = new WidgetPortSender((posting) => posted.push(posting));
    port.toWidget(message('a'));
    port.toWidget(message('b'));
    expect(posted).toEqual([]);
    await Promise.resolve();
    expect(posted).toEqual([{ kind: 'postToWidget', messages: [message('a'), message('b')] }]);
  });
});
