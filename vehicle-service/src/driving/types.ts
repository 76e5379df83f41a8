/** Shared types of the driving context (trips, events, facts, summaries, notifications). */

export const SITUATIONS = ['parked', 'stop_and_go', 'city', 'rural', 'highway'] as const;
export type Situation = (typeof SITUATIONS)[number];

export type Lang = 'en-US' | 'zh-CN';
export const LANGS: readonly Lang[] = ['en-US', 'zh-CN'];

export const EVENT_KINDS = [
  'harsh_braking', 'harsh_acceleration', 'sharp_cornering', 'speeding', 'long_drive', 'low_fuel', 'tyre_pressure',
  'warning', 'adas_alert', 'door_open_moving',
] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

/** A fact a summary is built from: one value of one signal at one time, in the unit the text shows. */
export interface Fact {
  /** Stable id within one summary, e.g. `trip.distance`, `tyre.RL.pressure`. */
  id: string;
  /** VSS path of the signal the value comes from (derived statistics name their source signal). */
  path: string;
  value: number | string | boolean;
  /** Unit of `value` as shown in the text ('' when none). */
  unit: string;
  /** When the value was observed (ms since the Unix epoch). */
  at: number;
}

/** One occurrence of something worth telling (fires once per occurrence, thanks to hysteresis). */
export interface DrivingEvent {
  /** Unique within a trip/context, e.g. `tyre_pressure:RL:3`. */
  id: string;
  kind: EventKind;
  severity: 'info' | 'warning' | 'critical';
  /** Which tyre, door, warning signal... ('' when the kind has a single subject). */
  subject: string;
  /** The signal that triggered it. */
  path: string;
  /** The value that triggered it (worst value seen while active, e.g. the lowest pressure). */
  value: number | string | boolean;
  unit: string;
  startedAt: number;
  /** Time of `value`. */
  valueAt: number;
  /** undefined while the occurrence is still active. */
  endedAt?: number;
  /** Extra numbers (range left, leak rate, limit...), each with its unit. */
  data?: Record<string, { value: number; unit: string; path: string; at: number }>;
}

export type SituationSeconds = Record<Situation, number>;

export interface TripStats {
  distanceKm: number;
  durationS: number;
  movingS: number;
  avgSpeedKmh: number;
  maxSpeedKmh: number;
  /** When the max speed was observed. */
  maxSpeedAt: number;
  fuelUsedL: number;
  /** l/100km over the trip (0 when no distance). */
  avgConsumptionL100: number;
  situations: SituationSeconds;
  eventCounts: Partial<Record<EventKind, number>>;
  /** Style score 0 (smooth) .. 100 (aggressive), mean of the model's window scores; undefined without the model. */
  styleScore?: number;
}

export interface TripRecord {
  id: string;
  startedAt: number;
  /** undefined while the trip is in progress. */
  endedAt?: number;
  /** Odometer at the start (km), when known. */
  startOdometerKm?: number;
  stats: TripStats;
  /** Events of the trip (capped; the counts in stats are complete). */
  events: DrivingEvent[];
  /** Last known readings at the end (or now) used by summaries: fuel, range, tyre pressures. */
  readings: Record<string, { value: number | string | boolean; unit: string; at: number }>;
}

export interface Summary {
  text: string;
  lang: Lang;
  facts: Fact[];
}

export type NotificationKind = 'low_fuel' | 'tyre_pressure' | 'warning' | 'trip_summary';

export interface DrivingNotification {
  id: string;
  kind: NotificationKind;
  /** What it is about (tyre, warning signal...). */
  subject: string;
  severity: 'info' | 'warning' | 'critical';
  text: string;
  lang: Lang;
  facts: Fact[];
  /** When the condition was detected. */
  createdAt: number;
  /** When it was handed to the driver (after any voice interaction finished). */
  deliveredAt: number;
  tripId?: string;
}
