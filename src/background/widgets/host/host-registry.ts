// The live widget hosts of this worker, so room events and grant changes reach every host concerned.
import type { MatrixEvent } from 'matrix-js-sdk';
import type { WidgetIdentity } from '../../../shared/core/widget-identity';
import type { TabWidgetView } from '../../../shared/protocol/background-to-ui';
import { createLogger } from '../../../shared/log';
import type { WidgetHost } from './widget-host';

const log = createLogger('bg:hosts');

/**
 * How long a new worker keeps events for a widget that was live before the worker stopped and has
 * not come back yet. Its relay reconnects at once (frame-relay.ts), at the latest with its 20 s
 * keep-alive; a frame that does not come back by then was closed.
 */
export const RETURN_WAIT_MS = 30_000;
/** Events kept per returning widget: a busy room's half minute. Past it, the widget reads back. */
export const MAX_HELD_EVENTS = 2_000;
/**
 * A widget with this many events waiting to be pushed holds the next sync. One sync brings at most
 * 50 events per room plus a gap read back (≤ 1,000), so the queue's limit (DEFAULT_DELIVERY_LIMITS)
 * leaves room for what is already on its way.
 */
export const SYNC_HOLD_BACKLOG = 1_000;

/** An event for the widgets of `account` (undefined: held from before the accounts were known). */
type HeldEvent = { roomId: string; event: MatrixEvent; account: string } | { roomId: null; event: MatrixEvent; account: string };

/** The part of a host the registry uses: the real one is a WidgetHost. */
type RegisteredHost = Pick<
  WidgetHost,
  | 'key'
  | 'isResumed'
  | 'deliver'
  | 'deliverToDevice'
  | 'isFor'
  | 'refreshCapabilities'
  | 'siteOrigin'
  | 'close'
  | 'isFrame'
  | 'createdAt'
  | 'hasUnrecordedPushes'
  | 'pushBacklog'
  | 'isInTab'
  | 'view'
  | 'account'
>;

export class HostRegistry<Host extends RegisteredHost = WidgetHost> {
  private readonly hosts = new Set<Host>();
  /**
   * Widgets that were live when the previous worker stopped (their host records survived it), by
   * frame key, with the events synced since, until their relay is back (issue #7: nothing is lost).
   * Undefined until the records are read; meanwhile every event is kept in `earlyEvents`.
   */
  private returning: Map<string, HeldEvent[]> | undefined;
  private earlyEvents: HeldEvent[] | undefined = [];

  /**
   * A new worker's first step: `keys` are the frames with a host record. Events are held for the
   * ones not back yet, for RETURN_WAIT_MS.
   */
  expectReturning(keys: Promise<string[]>, timers: { setTimeout: typeof setTimeout } = globalThis): void {
    void keys
      .catch((error: unknown) => {
        log.warn('reading the host records failed', String(error));
        return [];
      })
      .then((list) => {
        const early = this.earlyEvents ?? [];
        this.earlyEvents = undefined;
        const present = new Set([...this.hosts].map((host) => host.key));
        this.returning = new Map(list.filter((key) => !present.has(key)).map((key) => [key, [...early]]));
        timers.setTimeout(() => this.returning?.clear(), RETURN_WAIT_MS);
      });
  }

  add(host: Host): void {
    this.hosts.add(host);
    if (!host.isResumed) return;
    // A widget back from before the worker stopped gets what was synced meanwhile first; the host
    // drops what it had delivered already, and its relay what it had posted.
    const held = this.returning ? this.returning.get(host.key) : this.earlyEvents;
    this.returning?.delete(host.key);
    for (const { roomId, event, account } of held ?? []) {
      if (!actsFor(host, account)) continue;
      if (roomId === null) host.deliverToDevice(event);
      else host.deliver(roomId, event);
    }
  }

  remove(host: Host): void {
    this.hosts.delete(host);
  }

  /** An event of `account`'s sync: only widgets acting for that account see it. */
  deliver(roomId: string, event: MatrixEvent, account: string): void {
    for (const host of this.hosts) if (actsFor(host, account)) host.deliver(roomId, event);
    this.hold({ roomId, event, account });
  }

  deliverToDevice(event: MatrixEvent, account: string): void {
    for (const host of this.hosts) if (actsFor(host, account)) host.deliverToDevice(event);
    this.hold({ roomId: null, event, account });
  }

  /**
   * Another account became active: widgets that act for any other account stop (they reconnect,
   * and ask as the new one). Run after the switch, for the hosts that registered while it ran.
   */
  async closeOtherAccounts(activeUserId: string | undefined, reason: string): Promise<void> {
    const closing = [...this.hosts].filter((host) => host.account() !== undefined && host.account() !== activeUserId);
    for (const host of closing) this.hosts.delete(host);
    await Promise.all(closing.map((host) => host.close(reason)));
  }

  private hold(held: HeldEvent): void {
    if (this.earlyEvents) {
      if (this.earlyEvents.length < MAX_HELD_EVENTS) this.earlyEvents.push(held);
      return;
    }
    for (const [key, events] of this.returning ?? []) {
      if (events.length < MAX_HELD_EVENTS) {
        events.push(held);
      } else {
        log.warn('a returning widget missed too many events: it must read them back', key);
        this.returning?.delete(key);
      }
    }
  }

  /** The user changed what `identity` may do in `roomId`: running instances learn it now. */
  async grantsChanged(identity: WidgetIdentity, roomId: string): Promise<void> {
    await Promise.all([...this.hosts].filter((host) => host.isFor(identity, roomId)).map((host) => host.refreshCapabilities()));
  }

  /** The site was switched off or forgotten: its widgets stop being hosted at once. */
  async closeSite(siteOrigin: string): Promise<void> {
    const closing = [...this.hosts].filter((host) => host.siteOrigin === siteOrigin);
    for (const host of closing) this.hosts.delete(host);
    await Promise.all(closing.map((host) => host.close('The extension is switched off for this site')));
  }

  /** The user logged out: no widget keeps acting. */
  async closeAll(reason: string): Promise<void> {
    const closing = [...this.hosts];
    this.hosts.clear();
    this.returning = new Map();
    this.earlyEvents = undefined;
    await Promise.all(closing.map((host) => host.close(reason)));
  }

  /**
   * The browser committed a new document in a frame: a host created for an earlier document of that
   * frame must not serve the new one (it would inherit grants it never asked for).
   */
  async frameNavigated(tabId: number, frameId: number, committedAt: number): Promise<void> {
    const stale = [...this.hosts].filter((host) => host.isFrame(tabId, frameId) && host.createdAt < committedAt);
    for (const host of stale) this.hosts.delete(host);
    await Promise.all(stale.map((host) => host.close('The frame navigated', true)));
  }

  /** Some widget has a pushed event not yet recorded as delivered: its sync must not be saved past it. */
  hasUnrecordedPushes(): boolean {
    return [...this.hosts].some((host) => host.hasUnrecordedPushes());
  }

  /** Some widget is far behind with its pushes: the next sync waits for it (sync-hold.ts). */
  isBackedUp(): boolean {
    return [...this.hosts].some((host) => host.pushBacklog() >= SYNC_HOLD_BACKLOG);
  }

  hasFrame(tabId: number, frameId: number): boolean {
    return [...this.hosts].some((host) => host.isFrame(tabId, frameId));
  }

  /** How many widget frames of the tab are hosted (each host is one frame). */
  countInTab(tabId: number): number {
    return [...this.hosts].filter((host) => host.isInTab(tabId)).length;
  }

  inTab(tabId: number): Promise<TabWidgetView[]> {
    return Promise.all([...this.hosts].filter((host) => host.isInTab(tabId)).map((host) => host.view()));
  }
}

/** A host not yet tied to an account (it has not asked for anything) is the active account's. */
function actsFor(host: Pick<RegisteredHost, 'account'>, account: string): boolean {
  const own = host.account();
  return own === undefined || own === account;
}
