// The live widget hosts of this worker, so room events and grant changes reach every host concerned.
import type { MatrixEvent } from 'matrix-js-sdk';
import type { WidgetIdentity } from '../../shared/core/widget-identity';
import type { TabWidgetView } from '../../shared/protocol/background-to-ui';
import type { WidgetHost } from './widget-host';

export class HostRegistry {
  private readonly hosts = new Set<WidgetHost>();

  add(host: WidgetHost): void {
    this.hosts.add(host);
  }

  remove(host: WidgetHost): void {
    this.hosts.delete(host);
  }

  deliver(roomId: string, event: MatrixEvent): void {
    for (const host of this.hosts) host.deliver(roomId, event);
  }

  deliverToDevice(event: MatrixEvent): void {
    for (const host of this.hosts) host.deliverToDevice(event);
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
