import { describe, expect, it } from 'vitest';
import { RequestGate } from '../../src/background/widgets/actions/request-gate';

function deferred(): { promise: Promise<void>; resolve: () => void; reject: (error: Error) => void } {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((yes, no) => ((resolve = yes), (reject = no)));
  return { promise, resolve, reject };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('RequestGate', () => {
  it('runs at most `limit` tasks at once and starts the rest in arrival order', async () => {
    const gate = new RequestGate(2);
    const started: number[] = [];
    const finish = Array.from({ length: 5 }, () => deferred());
    const runs = finish.map((task, index) => gate.run(async () => (started.push(index), await task.promise, index)));
    await tick();
    expect(started).toEqual([0, 1]);
    expect(gate.load).toEqual({ running: 2, waiting: 3 });
    finish[1]!.resolve();
    await tick();
    expect(started).toEqual([0, 1, 2]);
    finish[0]!.resolve();
    finish[2]!.resolve();
    await tick();
    expect(started).toEqual([0, 1, 2, 3, 4]);
    finish[3]!.resolve();
    finish[4]!.resolve();
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3, 4]);
    expect(gate.load).toEqual({ running: 0, waiting: 0 });
  });

  it('frees the slot of a task that fails and passes the failure on', async () => {
    const gate = new RequestGate(1);
    const failing = gate.run(() => Promise.reject(new Error('homeserver down')));
    const next = gate.run(async () => 'went out');
    await expect(failing).rejects.toThrow('homeserver down');
    expect(await next).toBe('went out');
    expect(gate.load).toEqual({ running: 0, waiting: 0 });
  });

  it('refuses a limit that would let nothing through', () => {
    expect(() => new RequestGate(0)).toThrow(RangeError);
  });
});
