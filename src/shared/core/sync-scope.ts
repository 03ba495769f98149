// Which rooms the background syncs for an account (issue #8): the rooms its widgets were granted,
// or every room when a grant reaches every room (`m.timeline:*`). Pure; never reads a grant store.
import { allowsEveryRoom, timelineRooms } from './grant-policy';

/** The rooms a sync covers: `all`, or exactly `roomIds` (sorted, no duplicates; may be empty). */
export type SyncScope = { kind: 'all' } | { kind: 'rooms'; roomIds: readonly string[] };

/** What the scope needs of one stored decision. */
export type ScopedDecision = { roomId: string; granted: readonly string[] };

export const NO_ROOMS: SyncScope = { kind: 'rooms', roomIds: [] };
export const ALL_ROOMS: SyncScope = { kind: 'all' };

/**
 * The rooms an account's decisions reach: the room of each decision that grants anything, and
 * the rooms named by granted `m.timeline:<room>` capabilities. A denial reaches no room. Decision
 * "rooms" that are not room IDs (the OpenID consent's `@openid`, a denial with no room) are skipped.
 */
export function syncScopeOf(decisions: readonly ScopedDecision[]): SyncScope {
  const roomIds = new Set<string>();
  for (const { roomId, granted } of decisions) {
    if (granted.length === 0) continue;
    if (allowsEveryRoom(granted)) return ALL_ROOMS;
    for (const candidate of [roomId, ...timelineRooms(granted)]) if (candidate.startsWith('!')) roomIds.add(candidate);
  }
  return { kind: 'rooms', roomIds: [...roomIds].sort() };
}

/** Does `outer` cover every room `inner` does? */
export function scopeIncludes(outer: SyncScope, inner: SyncScope): boolean {
  if (outer.kind === 'all') return true;
  if (inner.kind === 'all') return false;
  const rooms = new Set(outer.roomIds);
  return inner.roomIds.every((roomId) => rooms.has(roomId));
}

export function sameScope(a: SyncScope, b: SyncScope): boolean {
  return scopeIncludes(a, b) && scopeIncludes(b, a);
}

/** The rooms both scopes cover. */
export function scopeIntersection(a: SyncScope, b: SyncScope): SyncScope {
  if (a.kind === 'all') return b;
  if (b.kind === 'all') return a;
  const rooms = new Set(b.roomIds);
  return { kind: 'rooms', roomIds: a.roomIds.filter((roomId) => rooms.has(roomId)) };
}

/** The rooms `a` covers and `b` does not (`all` stays `all`: its rooms are not listed). */
export function scopeWithout(a: SyncScope, b: SyncScope): SyncScope {
  if (a.kind === 'all') return b.kind === 'all' ? NO_ROOMS : ALL_ROOMS;
  return { kind: 'rooms', roomIds: a.roomIds.filter((roomId) => !scopeHas(b, roomId)) };
}

/** Is `roomId` in the scope? */
export function scopeHas(scope: SyncScope, roomId: string): boolean {
  return scope.kind === 'all' || scope.roomIds.includes(roomId);
}
