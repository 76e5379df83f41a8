import { isIgnitionOn, P } from './signals.js';
import { SITUATIONS, type DrivingEvent, type Situation, type TripRecord, type TripStats } from './types.js';

export interface TripTrackerOptions {
  newId: () => string;
  /** Events kept per trip (the counts stay complete). */
  maxEventsPerTrip?: number;
  onStart?: (trip: TripRecord) => void;
  onEnd?: (trip: TripRecord) => void;
}

/** Readings remembered for summaries ("how is the car", end of trip). */
const READINGS: Record<string, string> = {
  [P.fuelLevel]: 'percent',
  [P.fuelRange]: 'm',
  [P.odometer]: 'km',
};

/** A gap in the speed signal longer than this is not integrated (stale data, MQTT down). */
const MAX_GAP_MS = 10_000;

export function emptySituations(): Record<Situation, number> {
  return Object.fromEntries(SITUATIONS.map((s) => [s, 0])) as Record<Situation, number>;
}

function emptyStats(): TripStats {
  return {
    distanceKm: 0, durationS: 0, movingS: 0, avgSpeedKmh: 0, maxSpeedKmh: 0, maxSpeedAt: 0, fuelUsedL: 0, avgConsumptionL100: 0,
    situations: emptySituations(), eventCounts: {},
  };
}

/**
 * Trip segmentation (ignition ON/START to OFF/ACC/LOCK) and statistics. Distance from odometer deltas
 * (falls back to integrating the speed while the odometer is unknown), fuel from the instantaneous
 * consumption over that distance, time per situation from `situation()` calls.
 */
export class TripTracker {
  private trip: TripRecord | undefined;
  private lastOdometer: number | undefined;
  private lastSpeedAt: number | undefined;
  private speed = 0;
  private consumption = 0;
  private styleSum = 0;
  private styleCount = 0;
  private situationNow: Situation | undefined;
  private situationSince: number | undefined;
  private readonly maxEvents: number;

  constructor(private readonly opts: TripTrackerOptions) {
    this.maxEvents = opts.maxEventsPerTrip ?? 500;
  }

  get current(): TripRecord | undefined {
    return this.trip;
  }

  signal(path: string, value: unknown, now: number): void {
    if (path === P.ignition) {
      if (isIgnitionOn(value)) {
        if (!this.trip) this.start(now);
      } else if (this.trip) this.end(now);
      return;
    }
    if (path in READINGS || path.endsWith('.Tire.Pressure')) this.reading(path, value, now);
    const trip = this.trip;
    if (path === P.speed && typeof value === 'number') {
      this.advance(now);
      this.speed = value;
      if (trip && value > trip.stats.maxSpeedKmh) {
        trip.stats.maxSpeedKmh = value;
        trip.stats.maxSpeedAt = now;
      }
    } else if (path === P.consumption && typeof value === 'number') {
      this.consumption = value;
    } else if (path === P.odometer && typeof value === 'number') {
      if (trip) {
        trip.startOdometerKm ??= value;
        if (this.lastOdometer !== undefined) {
          const d = value - this.lastOdometer;
          // Odometer steps (resolution 0.1 km or so); negative or absurd steps are ignored (a reset, a bad frame).
          if (d > 0 && d < 5) this.addDistance(d);
        }
      }
      this.lastOdometer = value;
    }
  }

  /** The fused situation now (time per situation is accumulated until the next call). */
  situation(s: Situation, now: number): void {
    this.accountSituation(now);
    this.situationNow = s;
  }

  style(score: number): void {
    if (!this.trip) return;
    this.styleSum += score;
    this.styleCount++;
    this.trip.stats.styleScore = Math.round((this.styleSum / this.styleCount) * 10) / 10;
  }

  event(e: DrivingEvent, phase: 'start' | 'update' | 'end'): void {
    const trip = this.trip;
    if (!trip) return;
    if (phase === 'start') {
      trip.stats.eventCounts[e.kind] = (trip.stats.eventCounts[e.kind] ?? 0) + 1;
      if (trip.events.length < this.maxEvents) trip.events.push({ ...e, ...(e.data ? { data: { ...e.data } } : {}) });
      return;
    }
    const kept = trip.events.find((k) => k.id === e.id);
    if (kept) Object.assign(kept, { ...e, ...(e.data ? { data: { ...e.data } } : {}) });
  }

  /** Brings the durations up to `now` (call before reading `current`). */
  update(now: number): void {
    this.advance(now);
    this.accountSituation(now);
    const trip = this.trip;
    if (!trip) return;
    const s = trip.stats;
    s.durationS = Math.max(s.durationS, (now - trip.startedAt) / 1000);
    s.avgSpeedKmh = s.durationS > 0 ? s.distanceKm / (s.durationS / 3600) : 0;
    s.avgConsumptionL100 = s.distanceKm > 0.05 ? (s.fuelUsedL / s.distanceKm) * 100 : 0;
  }

  /** Ends the trip in progress (e.g. at shutdown). */
  finish(now: number): TripRecord | undefined {
    return this.trip ? this.end(now) : undefined;
  }

  private start(now: number): void {
    this.trip = { id: this.opts.newId(), startedAt: now, stats: emptyStats(), events: [], readings: {} };
    if (this.lastOdometer !== undefined) this.trip.startOdometerKm = this.lastOdometer;
    this.styleSum = 0;
    this.styleCount = 0;
    this.lastSpeedAt = now;
    this.situationSince = now;
    this.opts.onStart?.(this.trip);
  }

  private end(now: number): TripRecord {
    this.update(now);
    const trip = this.trip!;
    trip.endedAt = now;
    this.trip = undefined;
    this.situationSince = undefined;
    this.opts.onEnd?.(trip);
    return trip;
  }

  private reading(path: string, value: unknown, now: number): void {
    if (!this.trip || (typeof value !== 'number' && typeof value !== 'boolean' && typeof value !== 'string')) return;
    this.trip.readings[path] = { value, unit: READINGS[path] ?? 'kPa', at: now };
  }

  private addDistance(km: number): void {
    const trip = this.trip!;
    trip.stats.distanceKm += km;
    trip.stats.fuelUsedL += (this.consumption * km) / 100;
  }

  /** Moving time, and distance by integrating speed while the odometer is unknown. */
  private advance(now: number): void {
    const since = this.lastSpeedAt;
    // Samples may be stamped a little before the last signal (sample-and-hold fill): never go back.
    if (since !== undefined && now <= since) return;
    this.lastSpeedAt = now;
    const trip = this.trip;
    if (!trip || since === undefined) return;
    const dt = now - since;
    if (dt > MAX_GAP_MS) return;
    if (this.speed >= 2) trip.stats.movingS += dt / 1000;
    if (this.lastOdometer === undefined) this.addDistance((this.speed * dt) / 3_600_000);
  }

  private accountSituation(now: number): void {
    const trip = this.trip;
    if (!trip || this.situationSince === undefined) {
      this.situationSince = now;
      return;
    }
    const dt = now - this.situationSince;
    if (dt <= 0) return;
    this.situationSince = now;
    if (this.situationNow) trip.stats.situations[this.situationNow] += dt / 1000;
  }
}
