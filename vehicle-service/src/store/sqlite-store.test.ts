import { open as openFile, stat, writeFile } from 'node:fs/promises';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../util/timers.js';
import { Db } from './db.js';
import { moveCorruptStoreAside } from './quarantine.js';
import { SqliteStore, type SqliteStoreOptions } from './sqlite-store.js';
import { tempDir } from './test-helpers.js';

const logger = pino({ level: 'silent' });
const T0 = 1_700_000_000_000; // a multiple of 1000
const DAY = 24 * 3600_000;

describe('SqliteStore', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let time: number;
  const stores: SqliteStore[] = [];
  const open = async (options: SqliteStoreOptions = {}, file = tmp.file()) => {
    const store = await SqliteStore.open(file, { logger, now: () => time, flushIntervalMs: 3_600_000, ...options });
    stores.push(store);
    return store;
  };

  beforeEach(async () => {
    tmp = await tempDir();
    time = T0;
  });
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close()));
    await tmp.cleanup();
  });

  describe('downsampling', () => {
    it('stores one sample per second of a 10 Hz numeric signal, the last of each second', async () => {
      const store = await open();
      for (let i = 0; i < 50; i++) {
        time = T0 + i * 100;
        store.recordSignal('Vehicle.Speed', i * 0.5, time);
      }
      await store.flush();
      const rows = await store.history('Vehicle.Speed', {});
      expect(rows).toEqual([9, 19, 29, 39, 49].map((i) => ({ value: i * 0.5, timestamp: T0 + i * 100 })));
    });

    it('keeps a door that opens and closes within one interval', async () => {
      const store = await open();
      const door = 'Vehicle.Cabin.Door.Row1.DriverSide.IsOpen';
      for (let i = 0; i < 20; i++) store.recordSignal(door, i === 3, T0 + i * 100); // open only at 300 ms
      await store.flush();
      expect(await store.history(door, {})).toEqual([
        { value: false, timestamp: T0 },
        { value: true, timestamp: T0 + 300 },
        { value: false, timestamp: T0 + 400 },
        { value: false, timestamp: T0 + 900 },
        { value: false, timestamp: T0 + 1900 },
      ]);
    });

    it('on the timer, writes closed intervals only and holds back the open one', async () => {
      const clock = new ManualClock(T0);
      const store = await open({ now: clock.now, timers: clock, flushIntervalMs: 1000 });
      for (let i = 0; i < 15; i++) store.recordSignal('Vehicle.Speed', i, T0 + i * 100);
      clock.advance(1000); // T0 + 1000: interval 0 is over, interval 1 (samples 10..14) still open
      await vi.waitFor(async () => expect(await store.history('Vehicle.Speed', {})).toHaveLength(1));
      expect(await store.history('Vehicle.Speed', {})).toEqual([{ value: 9, timestamp: T0 + 900 }]);
      expect(store.stats().heldBackSamples).toBe(1);
      clock.advance(1000);
      await vi.waitFor(async () => expect(await store.history('Vehicle.Speed', {})).toHaveLength(2));
      expect((await store.history('Vehicle.Speed', {}))[1]).toEqual({ value: 14, timestamp: T0 + 1400 });
    });
  });

  describe('history', () => {
    it('filters by inclusive range, keeps the most recent `limit`, returns oldest first', async () => {
      const store = await open();
      for (let i = 0; i < 10; i++) store.recordSignal('Vehicle.Speed', i, T0 + i * 1000);
      store.recordSignal('Vehicle.Other', 99, T0 + 5000);
      await store.flush();
      const ts = (rows: Array<{ timestamp: number }>) => rows.map((r) => (r.timestamp - T0) / 1000);
      expect(ts(await store.history('Vehicle.Speed', {}))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect(ts(await store.history('Vehicle.Speed', { from: T0 + 2000, to: T0 + 5000 }))).toEqual([2, 3, 4, 5]);
      expect(ts(await store.history('Vehicle.Speed', { limit: 3 }))).toEqual([7, 8, 9]);
      expect(ts(await store.history('Vehicle.Speed', { to: T0 + 5000, limit: 2 }))).toEqual([4, 5]);
      expect(ts(await store.history('Vehicle.Speed', { from: T0 + 8000, limit: 0 }))).toEqual([9]); // clamped to 1
      expect(await store.history('Vehicle.Unknown', {})).toEqual([]);
    });

    it('gives values back with their type', async () => {
      const store = await open();
      const values = [42, -3.25, 0, true, false, 'PARK', '', '42', 1e300];
      values.forEach((v, i) => store.recordSignal(`P.${i}`, v, T0));
      await store.flush();
      for (const [i, v] of values.entries()) {
        expect(await store.history(`P.${i}`, {})).toEqual([{ value: v, timestamp: T0 }]);
      }
    });

    it('refuses what it cannot store faithfully and counts it', async () => {
      const store = await open();
      store.recordSignal('Vehicle.Speed', Number.NaN, T0);
      store.recordSignal('', 1, T0);
      store.recordSignal('Vehicle.Speed', 1, Number.NaN);
      store.recordSignal('Vehicle.Speed', { x: 1 } as unknown as number, T0);
      await store.flush();
      expect(await store.history('Vehicle.Speed', {})).toEqual([]);
      expect(store.stats().rejectedRecords).toBe(4);
    });
  });

  describe('actuations and events', () => {
    it('round-trips an actuation record, newest first, filtered by path', async () => {
      const store = await open();
      const base = { source: 'api', requestedAt: T0, completedAt: T0 + 850 };
      await store.recordActuation({ ...base, id: 'a1', path: 'Vehicle.Cabin.Light', value: true, status: 'confirmed' });
      await store.recordActuation({
        ...base,
        id: 'a2',
        path: 'Vehicle.Body.Windshield.Front.Wiping.Mode',
        value: { mode: 'FAST', level: 3 },
        status: 'refused',
        reason: 'vehicle moving',
        requestedAt: T0 + 10,
      });
      expect(await store.actuations({})).toEqual([
        {
          id: 'a2',
          path: 'Vehicle.Body.Windshield.Front.Wiping.Mode',
          value: { mode: 'FAST', level: 3 },
          source: 'api',
          status: 'refused',
          reason: 'vehicle moving',
          requestedAt: T0 + 10,
          completedAt: T0 + 850,
        },
        {
          id: 'a1',
          path: 'Vehicle.Cabin.Light',
          value: true,
          source: 'api',
          status: 'confirmed',
          requestedAt: T0,
          completedAt: T0 + 850,
        },
      ]);
      expect((await store.actuations({ path: 'Vehicle.Cabin.Light' })).map((a) => a.id)).toEqual(['a1']);
      expect((await store.actuations({ limit: 1 })).map((a) => a.id)).toEqual(['a2']);

      // Same id again: the latest outcome wins (no duplicate rows).
      await store.recordActuation({ ...base, id: 'a1', path: 'Vehicle.Cabin.Light', value: true, status: 'timeout' });
      expect((await store.actuations({ path: 'Vehicle.Cabin.Light' })).map((a) => a.status)).toEqual(['timeout']);

      // The file holds the duration too.
      await store.close();
      const db = await Db.open(tmp.file());
      expect(await db.get("SELECT ms FROM actuations WHERE id = 'a2'")).toEqual({ ms: 840 });
      await db.close();
    });

    it('rejects an invalid actuation record with a coded error', async () => {
      const store = await open();
      await expect(
        store.recordActuation({ id: 'x', path: 'P', value: 1, source: 'api', status: 'done' as 'confirmed', requestedAt: 1, completedAt: 2 }),
      ).rejects.toMatchObject({ code: 'AURIGA_ERR_STORE_INVALID_RECORD', message: expect.stringMatching(/status/) });
    });

    it('round-trips events and filters them', async () => {
      const store = await open();
      store.recordEvent({ type: 'mqtt.disconnected', severity: 'warning', message: 'broker gone', timestamp: T0 });
      store.recordEvent({
        type: 'policy.refused',
        path: 'Vehicle.Cabin.Door.Row1.DriverSide.IsOpen',
        severity: 'info',
        message: 'door while moving',
        data: { speed: 42 },
        timestamp: T0 + 1000,
      });
      const circular: Record<string, unknown> = {};
      circular.self = circular;
      store.recordEvent({ type: 'odd', severity: 'bogus' as 'info', message: 'x', data: circular, timestamp: T0 + 2000 });
      await store.flush();
      const all = await store.events({});
      expect(all.map((e) => e.type)).toEqual(['odd', 'policy.refused', 'mqtt.disconnected']);
      expect(all[1]).toEqual({
        id: expect.any(Number),
        type: 'policy.refused',
        path: 'Vehicle.Cabin.Door.Row1.DriverSide.IsOpen',
        severity: 'info',
        message: 'door while moving',
        data: { speed: 42 },
        timestamp: T0 + 1000,
      });
      expect(all[0]).toMatchObject({ severity: 'warning', data: { unserializable: expect.any(String) } });
      expect((await store.events({ type: 'mqtt.disconnected' })).map((e) => e.timestamp)).toEqual([T0]);
      expect((await store.events({ from: T0 + 500, to: T0 + 1500 })).map((e) => e.type)).toEqual(['policy.refused']);
      expect((await store.events({ severity: 'warning' })).map((e) => e.type)).toEqual(['odd', 'mqtt.disconnected']);
      expect((await store.events({ limit: 1 })).map((e) => e.type)).toEqual(['odd']);
    });
  });

  describe('retention', () => {
    it('deletes samples and events older than retentionMs, in bounded batches', async () => {
      const store = await open({ retentionMs: 7 * DAY, retentionBatchRows: 7, retentionMaxBatches: 2 });
      const old = T0 - 8 * DAY;
      for (let i = 0; i < 20; i++) store.recordSignal('Vehicle.Speed', i, old + i * 1000);
      for (let i = 0; i < 5; i++) store.recordSignal('Vehicle.Speed', 100 + i, T0 - 60_000 + i * 1000);
      store.recordEvent({ type: 'old', severity: 'info', message: 'm', timestamp: old });
      store.recordEvent({ type: 'recent', severity: 'info', message: 'm', timestamp: T0 - 1000 });
      await store.flush();
      expect(await store.history('Vehicle.Speed', {})).toHaveLength(25);

      // At most 2 batches of 7 per run: a large backlog never holds the connection for long.
      expect(await store.runRetention()).toEqual({ samples: 14, events: 1 });
      expect(await store.runRetention()).toEqual({ samples: 6, events: 0 });
      expect(await store.runRetention()).toEqual({ samples: 0, events: 0 });
      const left = await store.history('Vehicle.Speed', {});
      expect(left.map((r) => r.value)).toEqual([100, 101, 102, 103, 104]);
      expect((await store.events({})).map((e) => e.type)).toEqual(['recent']);
      expect(store.stats()).toMatchObject({ retentionDeletedSamples: 20, retentionDeletedEvents: 1 });
    });
  });

  describe('failures', () => {
    // PRAGMA max_page_count stands in for a full disk: past the cap SQLite fails writes with
    // SQLITE_FULL exactly as when the filesystem has no free block left (no root mount needed).
    it('reports a full disk in health, keeps running with a bounded buffer, recovers when space comes back', async () => {
      const store = await open({ maxBufferedRows: 1500 });
      await store.setMaxSizeBytes(1); // SQLite clamps the cap to the current size: no page can be added
      for (let i = 0; i < 1000; i++) store.recordSignal('Vehicle.Speed', i, T0 + i * 1000);

      await expect(store.flush()).rejects.toMatchObject({ code: 'AURIGA_ERR_STORE_FULL' });
      const sick = await store.health();
      expect(sick.ok).toBe(false);
      expect(sick.detail).toMatch(/AURIGA_ERR_STORE_FULL/);
      expect(store.stats()).toMatchObject({ bufferedSamples: 1000, failedFlushes: 1 });

      // The service keeps recording; the buffer stays bounded, dropping the oldest samples.
      for (let i = 1000; i < 2000; i++) store.recordSignal('Vehicle.Speed', i, T0 + i * 1000);
      store.recordEvent({ type: 'still.alive', severity: 'info', message: 'm', timestamp: T0 });
      await expect(store.flush()).rejects.toMatchObject({ code: 'AURIGA_ERR_STORE_FULL' });
      expect(store.stats()).toMatchObject({ bufferedSamples: 1499, bufferedEvents: 1, droppedSamples: 501 });
      expect((await store.health()).ok).toBe(false);

      await store.setMaxSizeBytes(undefined); // space comes back
      await store.flush();
      expect(await store.health()).toEqual({ ok: true, detail: expect.stringMatching(/501 buffered rows were dropped/) });
      const rows = await store.history('Vehicle.Speed', { limit: 10_000 });
      expect(rows).toHaveLength(1499);
      expect(rows[0]).toEqual({ value: 501, timestamp: T0 + 501_000 }); // the newest were kept
      expect(rows.at(-1)).toEqual({ value: 1999, timestamp: T0 + 1_999_000 });
      expect((await store.events({})).map((e) => e.type)).toEqual(['still.alive']);
    });

    it('rejects an actuation that does not fit, with the coded error, and recovers', async () => {
      const store = await open();
      await store.setMaxSizeBytes(1);
      const big = { blob: 'x'.repeat(20_000) }; // needs overflow pages the cap forbids
      const record = { id: 'a1', path: 'P', value: big, source: 'api', status: 'confirmed' as const, requestedAt: T0, completedAt: T0 };
      await expect(store.recordActuation(record)).rejects.toMatchObject({ code: 'AURIGA_ERR_STORE_FULL' });
      expect((await store.health()).detail).toMatch(/actuation: AURIGA_ERR_STORE_FULL/);
      await store.setMaxSizeBytes(undefined);
      await store.recordActuation(record);
      expect(await store.health()).toEqual({ ok: true });
      expect((await store.actuations({}))[0]?.value).toEqual(big);
    });

    it('refuses a file that is not a database with AURIGA_ERR_STORE_CORRUPT; moved aside, a fresh one opens', async () => {
      const file = tmp.file();
      await writeFile(file, Buffer.from('this is not an SQLite database, just garbage '.repeat(200)));
      await expect(open({}, file)).rejects.toMatchObject({
        code: 'AURIGA_ERR_STORE_CORRUPT',
        message: expect.stringContaining(file),
      });
      const aside = await moveCorruptStoreAside(file, T0);
      expect(aside).toBe(`${file}.corrupt-2023-11-14T22-13-20-000Z`);
      const fresh = await open({}, file);
      expect(await fresh.health()).toEqual({ ok: true });
    });

    it('finds damaged pages with quickCheckOnOpen', async () => {
      const file = tmp.file();
      const store = await open({}, file);
      for (let i = 0; i < 3000; i++) store.recordSignal(`Vehicle.Path${i % 30}`, i, T0 + i * 1000);
      await store.close();
      const fh = await openFile(file, 'r+');
      const { size } = await fh.stat();
      // Keep page 1 (header + schema) intact, scribble over the rest.
      await fh.write(Buffer.alloc(size - 8192, 0xa5), 0, size - 8192, 8192);
      await fh.close();
      await expect(open({ quickCheckOnOpen: true }, file)).rejects.toMatchObject({ code: 'AURIGA_ERR_STORE_CORRUPT' });
    });

    it('reports corruption found while reading in health()', async () => {
      const file = tmp.file();
      const store = await open({}, file);
      for (let i = 0; i < 5000; i++) store.recordSignal('Vehicle.Speed', i, T0 + i * 1000);
      await store.close();
      const fh = await openFile(file, 'r+');
      const { size } = await fh.stat();
      // The first pages hold the schema and the root pages of every table (what open touches);
      // the history rows written last live in the pages after them. How many pages the schema takes
      // grows with each migration: measured on a file with the schema only.
      const schemaOnly = await open({}, tmp.file('schema-only.db'));
      await schemaOnly.close();
      const keep = ((await stat(tmp.file('schema-only.db'))).size / 4096 + 2) * 4096;
      expect(size).toBeGreaterThan(keep + 4096);
      await fh.write(Buffer.alloc(size - keep, 0xa5), 0, size - keep, keep);
      await fh.close();
      const damaged = await open({}, file);
      expect(await damaged.health()).toEqual({ ok: true }); // nothing read the damage yet
      await expect(damaged.history('Vehicle.Speed', {})).rejects.toMatchObject({ code: 'AURIGA_ERR_STORE_CORRUPT' });
      expect(await damaged.health()).toMatchObject({ ok: false, detail: expect.stringMatching(/AURIGA_ERR_STORE_CORRUPT/) });
      expect(await damaged.integrityCheck()).not.toEqual(['ok']);
    });

    it('says why it cannot open a path it cannot create', async () => {
      await writeFile(tmp.file('plain-file'), 'x');
      await expect(open({}, tmp.file('plain-file/sub/vehicle.db'))).rejects.toMatchObject({ code: 'AURIGA_ERR_STORE_IO' });
    });

    it('rejects bad options with one clear message', async () => {
      await expect(open({ sampleIntervalMs: 0, synchronous: 'SOMETIMES' as 'FULL' })).rejects.toMatchObject({
        code: 'AURIGA_ERR_CONFIG_INVALID',
        message: expect.stringMatching(/sampleIntervalMs[\s\S]*synchronous/),
      });
    });
  });

  describe('close', () => {
    it('flushes, is idempotent, and refuses work afterwards without throwing from recorders', async () => {
      const store = await open();
      store.recordSignal('Vehicle.Speed', 12, T0);
      store.recordEvent({ type: 'x', severity: 'info', message: 'm', timestamp: T0 });
      const first = store.close();
      expect(store.close()).toBe(first);
      await first;
      await store.flush();
      store.recordSignal('Vehicle.Speed', 13, T0 + 1000); // ignored, counted
      await expect(store.recordActuation({ id: 'a', path: 'P', value: 1, source: 's', status: 'confirmed', requestedAt: 0, completedAt: 0 })).rejects.toMatchObject({ code: 'AURIGA_ERR_STORE_CLOSED' });
      await expect(store.history('Vehicle.Speed', {})).rejects.toMatchObject({ code: 'AURIGA_ERR_STORE_CLOSED' });
      expect(await store.health()).toEqual({ ok: false, detail: 'store closed' });

      const reopened = await open();
      expect(await reopened.history('Vehicle.Speed', {})).toEqual([{ value: 12, timestamp: T0 }]);
      expect(await reopened.events({})).toHaveLength(1);
    });
  });
});
