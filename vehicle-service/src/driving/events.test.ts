import { describe, expect, it } from 'vitest';
import { EventDetector, type EventPhase } from './events.js';
import { P, tyreLowPath, tyrePressurePath } from './signals.js';
import type { DrivingEvent } from './types.js';

function detector(th = {}) {
  const log: Array<{ e: DrivingEvent; phase: EventPhase }> = [];
  const d = new EventDetector((e, phase) => log.push({ e: structuredClone(e), phase }), th);
  const starts = (kind?: string) => log.filter((l) => l.phase === 'start' && (!kind || l.e.kind === kind));
  return { d, log, starts };
}

describe('EventDetector', () => {
  it('fires harsh braking once per occurrence, keeps the peak, and re-arms after release', () => {
    const { d, log, starts } = detector();
    const seq = [-1, -3.6, -4.2, -3.0, -2.5, -1.0, -0.5, -3.9, -1];
    seq.forEach((a, i) => d.signal(P.accelLong, a, i * 100));
    expect(starts('harsh_braking')).toHaveLength(2);
    const first = log.find((l) => l.phase === 'end')!.e;
    expect(first.value).toBe(4.2);
    expect(first.endedAt).toBe(500); // -1.0 is below 0.6 x 3.5 = 2.1
    expect(starts('harsh_acceleration')).toHaveLength(0);
  });

  it('detects harsh acceleration and sharp cornering', () => {
    const { d, starts } = detector();
    d.signal(P.accelLong, 3.2, 0);
    d.signal(P.accelLat, -4.5, 0);
    d.signal(P.accelLat, -4.8, 100);
    expect(starts('harsh_acceleration')).toHaveLength(1);
    expect(starts('sharp_cornering')).toHaveLength(1);
  });

  it('speeding needs the hold time over the configured limit and reports the max', () => {
    const { d, log, starts } = detector({ speedLimitKmh: 100, speedingHoldS: 5 });
    d.signal(P.ignition, 'ON', 0);
    d.signal(P.speed, 104, 0);
    d.tick(3000);
    expect(starts('speeding')).toHaveLength(0);
    d.signal(P.speed, 108, 5000);
    expect(starts('speeding')).toHaveLength(1);
    d.signal(P.speed, 112, 6000);
    d.signal(P.speed, 99, 7000);
    d.tick(9000);
    expect(log.some((l) => l.phase === 'end' && l.e.kind === 'speeding')).toBe(false);
    d.tick(12_000);
    const end = log.find((l) => l.phase === 'end' && l.e.kind === 'speeding')!.e;
    expect(end.value).toBe(112);
    expect(end.data?.limit?.value).toBe(100);
  });

  it('a short dip over the limit is not speeding', () => {
    const { d, starts } = detector({ speedLimitKmh: 100 });
    d.signal(P.speed, 105, 0);
    d.signal(P.speed, 95, 2000);
    d.tick(10_000);
    expect(starts('speeding')).toHaveLength(0);
  });

  it('tyre pressure dropping fires once, tracks the lowest pressure and the leak rate', () => {
    const { d, log, starts } = detector();
    const set = (rl: number, t: number) => {
      for (const w of ['FL', 'FR', 'RR'] as const) d.signal(tyrePressurePath(w), 250, t);
      d.signal(tyrePressurePath('RL'), rl, t);
    };
    for (let m = 0; m <= 20; m++) set(250 - 1.5 * m, m * 60_000);
    expect(starts('tyre_pressure')).toHaveLength(1);
    const e = starts('tyre_pressure')[0]!.e;
    expect(e.subject).toBe('RL');
    expect(e.value).toBe(235); // 15 kPa under the others after 10 minutes
    const updates = log.filter((l) => l.phase === 'update' && l.e.kind === 'tyre_pressure');
    const last = updates.at(-1)!.e;
    expect(last.value).toBe(220);
    expect(last.data?.deficit?.value).toBe(30);
    expect(last.data?.rate?.value).toBeCloseTo(1.5, 1);
    // The car's own low flag while already active is the same occurrence.
    d.signal(tyreLowPath('RL'), true, 21 * 60_000);
    expect(starts('tyre_pressure')).toHaveLength(1);
  });

  it('all four tyres warming up together is not a drop; the car low flag alone is', () => {
    const { d, starts } = detector();
    for (let t = 0; t < 10; t++) for (const w of ['FL', 'FR', 'RL', 'RR'] as const) d.signal(tyrePressurePath(w), 240 + t * 3, t * 1000);
    expect(starts('tyre_pressure')).toHaveLength(0);
    d.signal(tyreLowPath('FR'), true, 20_000);
    d.signal(tyrePressurePath('FR'), 268, 20_001);
    expect(starts('tyre_pressure').map((s) => s.e.subject)).toEqual(['FR']);
  });

  it('low fuel fires once with the range and ends only after refuelling', () => {
    const { d, log, starts } = detector();
    d.signal(P.fuelRange, 95_000, 0);
    d.signal(P.fuelLevel, 16, 0);
    d.signal(P.fuelLevel, 15, 1000);
    d.signal(P.fuelLevel, 16, 2000);
    d.signal(P.fuelLevel, 14, 3000);
    expect(starts('low_fuel')).toHaveLength(1);
    expect(starts('low_fuel')[0]!.e.data?.range?.value).toBe(95);
    d.signal(P.fuelLevel, 60, 4000);
    expect(log.filter((l) => l.phase === 'end' && l.e.kind === 'low_fuel')).toHaveLength(1);
    d.signal(P.fuelLevel, 15, 5000);
    expect(starts('low_fuel')).toHaveLength(2);
  });

  it('new warnings fire on the rising edge; ADAS alerts are their own kind', () => {
    const { d, starts } = detector();
    d.signal(P.mil, false, 0);
    d.signal(P.mil, true, 1);
    d.signal(P.mil, true, 2);
    d.signal(P.laneDeparture, true, 3);
    d.signal(P.laneDeparture, false, 4);
    d.signal(P.laneDeparture, true, 5);
    d.signal(P.dtcCount, 0, 6);
    d.signal(P.dtcCount, 2, 7);
    expect(starts('warning').map((s) => s.e.subject)).toEqual([P.mil, `${P.dtcCount}:2`]);
    expect(starts('adas_alert')).toHaveLength(2);
  });

  it('a door open while moving fires once until closed', () => {
    const { d, starts } = detector();
    const door = 'Vehicle.Cabin.Door.Row2.PassengerSide.IsOpen';
    d.signal(door, true, 0);
    d.signal(P.speed, 3, 1);
    expect(starts('door_open_moving')).toHaveLength(0);
    d.signal(P.speed, 20, 2);
    d.signal(P.speed, 25, 3);
    expect(starts('door_open_moving')).toHaveLength(1);
    expect(starts('door_open_moving')[0]!.e.data?.speed?.value).toBe(20);
    d.signal(door, false, 4);
    d.signal(door, true, 5);
    expect(starts('door_open_moving')).toHaveLength(2);
  });

  it('long driving without a break fires after the limit and re-arms after a break', () => {
    const { d, starts } = detector({ longDriveS: 3600, breakS: 600 });
    d.signal(P.ignition, 'ON', 0);
    for (let t = 0; t <= 3600; t += 60) d.signal(P.speed, 80, t * 1000);
    expect(starts('long_drive')).toHaveLength(1);
    expect(starts('long_drive')[0]!.e.value).toBe(60);
    d.signal(P.speed, 0, 3700_000);
    d.tick(3700_000 + 300_000);
    d.signal(P.speed, 80, 4000_000);
    d.tick(4000_000 + 3000_000);
    expect(starts('long_drive')).toHaveLength(1); // a 5 min stop is not a break
    d.signal(P.ignition, 'OFF', 8000_000);
    d.tick(8000_000 + 700_000);
    d.signal(P.ignition, 'ON', 9000_000);
    d.signal(P.speed, 80, 9000_000);
    d.tick(9000_000 + 3600_000);
    expect(starts('long_drive')).toHaveLength(2);
  });
});
