import { describe, expect, it } from 'vitest';
import { numbersIn, ungroundedNumbers } from '../facts.js';
import { P, tyrePressurePath, WHEELS } from '../signals.js';
import { emptySituations } from '../trips.js';
import { EVENT_KINDS, LANGS, SITUATIONS, type DrivingEvent, type EventKind, type TripRecord } from '../types.js';
import { notificationSummary, summarizeCar, summarizeTrip } from './summarize.js';

/** Deterministic pseudo-random numbers for generated trips. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const T0 = Date.UTC(2026, 10, 29, 8, 0, 0);

function tyreEvent(wheel: (typeof WHEELS)[number], kpa: number, at: number, extra = true): DrivingEvent {
  return {
    id: `tyre_pressure:${wheel}:1`, kind: 'tyre_pressure', severity: 'critical', subject: wheel, path: tyrePressurePath(wheel), value: kpa, unit: 'kPa',
    startedAt: at - 60_000, valueAt: at,
    ...(extra ? { data: { deficit: { value: 27.4, unit: 'kPa', path: tyrePressurePath(wheel), at }, rate: { value: 1.46, unit: 'kPa/min', path: tyrePressurePath(wheel), at } } } : {}),
  };
}

function randomTrip(seed: number): TripRecord {
  const r = rng(seed);
  const durationS = 60 + r() * 4 * 3600;
  const distanceKm = r() * 300;
  const events: DrivingEvent[] = [];
  const counts: Partial<Record<EventKind, number>> = {};
  for (let i = 0; i < Math.floor(r() * 12); i++) {
    const kind = EVENT_KINDS[Math.floor(r() * EVENT_KINDS.length)]!;
    const at = T0 + r() * durationS * 1000;
    counts[kind] = (counts[kind] ?? 0) + 1;
    const base = { id: `${kind}:${i}`, kind, severity: 'warning' as const, startedAt: at, valueAt: at };
    switch (kind) {
      case 'tyre_pressure':
        events.push({ ...tyreEvent(WHEELS[Math.floor(r() * 4)]!, 150 + r() * 80, at, r() > 0.5) });
        break;
      case 'low_fuel':
        events.push({ ...base, subject: '', path: P.fuelLevel, value: r() * 15, unit: 'percent', ...(r() > 0.3 ? { data: { range: { value: r() * 120, unit: 'km', path: P.fuelRange, at } } } : {}) });
        break;
      case 'speeding':
        events.push({ ...base, subject: '', path: P.speed, value: 130 + r() * 40, unit: 'km/h', data: { limit: { value: 130, unit: 'km/h', path: P.speed, at } } });
        break;
      case 'long_drive':
        events.push({ ...base, subject: '', path: P.speed, value: 120 + Math.round(r() * 100), unit: 'min' });
        break;
      case 'door_open_moving':
        events.push({ ...base, subject: 'Vehicle.Body.Trunk.Rear.IsOpen', path: 'Vehicle.Body.Trunk.Rear.IsOpen', value: true, unit: '', data: { speed: { value: 5 + r() * 50, unit: 'km/h', path: P.speed, at } } });
        break;
      case 'warning':
        events.push({ ...base, subject: P.mil, path: P.mil, value: true, unit: '' });
        break;
      default:
        events.push({ ...base, subject: '', path: P.accelLong, value: 3 + r() * 3, unit: 'm/s^2' });
    }
  }
  const situations = emptySituations();
  for (const s of SITUATIONS) situations[s] = r() * durationS;
  return {
    id: `trip-${seed}`, startedAt: T0, endedAt: T0 + durationS * 1000, events, readings: {},
    stats: {
      distanceKm, durationS, movingS: durationS * 0.8, avgSpeedKmh: distanceKm / (durationS / 3600), maxSpeedKmh: 20 + r() * 160, maxSpeedAt: T0 + 1000,
      fuelUsedL: distanceKm * 0.07 * r(), avgConsumptionL100: 4 + r() * 6, situations, eventCounts: counts, ...(r() > 0.3 ? { styleScore: r() * 100 } : {}),
    },
  };
}

describe('grounded summaries', () => {
  it('every number in the text is the value of a returned fact, over many generated trips, in both languages', () => {
    let numbersChecked = 0;
    for (let seed = 1; seed <= 400; seed++) {
      const trip = randomTrip(seed);
      for (const lang of LANGS) {
        const s = summarizeTrip(trip, lang);
        expect(s.lang).toBe(lang);
        expect(s.text.length).toBeGreaterThan(0);
        expect(ungroundedNumbers(s.text, s.facts), `${lang} seed ${seed}: ${s.text}`).toEqual([]);
        numbersChecked += numbersIn(s.text).length;
        for (const f of s.facts) {
          expect(f.path).toMatch(/^(Vehicle|Auriga)\./);
          expect(typeof f.at).toBe('number');
          expect(typeof f.unit).toBe('string');
        }
        for (const e of trip.events) {
          const n = notificationSummary(e, lang);
          expect(ungroundedNumbers(n.text, n.facts), n.text).toEqual([]);
        }
      }
    }
    expect(numbersChecked).toBeGreaterThan(2000);
  });

  it('the check itself catches a made-up number', () => {
    const s = summarizeTrip(randomTrip(3), 'en-US');
    expect(ungroundedNumbers(`${s.text} You saved 12345 euros.`, s.facts)).toEqual([12345]);
  });

  it('puts safety first: a soft tyre leads, with its pressure, before the trip statistics', () => {
    const trip = randomTrip(7);
    trip.events = [tyreEvent('RL', 181.4, T0 + 600_000)];
    trip.stats.eventCounts = { tyre_pressure: 1 };
    const en = summarizeTrip(trip, 'en-US');
    expect(en.text.startsWith('The rear left tyre is losing pressure: 181 kPa, 27 kPa below the others, dropping 1.5 kPa per minute.')).toBe(true);
    expect(en.facts[0]).toEqual({ id: 'tyre.RL.pressure', path: 'Vehicle.Chassis.Axle.Row2.Wheel.Left.Tire.Pressure', value: 181, unit: 'kPa', at: T0 + 600_000 });
    expect(en.text).toContain('Trip:');
    const zh = summarizeTrip(trip, 'zh-CN');
    expect(zh.text.startsWith('左后轮胎压正在下降：181 kPa，比其他轮胎低 27 kPa，每分钟下降 1.5 kPa。')).toBe(true);
    expect(zh.text).toContain('本次行程');
    expect(zh.text).not.toMatch(/[a-z]{4,}/); // no English words left in the Chinese text (units aside)
  });

  it('keeps it short', () => {
    for (let seed = 1; seed <= 50; seed++) {
      const s = summarizeTrip(randomTrip(seed), 'en-US');
      expect(s.text.split(/(?<=\.)\s/).filter((x) => x !== 'Check it soon.').length).toBeLessThanOrEqual(5);
      expect(s.text.length).toBeLessThan(500);
    }
  });

  it('"how is the car": fuel with range, tyres and warning lights from current readings; active problems first', () => {
    const values: Record<string, unknown> = {
      [P.fuelLevel]: 42.4, [P.fuelRange]: 388_600, [P.mil]: false,
      [tyrePressurePath('FL')]: 241, [tyrePressurePath('FR')]: 239, [tyrePressurePath('RL')]: 236.6, [tyrePressurePath('RR')]: 240,
    };
    const read = (p: string) => (p in values ? { value: values[p], at: T0 } : undefined);
    const ok = summarizeCar({ now: T0, read, activeEvents: [] }, 'en-US');
    expect(ok.text).toBe('Fuel is at 42%, about 389 km of range. Tyre pressures are between 237 and 241 kPa. No warning lights are on.');
    expect(ungroundedNumbers(ok.text, ok.facts)).toEqual([]);
    const bad = summarizeCar({ now: T0, read, activeEvents: [tyreEvent('RL', 180, T0, false)] }, 'zh-CN');
    expect(bad.text.startsWith('左后轮胎压正在下降：180 kPa')).toBe(true);
    expect(ungroundedNumbers(bad.text, bad.facts)).toEqual([]);
  });
});
