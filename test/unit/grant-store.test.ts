// The grant store keeps the decisions it read in memory (every pushed event checks them): what it
// must still guarantee is that every write through it is seen by the very next check.
import { describe, expect, it } from 'vitest';
import { GrantStore, MAX_CACHED_DECISIONS } from '../../src/background/grants/grant-store';
import type { WidgetIdentity } from '../../src/shared/core/widget-identity';
import { memoryStore } from '../support/memory-store';

const SEND = 'org.matrix.msc2762.send.event:m.room.message';
const RECEIVE = 'org.matrix.msc2762.receive.event:m.room.message';
const ROOM = '!room:example.org';
const widget: WidgetIdentity = { account: '@alice:example.org', siteOrigin: 'https://site.example', widgetUrl: 'https://widget.example/w', widgetId: 'w' };

/** A store that counts its reads and can hold a write back until told to finish it. */
function countingStore() {
  const inner = memoryStore();
  let reads = 0;
  let held: (() => void)[] | undefined;
  let onHeld: (() => void) | undefined;
  return {
    ...inner,
    get reads() {
      return reads;
    },
    /** Holds the next writes; resolves once one of them is waiting. */
    holdWrites(): Promise<void> {
      held = [];
      return new Promise((resolve) => (onHeld = resolve));
    },
    releaseWrites() {
      const waiting = held ?? [];
      held = undefined;
      for (const release of waiting) release();
    },
    get: async (key: string) => {
      reads++;
      return inner.get(key);
    },
    put: async (key: string, value: unknown) => {
      if (held) {
        const waiting = held;
        await new Promise<void>((resolve) => {
          waiting.push(resolve);
          onHeld?.();
        });
      }
      await inner.put(key, value);
    },
  };
}

async function storeWithGrant() {
  const backing = countingStore();
  const grants = new GrantStore(backing, memoryStore());
  await grants.recordDecision(widget, ROOM, { hostInstance: null }, [SEND, RECEIVE], [], 1);
  return { backing, grants };
}

describe('GrantStore', () => {
  it('answers repeated checks from memory', async () => {
    const { backing, grants } = await storeWithGrant();
    await grants.effectiveDecision(widget, ROOM, 'load-1');
    const reads = backing.reads;
    for (let index = 0; index < 10; index++) expect((await grants.effectiveDecision(widget, ROOM, 'load-1'))?.granted).toEqual([SEND, RECEIVE]);
    expect(backing.reads).toBe(reads);
  });

  it('sees every write on the next check: revoke, a new decision, dropped page loads, a forgotten site or account', async () => {
    const { grants } = await storeWithGrant();
    const granted = async () => (await grants.effectiveDecision(widget, ROOM, 'load-1'))?.granted ?? [];
    expect(await granted()).toEqual([SEND, RECEIVE]);
    await grants.revoke(widget, ROOM, { hostInstance: null }, [RECEIVE]);
    expect(await granted()).toEqual([SEND]);
    await grants.recordDecision(widget, ROOM, { hostInstance: 'load-1' }, [RECEIVE], [], 2);
    expect(await granted()).toEqual([SEND, RECEIVE]);
    await grants.dropInstanceDecisions('load-1');
    expect(await granted()).toEqual([SEND]);
    await grants.removeSite('https://site.example');
    expect(await granted()).toEqual([]);
    await grants.recordDecision(widget, ROOM, { hostInstance: null }, [SEND], [], 3);
    expect(await granted()).toEqual([SEND]);
    await grants.removeAccount(widget.account);
    expect(await granted()).toEqual([]);
    await grants.recordDecision(widget, ROOM, { hostInstance: null }, [SEND], [], 4);
    expect(await granted()).toEqual([SEND]);
    await grants.revoke(widget, ROOM, { hostInstance: null }, null);
    expect(await granted()).toEqual([]);
    await grants.recordDecision(widget, ROOM, { hostInstance: null }, [SEND], [], 5);
    expect(await granted()).toEqual([SEND]);
    await grants.clear();
    expect(await granted()).toEqual([]);
  });

  it(`keeps at most ${MAX_CACHED_DECISIONS} decisions in memory, the least recently checked going first, and reads a dropped one again`, async () => {
    const { backing, grants } = await storeWithGrant();
    expect((await grants.decisionFor(widget, ROOM))?.granted).toEqual([SEND, RECEIVE]);
    // A page making frames under ever new widget ids: each is a key (absent from the store).
    const claimed = (index: number): WidgetIdentity => ({ ...widget, widgetId: `claimed-${index}` });
    for (let index = 0; index < MAX_CACHED_DECISIONS - 1; index++) await grants.decisionFor(claimed(index), ROOM);
    let reads = backing.reads;
    await grants.decisionFor(widget, ROOM); // checked again: now the most recent
    await grants.decisionFor(claimed(0), ROOM);
    expect(backing.reads).toBe(reads); // all still in memory
    await grants.decisionFor(claimed(MAX_CACHED_DECISIONS), ROOM); // one more: the least recently checked (claimed-1) goes
    reads = backing.reads;
    expect((await grants.decisionFor(widget, ROOM))?.granted).toEqual([SEND, RECEIVE]);
    await grants.decisionFor(claimed(0), ROOM);
    expect(backing.reads).toBe(reads);
    await grants.decisionFor(claimed(1), ROOM);
    expect(backing.reads).toBe(reads + 1); // read from the store again
  });

  it('does not keep what was read while a revoke was being written', async () => {
    const { backing, grants } = await storeWithGrant();
    await grants.decisionFor(widget, ROOM);
    const isWriting = backing.holdWrites();
    const revoked = grants.revoke(widget, ROOM, { hostInstance: null }, [SEND]);
    await isWriting;
    // Not written yet: a check now may still see the old decision.
    expect((await grants.decisionFor(widget, ROOM))?.granted).toEqual([SEND, RECEIVE]);
    backing.releaseWrites();
    await revoked;
    expect((await grants.decisionFor(widget, ROOM))?.granted).toEqual([RECEIVE]);
  });

  it('does not remember a failed read', async () => {
    const backing = memoryStore();
    const grants = new GrantStore(backing, memoryStore());
    await grants.recordDecision(widget, ROOM, { hostInstance: null }, [SEND], [], 1);
    const get = backing.get;
    backing.get = async () => {
      throw new Error('the database is closing');
    };
    await expect(grants.decisionFor(widget, ROOM)).rejects.toThrow('closing');
    backing.get = get;
    expect((await grants.decisionFor(widget, ROOM))?.granted).toEqual([SEND]);
  });

  it('hands out decisions no reader can change for the others', async () => {
    const { grants } = await storeWithGrant();
    const decision = await grants.decisionFor(widget, ROOM);
    expect(() => (decision?.granted as string[]).push('org.matrix.msc2762.send.event:m.room.redaction')).toThrow(TypeError);
    expect((await grants.decisionFor(widget, ROOM))?.granted).toEqual([SEND, RECEIVE]);
  });
});
