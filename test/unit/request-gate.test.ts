// The account's request gate (request-gate.ts): at most `limit` widget calls at the homeserver, the
// rest waiting in one lane per widget host; a free slot goes to the lanes in turn, so a widget with
// one request is not starved by another's flood, and a lane past its bound is refused at once.
import { describe, expect, it } from 'vitest';
import { RequestGate, RequestGateFull } from '../../src/background/widgets/actions/request-gate';
import { WidgetRequestRefused } from '../../src/background/widgets/actions/widget-errors';

function deferred(): { promise: Promise<void>; resolve: () => void; reject: (error: Error) => void } {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((yes, no) => ((resolve = yes), (reject = no)));
  return { promise, resolve, reject };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

/** Tasks that record when they start and finish only when told, each under a name. */
function slowTasks(gate: RequestGate) {
  const started: string[] = [];
  const finish = new Map<string, () => void>();
  const runs: Promise<string>[] = [];
  const queue = (lane: string, name: string) => {
    const task = deferred();
    finish.set(name, task.resolve);
    const run = gate.run(lane, async () => (started.push(name), await task.promise, name));
    runs.push(run);
    return run;
  };
  const done = async (name: string) => {
    finish.get(name)?.();
    await tick();
  };
  return { started, queue, done, runs };
}

describe('RequestGate', () => {
  it('runs at most `limit` tasks at once and starts a lane’s tasks in arrival order', async () => {
    const gate = new RequestGate(2, 10);
    const { started, queue, done, runs } = slowTasks(gate);
    for (let index = 0; index < 5; index++) void queue('a', `a${index}`);
    await tick();
    expect(started).toEqual(['a0', 'a1']);
    expect(gate.load).toEqual({ running: 2, waiting: 3, lanes: { a: 3 } });
    await done('a1');
    expect(started).toEqual(['a0', 'a1', 'a2']);
    await done('a0');
    await done('a2');
    expect(started).toEqual(['a0', 'a1', 'a2', 'a3', 'a4']);
    await done('a3');
    await done('a4');
    expect(await Promise.all(runs)).toEqual(['a0', 'a1', 'a2', 'a3', 'a4']);
    expect(gate.load).toEqual({ running: 0, waiting: 0, lanes: {} });
  });

  it('serves a widget’s single request after at most one of another widget’s queued flood', async () => {
    const gate = new RequestGate(1, 100);
    const { started, queue, done } = slowTasks(gate);
    for (let index = 0; index < 20; index++) void queue('flooding', `f${index}`);
    await tick();
    const single = queue('quiet', 'q0');
    await tick();
    expect(gate.load.lanes).toEqual({ flooding: 19, quiet: 1 });
    await done('f0');
    await done('f1');
    // One of the flood's waiting calls (f1, whose lane was first in the rotation), then the quiet one.
    expect(started).toEqual(['f0', 'f1', 'q0']);
    await done('q0');
    expect(await single).toBe('q0');
    expect(started.at(-1)).toBe('f2'); // the flood goes on
    expect(gate.load.lanes).toEqual({ flooding: 17 });
  });

  it('gives free slots to the waiting lanes in turn', async () => {
    const gate = new RequestGate(1, 100);
    const { started, queue, done } = slowTasks(gate);
    void queue('a', 'a0');
    for (const name of ['a1', 'a2', 'a3']) void queue('a', name);
    for (const name of ['b0', 'b1']) void queue('b', name);
    void queue('c', 'c0');
    await tick();
    for (const name of ['a0', 'a1', 'b0', 'c0', 'a2', 'b1', 'a3']) await done(name);
    expect(started).toEqual(['a0', 'a1', 'b0', 'c0', 'a2', 'b1', 'a3']);
    expect(gate.load).toEqual({ running: 0, waiting: 0, lanes: {} });
  });

  it('refuses a call at once when its lane is full, without running it; other lanes still wait', async () => {
    const gate = new RequestGate(1, 3);
    const { started, queue, done } = slowTasks(gate);
    for (const name of ['a0', 'a1', 'a2', 'a3']) void queue('a', name);
    await tick();
    expect(gate.load.lanes).toEqual({ a: 3 });
    let ran = false;
    const refused = gate.run('a', async () => void (ran = true));
    await expect(refused).rejects.toBeInstanceOf(RequestGateFull);
    await expect(refused).rejects.toBeInstanceOf(WidgetRequestRefused); // the widget sees the message
    await expect(refused).rejects.toThrow('Too many requests waiting for the homeserver (at most 3 per widget): wait for some to be answered');
    expect(ran).toBe(false);
    void queue('b', 'b0');
    await tick();
    expect(gate.load.lanes).toEqual({ a: 3, b: 1 });
    // Once one of the lane's calls has started, the lane takes another.
    await done('a0');
    void queue('a', 'a4');
    await tick();
    expect(gate.load.lanes).toEqual({ b: 1, a: 3 });
    expect(started).toEqual(['a0', 'a1']);
  });

  it('frees the slot of a task that fails and passes the failure on', async () => {
    const gate = new RequestGate(1, 10);
    const failing = gate.run('a', () => Promise.reject(new Error('homeserver down')));
    const next = gate.run('b', async () => 'went out');
    await expect(failing).rejects.toThrow('homeserver down');
    expect(await next).toBe('went out');
    expect(gate.load).toEqual({ running: 0, waiting: 0, lanes: {} });
  });

  it('refuses limits that would let nothing through or nothing wait', () => {
    expect(() => new RequestGate(0, 10)).toThrow(RangeError);
    expect(() => new RequestGate(4, 0)).toThrow(RangeError);
  });
});
