// The token bucket that meters what a widget frame posts (shared/core/token-bucket.ts).
import { describe, expect, it } from 'vitest';
import { TokenBucket } from '../../src/shared/core/token-bucket';

describe('TokenBucket', () => {
  it('gives a burst of `capacity`, then `perSecond`, never more than `capacity` saved up', () => {
    let now = 1_000;
    const bucket = new TokenBucket(3, 2, () => now);
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, true, false]);
    now += 499; // not yet one token at 2 a second
    expect(bucket.take()).toBe(false);
    now += 1;
    expect([bucket.take(), bucket.take()]).toEqual([true, false]);
    now += 60_000; // a minute idle saves up only the capacity
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, true, false]);
  });

  it('adds nothing when the clock goes back', () => {
    let now = 10_000;
    const bucket = new TokenBucket(1, 1, () => now);
    expect(bucket.take()).toBe(true);
    now -= 5_000;
    expect(bucket.take()).toBe(false);
    now += 1_000;
    expect(bucket.take()).toBe(true);
  });

  it('refuses a bucket that holds nothing or never refills', () => {
    expect(() => new TokenBucket(0, 1, Date.now)).toThrow(RangeError);
    expect(() => new TokenBucket(1, 0, Date.now)).toThrow(RangeError);
  });
});
