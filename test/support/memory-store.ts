// An in-memory KeyValueStore, for running background modules in Node.
import type { KeyValueStore } from '../../src/background/adapters/database';

export function memoryStore(): KeyValueStore & { entries: Map<string, unknown> } {
  const entries = new Map<string, unknown>();
  return {
    entries,
    get: async (key) => structuredClone(entries.get(key)),
    put: async (key, value) => {
      entries.set(key, structuredClone(value));
    },
    delete: async (key) => {
      entries.delete(key);
    },
    values: async () => [...entries.values()].map((value) => structuredClone(value)),
    keys: async () => [...entries.keys()],
    clear: async () => entries.clear(),
  };
}
