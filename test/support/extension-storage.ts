// Reads the extension's own IndexedDB through one of its pages (they share the background's origin):
// secrets reach the test, never a web page.
import type { Surface } from './browser-driver';

/** The active account's stored session (tokens included), or null when nobody is logged in. */
export function activeStoredSession<T>(ui: Surface): Promise<T | null> {
  return ui.evaluate<T | null>(`new Promise((resolve, reject) => {
    const open = indexedDB.open('matrix-widget-bridge');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const sessions = open.result.transaction('session').objectStore('session');
      const active = sessions.get('active');
      active.onsuccess = () => {
        const read = sessions.get('account:' + active.result);
        read.onsuccess = () => resolve(read.result ?? null);
      };
    };
  })`);
}
