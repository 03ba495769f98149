// The live widget hosts of this worker, so room events reach every host that may want them.
import type { MatrixEvent } from 'matrix-js-sdk';
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
}
