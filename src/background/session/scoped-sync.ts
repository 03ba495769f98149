// Scopes the client's /sync to the rooms widgets were granted (issue #8). It sits in the client's
// fetch: each /sync request js-sdk makes goes out with the same filter plus a room filter
// (`room.rooms`) naming the scope's rooms. Every other request passes untouched; to-device
// messages, device lists and account data are not room-scoped, so encryption is unaffected.
//
// Why in fetch: js-sdk fixes a SyncApi's filter when sync starts, and restarting sync means
// stopClient, which also closes the Rust crypto machine for good. Why `full_state`: an incremental
// sync with an old `since` brings a newly included room only if something happened in it since, and
// then only the state delta. So when the scope grows, the next request asks `full_state=true` (the
// server then answers at once, with the full state of every room in the filter and the timeline since
// `since`: cheap with few rooms), and their active sticky events are added (scoped-sticky-events.ts).
// A long poll in flight with another scope is replaced by a request
// with the new one (so a revoked room's events stop at once too); js-sdk gets the new answer for the
// same `since`, a real server answer either way.
import type { IFilterDefinition } from 'matrix-js-sdk';
import { createLogger } from '../../shared/log';
import { NO_ROOMS, sameScope, scopeIncludes, scopeIntersection, scopeWithout, type SyncScope } from '../../shared/core/sync-scope';
import { activeStickyEvents, withoutRoomsOutside, withStickyEvents } from './scoped-sticky-events';

const log = createLogger('bg:scope');

const SYNC_PATH = /\/_matrix\/client\/(?:v3|r0)\/sync$/;

export class ScopedSync {
  private scope: SyncScope;
  /**
   * The rooms whose current state the client got from the answers so far. Unknown for a client that
   * resumes a saved sync (taken with whatever scope the worker had then), so none: the first request
   * asks for the full state of what is in scope.
   */
  private covered: SyncScope = NO_ROOMS;
  /** Requests in flight, told when the scope changes. */
  private readonly inFlight = new Set<() => void>();

  /**
   * @param definition - the filter js-sdk syncs with, for requests that name it by its uploaded ID
   *   (the first request of a sync carries its definition inline).
   */
  constructor(
    private readonly baseFetch: typeof fetch,
    private readonly definition: () => IFilterDefinition,
    initial: SyncScope,
  ) {
    this.scope = initial;
  }

  current(): SyncScope {
    return this.scope;
  }

  setScope(scope: SyncScope): void {
    if (sameScope(this.scope, scope)) return;
    this.scope = scope;
    for (const wake of this.inFlight) wake();
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
      const isFullState = since !== null && !scopeIncludes(this.covered, scope);
      const scoped = new URL(url);
      scoped.searchParams.set('filter', JSON.stringify(this.filterFor(url.searchParams.get('filter'), scope)));
      if (isFullState) scoped.searchParams.set('full_state', 'true');
      // One attempt: aborted by js-sdk's own signal (stop, local timeout), or replaced when the scope changes.
      const attempt = new AbortController();
      const abortAttempt = (): void => attempt.abort(init.signal?.reason);
      if (init.signal?.aborted) abortAttempt();
      init.signal?.addEventListener('abort', abortAttempt, { once: true });
      let wake = (): void => undefined;
      const outdated = new Promise<'outdated'>((resolve) => {
        wake = () => {
          if (!sameScope(scope, this.scope)) resolve('outdated');
        };
      });
      this.inFlight.add(wake);
      try {
        const attemptInit = { ...init, signal: attempt.signal };
        const answer = this.baseFetch(scoped, attemptInit);
        const sticky = isFullState ? activeStickyEvents(this.baseFetch, url, attemptInit, scopeWithout(scope, this.covered)) : undefined;
        const first = await Promise.race([answer, outdated]);
        if (first === 'outdated') {
          for (const pending of [answer, sticky]) pending?.catch(() => undefined);
          attempt.abort();
          init.signal?.removeEventListener('abort', abortAttempt);
          log.info('sync scope changed: asking again with the new rooms');
          continue;
        }
        if (!first.ok) return first;
        const inScope = await withoutRoomsOutside(first, scope);
        const complete = sticky ? await withStickyEvents(inScope, await sticky) : inScope;
        this.covered = since === null || isFullState ? scope : scopeIntersection(this.covered, scope);
        return complete;
      } finally {
        this.inFlight.delete(wake);
      }
    }
  }

  /** js-sdk's filter (inline JSON, or the definition behind its uploaded ID) with the scope's rooms. */
  private filterFor(param: string | null, scope: SyncScope): IFilterDefinition {
    const base: IFilterDefinition = param?.startsWith('{') ? (JSON.parse(param) as IFilterDefinition) : structuredClone(this.definition());
    const room = { ...base.room };
    if (scope.kind === 'rooms') room.rooms = [...scope.roomIds];
    else delete room.rooms;
    return { ...base, room };
  }
}
