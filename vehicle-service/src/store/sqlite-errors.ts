import { isAurigaError, type AurigaError } from '@auriga/common';
import { StoreCorruptError, StoreFullError, StoreIoError } from '../errors.js';
import type { SqliteError } from './db.js';

/**
 * Turns an error from node-sqlite3 into one of the store's coded errors:
 * - SQLITE_FULL (disk full, or the size cap `max_page_count` reached) -> AURIGA_ERR_STORE_FULL
 * - SQLITE_CORRUPT, SQLITE_NOTADB (garbage, truncated or damaged file) -> AURIGA_ERR_STORE_CORRUPT
 * - anything else (READONLY, IOERR, CANTOPEN, PERM, BUSY, ...) -> AURIGA_ERR_STORE_IO
 * The original error stays as `cause`. Coded errors pass through unchanged.
 */
export function toStoreError(err: unknown, file: string, action: string): AurigaError {
  if (isAurigaError(err)) return err;
  const code = sqliteCode(err);
  const what = err instanceof Error ? err.message : String(err);
  switch (code) {
    case 'SQLITE_FULL':
      return StoreFullError(file, action, { cause: err });
    case 'SQLITE_CORRUPT':
    case 'SQLITE_NOTADB':
      return StoreCorruptError(file, what, { cause: err });
    case 'SQLITE_READONLY':
      return StoreIoError(file, action, `the database is read-only (${what})`, { cause: err });
    default:
      return StoreIoError(file, action, what, { cause: err });
  }
}

export function sqliteCode(err: unknown): string | undefined {
  const code = (err as SqliteError | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}
