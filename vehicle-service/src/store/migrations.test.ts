import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Db } from './db.js';
import { MIGRATIONS, migrate, type Migration } from './migrations.js';
import { SqliteStore } from './sqlite-store.js';
import { tempDir } from './test-helpers.js';

const logger = pino({ level: 'silent' });

async function tables(db: Db): Promise<string[]> {
  const rows = await db.all<{ name: string }>(
    "SELECT name FROM sqlite_master WHERE type IN ('table', 'index') AND name NOT LIKE 'sqlite_%' ORDER BY name",
  );
  return rows.map((r) => r.name);
}

describe('migrations', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  beforeEach(async () => {
    tmp = await tempDir();
  });
  afterEach(async () => {
    await tmp.cleanup();
  });

  it('creates the schema on a fresh file and sets user_version', async () => {
    const db = await Db.open(tmp.file());
    const result = await migrate(db, { logger });
    expect(result).toMatchObject({ from: 0, to: MIGRATIONS.length });
    expect(await db.get('PRAGMA user_version')).toEqual({ user_version: MIGRATIONS.length });
    expect(await tables(db)).toEqual(
      expect.arrayContaining([
        'actuations',
        'events',
        'signal_history',
        'signal_history_ts',
        'signal_paths',
        'store_meta',
        'events_ts',
        'actuations_path_requested_at',
      ]),
    );
    await db.close();
  });

  it('is idempotent: reopening applies nothing and keeps the data', async () => {
    const store = await SqliteStore.open(tmp.file(), { logger });
    await store.recordActuation({
      id: 'a1', path: 'Vehicle.Cabin.Light', value: true, source: 'test', status: 'confirmed', requestedAt: 1, completedAt: 2,
    });
    await store.close();
    const db = await Db.open(tmp.file());
    const schema = await tables(db);
    expect(await migrate(db, { logger })).toEqual({ from: MIGRATIONS.length, to: MIGRATIONS.length, applied: [] });
    expect(await tables(db)).toEqual(schema);
    expect(await db.get('SELECT count(*) AS n FROM actuations')).toEqual({ n: 1 });
    await db.close();
    const reopened = await SqliteStore.open(tmp.file(), { logger });
    expect(await reopened.actuations({})).toHaveLength(1);
    await reopened.close();
  });

  it('applies only the missing migrations, all or nothing', async () => {
    const db = await Db.open(tmp.file());
    const first: Migration[] = [{ version: 1, name: 'one', sql: 'CREATE TABLE one (x INTEGER)' }];
    await migrate(db, { logger, migrations: first });
    const broken: Migration[] = [
      ...first,
      { version: 2, name: 'two', sql: 'CREATE TABLE two (x INTEGER)' },
      { version: 3, name: 'three', sql: 'CREATE TABLE three (x INTEGER); THIS IS NOT SQL' },
    ];
    await expect(migrate(db, { logger, migrations: broken })).rejects.toThrow(/syntax error/);
    // Migration 2 was rolled back with 3: the file is still exactly at version 1.
    expect(await db.get('PRAGMA user_version')).toEqual({ user_version: 1 });
    expect(await tables(db)).toEqual(['one']);
    const fixed = broken.slice(0, 2);
    expect(await migrate(db, { logger, migrations: fixed })).toMatchObject({ from: 1, to: 2, applied: ['2: two'] });
    expect(await tables(db)).toEqual(['one', 'two']);
    await db.close();
  });

  it('uses a file migrated by a newer build as is (OTA rollback)', async () => {
    const db = await Db.open(tmp.file());
    await migrate(db, { logger });
    await db.exec(`PRAGMA user_version = ${MIGRATIONS.length + 3}`);
    expect(await migrate(db, { logger })).toMatchObject({ applied: [], to: MIGRATIONS.length + 3 });
    await db.close();
  });

  it('refuses a migration list with a gap', async () => {
    const db = await Db.open(tmp.file());
    await expect(migrate(db, { logger, migrations: [{ version: 2, name: 'x', sql: '' }] })).rejects.toThrow(/expected 1/);
    await db.close();
  });
});
