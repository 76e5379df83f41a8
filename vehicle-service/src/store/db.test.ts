import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Db } from './db.js';
import { tempDir } from './test-helpers.js';

describe('Db', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let db: Db;
  beforeEach(async () => {
    tmp = await tempDir();
    db = await Db.open(tmp.file());
    await db.exec('CREATE TABLE t (x INTEGER NOT NULL)');
  });
  afterEach(async () => {
    await db.close();
    await tmp.cleanup();
  });

  it('runs, gets and lists with bound parameters', async () => {
    const r = await db.run('INSERT INTO t (x) VALUES (?), (?)', [1, 2]);
    expect(r.changes).toBe(2);
    expect(await db.get<{ n: number }>('SELECT count(*) AS n FROM t WHERE x > ?', [1])).toEqual({ n: 1 });
    expect(await db.all<{ x: number }>('SELECT x FROM t ORDER BY x')).toEqual([{ x: 1 }, { x: 2 }]);
  });

  it('rolls a transaction back when its callback throws', async () => {
    await expect(
      db.transaction(async (tx) => {
        await tx.run('INSERT INTO t (x) VALUES (1)');
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await db.get<{ n: number }>('SELECT count(*) AS n FROM t')).toEqual({ n: 0 });
  });

  it('keeps statements of other callers out of an open transaction', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const tx = db.transaction(async (t) => {
      await t.run('INSERT INTO t (x) VALUES (1)');
      await gate; // another caller writes meanwhile ...
      throw new Error('abort');
    });
    const outside = db.run('INSERT INTO t (x) VALUES (2)');
    release();
    await expect(tx).rejects.toThrow('abort');
    await outside;
    // ... and its row survives the rollback: it ran after the transaction, not inside it.
    expect(await db.all<{ x: number }>('SELECT x FROM t')).toEqual([{ x: 2 }]);
  });

  it('refuses a handle used after its section ended', async () => {
    let leaked: { run(sql: string): Promise<unknown> } | undefined;
    await db.exclusive(async (c) => {
      leaked = c;
    });
    expect(() => leaked!.run('SELECT 1')).toThrow(/after its exclusive section/);
  });

  it('lets queued work finish on close, refuses new work, and closes once', async () => {
    const pending = db.run('INSERT INTO t (x) VALUES (7)');
    const closed = db.close();
    await expect(db.run('SELECT 1')).rejects.toMatchObject({ code: 'SQLITE_MISUSE' });
    await pending;
    await closed;
    await db.close();
    const again = await Db.open(tmp.file());
    expect(await again.all('SELECT x FROM t')).toEqual([{ x: 7 }]);
    await again.close();
  });
});
