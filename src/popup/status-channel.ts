// The popup's port to the background: it keeps the background syncing while the popup is open, and
// the background says on it when the status changed. A stopped background ends the port (Firefox
// suspends its event page, Chrome its worker) while the popup stays open; the channel then connects
// again, which starts a new background, and tells the popup to look again, as the new one may see a
// different homeserver state.
import * as v from 'valibot';
import type { Runtime } from 'webextension-polyfill';
import { StatusChanged } from '../shared/protocol/background-to-ui';

export type StatusChannel = {
  /** Calls `onChanged` whenever the status may have changed; returns how to stop. */
  subscribe(onChanged: () => void): () => void;
};

export function openStatusChannel(connect: () => Runtime.Port): StatusChannel {
  const listeners = new Set<() => void>();
  const tell = () => {
    for (const listener of listeners) listener();
  };
  const attach = () => {
    const port = connect();
    port.onMessage.addListener((message: unknown) => {
      if (v.is(StatusChanged, message)) tell();
    });
    port.onDisconnect.addListener(() => {
      attach();
      tell();
    });
  };
  attach();
  return {
    subscribe(onChanged) {
      listeners.add(onChanged);
      return () => listeners.delete(onChanged);
    },
  };
}
