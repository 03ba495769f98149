// The extension's IndexedDB database (idb). The only module that knows object-store names.
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';

type BridgeSchema = DBSchema & {
  session: { key: string; value: unknown };
  grants: { key: string; value: unknown };
  bindings: { key: string; value: unknown };
  audit: { key: string; value: unknown };
  sites: { key: string; value: unknown };
};

export type StoreName = 'session' | 'grants' | 'bindings' | 'audit' | 'sites';

const DATABASE_NAME = 'matrix-widget-bridge';
/** Bump with a new step in `upgrade`; steps run in order from the profile's version. */
const DATABASE_VERSION = 2;

let database: Promise<IDBPDatabase<BridgeSchema>> | undefined;

function open(): Promise<IDBPDatabase<BridgeSchema>> {
  database ??= openDB<BridgeSchema>(DATABASE_NAME, DATABASE_VERSION, {
    upgrade(db, oldVersion) {
      if (oldVersion < 1) {
        db.createObjectStore('session');
        db.createObjectStore('grants');
        db.createObjectStore('bindings');
      }
      if (oldVersion < 2) {
        // Issue #6: the per-widget audit log and per-site settings.
        db.createObjectStore('audit');
        db.createObjectStore('sites');
      }
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
  keys(): Promise<string[]>;
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
    keys: async () => (await (await open()).getAllKeys(name)).map(String),
    clear: async () => (await open()).clear(name),
  };
}
