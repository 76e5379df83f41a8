import { randomUUID } from 'node:crypto';
import { pino, type Logger } from 'pino';
import type { SignalChange, VehicleState } from '../vehicle/state.js';
import { TypedEmitter } from '@auriga/common';
import { NoCurrentTripError, TripNotFoundError } from './errors.js';
import { EventDetector, type EventPhase, type EventThresholds } from './events.js';
import { Notifier, type NotifierOptions } from './notifications.js';
import { FEATURE_COUNT, FeatureWindow, readSample, SAMPLE_HZ, type RawSample } from './situation/features.js';
import { SituationFusion, type SituationSource } from './situation/fusion.js';
import type { ModelOutput, SituationModel } from './situation/model.js';
import { classifyByRules } from './situation/rules.js';
import { MemoryDrivingStore, type DrivingStore } from './store.js';
import { notificationSummary, summarizeCar, summarizeTrip } from './summary/summarize.js';
import { TripTracker } from './trips.js';
import type { DrivingEvent, DrivingNotification, Lang, NotificationKind, Situation, Summary, TripRecord } from './types.js';

export interface DrivingContextOptions {
  state: VehicleState;
  /** Where trips and notifications are kept (default: in memory). */
  store?: DrivingStore;
  /** The ONNX situation/style model; without it the rules decide the situation and there is no style score. */
  model?: SituationModel;
  /** Clock of the signals (ms since epoch). Default Date.now; tests and faster-than-real-time runs inject theirs. */
  now?: () => number;
  /** Wall-clock timer for the time-based rules when no signal changes (default 1000 ms; 0 = none, call `tick()`). */
  tickMs?: number;
  setInterval?: (fn: () => void, ms: number) => unknown;
  clearInterval?: (handle: unknown) => void;
  logger?: Logger;
  /** Language of notifications and the end-of-trip summary (default en-US). */
  lang?: Lang;
  thresholds?: Partial<EventThresholds>;
  notifications?: Pick<NotifierOptions, 'minIntervalMs' | 'globalMinIntervalMs' | 'historySize'>;
  /** Run the model every this many samples (default 2 = once per second of signals). */
  modelEverySamples?: number;
  /**
   * A model output older than this (signal-clock ms) no longer decides; default 5000. Faster-than-real-time
   * runs scale it with the time scale: inference takes wall time, which is N times more signal time.
   */
  modelFreshMs?: number;
  /**
   * A signal that went stale less than this long ago (signal-clock ms) keeps its last value for the situation
   * features (a late MQTT batch is not a parked car); default 5000. Scale it too in faster-than-real-time runs.
   */
  staleGraceMs?: number;
  newTripId?: () => string;
}

export interface ContextSnapshot {
  situation: Situation;
  source: SituationSource;
  confidence?: number;
  /** Latest style score of the model (0 smooth .. 100 aggressive). */
  style?: number;
  activeEvents: DrivingEvent[];
  tripId?: string;
  at: number;
}

interface DrivingContextEvents {
  situation: [situation: Situation, at: number];
  event: [event: DrivingEvent, phase: EventPhase];
  notification: [notification: DrivingNotification];
  tripStarted: [trip: TripRecord];
  tripEnded: [trip: TripRecord, summary: Summary];
}

const NOTIFIED: Partial<Record<DrivingEvent['kind'], NotificationKind>> = { tyre_pressure: 'tyre_pressure', low_fuel: 'low_fuel', warning: 'warning' };
/** The trip in progress is saved this often (signal time), so a crash loses little. */
const CHECKPOINT_MS = 60_000;
/** Gaps up to 30 s are filled by sample-and-hold. */
const MAX_FILL_SAMPLES = 60;

/**
 * The driving context of the car: trips, situation (model + rules), events, notifications and
 * grounded summaries, fed by the VehicleState's change events. Everything time-related uses the
 * injected clock, so can-sim can run it faster than real time.
 */
export class DrivingContext extends TypedEmitter<DrivingContextEvents> {
  readonly events: EventDetector;
  readonly trips: TripTracker;
  readonly notifier: Notifier;
  private readonly state: VehicleState;
  private readonly store: DrivingStore;
  private model: SituationModel | undefined;
  private readonly now: () => number;
  private readonly logger: Logger;
  private readonly lang: Lang;
  private readonly window = new FeatureWindow();
  private readonly features = new Float32Array(FEATURE_COUNT);
  private readonly fusion = new SituationFusion();
  private readonly seen = new Map<string, { value: unknown; at: number }>();
  /** When a signal turned stale (our clock): a short dropout keeps its last value, a long one does not. */
  private readonly staleSince = new Map<string, number>();
  private readonly modelEvery: number;
  private readonly modelFreshMs: number;
  private readonly staleGraceMs: number;
  private readonly unsubscribe: () => void;
  private readonly timer: unknown;
  private readonly clearTimer: ((h: unknown) => void) | undefined;
  private lastSampleAt = -Infinity;
  private samples = 0;
  private modelBusy = false;
  private modelOut: (ModelOutput & { at: number }) | undefined;
  private lastCheckpoint = 0;
  private writes: Promise<unknown> = Promise.resolve();
  private destroyed: Promise<void> | undefined;
  /** Counters for metrics and the benchmark. */
  readonly stats = { samples: 0, modelRuns: 0, modelErrors: 0, decidedByModel: 0, decidedByRules: 0 };

  constructor(opts: DrivingContextOptions) {
    super();
    this.state = opts.state;
    this.store = opts.store ?? new MemoryDrivingStore();
    this.model = opts.model;
    this.now = opts.now ?? Date.now;
    this.logger = opts.logger ?? pino({ level: 'silent' });
    this.lang = opts.lang ?? 'en-US';
    this.modelEvery = Math.max(1, opts.modelEverySamples ?? 2);
    this.modelFreshMs = opts.modelFreshMs ?? 5000;
    this.staleGraceMs = opts.staleGraceMs ?? 5000;
    this.notifier = new Notifier({ now: this.now, ...(opts.notifications ?? {}), deliver: (n) => this.delivered(n) });
    this.trips = new TripTracker({
      newId: opts.newTripId ?? randomUUID,
      onStart: (trip) => {
        this.lastCheckpoint = trip.startedAt;
        this.save(trip);
        this.emit('tripStarted', trip);
      },
      onEnd: (trip) => this.tripEnded(trip),
    });
    this.events = new EventDetector((e, phase) => this.onEvent(e, phase), opts.thresholds);
    // Start from what the state already knows (the service may have been running before us).
    const t0 = this.now();
    for (const snap of this.state.list()) if (!snap.stale && snap.value !== undefined) this.apply(snap.path, snap.value, t0);
    const listener = (c: SignalChange) => this.onChange(c);
    this.state.on('change', listener);
    this.unsubscribe = () => this.state.off('change', listener);
    const tickMs = opts.tickMs ?? 1000;
    if (tickMs > 0) {
      const set = opts.setInterval ?? ((fn: () => void, ms: number) => setInterval(fn, ms).unref());
      this.clearTimer = opts.clearInterval ?? ((h: unknown) => clearInterval(h as NodeJS.Timeout));
      this.timer = set(() => this.tick(), tickMs);
    }
  }

  /** Time-based rules and a sample when the signals are quiet (parked); called by the timer. */
  tick(now: number = this.now()): void {
    if (this.destroyed) return;
    try {
      this.events.tick(now);
      this.maybeSample(now);
      this.notifier.flush();
    } catch (err) {
      this.logger.error({ err }, 'driving context tick failed');
    }
  }

  /** Voice interaction in progress: notifications wait until it ends. */
  setInteractionActive(active: boolean): void {
    this.notifier.setInteractionActive(active);
  }

  context(): ContextSnapshot {
    const fused = this.fusion.value;
    const out: ContextSnapshot = { situation: fused.situation, source: fused.source, activeEvents: this.events.activeEvents(), at: this.now() };
    if (fused.confidence !== undefined) out.confidence = Math.round(fused.confidence * 1000) / 1000;
    if (this.modelOut) out.style = Math.round(this.modelOut.style * 10) / 10;
    const trip = this.trips.current;
    if (trip) out.tripId = trip.id;
    return out;
  }

  /** The trip in progress, statistics brought up to now. */
  currentTrip(): TripRecord | undefined {
    this.trips.update(this.now());
    const t = this.trips.current;
    return t && structuredClone(t);
  }

  /** Newest first, the trip in progress included. */
  async listTrips(limit = 50): Promise<TripRecord[]> {
    await this.writes;
    const current = this.currentTrip();
    const stored = (await this.store.trips({ limit: limit + 1 })).filter((t) => t.id !== current?.id);
    return (current ? [current, ...stored] : stored).slice(0, limit);
  }

  /** A trip by id, or `current`; AURIGA_ERR_DRIVING_TRIP_NOT_FOUND / _NO_CURRENT_TRIP. */
  async getTrip(id: string): Promise<TripRecord> {
    const current = this.currentTrip();
    if (id === 'current') {
      if (!current) throw NoCurrentTripError();
      return current;
    }
    if (current?.id === id) return current;
    await this.writes;
    const trip = await this.store.trip(id);
    if (!trip) throw TripNotFoundError(id);
    return trip;
  }

  async tripSummary(id: string, lang: Lang = this.lang): Promise<Summary> {
    const trip = await this.getTrip(id);
    return summarizeTrip(trip, lang, { now: this.now(), speedLimitKmh: this.events.thresholds.speedLimitKmh });
  }

  /** "How is the car". */
  carSummary(lang: Lang = this.lang): Summary {
    return summarizeCar(
      {
        now: this.now(),
        activeEvents: this.events.activeEvents(),
        read: (path) => {
          const v = this.state.freshValue(path);
          if (v === undefined) return undefined;
          return { value: v, at: this.seen.get(path)?.at ?? this.now() };
        },
      },
      lang,
    );
  }

  /** Delivered notifications, newest first (from the store: they survive restarts). */
  async notifications(limit = 100): Promise<DrivingNotification[]> {
    await this.writes;
    return this.store.notifications({ limit });
  }

  /**
   * Swaps the situation model (an OTA driving-context-model update, or its rollback). A run already
   * in flight finishes on the old model, which is closed once it is done.
   */
  /** The .onnx file of the situation model in use. */
  get modelPath(): string | undefined {
    return this.model?.path;
  }

  setModel(model: SituationModel | undefined): void {
    const old = this.model;
    if (old === model) return;
    this.model = model;
    this.modelOut = undefined;
    if (old) void this.whenModelIdle().then(() => old.close().catch(() => undefined));
  }

  private async whenModelIdle(): Promise<void> {
    while (this.modelBusy) await new Promise((r) => setTimeout(r, 5));
  }

  /** Stops listening; saves the trip in progress as it is (not ended: the car may still be on). Idempotent. */
  destroy(): Promise<void> {
    if (this.destroyed) return this.destroyed;
    this.destroyed = (async () => {
      this.unsubscribe();
      if (this.timer !== undefined) this.clearTimer?.(this.timer);
      const trip = this.currentTrip();
      if (trip) this.save(trip);
      await this.writes;
      await this.model?.close().catch(() => undefined);
    })();
    return this.destroyed;
  }

  private onChange(c: SignalChange): void {
    if (this.destroyed) return;
    if (c.stale) {
      if (!this.staleSince.has(c.path)) this.staleSince.set(c.path, this.now());
      return;
    }
    this.staleSince.delete(c.path);
    if (c.value === undefined) return;
    try {
      this.apply(c.path, c.value, this.now());
    } catch (err) {
      this.logger.error({ err, path: c.path }, 'driving context failed on a signal change');
    }
  }

  private apply(path: string, value: unknown, now: number): void {
    this.seen.set(path, { value, at: now });
    this.trips.signal(path, value, now);
    this.events.signal(path, value, now);
    this.maybeSample(now);
  }

  private maybeSample(now: number): void {
    const period = 1000 / SAMPLE_HZ;
    const last = this.lastSampleAt;
    if (now - last < period) return;
    const missed = Math.floor((now - last) / period);
    if (missed > MAX_FILL_SAMPLES) {
      // A long gap (bus silent, the clock jumped): one sample stands for it; the window is about recent driving.
      this.lastSampleAt = now;
      this.sample(this.readNow(), now);
      return;
    }
    // The state only changes on change events, so between two of them the signals held their values:
    // sample-and-hold fills the 2 Hz grid even when nothing changed (steady cruising, a quiet bus).
    const s = this.readNow();
    for (let i = 1; i <= missed; i++) this.sample(s, last + i * period);
    this.lastSampleAt = last + missed * period;
  }

  private readNow(): RawSample {
    const now = this.now();
    return readSample((p) => this.recentValue(p, now));
  }

  /** The value, or the last one if it went stale less than staleGraceMs ago (a late MQTT batch is not a parked car). */
  private recentValue(path: string, now: number): unknown {
    const slot = this.state.slot(path);
    if (!slot || slot.value === undefined) return undefined;
    if (!slot.stale) return slot.value;
    const since = this.staleSince.get(path);
    return since !== undefined && now - since <= this.staleGraceMs ? slot.value : undefined;
  }

  /** One sample: window, situation, trip statistics. Public for the benchmark and tests. */
  sample(s: RawSample, now: number): void {
    this.stats.samples++;
    this.samples++;
    this.window.push(s);
    this.events.tick(now);
    let rules: Situation;
    let features: Float32Array | undefined;
    if (this.window.ready) {
      features = this.window.features(this.features);
      rules = classifyByRules(features);
      if (this.model && !this.modelBusy && this.samples % this.modelEvery === 0) this.runModel(features.slice(), now);
    } else rules = s.ignition < 0.5 || (s.park > 0.5 && s.speed < 2) ? 'parked' : s.speed >= 90 ? 'highway' : s.speed >= 60 ? 'rural' : 'city';
    const fresh = this.modelOut && now - this.modelOut.at <= this.modelFreshMs ? this.modelOut : undefined;
    const before = this.fusion.value.situation;
    const fused = this.fusion.decide(features, rules, fresh);
    if (fused.source === 'model') this.stats.decidedByModel++;
    else this.stats.decidedByRules++;
    this.trips.situation(fused.situation, now);
    if (fused.situation !== before) this.emit('situation', fused.situation, now);
    this.trips.update(now);
    const trip = this.trips.current;
    if (trip && now - this.lastCheckpoint >= CHECKPOINT_MS) {
      this.lastCheckpoint = now;
      this.save(trip);
    }
  }

  private runModel(features: Float32Array, at: number): void {
    this.modelBusy = true;
    this.stats.modelRuns++;
    const model = this.model!;
    model.run(features)
      .then((out) => {
        if (this.destroyed) return;
        this.modelOut = { ...out, at };
        if (out.situation !== 'parked') this.trips.style(out.style);
      })
      .catch((err: unknown) => {
        this.stats.modelErrors++;
        this.logger.warn({ err }, 'driving-context model failed; rules decide the situation');
      })
      .finally(() => {
        this.modelBusy = false;
      });
  }

  private onEvent(e: DrivingEvent, phase: EventPhase): void {
    this.trips.event(e, phase);
    this.emit('event', e, phase);
    if (phase !== 'start') return;
    const kind = NOTIFIED[e.kind];
    if (!kind) return;
    const summary = notificationSummary(e, this.lang);
    const trip = this.trips.current;
    this.notifier.offer({
      kind, subject: e.subject || e.path, severity: e.severity, text: summary.text, lang: summary.lang, facts: summary.facts, createdAt: e.startedAt,
      ...(trip ? { tripId: trip.id } : {}),
    });
  }

  private tripEnded(trip: TripRecord): void {
    this.save(trip);
    const summary = summarizeTrip(trip, this.lang, { speedLimitKmh: this.events.thresholds.speedLimitKmh });
    this.emit('tripEnded', trip, summary);
    this.notifier.offer({ kind: 'trip_summary', subject: trip.id, severity: 'info', text: summary.text, lang: summary.lang, facts: summary.facts, createdAt: trip.endedAt!, tripId: trip.id });
  }

  private delivered(n: DrivingNotification): void {
    this.enqueue(() => this.store.saveNotification(n), 'save a notification');
    this.emit('notification', n);
  }

  private save(trip: TripRecord): void {
    const copy = structuredClone(trip);
    this.enqueue(() => this.store.saveTrip(copy), 'save a trip');
  }

  /** Store writes in order, never throwing into the signal path. */
  private enqueue(write: () => Promise<void>, what: string): void {
    this.writes = this.writes.then(write).catch((err: unknown) => this.logger.warn({ err }, `driving context could not ${what}`));
  }
}
