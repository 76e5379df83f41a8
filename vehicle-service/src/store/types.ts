import type { Logger } from 'pino';
import type { SignalValue } from '@auriga/common';

/**
 * Persistence used by the vehicle service: signal history, events and the actuation log.
 * Implemented by `SqliteStore` (src/store/sqlite-store.ts). Writes of signals and events are
 * buffered (fire and forget, never throw into the caller's hot path); reads are async.
 */
export type EventSeverity = 'info' | 'warning' | 'critical';
export type ActuationStatus = 'confirmed' | 'refused' | 'failed' | 'timeout';

export interface StoredSignalSample {
  value: SignalValue;
  /** Milliseconds since the Unix epoch. */
  timestamp: number;
}

export interface VehicleEvent {
  /** Machine-readable kind, e.g. `mqtt.disconnected`, `policy.refused`, `signal.stale`. */
  type: string;
  path?: string;
  severity: EventSeverity;
  message: string;
  data?: unknown;
  /** Milliseconds since the Unix epoch. */
  timestamp: number;
}

export interface StoredEvent extends VehicleEvent {
  id: number;
}

export interface ActuationRecord {
  /** Unique request id (UUID). */
  id: string;
  path: string;
  value: unknown;
  /** Who asked: `api`, `voice`, `test`, ... */
  source: string;
  status: ActuationStatus;
  reason?: string;
  /** Milliseconds since the Unix epoch. */
  requestedAt: number;
  completedAt: number;
}

/** One assistant turn (typed or spoken), as stored. */
export interface TurnRecord {
  /** Unique id (UUID). */
  id: string;
  /** When the turn started, ms since the Unix epoch. */
  timestamp: number;
  sessionId: string;
  seat: string;
  lang: string;
  /** `text` (typed), `voice` (spoken), `timeout` (a confirmation that expired). */
  source: string;
  /** Spoken turns: duration of the audio (ms). */
  audioDurationMs?: number;
  /** The typed text or the transcript. */
  input: string;
  isUnderstood: boolean;
  intent?: string;
  slots: Record<string, string>;
  actions: Array<{ path: string; value: unknown; status: string; reason?: string }>;
  answer: string;
  answerKey: string;
  timings: Record<string, number>;
}

export interface TurnQuery {
  limit?: number;
  sessionId?: string;
}

export interface HistoryQuery {
  /** Inclusive lower bound, ms since epoch. */
  from?: number;
  /** Inclusive upper bound, ms since epoch. */
  to?: number;
  /** Most samples returned (the store caps it); samples are returned oldest first. */
  limit?: number;
}

export interface ActuationQuery {
  limit?: number;
  path?: string;
}

export interface EventQuery {
  limit?: number;
  type?: string;
  path?: string;
  severity?: EventSeverity;
  from?: number;
  to?: number;
}

export interface StoreHealth {
  ok: boolean;
  detail?: string;
}

export interface VehicleStore {
  /** Buffered; downsampled by the store (e.g. at most one sample per path per sample interval). */
  recordSignal(path: string, value: SignalValue, timestamp: number): void;
  /** Buffered. */
  recordEvent(e: VehicleEvent): void;
  recordActuation(a: ActuationRecord): Promise<void>;
  history(path: string, q: HistoryQuery): Promise<StoredSignalSample[]>;
  /** Newest first. */
  actuations(q: ActuationQuery): Promise<ActuationRecord[]>;
  /** Newest first. */
  events(q: EventQuery): Promise<StoredEvent[]>;
  /** Stores one assistant turn. */
  recordTurn(t: TurnRecord): Promise<void>;
  /** Assistant turns, newest first. */
  turns(q: TurnQuery): Promise<TurnRecord[]>;
  health(): Promise<StoreHealth>;
  /** Writes everything buffered so far. */
  flush(): Promise<void>;
  /** Flushes and closes; idempotent. */
  close(): Promise<void>;
}

export interface StoreOptions {
  /** Minimum interval between two stored samples of one path (ms); default 1000. */
  sampleIntervalMs?: number;
  /** Samples and events older than this are deleted (ms); default 7 days. */
  retentionMs?: number;
  /** Injected clock (ms since epoch). */
  now?: () => number;
  logger?: Logger;
}
