// An activity entry's detail is bounded (issue #18): whole capability names, then how many more.
import { describe, expect, it } from 'vitest';
import { boundedDetail, MAX_AUDIT_DETAIL } from '../../src/background/grants/audit-log';

describe('boundedDetail', () => {
  it('keeps a detail within the bound as it is', () => {
    const detail = 'org.matrix.msc2762.send.event:m.room.message org.matrix.msc2762.receive.event:m.room.message';
    expect(boundedDetail(detail)).toBe(detail);
  });

  it('cuts a long list after whole names and says how many were left out', () => {
    const names = Array.from({ length: 200 }, (_, index) => `org.example.flood.${index}.${'x'.repeat(200)}`);
    const bounded = boundedDetail(names.join(' '));
    expect(bounded.length).toBeLessThanOrEqual(MAX_AUDIT_DETAIL);
    const match = /^(.*) \(\+(\d+) more\)$/.exec(bounded);
    expect(match).not.toBeNull();
    const kept = (match?.[1] ?? '').split(' ');
    expect(kept.every((name, index) => name === names[index])).toBe(true);
    expect(kept.length + Number(match?.[2])).toBe(names.length);
  });
});
