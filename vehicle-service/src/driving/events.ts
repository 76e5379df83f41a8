import {
  ADAS_ALERTS, isIgnitionOn, NOTIFIED_WARNINGS, OPENING_PATHS, P, tyreLowPath, tyrePressurePath, WHEELS, type Wheel,
} from './signals.js';
import type { DrivingEvent, EventKind } from './types.js';

/** Thresholds of the event rules (defaults: usual telematics values; the tyre and fuel flags come from the car). */
export interface EventThresholds {
  /** Harsh braking at or below -X m/s^2. */
  harshBrakingMs2: number;
  harshAccelerationMs2: number;
  /** Sharp cornering at |lateral| >= X m/s^2. */
  corneringMs2: number;
  /** An acceleration event ends below this fraction of its threshold (hysteresis). */
  releaseRatio: number;
  speedLimitKmh: number;
  /** Speeding only after this long over the limit, ends after this long under it. */
  speedingHoldS: number;
  /** Long driving without a break after this many seconds... */
  longDriveS: number;
  /** ...where a break is the ignition off or standing still for this long. */
  breakS: number;
  /** Low fuel at or below this level (or when the car's own low-fuel flag is set)... */
  lowFuelPct: number;
  /** ...until refuelled above this level. */
  lowFuelReleasePct: number;
  /** Tyre pressure dropping: this far below the median of the other tyres (temperature affects all four alike). */
  tyreDropKpa: number;
  /** Ends when back within this of the others and the car's low-pressure flag is clear. */
  tyreReleaseKpa: number;
  /** Openings count as open while moving above this speed. */
  doorSpeedKmh: number;
}

export const DEFAULT_THRESHOLDS: EventThresholds = {
  harshBrakingMs2: 3.5,
  harshAccelerationMs2: 3.0,
  corneringMs2: 4.0,
  releaseRatio: 0.6,
  speedLimitKmh: 130,
  speedingHoldS: 5,
  longDriveS: 2 * 3600,
  breakS: 15 * 60,
  lowFuelPct: 15,
  lowFuelReleasePct: 20,
  tyreDropKpa: 15,
  tyreReleaseKpa: 8,
  doorSpeedKmh: 5,
};

export type EventPhase = 'start' | 'update' | 'end';
export type EventListener = (event: DrivingEvent, phase: EventPhase) => void;

const SEVERITY: Record<EventKind, DrivingEvent['severity']> = {
  harsh_braking: 'info',
  harsh_acceleration: 'info',
  sharp_cornering: 'info',
  speeding: 'warning',
  long_drive: 'warning',
  low_fuel: 'warning',
  tyre_pressure: 'critical',
  warning: 'critical',
  adas_alert: 'info',
  door_open_moving: 'critical',
};

const UNITS: Record<string, string> = {
  [P.accelLong]: 'm/s^2',
  [P.accelLat]: 'm/s^2',
  [P.speed]: 'km/h',
  [P.fuelLevel]: 'percent',
};

/** Keeps at most this many seconds of tyre deficit history for the leak rate. */
const RATE_WINDOW_MS = 5 * 60_000;

/**
 * Rule-based driving events with hysteresis: each occurrence starts once, may update its worst value,
 * and ends when the condition has clearly gone. Pure: values and times come in, events go out.
 */
export class EventDetector {
  private readonly th: EventThresholds;
  private readonly values = new Map<string, unknown>();
  private readonly active = new Map<string, DrivingEvent>();
  private seq = 0;
  private overLimitSince: number | undefined;
  private underLimitSince: number | undefined;
  private drivingSince: number | undefined;
  private stillSince: number | undefined;
  private ignitionOffSince: number | undefined;
  private readonly tyreHistory = new Map<Wheel, Array<{ t: number; deficit: number }>>();

  constructor(
    private readonly listener: EventListener,
    thresholds: Partial<EventThresholds> = {},
  ) {
    this.th = { ...DEFAULT_THRESHOLDS, ...thresholds };
  }

  get thresholds(): Readonly<EventThresholds> {
    return this.th;
  }

  /** Events in progress (speeding now, low fuel, a soft tyre, a warning lamp on...). */
  activeEvents(): DrivingEvent[] {
    return [...this.active.values()].map((e) => ({ ...e }));
  }

  /** A signal changed. */
  signal(path: string, value: unknown, now: number): void {
    const previous = this.values.get(path);
    this.values.set(path, value);
    switch (path) {
      case P.accelLong:
        if (typeof value === 'number') {
          this.threshold('harsh_braking', '', path, -value, this.th.harshBrakingMs2, now, -value);
          this.threshold('harsh_acceleration', '', path, value, this.th.harshAccelerationMs2, now, value);
        }
        return;
      case P.accelLat:
        if (typeof value === 'number') this.threshold('sharp_cornering', '', path, Math.abs(value), this.th.corneringMs2, now, Math.abs(value));
        return;
      case P.speed:
        this.onSpeed(now);
        return;
      case P.ignition:
        if (isIgnitionOn(value)) this.ignitionOffSince = undefined;
        else this.ignitionOffSince ??= now;
        this.onOpenings(now);
        return;
      case P.fuelLevel:
      case P.fuelLow:
        this.onFuel(now);
        return;
      case P.dtcCount:
        if (typeof value === 'number' && typeof previous === 'number' && value > previous) {
          const e = this.start('warning', `${path}:${value}`, path, value, '', now);
          this.end(e, now);
        }
        return;
    }
    if (NOTIFIED_WARNINGS.includes(path) || ADAS_ALERTS.includes(path)) {
      const kind: EventKind = NOTIFIED_WARNINGS.includes(path) ? 'warning' : 'adas_alert';
      const key = `${kind}:${path}`;
      if (value === true && previous !== true && !this.active.has(key)) this.start(kind, path, path, true, '', now);
      else if (value !== true) this.endKey(key, now);
      return;
    }
    if (OPENING_PATHS.includes(path)) {
      this.onOpenings(now);
      return;
    }
    for (const w of WHEELS) {
      if (path === tyrePressurePath(w) || path === tyreLowPath(w)) {
        this.onTyres(now, path === tyrePressurePath(w) ? w : undefined);
        return;
      }
    }
  }

  /** Time-based rules (speeding hold, long drive, breaks); call about once a second. */
  tick(now: number): void {
    this.onSpeed(now);
  }

  private num(path: string): number | undefined {
    const v = this.values.get(path);
    return typeof v === 'number' ? v : undefined;
  }

  private threshold(kind: EventKind, subject: string, path: string, level: number, on: number, now: number, shown: number): void {
    const key = `${kind}:${subject}`;
    const e = this.active.get(key);
    if (!e) {
      if (level >= on) this.start(kind, subject, path, round2(shown), UNITS[path] ?? '', now);
      return;
    }
    if (level > (e.value as number)) this.update(e, round2(shown), now);
    if (level < on * this.th.releaseRatio) this.end(e, now);
  }

  private onSpeed(now: number): void {
    const speed = this.num(P.speed) ?? 0;
    const on = isIgnitionOn(this.values.get(P.ignition));
    // Speeding, held for speedingHoldS both ways so a moment at the limit is not an event.
    const limit = this.th.speedLimitKmh;
    const speeding = this.active.get('speeding:');
    if (speed > limit) {
      this.underLimitSince = undefined;
      this.overLimitSince ??= now;
      if (!speeding && now - this.overLimitSince >= this.th.speedingHoldS * 1000) {
        this.start('speeding', '', P.speed, round1(speed), 'km/h', now, (e) => {
          e.data = { limit: { value: limit, unit: 'km/h', path: P.speed, at: now } };
        });
      } else if (speeding && speed > (speeding.value as number)) this.update(speeding, round1(speed), now);
    } else {
      this.overLimitSince = undefined;
      this.underLimitSince ??= now;
      if (speeding && now - this.underLimitSince >= this.th.speedingHoldS * 1000) this.end(speeding, now);
    }
    // Long driving without a break.
    const moving = on && speed >= 2;
    if (moving) {
      this.stillSince = undefined;
      this.drivingSince ??= now;
    } else this.stillSince ??= now;
    const pausedSince = this.ignitionOffSince ?? this.stillSince;
    if (pausedSince !== undefined && now - pausedSince >= this.th.breakS * 1000) {
      this.drivingSince = undefined;
      this.endKey('long_drive:', now);
    }
    if (this.drivingSince !== undefined && !this.active.has('long_drive:') && now - this.drivingSince >= this.th.longDriveS * 1000) {
      this.start('long_drive', '', P.speed, Math.round((now - this.drivingSince) / 60_000), 'min', now);
    }
    this.onOpenings(now);
  }

  private onFuel(now: number): void {
    const level = this.num(P.fuelLevel);
    const flag = this.values.get(P.fuelLow) === true;
    const e = this.active.get('low_fuel:');
    const low = flag || (level !== undefined && level <= this.th.lowFuelPct);
    if (!e && low) {
      this.start('low_fuel', '', level !== undefined ? P.fuelLevel : P.fuelLow, level ?? true, level !== undefined ? 'percent' : '', now, (ev) => this.addRange(ev, now));
    } else if (e) {
      if (level !== undefined && typeof e.value === 'number' && level < e.value) {
        this.update(e, level, now);
        this.addRange(e, now);
      }
      if (!flag && level !== undefined && level >= this.th.lowFuelReleasePct) this.end(e, now);
    }
  }

  private addRange(e: DrivingEvent, now: number): void {
    const rangeM = this.num(P.fuelRange);
    if (rangeM !== undefined) (e.data ??= {}).range = { value: Math.round(rangeM / 1000), unit: 'km', path: P.fuelRange, at: now };
  }

  private onTyres(now: number, changed: Wheel | undefined): void {
    const pressures = new Map<Wheel, number>();
    for (const w of WHEELS) {
      const p = this.num(tyrePressurePath(w));
      if (p !== undefined) pressures.set(w, p);
    }
    for (const w of WHEELS) {
      const p = pressures.get(w);
      if (p === undefined) continue;
      const others = WHEELS.filter((o) => o !== w && pressures.has(o)).map((o) => pressures.get(o)!);
      const deficit = others.length >= 2 ? median(others) - p : 0;
      const flag = this.values.get(tyreLowPath(w)) === true;
      if (w === changed) {
        // The leak rate from this wheel's own readings (each compared with the others at that time).
        const history = this.tyreHistory.get(w) ?? [];
        history.push({ t: now, deficit });
        while (history.length > 1 && now - history[0]!.t > RATE_WINDOW_MS) history.shift();
        this.tyreHistory.set(w, history);
      }
      const key = `tyre_pressure:${w}`;
      const e = this.active.get(key);
      const path = tyrePressurePath(w);
      if (!e) {
        if (flag || deficit >= this.th.tyreDropKpa) {
          this.start('tyre_pressure', w, path, Math.round(p), 'kPa', now, (ev) => this.tyreData(ev, w, deficit, flag, now));
        }
        continue;
      }
      if (p < (e.value as number) - 0.5) {
        this.tyreData(e, w, deficit, flag, now);
        this.update(e, Math.round(p), now);
      }
      if (!flag && deficit < this.th.tyreReleaseKpa) this.end(e, now);
    }
  }

  private tyreData(e: DrivingEvent, w: Wheel, deficit: number, flag: boolean, now: number): void {
    const path = tyrePressurePath(w);
    e.data = { ...(e.data ?? {}), deficit: { value: Math.round(deficit), unit: 'kPa', path, at: now } };
    if (flag) e.data.low = { value: 1, unit: '', path: tyreLowPath(w), at: now };
    const h = this.tyreHistory.get(w) ?? [];
    const first = h[0];
    if (first && now - first.t >= 60_000) {
      const rate = ((deficit - first.deficit) / (now - first.t)) * 60_000;
      if (rate > 0) e.data.rate = { value: round1(rate), unit: 'kPa/min', path, at: now };
    }
  }

  private onOpenings(now: number): void {
    const speed = this.num(P.speed) ?? 0;
    for (const path of OPENING_PATHS) {
      const key = `door_open_moving:${path}`;
      const open = this.values.get(path) === true;
      const e = this.active.get(key);
      if (!e && open && speed > this.th.doorSpeedKmh) {
        this.start('door_open_moving', path, path, true, '', now, (ev) => {
          ev.data = { speed: { value: Math.round(speed), unit: 'km/h', path: P.speed, at: now } };
        });
      }
      else if (e && !open) this.end(e, now);
    }
  }

  private start(
    kind: EventKind, subject: string, path: string, value: DrivingEvent['value'], unit: string, now: number, prepare?: (e: DrivingEvent) => void,
  ): DrivingEvent {
    const e: DrivingEvent = { id: `${kind}:${subject}:${++this.seq}`, kind, severity: SEVERITY[kind], subject, path, value, unit, startedAt: now, valueAt: now };
    prepare?.(e);
    this.active.set(`${kind}:${subject}`, e);
    this.listener(e, 'start');
    return e;
  }

  private update(e: DrivingEvent, value: DrivingEvent['value'], now: number): void {
    e.value = value;
    e.valueAt = now;
    this.listener(e, 'update');
  }

  private endKey(key: string, now: number): void {
    const e = this.active.get(key);
    if (e) this.end(e, now);
  }

  private end(e: DrivingEvent, now: number): void {
    this.active.delete(`${e.kind}:${e.subject}`);
    e.endedAt = now;
    this.listener(e, 'end');
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
const round1 = (x: number): number => Math.round(x * 10) / 10;
const round2 = (x: number): number => Math.round(x * 100) / 100;
