// Scopes the client's /sync to the rooms widgets were granted (issue #8). It sits in the client's
// fetch: each /sync request js-sdk makes goes out with the same filter plus a room filter
// (`room.rooms`) naming the scope's rooms. Every other request passes untouched; to-device
// messages, device lists and account data are not room-scoped, so encryption is unaffected.
//
// Why in fetch: js-sdk fixes a SyncApi's filter when sync starts, and restarting sync means
// stopClient, which also closes the Rust crypto machine for good. When the scope grows, the rooms
// new to it are caught up first (room-catch-up.ts: an initial sync of those rooms only) and joined to
// the answer of the request js-sdk made, sent with the new filter and without waiting. A long poll in
// flight with another scope is replaced that way too (so a revoked room's events stop at once); js-sdk
// gets an answer for the same `since` either way, and the same `since` keeps to-device messages and
// device-list changes flowing.
import type { IFilterDefinition } from 'matrix-js-sdk';
import { createLogger } from '../../../shared/log';
import { NO_ROOMS, sameScope, scopeHas, scopeIncludes, scopeIntersection, scopeWithout, type SyncScope } from '../../../shared/core/sync-scope';
import { withCreateEvents } from './create-events';
import { catchUpFilter, catchUpRooms, withoutRoomsOutside, withRoomsCaughtUp, type JoinedRoom } from './room-catch-up';

const log = createLogger('bg:scope');

const SYNC_PATH = /\/_matrix\/client\/(?:v3|r0)\/sync$/;

/** What the scoped sync tells the client's owner, and asks of it. */
export type ScopedSyncHooks = {
  /**
   * Told, before js-sdk gets an answer with caught-up rooms, the ids of the timeline events in it
   * that are history rather than news (room-catch-up.ts `historyIds`): js-sdk hands them on as
   * live events all the same.
   */
  onHistory?: (eventIds: ReadonlySet<string>) => void;
  /** Whether the client holds the room already (synced before: granted, revoked, granted again). */
  isKnownRoom?: (roomId: string) => boolean;
};

export class ScopedSync {
  private scope: SyncScope;
  /**
   * The rooms whose current state the client got from the answers so far. Unknown for a client that
   * resumes a saved sync (taken with whatever scope the worker had then), so none: the first request
   * catches up every room in scope.
   */
  private covered: SyncScope = NO_ROOMS;
  /** Whether `covered` is known: false until the first answer of a client that resumes a saved sync. */
  private isCoverageKnown = false;
  /** Requests in flight, told when the scope changes. */
  private readonly inFlight = new Set<() => void>();
  /** The filter js-sdk syncs with, for requests that name it by its uploaded ID. */
  private readonly definition: IFilterDefinition;
  private catchUps = 0;

  /**
   * @param definition - that filter's definition, copied now: js-sdk builds the first request's
   *   inline filter on the same object and lowers its timeline limit to `initialSyncLimit` there.
   */
  constructor(
    private readonly baseFetch: typeof fetch,
    definition: IFilterDefinition,
    initial: SyncScope,
    private readonly hooks: ScopedSyncHooks = {},
  ) {
    this.definition = structuredClone(definition);
    this.scope = initial;
  }

  setScope(scope: SyncScope): void {
    if (sameScope(this.scope, scope)) return;
    this.scope = scope;
    for (const wake of this.inFlight) wake();
  }

  /**
   * Whether the answers so far carried the room since it came into the scope (its catch-up done) and
   * it still is: the client's copy of it follows the server's, not left over from an earlier scope.
   */
  follows(roomId: string): boolean {
    return this.isCoverageKnown && scopeHas(this.covered, roomId) && scopeHas(this.scope, roomId);
  }

  readonly fetch: typeof fetch = (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const method = init?.method ?? (input instanceof Request ? input.method : 'GET');
    if (method.toUpperCase() !== 'GET' || !SYNC_PATH.test(url.pathname)) return this.baseFetch(input, init);
    return this.scopedSync(url, init ?? {});
  };

  private async scopedSync(url: URL, init: RequestInit): Promise<Response> {
    const since = url.searchParams.get('since');
    for (;;) {
      const scope = this.scope;
      // An initial sync brings every room of its filter whole; an incremental one only what changed.
      const added = since === null ? NO_ROOMS : scopeWithout(scope, this.covered);
      const isCatchingUp = !scopeIncludes(NO_ROOMS, added);
      // One attempt: aborted by js-sdk's own signal (stop, local timeout), or replaced when the scope changes.
      const attempt = new AbortController();
      const abortAttempt = (): void => attempt.abort(init.signal?.reason);
      if (init.signal?.aborted) abortAttempt();
      init.signal?.addEventListener('abort', abortAttempt, { once: true });
      let wake = (): void => undefined;
      const isNewToSync = this.isCoverageKnown;
      const outdated = new Promise<'outdated'>((resolve) => {
        wake = () => {
          if (!sameScope(scope, this.scope)) resolve('outdated');
        };
      });
      this.inFlight.add(wake);
      try {
        const attemptInit = { ...init, signal: attempt.signal };
        const work = this.attempt(url, attemptInit, scope, isCatchingUp ? { rooms: added, isNewToSync } : undefined);
        const done = await Promise.race([work, outdated]);
        if (done === 'outdated') {
          work.catch(() => undefined);
          attempt.abort();
          init.signal?.removeEventListener('abort', abortAttempt);
          log.info('sync scope changed: asking again with the new rooms');
          continue;
        }
        const { answer, caughtUp } = done;
        // A failed catch-up is the answer too: js-sdk acts on what the homeserver said (a token
        // to refresh, a Retry-After), and the next request catches up again.
        if (!answer.ok) return answer;
        const inScope = await withoutRoomsOutside(answer, scope);
        let complete = inScope;
        if (caughtUp) {
          const joined = await withRoomsCaughtUp(inScope, caughtUp, isNewToSync);
          complete = joined.answer;
          this.hooks.onHistory?.(joined.history);
        }
        // The entries that carry a room's whole state, asked for by `room.rooms` (create-events.ts).
        const wholeRooms = since === null ? (scope.kind === 'rooms' ? 'every room' : undefined) : caughtUp && added.kind === 'rooms' ? Object.keys(caughtUp) : undefined;
        if (wholeRooms) complete = await withCreateEvents(complete, wholeRooms, (roomId, eventId) => this.readEvent(url, attemptInit, roomId, eventId));
        this.covered = since === null || isCatchingUp ? scope : scopeIntersection(this.covered, scope);
        this.isCoverageKnown = true;
        return complete;
      } finally {
        this.inFlight.delete(wake);
      }
    }
  }

  /** The rooms new to the scope first (up to now), then js-sdk's request, which carries on from there. */
  private async attempt(
    url: URL,
    init: RequestInit,
    scope: SyncScope,
    added: { rooms: SyncScope; isNewToSync: boolean } | undefined,
  ): Promise<{ answer: Response; caughtUp?: Record<string, JoinedRoom> }> {
    let caughtUp: Record<string, JoinedRoom> | undefined;
    if (added) {
      // A room granted again: what js-sdk holds of its members dates from before the revoke (a
      // member who left since would still get the room's keys), and lazy loading would bring only
      // the senders of the recent events. So such a catch-up brings every member.
      const { rooms, isNewToSync } = added;
      const isAnyKnown = isNewToSync && rooms.kind === 'rooms' && rooms.roomIds.some((roomId) => this.hooks.isKnownRoom?.(roomId) === true);
      const filter = catchUpFilter(this.definition, rooms, `${Date.now()}-${++this.catchUps}`, { synced: this.covered, withAllMembers: isAnyKnown });
      const result = await catchUpRooms(this.baseFetch, url, init, filter);
      if ('failed' in result) return { answer: result.failed };
      caughtUp = result.rooms;
    }
    const scoped = new URL(url);
    scoped.searchParams.set('filter', JSON.stringify(this.filterFor(url.searchParams.get('filter'), scope)));
    // The new rooms are in: the answer must not wait for the long poll to end.
    if (caughtUp) scoped.searchParams.set('timeout', '0');
    const answer = await this.baseFetch(scoped, init);
    return caughtUp ? { answer, caughtUp } : { answer };
  }

  /** One event of a room, asked for as js-sdk asked for the sync (its access token); undefined on failure. */
  private async readEvent(syncUrl: URL, init: RequestInit, roomId: string, eventId: string): Promise<{ type?: string; state_key?: string } | undefined> {
    const url = new URL(syncUrl);
    url.pathname = url.pathname.replace(/\/sync$/, `/rooms/${encodeURIComponent(roomId)}/event/${encodeURIComponent(eventId)}`);
    url.search = '';
    try {
      const response = await this.baseFetch(url, { method: 'GET', ...(init.headers ? { headers: init.headers } : {}), ...(init.signal ? { signal: init.signal } : {}) });
      return response.ok ? ((await response.json()) as { type?: string; state_key?: string }) : undefined;
    } catch {
      return undefined;
    }
  }

  /** js-sdk's filter (inline JSON, or the definition behind its uploaded ID) with the scope's rooms. */
  private filterFor(param: string | null, scope: SyncScope): IFilterDefinition {
    const base: IFilterDefinition = param?.startsWith('{') ? (JSON.parse(param) as IFilterDefinition) : structuredClone(this.definition);
    const room = { ...base.room };
    if (scope.kind === 'rooms') room.rooms = [...scope.roomIds];
    else delete room.rooms;
    return { ...base, room };
  }
}
