import type { DrivingNotification, TripRecord } from './types.js';

/** Persistence of trips and notifications (SqliteStore implements it; MemoryDrivingStore for tests and no-disk setups). */
export interface DrivingStore {
  /** Inserts or replaces the trip (the trip in progress is saved now and then, and at its end). */
  saveTrip(trip: TripRecord): Promise<void>;
  /** Newest first. */
  trips(q?: { limit?: number }): Promise<TripRecord[]>;
  trip(id: string): Promise<TripRecord | undefined>;
  saveNotification(n: DrivingNotification): Promise<void>;
  /** Newest first. */
  notifications(q?: { limit?: number }): Promise<DrivingNotification[]>;
}

export function isDrivingStore(x: unknown): x is DrivingStore {
  const s = x as Partial<DrivingStore> | undefined;
  return typeof s?.saveTrip === 'function' && typeof s.trips === 'function' && typeof s.trip === 'function'
    && typeof s.saveNotification === 'function' && typeof s.notifications === 'function';
}

const clone = <T>(x: T): T => structuredClone(x);

export class MemoryDrivingStore implements DrivingStore {
  private readonly tripMap = new Map<string, TripRecord>();
  private readonly notes: DrivingNotification[] = [];

  constructor(private readonly maxTrips = 500) {}

  async saveTrip(trip: TripRecord): Promise<void> {
    this.tripMap.delete(trip.id);
    this.tripMap.set(trip.id, clone(trip));
    if (this.tripMap.size > this.maxTrips) this.tripMap.delete(this.tripMap.keys().next().value!);
  }

  async trips(q: { limit?: number } = {}): Promise<TripRecord[]> {
    return [...this.tripMap.values()].sort((a, b) => b.startedAt - a.startedAt).slice(0, q.limit ?? 50).map(clone);
  }

  async trip(id: string): Promise<TripRecord | undefined> {
    const t = this.tripMap.get(id);
    return t && clone(t);
  }

  async saveNotification(n: DrivingNotification): Promise<void> {
    this.notes.push(clone(n));
    if (this.notes.length > 1000) this.notes.shift();
  }

  async notifications(q: { limit?: number } = {}): Promise<DrivingNotification[]> {
    return this.notes.slice(-(q.limit ?? 100)).reverse().map(clone);
  }
}
