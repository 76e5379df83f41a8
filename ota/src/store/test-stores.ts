import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openPostgresStore, openSqliteStore } from './sql-store.js';
import type { OtaStore } from './types.js';

/** Test helpers: a fresh store on a temporary SQLite file, or in a throwaway PostgreSQL schema. */
export const TEST_PG_URL = process.env.AURIGA_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export async function postgresReachable(url = TEST_PG_URL): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export interface TestStore {
  store: OtaStore;
  /** Opens another store on the same database (a second server instance). */
  openAnother(): Promise<OtaStore>;
  cleanup(): Promise<void>;
}

export async function createTestStore(kind: 'sqlite' | 'postgres'): Promise<TestStore> {
  if (kind === 'sqlite') {
    const dir = await mkdtemp(join(tmpdir(), 'ota-store-'));
    const file = join(dir, 'ota.db');
    const store = await openSqliteStore(file);
    const others: OtaStore[] = [];
    return {
      store,
      openAnother: async () => { const s = await openSqliteStore(file); others.push(s); return s; },
      cleanup: async () => {
        for (const s of [store, ...others]) await s.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  }
  const schema = `ota_test_${randomBytes(6).toString('hex')}`;
  const store = await openPostgresStore({ connectionString: TEST_PG_URL, schema, max: 4 });
  const others: OtaStore[] = [];
  return {
    store,
    openAnother: async () => { const s = await openPostgresStore({ connectionString: TEST_PG_URL, schema, max: 4 }); others.push(s); return s; },
    cleanup: async () => {
      for (const s of [store, ...others]) await s.close();
      const client = new pg.Client({ connectionString: TEST_PG_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    },
  };
}
