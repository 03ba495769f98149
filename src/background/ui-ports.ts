// The extension pages holding a UI port (the popup, while open). They keep sync running, and hear
// when the status changed by itself, so the popup shows an unreachable homeserver, and its return,
// without polling. Only a nudge goes to them; they ask for the status as usual.
import type { Runtime } from 'webextension-polyfill';
import type { StatusChanged } from '../shared/protocol/background-to-ui';

export class UiPorts {
  private readonly ports = new Set<Runtime.Port>();

  add(port: Runtime.Port): void {
    this.ports.add(port);
    port.onDisconnect.addListener(() => this.ports.delete(port));
  }

  statusChanged(): void {
    for (const port of this.ports) {
      try {
        port.postMessage({ kind: 'statusChanged' } satisfies StatusChanged);
      } catch {
        this.ports.delete(port); // the page went away
      }
    }
  }
}
