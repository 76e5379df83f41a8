import { describe, expect, it } from 'vitest';
import { P } from './signals.js';
import { TripTracker } from './trips.js';
import type { TripRecord } from './types.js';

function tracker() {
  const ended: TripRecord[] = [];
  let n = 0;
  const t = new TripTracker({ newId: () => `trip-${++n}`, onEnd: (trip) => ended.push(structuredClone(trip)) });
  return { t, ended };
}

describe('TripTracker', () => {
  it('segments trips from ignition on to off and ignores ACC/START flicker', () => {
    const { t, ended } = tracker();
    t.signal(P.ignition, 'ACC', 0);
    expect(t.current).toBeUndefined();
    t.signal(P.ignition, 'START', 1000);
    expect(t.current?.id).toBe('trip-1');
    t.signal(P.ignition, 'ON', 2000);
    expect(t.current?.id).toBe('trip-1');
    t.signal(P.ignition, 'OFF', 601_000);
    expect(ended).toHaveLength(1);
    expect(ended[0]!.startedAt).toBe(1000);
    expect(ended[0]!.endedAt).toBe(601_000);
    expect(ended[0]!.stats.durationS).toBe(600);
    t.signal(P.ignition, 'ON', 700_000);
    expect(t.current?.id).toBe('trip-2');
  });

  it('distance from odometer deltas, fuel from consumption over that distance, speeds and moving time', () => {
    const { t, ended } = tracker();
    t.signal(P.odometer, 1000.0, 0);
    t.signal(P.ignition, 'ON', 0);
    t.signal(P.consumption, 6, 0);
    // 30 minutes at 60 km/h = 30 km, sampled every second; odometer in 0.1 km steps.
    for (let s = 1; s <= 1800; s++) {
      t.signal(P.speed, s === 900 ? 75 : 60, s * 1000);
      if (s % 6 === 0) t.signal(P.odometer, Math.round((1000 + s / 60) * 10) / 10, s * 1000);
    }
    t.signal(P.speed, 0, 1801_000);
    t.signal(P.ignition, 'OFF', 1860_000);
    const s = ended[0]!.stats;
    expect(s.distanceKm).toBeCloseTo(30, 1);
    expect(s.fuelUsedL).toBeCloseTo(1.8, 2);
    expect(s.avgConsumptionL100).toBeCloseTo(6, 2);
    expect(s.maxSpeedKmh).toBe(75);
    expect(s.maxSpeedAt).toBe(900_000);
    expect(s.movingS).toBeCloseTo(1800, 0);
    expect(s.durationS).toBe(1860);
    expect(s.avgSpeedKmh).toBeCloseTo(30 / (1860 / 3600), 1);
    expect(ended[0]!.startOdometerKm).toBe(1000);
  });

  it('integrates speed when the car sends no odometer, and skips gaps in the data', () => {
    const { t, ended } = tracker();
    t.signal(P.ignition, 'ON', 0);
    for (let s = 0; s <= 3600; s++) t.signal(P.speed, 100, s * 1000);
    t.signal(P.speed, 100, 3600_000 + 60_000); // a minute without data is not integrated
    t.signal(P.ignition, 'OFF', 3700_000);
    expect(ended[0]!.stats.distanceKm).toBeCloseTo(100, 1);
  });

  it('accumulates time per situation and counts events', () => {
    const { t, ended } = tracker();
    t.signal(P.ignition, 'ON', 0);
    t.situation('city', 0);
    t.situation('highway', 60_000);
    t.situation('city', 660_000);
    t.event({ id: 'a', kind: 'harsh_braking', severity: 'info', subject: '', path: P.accelLong, value: 4, unit: 'm/s^2', startedAt: 1, valueAt: 1 }, 'start');
    t.event({ id: 'b', kind: 'harsh_braking', severity: 'info', subject: '', path: P.accelLong, value: 5, unit: 'm/s^2', startedAt: 2, valueAt: 2 }, 'start');
    t.signal(P.ignition, 'OFF', 720_000);
    const s = ended[0]!.stats;
    expect(s.situations.city).toBe(120);
    expect(s.situations.highway).toBe(600);
    expect(s.eventCounts.harsh_braking).toBe(2);
    expect(ended[0]!.events).toHaveLength(2);
  });
});
