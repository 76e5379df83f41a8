export * from './types.js';
export {
  SqliteStore,
  type SqliteStoreOptions,
  type StoreStats,
  type SynchronousMode,
  type WriteChannel,
} from './sqlite-store.js';
export { moveCorruptStoreAside } from './quarantine.js';
export { MIGRATIONS, type Migration } from './migrations.js';
