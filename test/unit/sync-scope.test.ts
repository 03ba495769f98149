import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ALL_ROOMS, NO_ROOMS, sameScope, scopeHas, scopeIncludes, scopeIntersection, scopeWithout, syncScopeOf, type SyncScope } from '../../src/shared/core/sync-scope';

const RECEIVE = 'org.matrix.msc2762.receive.event:m.room.message';
const rooms = (...roomIds: string[]): SyncScope => ({ kind: 'rooms', roomIds });

describe('syncScopeOf', () => {
  it.each([
    ['no decisions', [], NO_ROOMS],
    ['a granted room', [{ roomId: '!b:hs', granted: [RECEIVE] }], rooms('!b:hs')],
    ['a denial reaches no room', [{ roomId: '!b:hs', granted: [] }], NO_ROOMS],
    ['sorted, once each', [{ roomId: '!b:hs', granted: [RECEIVE] }, { roomId: '!a:hs', granted: [RECEIVE] }, { roomId: '!b:hs', granted: ['x'] }], rooms('!a:hs', '!b:hs')],
    ['m.timeline:<room> adds that room', [{ roomId: '!a:hs', granted: ['org.matrix.msc2762.timeline:!c:hs'] }], rooms('!a:hs', '!c:hs')],
    ['m.timeline:* reaches every room', [{ roomId: '!a:hs', granted: [RECEIVE] }, { roomId: '!b:hs', granted: ['org.matrix.msc2762.timeline:*'] }], ALL_ROOMS],
    ['a denied m.timeline:* does not', [{ roomId: '!a:hs', granted: [RECEIVE] }, { roomId: '!b:hs', granted: [] }], rooms('!a:hs')],
    ['not a room: the OpenID consent, a denial without a room', [{ roomId: '@openid', granted: ['m.openid'] }, { roomId: '', granted: [RECEIVE] }], NO_ROOMS],
  ] as const)('%s', (_name, decisions, expected) => {
    expect(syncScopeOf(decisions)).toEqual(expected);
  });
});

describe('scope algebra', () => {
  const scope = fc.oneof(
    fc.constant(ALL_ROOMS),
    fc.uniqueArray(fc.constantFrom('!a', '!b', '!c', '!d')).map((ids) => rooms(...ids.sort())),
  );

  it('includes what it has, and all includes everything', () => {
    expect(scopeIncludes(ALL_ROOMS, rooms('!a'))).toBe(true);
    expect(scopeIncludes(rooms('!a'), ALL_ROOMS)).toBe(false);
    expect(scopeIncludes(rooms('!a', '!b'), rooms('!b'))).toBe(true);
    expect(scopeIncludes(rooms('!a'), rooms('!a', '!b'))).toBe(false);
    expect(scopeIncludes(NO_ROOMS, NO_ROOMS)).toBe(true);
    expect(sameScope(rooms('!a', '!b'), rooms('!a', '!b'))).toBe(true);
    expect(sameScope(rooms('!a'), rooms('!a', '!b'))).toBe(false);
    expect(sameScope(ALL_ROOMS, ALL_ROOMS)).toBe(true);
  });

  it('an intersection is included in both, and holds exactly the rooms both have', () => {
    fc.assert(
      fc.property(scope, scope, fc.constantFrom('!a', '!b', '!c', '!d', '!e'), (a, b, roomId) => {
        const both = scopeIntersection(a, b);
        expect(scopeIncludes(a, both) && scopeIncludes(b, both)).toBe(true);
        expect(scopeHas(both, roomId)).toBe(scopeHas(a, roomId) && scopeHas(b, roomId));
      }),
    );
  });

  it('what one scope adds to another is in the first and not in the second', () => {
    fc.assert(
      fc.property(scope, scope, fc.constantFrom('!a', '!b', '!c', '!d', '!e'), (a, b, roomId) => {
        const added = scopeWithout(a, b);
        // `all` minus a list of rooms stays `all` (the rooms of `all` are not listed).
        if (added.kind === 'all') expect(a.kind === 'all' && b.kind === 'rooms').toBe(true);
        else expect(scopeHas(added, roomId)).toBe(scopeHas(a, roomId) && !scopeHas(b, roomId));
      }),
    );
  });
});
