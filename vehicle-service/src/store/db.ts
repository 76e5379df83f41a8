import sqlite3 from 'sqlite3';

/**
 * A small promise wrapper over one node-sqlite3 connection.
 *
 * node-sqlite3 runs the statements of a connection on its thread pool; with `await` between
 * `BEGIN` and `COMMIT` any other caller could slip a statement into the open transaction. So every
 * operation takes one FIFO lock: `run/get/all/exec` hold it for one statement, `exclusive` and
 * `transaction` hold it for the whole callback, which gets a handle that skips the lock (calling
 * the `Db` itself from inside would wait for itself forever).
 */
export type SqlParam = number | string | null | bigint | Buffer;

export interface RunResult {
  changes: number;
  lastID: number;
}

export interface Queryable {
  run(sql: string, params?: readonly SqlParam[]): Promise<RunResult>;
  get<T>(sql: string, params?: readonly SqlParam[]): Promise<T | undefined>;
  all<T>(sql: string, params?: readonly SqlParam[]): Promise<T[]>;
  /** Runs several `;`-separated statements without parameters. */
  exec(sql: string): Promise<void>;
}

/** node-sqlite3 errors carry SQLite's primary code as `code`, e.g. `SQLITE_FULL`. */
export interface SqliteError extends Error {
  code?: string;
  errno?: number;
}

export type TransactionMode = 'deferred' | 'immediate' | 'exclusive';

export class Db implements Queryable {
  private tail: Promise<unknown> = Promise.resolve();
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly raw: sqlite3.Database,
    readonly file: string,
  ) {}

  /** Opens (and creates, unless `readOnly`) the file. SQLite opens lazily: a bad file shows on the first statement. */
  static open(file: string, opts: { readOnly?: boolean } = {}): Promise<Db> {
    const mode = opts.readOnly ? sqlite3.OPEN_READONLY : sqlite3.OPEN_READWRITE | sqlite3.OPEN_CREATE;
    return new Promise((resolve, reject) => {
      const raw: sqlite3.Database = new sqlite3.Database(file, mode, (err) => {
        if (err) reject(err);
        else resolve(new Db(raw, file));
      });
    });
  }

  get closed(): boolean {
    return this.closing !== undefined;
  }

  run(sql: string, params: readonly SqlParam[] = []): Promise<RunResult> {
    return this.exclusive((c) => c.run(sql, params));
  }

  get<T>(sql: string, params: readonly SqlParam[] = []): Promise<T | undefined> {
    return this.exclusive((c) => c.get<T>(sql, params));
  }

  all<T>(sql: string, params: readonly SqlParam[] = []): Promise<T[]> {
    return this.exclusive((c) => c.all<T>(sql, params));
  }

  exec(sql: string): Promise<void> {
    return this.exclusive((c) => c.exec(sql));
  }

  /** Holds the connection for the whole callback; `conn` is only valid until the callback settles. */
  exclusive<T>(fn: (conn: Queryable) => Promise<T>): Promise<T> {
    if (this.closing) return Promise.reject(closedError());
    const task = async (): Promise<T> => {
      const conn = new ConnectionHandle(this.raw);
      try {
        return await fn(conn);
      } finally {
        conn.release();
      }
    };
    const result = this.tail.then(task, task);
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** BEGIN .. COMMIT around `fn`, ROLLBACK when it throws (including when COMMIT itself fails). */
  transaction<T>(fn: (tx: Queryable) => Promise<T>, mode: TransactionMode = 'immediate'): Promise<T> {
    return this.exclusive((conn) => inTransaction(conn, fn, mode));
  }

  /** Lets the work queued so far finish, refuses new work, closes. Idempotent. */
  close(): Promise<void> {
    if (!this.closing) {
      const queued = this.tail;
      this.closing = queued.then(
        () =>
          new Promise<void>((resolve, reject) => {
            this.raw.close((err) => (err ? reject(err) : resolve()));
          }),
      );
    }
    return this.closing;
  }
}

/** Runs `fn` in a transaction on a connection the caller already holds. */
export async function inTransaction<T>(
  conn: Queryable,
  fn: (tx: Queryable) => Promise<T>,
  mode: TransactionMode = 'immediate',
): Promise<T> {
  await conn.exec(`BEGIN ${mode.toUpperCase()}`);
  try {
    const result = await fn(conn);
    await conn.exec('COMMIT');
    return result;
  } catch (err) {
    // SQLITE_FULL, IOERR, NOMEM may already have rolled the transaction back: ROLLBACK then
    // fails with "no transaction is active", which says nothing new.
    await conn.exec('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

/** Raw access for the holder of the lock; refuses use after the holder let go (a leaked handle would bypass the lock). */
class ConnectionHandle implements Queryable {
  private active = true;

  constructor(private readonly raw: sqlite3.Database) {}

  release(): void {
    this.active = false;
  }

  run(sql: string, params: readonly SqlParam[] = []): Promise<RunResult> {
    this.check();
    return new Promise((resolve, reject) => {
      this.raw.run(sql, params, function (this: sqlite3.RunResult, err: Error | null) {
        if (err) reject(err);
        else resolve({ changes: this.changes, lastID: this.lastID });
      });
    });
  }

  get<T>(sql: string, params: readonly SqlParam[] = []): Promise<T | undefined> {
    this.check();
    return new Promise((resolve, reject) => {
      this.raw.get<T>(sql, params, (err: Error | null, row: T) => (err ? reject(err) : resolve(row)));
    });
  }

  all<T>(sql: string, params: readonly SqlParam[] = []): Promise<T[]> {
    this.check();
    return new Promise((resolve, reject) => {
      this.raw.all<T>(sql, params, (err: Error | null, rows: T[]) => (err ? reject(err) : resolve(rows)));
    });
  }

  exec(sql: string): Promise<void> {
    this.check();
    return new Promise((resolve, reject) => {
      this.raw.exec(sql, (err: Error | null) => (err ? reject(err) : resolve()));
    });
  }

  private check(): void {
    if (!this.active) throw new Error('database handle used after its exclusive section ended');
  }
}

function closedError(): SqliteError {
  const err: SqliteError = new Error('SQLITE_MISUSE: database is closed');
  err.code = 'SQLITE_MISUSE';
  return err;
}
