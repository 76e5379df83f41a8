import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../store/sqlite-store.js';
import { emptySituations } from './trips.js';
import type { DrivingNotification, TripRecord } from './types.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function open() {
  const dir = mkdtempSync(join(tmpdir(), 'auriga-driving-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'vehicle.db');
  const store = await SqliteStore.open(file, { logger: pino({ level: 'silent' }) });
  return { store, file };
}

const trip = (id: string, startedAt: number, endedAt?: number): TripRecord => ({
  id, startedAt, ...(endedAt !== undefined ? { endedAt } : {}), startOdometerKm: 12_000.5,
  stats: {
    distanceKm: 12.3, durationS: 900, movingS: 800, avgSpeedKmh: 49.2, maxSpeedKmh: 88, maxSpeedAt: startedAt + 1,
    fuelUsedL: 0.9, avgConsumptionL100: 7.3, situations: { ...emptySituations(), city: 600, rural: 300 }, eventCounts: { harsh_braking: 1 },
  },
  events: [{ id: 'harsh_braking::1', kind: 'harsh_braking', severity: 'info', subject: '', path: 'Vehicle.Acceleration.Longitudinal', value: 4.1, unit: 'm/s^2', startedAt, valueAt: startedAt }],
  readings: { 'Vehicle.Powertrain.FuelSystem.RelativeLevel': { value: 40, unit: 'percent', at: startedAt } },
});

describe('SqliteStore as the DrivingStore (real SQLite file)', () => {
  it('saves the trip in progress, replaces it when it ends, lists newest first, survives reopening', async () => {
    const { store, file } = await open();
    await store.saveTrip(trip('a', 1000));
    await store.saveTrip(trip('b', 5000));
    await store.saveTrip(trip('a', 1000, 901_000));
    expect((await store.trips()).map((t) => t.id)).toEqual(['b', 'a']);
    expect(await store.trip('a')).toEqual(trip('a', 1000, 901_000));
    expect((await store.trip('b'))!.endedAt).toBeUndefined();
    expect(await store.trip('zzz')).toBeUndefined();
    await store.close();
    const again = await SqliteStore.open(file, { logger: pino({ level: 'silent' }) });
    cleanups.push(() => again.close());
    expect(await again.trip('a')).toEqual(trip('a', 1000, 901_000));
    expect((await again.trips({ limit: 1 })).map((t) => t.id)).toEqual(['b']);
  });

  it('keeps notifications with their facts, newest first', async () => {
    const { store } = await open();
    cleanups.push(() => store.close());
    const n = (id: string, at: number): DrivingNotification => ({
      id, kind: 'tyre_pressure', subject: 'RL', severity: 'critical', text: `t ${id}`, lang: 'zh-CN', createdAt: at - 5, deliveredAt: at, tripId: 'a',
      facts: [{ id: 'tyre.RL.pressure', path: 'Vehicle.Chassis.Axle.Row2.Wheel.Left.Tire.Pressure', value: 190, unit: 'kPa', at }],
    });
    await store.saveNotification(n('1', 100));
    await store.saveNotification(n('2', 200));
    expect(await store.notifications()).toEqual([n('2', 200), n('1', 100)]);
    expect(await store.notifications({ limit: 1 })).toEqual([n('2', 200)]);
  });
});
