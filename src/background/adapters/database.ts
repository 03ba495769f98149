// The extension's IndexedDB database (idb). The only module that knows object-store names.
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';

type BridgeSchema = DBSchema & {
  session: { key: string; value: unknown };
  grants: { key: string; value: unknown };
  bindings: { key: string; value: unknown };
};

export type StoreName = 'session' | 'grants' | 'bindings';

const DATABASE_NAME = 'matrix-widget-bridge';
const DATABASE_VERSION = 1;

let database: Promise<IDBPDatabase<BridgeSchema>> | undefined;

function open(): Promise<IDBPDatabase<BridgeSchema>> {
  database ??= openDB<BridgeSchema>(DATABASE_NAME, DATABASE_VERSION, {
    upgrade(db) {
      db.createObjectStore('session');
      db.createObjectStore('grants');
      db.createObjectStore('bindings');
    },
  });
  return database;
}

/** A key-value view of one object store; values are parsed by the caller's schema on read. */
export type KeyValueStore = {
  get(key: string): Promise<unknown>;
  put(key: string, value: unknown): Promise<void>;
  delete(key: string): Promise<void>;
  values(): Promise<unknown[]>;
  clear(): Promise<void>;
};

export function keyValueStore(name: StoreName): KeyValueStore {
  return {
    get: async (key) => (await open()).get(name, key),
    put: async (key, value) => {
      await (await open()).put(name, value, key);
    },
    delete: async (key) => (await open()).delete(name, key),
    values: async () => (await open()).getAll(name),
    clear: async () => (await open()).clear(name),
  };
}
