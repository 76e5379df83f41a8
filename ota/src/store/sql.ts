import pg, { type QueryResult } from 'pg';
import sqlite3 from 'sqlite3';

/** The few operations the store needs, over either SQLite or PostgreSQL. SQL uses `?` placeholders. */
export interface SqlDb {
  readonly dialect: 'sqlite' | 'postgres';
  all<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  run(sql: string, params?: unknown[]): Promise<number>;
  exec(sql: string): Promise<void>;
  transaction<T>(fn: (tx: SqlDb) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Serializes work on the single SQLite connection, so a transaction never interleaves with other statements. */
class Mutex {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.tail.then(fn, fn);
    this.tail = next.catch(() => undefined);
    return next;
  }
}

export async function openSqlite(path: string): Promise<SqlDb> {
  const db = await new Promise<sqlite3.Database>((resolve, reject) => {
    const d = new sqlite3.Database(path, (err) => (err ? reject(err) : resolve(d)));
  });
  const raw = {
    all: <T>(sql: string, params: unknown[] = []) =>
      new Promise<T[]>((resolve, reject) => db.all(sql, params, (err, rows) => (err ? reject(err) : resolve(rows as T[])))),
    run: (sql: string, params: unknown[] = []) =>
      new Promise<number>((resolve, reject) => db.run(sql, params, function (this: sqlite3.RunResult, err) {
        if (err) reject(err); else resolve(this.changes);
      })),
    exec: (sql: string) => new Promise<void>((resolve, reject) => db.exec(sql, (err) => (err ? reject(err) : resolve()))),
  };
  await raw.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;');
  const lock = new Mutex();
  let closed = false;
  const inTx: SqlDb = {
    dialect: 'sqlite',
    all: raw.all,
    run: raw.run,
    exec: raw.exec,
    transaction: (fn) => fn(inTx),
    close: async () => undefined,
  };
  return {
    dialect: 'sqlite',
    all: (sql, params) => lock.run(() => raw.all(sql, params)),
    run: (sql, params) => lock.run(() => raw.run(sql, params)),
    exec: (sql) => lock.run(() => raw.exec(sql)),
    transaction: (fn) => lock.run(async () => {
      await raw.exec('BEGIN IMMEDIATE');
      try {
        const result = await fn(inTx);
        await raw.exec('COMMIT');
        return result;
      } catch (err) {
        await raw.exec('ROLLBACK').catch(() => undefined);
        throw err;
      }
    }),
    close: () => lock.run(async () => {
      if (closed) return;
      closed = true;
      await new Promise<void>((resolve, reject) => db.close((err) => (err ? reject(err) : resolve())));
    }),
  };
}

function toPg(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

export interface PostgresOptions {
  connectionString: string;
  /** Schema for the tables (created if missing); lets tests and tenants share one database. */
  schema?: string;
  max?: number;
}

export async function openPostgres(opts: PostgresOptions): Promise<SqlDb> {
  const schema = opts.schema ?? 'public';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`bad schema name ${schema}`);
  const setup = new pg.Client({ connectionString: opts.connectionString });
  await setup.connect();
  try {
    await setup.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  } finally {
    await setup.end();
  }
  const pool = new pg.Pool({ connectionString: opts.connectionString, max: opts.max ?? 10, options: `-c search_path=${schema}` });
  pool.on('error', () => undefined); // an idle client dropped by the server; the next query reconnects
  type Queryable = { query(text: string, values?: unknown[]): Promise<QueryResult> };
  const over = (q: Queryable): Omit<SqlDb, 'transaction' | 'close'> => ({
    dialect: 'postgres',
    all: async <T>(sql: string, params: unknown[] = []) => (await q.query(toPg(sql), params)).rows as T[],
    run: async (sql: string, params: unknown[] = []) => (await q.query(toPg(sql), params)).rowCount ?? 0,
    exec: async (sql: string) => { await q.query(sql); },
  });
  let closed = false;
  return {
    ...over(pool),
    transaction: async (fn) => {
      const client = await pool.connect();
      const tx: SqlDb = { ...over(client), transaction: (f) => f(tx), close: async () => undefined };
      try {
        await client.query('BEGIN');
        const result = await fn(tx);
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },
    close: async () => {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}
