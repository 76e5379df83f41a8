import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { pino, type Logger } from 'pino';
import { isAurigaError, type AurigaError, type SignalValue } from '@auriga/common';
import { ConfigInvalidError, StoreClosedError, StoreCorruptError, StoreInvalidRecordError, StoreIoError } from '../errors.js';
import type { Clock } from '../util/timers.js';
import { Db, inTransaction, type Queryable, type SqlParam } from './db.js';
import { Downsampler, type Sample } from './downsampler.js';
import { migrate } from './migrations.js';
import { toStoreError } from './sqlite-errors.js';
import type {
  ActuationQuery,
  ActuationRecord,
  ActuationStatus,
  EventQuery,
  EventSeverity,
  HistoryQuery,
  StoredEvent,
  StoredSignalSample,
  StoreHealth,
  StoreOptions,
  TurnQuery,
  TurnRecord,
  VehicleEvent,
  VehicleStore,
} from './types.js';
import { decodeValue, encodeValue, fromJsonColumn, toJsonColumn } from './value-codec.js';
import type { DrivingStore } from '../driving/store.js';
import type { DrivingNotification, TripRecord } from '../driving/types.js';
import { WriteBuffer, type Batch } from './write-buffer.js';

/**
 * Durability (WAL + synchronous):
 * In WAL mode a commit appends the transaction to the -wal file with write(2) before COMMIT
 * returns. Once there, it is in the OS page cache, which belongs to the kernel, not to our
 * process: a crash or `kill -9` of the service loses nothing that was committed, and the next
 * open replays the WAL. `synchronous` only decides when SQLite also fsyncs: NORMAL fsyncs at
 * checkpoints, so a POWER LOSS (or kernel panic) may lose the last transactions before the
 * checkpoint, but never corrupts the file. FULL fsyncs the WAL at every commit (durable against
 * power loss too, at the cost of one fsync per commit, which on eMMC is milliseconds).
 * Defaults: NORMAL for the 1 Hz history and events (losing the last seconds of history on a
 * power cut is fine), FULL for actuations (rare, and the audit trail of what the car was told
 * to do must survive the ignition being cut right after).
 */
export type SynchronousMode = 'OFF' | 'NORMAL' | 'FULL' | 'EXTRA';

/** The kinds of write whose failure `health()` reports. */
export type WriteChannel = 'flush' | 'actuation' | 'retention';

export interface SqliteStoreOptions extends StoreOptions {
  /** How often buffered rows are written, in one transaction (ms); default 1000. */
  flushIntervalMs?: number;
  /** Rows waiting in memory at most; beyond, the oldest samples are dropped (counted); default 50 000. */
  maxBufferedRows?: number;
  /** Rows per write transaction, so a big backlog never holds the connection long; default 5000. */
  maxRowsPerTransaction?: number;
  /** How often old rows are deleted (ms); default 60 000. */
  retentionIntervalMs?: number;
  /** Rows per DELETE statement; default 5000. */
  retentionBatchRows?: number;
  /** DELETE statements per retention run (the rest waits for the next run); default 20. */
  retentionMaxBatches?: number;
  /** See the durability note above; default NORMAL. */
  synchronous?: SynchronousMode;
  /** Applied to actuation commits; default FULL. */
  actuationSynchronous?: SynchronousMode;
  /** How long to wait for a lock held by another process (ms); default 5000. */
  busyTimeoutMs?: number;
  /** Caps the database file (PRAGMA max_page_count): past it writes fail like on a full disk. */
  maxSizeBytes?: number;
  /** Runs PRAGMA quick_check at open (reads the whole file: seconds on a big one); default false. */
  quickCheckOnOpen?: boolean;
  /** Injected timers (tests drive time by hand); default real timers, unref'ed. */
  timers?: Pick<Clock, 'setTimeout' | 'clearTimeout'>;
}

export interface StoreStats {
  bufferedSamples: number;
  bufferedEvents: number;
  /** Latest sample per path held back until its interval is over. */
  heldBackSamples: number;
  /** Samples superseded inside their interval (downsampling, by design). */
  downsampledSamples: number;
  droppedSamples: number;
  droppedEvents: number;
  /** Records refused (NaN, empty path, ...) or arriving after close. */
  rejectedRecords: number;
  writtenSamples: number;
  writtenEvents: number;
  writtenActuations: number;
  failedFlushes: number;
  retentionDeletedSamples: number;
  retentionDeletedEvents: number;
  /** Kinds of write failing now (cleared by their next success). */
  failing: Partial<Record<WriteChannel, { code: string; message: string; since: number }>>;
}

const DEFAULTS = {
  sampleIntervalMs: 1000,
  retentionMs: 7 * 24 * 3600_000,
  flushIntervalMs: 1000,
  maxBufferedRows: 50_000,
  maxRowsPerTransaction: 5000,
  retentionIntervalMs: 60_000,
  retentionBatchRows: 5000,
  retentionMaxBatches: 20,
  synchronous: 'NORMAL' as SynchronousMode,
  actuationSynchronous: 'FULL' as SynchronousMode,
  busyTimeoutMs: 5000,
};

const HISTORY_LIMIT = { default: 1000, max: 10_000 };
const LIST_LIMIT = { default: 100, max: 1000 };
/** Rows per multi-row INSERT (4 or 6 parameters each, far below SQLite's 32766). */
const SAMPLES_PER_INSERT = 500;
const EVENTS_PER_INSERT = 200;
const MAX_EVENT_DATA_CHARS = 16_384;
/** A WAL that grew during a backlog is truncated back to this after checkpoints. */
const JOURNAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;
/** While writes keep failing, the error is logged again at most this often. */
const FAILURE_LOG_EVERY_MS = 60_000;
const SEVERITIES: ReadonlySet<string> = new Set<EventSeverity>(['info', 'warning', 'critical']);
const STATUSES: ReadonlySet<string> = new Set<ActuationStatus>(['confirmed', 'refused', 'failed', 'timeout']);
const SYNC_MODES: ReadonlySet<string> = new Set<SynchronousMode>(['OFF', 'NORMAL', 'FULL', 'EXTRA']);

type Resolved = typeof DEFAULTS & {
  maxSizeBytes: number | undefined;
  quickCheckOnOpen: boolean;
  now: () => number;
  timers: Pick<Clock, 'setTimeout' | 'clearTimeout'>;
  logger: Logger;
};

const realTimers: Pick<Clock, 'setTimeout' | 'clearTimeout'> = {
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/**
 * SQLite persistence of the vehicle service: downsampled signal history, events and the
 * actuation log, in one WAL-mode file. Signals and events are buffered and written in one
 * transaction per `flushIntervalMs`; actuations are written at once. A failing disk never throws
 * into the recorders: rows stay buffered (bounded), the next flush retries, `health()` says why.
 * Reads see committed rows only (at most ~2 intervals behind the live state).
 */
export class SqliteStore implements VehicleStore, DrivingStore {
  private readonly downsampler: Downsampler;
  private readonly buffer: WriteBuffer;
  private readonly log: Logger;
  /** Ids of paths committed to signal_paths. */
  private readonly pathIds = new Map<string, number>();
  private readonly counters = {
    rejectedRecords: 0,
    writtenSamples: 0,
    writtenEvents: 0,
    writtenActuations: 0,
    failedFlushes: 0,
    retentionDeletedSamples: 0,
    retentionDeletedEvents: 0,
  };
  private timer: unknown;
  private flushChain: Promise<void> = Promise.resolve();
  private retentionRun: Promise<{ samples: number; events: number }> | undefined;
  private lastRetentionAt = Number.NEGATIVE_INFINITY;
  /**
   * What is failing now, per kind of write: a committed actuation says nothing about whether the
   * history backlog fits (it may fit in a page that already exists), so each clears only its own.
   */
  private readonly failures = new Map<WriteChannel, { error: AurigaError; since: number; loggedAt: number }>();
  /** Corruption seen on any read or write: sticky, only a fresh file cures it. */
  private corruption: AurigaError | undefined;
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly db: Db,
    readonly file: string,
    private readonly opts: Resolved,
  ) {
    this.downsampler = new Downsampler(opts.sampleIntervalMs);
    this.buffer = new WriteBuffer(opts.maxBufferedRows);
    this.log = opts.logger;
  }

  /**
   * Opens (creating it and its directory if needed) and migrates the file, then starts the
   * flush/retention timer. Fails with AURIGA_ERR_STORE_CORRUPT for a file that is not a sound
   * SQLite database (see `moveCorruptStoreAside`), AURIGA_ERR_STORE_IO when it cannot be opened
   * or written, AURIGA_ERR_STORE_FULL when there is no room to migrate it.
   */
  static async open(file: string, options: SqliteStoreOptions = {}): Promise<SqliteStore> {
    const opts = resolveOptions(options);
    const log = opts.logger;
    if (file !== ':memory:' && !file.startsWith('file:')) {
      try {
        await mkdir(dirname(file), { recursive: true });
      } catch (err) {
        throw StoreIoError(file, 'create the directory of the database', (err as Error).message, { cause: err });
      }
    }
    let db: Db;
    try {
      db = await Db.open(file);
    } catch (err) {
      throw toStoreError(err, file, 'open the database');
    }
    try {
      await db.exec(`PRAGMA busy_timeout = ${opts.busyTimeoutMs}`);
      // First statement that reads the header: a file that is not a database fails here (SQLITE_NOTADB).
      const mode = await db.get<{ journal_mode: string }>('PRAGMA journal_mode = WAL');
      if (mode?.journal_mode !== 'wal') {
        log.warn({ journalMode: mode?.journal_mode }, 'store cannot use WAL mode; crash safety relies on the rollback journal');
      }
      await db.exec(`PRAGMA synchronous = ${opts.synchronous}`);
      await db.exec(`PRAGMA journal_size_limit = ${JOURNAL_SIZE_LIMIT_BYTES}`);
      if (opts.quickCheckOnOpen) {
        const rows = await db.all<{ quick_check: string }>('PRAGMA quick_check(5)');
        const problems = rows.map((r) => r.quick_check).filter((r) => r !== 'ok');
        if (problems.length > 0) throw StoreCorruptError(file, `quick_check: ${problems.join('; ')}`);
      }
      const migration = await migrate(db, { logger: log });
      await db.run(`INSERT INTO store_meta (key, value) VALUES ('created_at', ?) ON CONFLICT (key) DO NOTHING`, [
        new Date(opts.now()).toISOString(),
      ]);
      if (opts.maxSizeBytes !== undefined) await applyMaxSize(db, opts.maxSizeBytes);
      log.info({ file, schemaVersion: migration.to, journalMode: mode?.journal_mode }, 'store opened');
    } catch (err) {
      await db.close().catch(() => undefined);
      throw toStoreError(err, file, 'open the database');
    }
    const store = new SqliteStore(db, file, opts);
    store.schedule();
    return store;
  }

  // ---- recording -------------------------------------------------------------------------

  recordSignal(path: string, value: SignalValue, timestamp: number): void {
    if (this.closing || typeof path !== 'string' || path === '' || !Number.isFinite(timestamp)) {
      this.counters.rejectedRecords++;
      return;
    }
    if (encodeValue(value) === undefined) {
      this.counters.rejectedRecords++;
      return;
    }
    for (const sample of this.downsampler.offer(path, value, Math.round(timestamp))) this.bufferSample(sample);
  }

  recordEvent(e: VehicleEvent): void {
    if (this.closing || typeof e?.type !== 'string' || e.type === '') {
      this.counters.rejectedRecords++;
      return;
    }
    // An event is worth keeping even when a field is off: repair rather than drop.
    const ts = Number.isFinite(e.timestamp) ? Math.round(e.timestamp) : Math.round(this.opts.now());
    this.buffer.pushEvent({
      ts,
      type: e.type,
      path: typeof e.path === 'string' ? e.path : null,
      severity: SEVERITIES.has(e.severity) ? e.severity : 'warning',
      message: typeof e.message === 'string' ? e.message : String(e.message),
      data: toJsonColumn(e.data, MAX_EVENT_DATA_CHARS),
    });
  }

  /** Written at once in its own transaction (synchronous = actuationSynchronous); resolves once committed. */
  async recordActuation(a: ActuationRecord): Promise<void> {
    if (this.closing) throw StoreClosedError('record an actuation');
    const why = invalidActuation(a);
    if (why) throw StoreInvalidRecordError(`actuation ${String(a?.id)}`, why);
    const params: SqlParam[] = [
      a.id,
      a.path,
      toJsonColumn(a.value, Number.POSITIVE_INFINITY) ?? 'null',
      a.source,
      a.status,
      a.reason ?? null,
      Math.round(a.requestedAt),
      Math.round(a.completedAt),
    ];
    const { synchronous, actuationSynchronous } = this.opts;
    try {
      await this.db.exclusive(async (conn) => {
        const switchMode = actuationSynchronous !== synchronous;
        if (switchMode) await conn.exec(`PRAGMA synchronous = ${actuationSynchronous}`);
        try {
          await inTransaction(conn, (tx) =>
            tx.run(
              `INSERT INTO actuations (id, path, value, source, status, reason, requested_at, completed_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (id) DO UPDATE SET path = excluded.path, value = excluded.value, source = excluded.source,
                 status = excluded.status, reason = excluded.reason, requested_at = excluded.requested_at,
                 completed_at = excluded.completed_at`,
              params,
            ),
          );
        } finally {
          // Never let this mask the outcome of the write itself.
          if (switchMode) {
            await conn
              .exec(`PRAGMA synchronous = ${synchronous}`)
              .catch((err: unknown) => this.log.warn({ err }, 'store: cannot restore PRAGMA synchronous'));
          }
        }
      });
    } catch (err) {
      const error = toStoreError(err, this.file, 'record an actuation');
      this.noteFailure('actuation', error, { actuation: a.id });
      throw error;
    }
    this.counters.writtenActuations++;
    this.noteSuccess('actuation');
  }

  // ---- reading ---------------------------------------------------------------------------

  /** The most recent `limit` samples of `path` within [from, to], returned oldest first. */
  async history(path: string, q: HistoryQuery = {}): Promise<StoredSignalSample[]> {
    const limit = clampLimit(q.limit, HISTORY_LIMIT);
    const rows = await this.read('read signal history', (c) =>
      c.all<{ ts: number; kind: number; value: number | string }>(
        `SELECT ts, kind, value FROM signal_history
         WHERE path_id = (SELECT id FROM signal_paths WHERE path = ?) AND ts >= ? AND ts <= ?
         ORDER BY ts DESC LIMIT ?`,
        [path, bound(q.from, Number.MIN_SAFE_INTEGER), bound(q.to, Number.MAX_SAFE_INTEGER), limit],
      ),
    );
    return rows.reverse().map((r) => ({ value: decodeValue(r.kind, r.value), timestamp: r.ts }));
  }

  /** Newest first (by request time). */
  async actuations(q: ActuationQuery = {}): Promise<ActuationRecord[]> {
    const params: SqlParam[] = [];
    let where = '';
    if (q.path !== undefined) {
      where = 'WHERE path = ?';
      params.push(q.path);
    }
    params.push(clampLimit(q.limit, LIST_LIMIT));
    const rows = await this.read('read the actuation log', (c) =>
      c.all<ActuationRow>(
        `SELECT id, path, value, source, status, reason, requested_at, completed_at FROM actuations
         ${where} ORDER BY requested_at DESC, rowid DESC LIMIT ?`,
        params,
      ),
    );
    return rows.map((r) => {
      const record: ActuationRecord = {
        id: r.id,
        path: r.path,
        value: fromJsonColumn(r.value),
        source: r.source,
        status: r.status as ActuationStatus,
        requestedAt: r.requested_at,
        completedAt: r.completed_at,
      };
      if (r.reason !== null) record.reason = r.reason;
      return record;
    });
  }

  /** Newest first. */
  async events(q: EventQuery = {}): Promise<StoredEvent[]> {
    const conditions: string[] = [];
    const params: SqlParam[] = [];
    const add = (sql: string, value: SqlParam) => {
      conditions.push(sql);
      params.push(value);
    };
    if (q.type !== undefined) add('type = ?', q.type);
    if (q.path !== undefined) add('path = ?', q.path);
    if (q.severity !== undefined) add('severity = ?', q.severity);
    if (q.from !== undefined && Number.isFinite(q.from)) add('ts >= ?', q.from);
    if (q.to !== undefined && Number.isFinite(q.to)) add('ts <= ?', q.to);
    params.push(clampLimit(q.limit, LIST_LIMIT));
    const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
    const rows = await this.read('read events', (c) =>
      c.all<EventDbRow>(
        `SELECT id, ts, type, path, severity, message, data FROM events ${where} ORDER BY ts DESC, id DESC LIMIT ?`,
        params,
      ),
    );
    return rows.map((r) => {
      const event: StoredEvent = {
        id: r.id,
        type: r.type,
        severity: r.severity as EventSeverity,
        message: r.message,
        timestamp: r.ts,
      };
      if (r.path !== null) event.path = r.path;
      if (r.data !== null) event.data = fromJsonColumn(r.data);
      return event;
    });
  }

  // ---- assistant turns ----------------------------------------------------------------------

  /** One assistant turn; written at once (a turn is rare and small), with the normal sync mode. */
  async recordTurn(t: TurnRecord): Promise<void> {
    if (this.closing) throw StoreClosedError('record an assistant turn');
    const why = invalidTurn(t);
    if (why) throw StoreInvalidRecordError(`turn ${String(t?.id)}`, why);
    const params: SqlParam[] = [
      t.id,
      Math.round(t.timestamp),
      t.sessionId,
      t.seat,
      t.lang,
      t.source,
      t.audioDurationMs ?? null,
      t.input,
      t.isUnderstood ? 1 : 0,
      t.intent ?? null,
      toJsonColumn(t.slots, MAX_EVENT_DATA_CHARS) ?? '{}',
      toJsonColumn(t.actions, MAX_EVENT_DATA_CHARS) ?? '[]',
      t.answer,
      t.answerKey,
      toJsonColumn(t.timings, MAX_EVENT_DATA_CHARS) ?? '{}',
    ];
    try {
      await this.db.exclusive((conn) =>
        conn.run(
          `INSERT OR REPLACE INTO turns (id, ts, session_id, seat, lang, source, audio_ms, input, is_understood, intent, slots, actions, answer, answer_key, timings)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          params,
        ),
      );
    } catch (err) {
      throw toStoreError(err, this.file, 'record an assistant turn');
    }
  }

  /** Newest first. */
  async turns(q: TurnQuery = {}): Promise<TurnRecord[]> {
    const params: SqlParam[] = [];
    let where = '';
    if (q.sessionId !== undefined) {
      where = 'WHERE session_id = ?';
      params.push(q.sessionId);
    }
    params.push(clampLimit(q.limit, LIST_LIMIT));
    const rows = await this.read('read assistant turns', (c) =>
      c.all<TurnRow>(
        `SELECT id, ts, session_id, seat, lang, source, audio_ms, input, is_understood, intent, slots, actions, answer, answer_key, timings
         FROM turns ${where} ORDER BY ts DESC, rowid DESC LIMIT ?`,
        params,
      ),
    );
    return rows.map((r) => {
      const turn: TurnRecord = {
        id: r.id,
        timestamp: r.ts,
        sessionId: r.session_id,
        seat: r.seat,
        lang: r.lang,
        source: r.source,
        input: r.input,
        isUnderstood: r.is_understood === 1,
        slots: (fromJsonColumn(r.slots) ?? {}) as TurnRecord['slots'],
        actions: (fromJsonColumn(r.actions) ?? []) as TurnRecord['actions'],
        answer: r.answer,
        answerKey: r.answer_key,
        timings: (fromJsonColumn(r.timings) ?? {}) as TurnRecord['timings'],
      };
      if (r.audio_ms !== null) turn.audioDurationMs = r.audio_ms;
      if (r.intent !== null) turn.intent = r.intent;
      return turn;
    });
  }

  // ---- driving context: trips and notifications (DrivingStore, src/driving/store.ts) ----------

  /** Inserts or replaces a trip and its time per situation, in one transaction. */
  async saveTrip(trip: TripRecord): Promise<void> {
    if (this.closing) throw StoreClosedError('save a trip');
    if (typeof trip?.id !== 'string' || !Number.isFinite(trip.startedAt)) throw StoreInvalidRecordError(`trip ${String(trip?.id)}`, 'needs an id and startedAt');
    try {
      await this.db.transaction(async (tx) => {
        await tx.run(
          `INSERT OR REPLACE INTO trips (id, started_at, ended_at, distance_km, duration_s, stats, events, readings, start_odometer_km)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          [
            trip.id, Math.round(trip.startedAt), trip.endedAt === undefined ? null : Math.round(trip.endedAt), trip.stats.distanceKm, trip.stats.durationS,
            toJsonColumn(trip.stats, Number.POSITIVE_INFINITY) ?? '{}', toJsonColumn(trip.events, Number.POSITIVE_INFINITY) ?? '[]',
            toJsonColumn(trip.readings, Number.POSITIVE_INFINITY) ?? '{}', trip.startOdometerKm ?? null,
          ],
        );
        for (const [situation, seconds] of Object.entries(trip.stats.situations)) {
          await tx.run('INSERT OR REPLACE INTO trip_situations (trip_id, situation, seconds) VALUES (?, ?, ?)', [trip.id, situation, seconds]);
        }
      });
    } catch (err) {
      throw toStoreError(err, this.file, 'save a trip');
    }
  }

  /** Newest first. */
  async trips(q: { limit?: number } = {}): Promise<TripRecord[]> {
    const rows = await this.read('read trips', (c) =>
      c.all<TripRow>('SELECT * FROM trips ORDER BY started_at DESC, rowid DESC LIMIT ?', [clampLimit(q.limit, LIST_LIMIT)]),
    );
    return rows.map(tripFromRow);
  }

  async trip(id: string): Promise<TripRecord | undefined> {
    const row = await this.read('read a trip', (c) => c.get<TripRow>('SELECT * FROM trips WHERE id = ?', [id]));
    return row && tripFromRow(row);
  }

  async saveNotification(n: DrivingNotification): Promise<void> {
    if (this.closing) throw StoreClosedError('save a notification');
    try {
      await this.db.exclusive((conn) =>
        conn.run(
          `INSERT OR REPLACE INTO notifications (id, delivered_at, created_at, kind, subject, severity, lang, text, facts, trip_id)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          [n.id, Math.round(n.deliveredAt), Math.round(n.createdAt), n.kind, n.subject, n.severity, n.lang, n.text, toJsonColumn(n.facts, Number.POSITIVE_INFINITY) ?? '[]', n.tripId ?? null],
        ),
      );
    } catch (err) {
      throw toStoreError(err, this.file, 'save a notification');
    }
  }

  /** Newest first. */
  async notifications(q: { limit?: number } = {}): Promise<DrivingNotification[]> {
    const rows = await this.read('read notifications', (c) =>
      c.all<NotificationRow>('SELECT * FROM notifications ORDER BY delivered_at DESC, rowid DESC LIMIT ?', [clampLimit(q.limit, LIST_LIMIT)]),
    );
    return rows.map((r) => {
      const n: DrivingNotification = {
        id: r.id, kind: r.kind as DrivingNotification['kind'], subject: r.subject, severity: r.severity as DrivingNotification['severity'],
        text: r.text, lang: r.lang as DrivingNotification['lang'], facts: (fromJsonColumn(r.facts) ?? []) as DrivingNotification['facts'],
        createdAt: r.created_at, deliveredAt: r.delivered_at,
      };
      if (r.trip_id !== null) n.tripId = r.trip_id;
      return n;
    });
  }

  // ---- health, flush, close --------------------------------------------------------------

  async health(): Promise<StoreHealth> {
    if (this.closing) return { ok: false, detail: 'store closed' };
    if (this.corruption) return { ok: false, detail: describe(this.corruption) };
    if (this.failures.size > 0) {
      const details = [...this.failures].map(
        ([channel, f]) => `${channel}: ${describe(f.error)} (failing since ${new Date(f.since).toISOString()})`,
      );
      details.push(
        `${this.buffer.size} rows waiting, ${this.buffer.droppedSamples} samples and ${this.buffer.droppedEvents} events dropped`,
      );
      return { ok: false, detail: details.join('; ') };
    }
    try {
      await this.db.get('SELECT 1');
    } catch (err) {
      return { ok: false, detail: describe(toStoreError(err, this.file, 'query the database')) };
    }
    const dropped = this.buffer.droppedSamples + this.buffer.droppedEvents;
    return dropped > 0 ? { ok: true, detail: `${dropped} buffered rows were dropped during an earlier outage` } : { ok: true };
  }

  /**
   * Writes everything recorded so far, the held-back latest samples of open intervals included.
   * Rejects with the coded error when the write fails; the rows then stay buffered for the next try.
   * After close() it resolves once the final flush is done.
   */
  flush(): Promise<void> {
    if (this.closing) return this.closing;
    return this.enqueueFlush(true);
  }

  /** Flushes, stops the timer, closes the file. Idempotent; never rejects (a failed final flush is logged). */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  /** Deletes samples and events older than `retentionMs` in bounded batches. Runs on the timer too. */
  runRetention(): Promise<{ samples: number; events: number }> {
    if (this.retentionRun) return this.retentionRun;
    const run = async () => {
      const started = this.opts.now();
      this.lastRetentionAt = started;
      const cutoff = started - this.opts.retentionMs;
      try {
        const samples = await this.deleteInBatches(
          `DELETE FROM signal_history WHERE (path_id, ts) IN
             (SELECT path_id, ts FROM signal_history WHERE ts < ? LIMIT ?)`,
          cutoff,
        );
        const events = await this.deleteInBatches(
          'DELETE FROM events WHERE id IN (SELECT id FROM events WHERE ts < ? LIMIT ?)',
          cutoff,
        );
        this.counters.retentionDeletedSamples += samples;
        this.counters.retentionDeletedEvents += events;
        if (samples + events > 0) this.log.debug({ samples, events, cutoff }, 'store retention deleted old rows');
        this.noteSuccess('retention');
        return { samples, events };
      } catch (err) {
        const error = toStoreError(err, this.file, 'delete old history');
        this.noteFailure('retention', error, {});
        throw error;
      }
    };
    this.retentionRun = run().finally(() => {
      this.retentionRun = undefined;
    });
    return this.retentionRun;
  }

  /**
   * Changes the size cap (PRAGMA max_page_count) at run time; undefined lifts it. SQLite never
   * sets it below the current size. Returns the cap in effect, in bytes.
   */
  async setMaxSizeBytes(bytes: number | undefined): Promise<number> {
    if (this.closing) throw StoreClosedError('change the size cap');
    try {
      return await applyMaxSize(this.db, bytes);
    } catch (err) {
      throw toStoreError(err, this.file, 'change the size cap');
    }
  }

  /**
   * Full `PRAGMA integrity_check`: `['ok']` or the problems found (slow on a big file: for
   * maintenance, not the hot path). Damage bad enough to stop the check is reported as a problem too.
   */
  async integrityCheck(): Promise<string[]> {
    try {
      const rows = await this.read('check integrity', (c) => c.all<{ integrity_check: string }>('PRAGMA integrity_check'));
      return rows.map((r) => r.integrity_check);
    } catch (err) {
      if (isAurigaError(err, StoreCorruptError.code)) return [err.message];
      throw err;
    }
  }

  stats(): StoreStats {
    return {
      bufferedSamples: this.buffer.sampleCount,
      bufferedEvents: this.buffer.eventCount,
      heldBackSamples: this.downsampler.pendingCount,
      downsampledSamples: this.downsampler.skipped,
      droppedSamples: this.buffer.droppedSamples,
      droppedEvents: this.buffer.droppedEvents,
      ...this.counters,
      failing: Object.fromEntries(
        [...this.failures].map(([channel, f]) => [channel, { code: f.error.code, message: f.error.message, since: f.since }]),
      ),
    };
  }

  // ---- internals -------------------------------------------------------------------------

  private bufferSample(sample: Sample): void {
    const encoded = encodeValue(sample.value);
    if (!encoded) return; // checked in recordSignal already
    this.buffer.pushSample({ path: sample.path, kind: encoded.kind, value: encoded.value, ts: sample.ts });
  }

  /** Flushes run one after the other; each writes what is buffered when it starts. */
  private enqueueFlush(all: boolean): Promise<void> {
    const run = () => this.writeBuffered(all);
    const result = this.flushChain.then(run, run);
    this.flushChain = result.catch(() => undefined);
    return result;
  }

  private async writeBuffered(all: boolean): Promise<void> {
    for (const sample of this.downsampler.drain(this.opts.now(), all)) this.bufferSample(sample);
    // Only what is there now: under a high input rate the loop must still end.
    let remaining = this.buffer.size;
    while (remaining > 0 && this.buffer.size > 0) {
      const batch = this.buffer.take(Math.min(this.opts.maxRowsPerTransaction, remaining));
      remaining -= batch.samples.length + batch.events.length;
      try {
        await this.writeBatch(batch);
      } catch (err) {
        this.buffer.restore(batch);
        this.counters.failedFlushes++;
        const error = toStoreError(err, this.file, 'write buffered history');
        this.noteFailure('flush', error, { waiting: this.buffer.size });
        throw error;
      }
      this.counters.writtenSamples += batch.samples.length;
      this.counters.writtenEvents += batch.events.length;
      this.noteSuccess('flush');
    }
  }

  private async writeBatch(batch: Batch): Promise<void> {
    const newIds = new Map<string, number>();
    await this.db.transaction(async (tx) => {
      for (const { path } of batch.samples) {
        if (this.pathIds.has(path) || newIds.has(path)) continue;
        await tx.run('INSERT INTO signal_paths (path) VALUES (?) ON CONFLICT (path) DO NOTHING', [path]);
        const row = await tx.get<{ id: number }>('SELECT id FROM signal_paths WHERE path = ?', [path]);
        if (!row) throw new Error(`signal path ${path} vanished while being inserted`);
        newIds.set(path, row.id);
      }
      for (let i = 0; i < batch.samples.length; i += SAMPLES_PER_INSERT) {
        const chunk = batch.samples.slice(i, i + SAMPLES_PER_INSERT);
        const params: SqlParam[] = [];
        for (const s of chunk) params.push(this.pathIds.get(s.path) ?? newIds.get(s.path)!, s.ts, s.kind, s.value);
        // OR REPLACE: two samples of one path at the same millisecond, the later one is the state.
        await tx.run(
          `INSERT OR REPLACE INTO signal_history (path_id, ts, kind, value) VALUES ${placeholders(chunk.length, 4)}`,
          params,
        );
      }
      for (let i = 0; i < batch.events.length; i += EVENTS_PER_INSERT) {
        const chunk = batch.events.slice(i, i + EVENTS_PER_INSERT);
        const params: SqlParam[] = [];
        for (const e of chunk) params.push(e.ts, e.type, e.path, e.severity, e.message, e.data);
        await tx.run(
          `INSERT INTO events (ts, type, path, severity, message, data) VALUES ${placeholders(chunk.length, 6)}`,
          params,
        );
      }
    });
    // Only ids that were committed: a rolled-back insert must not leave a dangling id in the cache.
    for (const [path, id] of newIds) this.pathIds.set(path, id);
  }

  private async deleteInBatches(sql: string, cutoff: number): Promise<number> {
    let total = 0;
    for (let i = 0; i < this.opts.retentionMaxBatches; i++) {
      // Each batch is its own statement (and transaction): flushes and reads get in between.
      const { changes } = await this.db.run(sql, [cutoff, this.opts.retentionBatchRows]);
      total += changes;
      if (changes < this.opts.retentionBatchRows) break;
    }
    return total;
  }

  private async read<T>(action: string, fn: (conn: Queryable) => Promise<T>): Promise<T> {
    if (this.closing) throw StoreClosedError(action);
    try {
      return await this.db.exclusive(fn);
    } catch (err) {
      const error = toStoreError(err, this.file, action);
      if (error.code === StoreCorruptError.code) this.noteCorruption(error);
      throw error;
    }
  }

  private noteFailure(channel: WriteChannel, error: AurigaError, context: Record<string, unknown>): void {
    const now = this.opts.now();
    if (error.code === StoreCorruptError.code) this.noteCorruption(error);
    const previous = this.failures.get(channel);
    const failure = { error, since: previous?.since ?? now, loggedAt: previous?.loggedAt ?? Number.NEGATIVE_INFINITY };
    // On a full disk every flush fails: log the first failure, then once a minute (logs may share that disk).
    if (now - failure.loggedAt >= FAILURE_LOG_EVERY_MS) {
      failure.loggedAt = now;
      this.log.error(
        {
          err: error,
          code: error.code,
          channel,
          ...context,
          droppedSamples: this.buffer.droppedSamples,
          droppedEvents: this.buffer.droppedEvents,
        },
        channel === 'flush'
          ? 'store write failed; buffered rows are kept (bounded) and retried on the next flush'
          : `store ${channel} failed`,
      );
    }
    this.failures.set(channel, failure);
  }

  private noteSuccess(channel: WriteChannel): void {
    const failure = this.failures.get(channel);
    if (!failure) return;
    this.failures.delete(channel);
    this.log.info(
      {
        channel,
        failedForMs: this.opts.now() - failure.since,
        droppedSamples: this.buffer.droppedSamples,
        droppedEvents: this.buffer.droppedEvents,
      },
      'store writes recovered',
    );
  }

  private noteCorruption(error: AurigaError): void {
    if (!this.corruption) this.log.error({ err: error }, 'store file is corrupt; move it aside and restart with a fresh one');
    this.corruption ??= error;
  }

  private schedule(): void {
    if (this.closing) return;
    this.timer = this.opts.timers.setTimeout(() => void this.tick(), this.opts.flushIntervalMs);
  }

  private async tick(): Promise<void> {
    this.timer = undefined;
    if (this.closing) return;
    // Failures are recorded by writeBuffered/runRetention (health, log); the loop goes on.
    await this.enqueueFlush(false).catch(() => undefined);
    if (!this.closing && this.opts.now() - this.lastRetentionAt >= this.opts.retentionIntervalMs) {
      void this.runRetention().catch(() => undefined);
    }
    this.schedule();
  }

  private async shutdown(): Promise<void> {
    if (this.timer !== undefined) this.opts.timers.clearTimeout(this.timer);
    this.timer = undefined;
    try {
      await this.enqueueFlush(true);
    } catch (err) {
      this.log.error(
        { err, lostSamples: this.buffer.sampleCount, lostEvents: this.buffer.eventCount },
        'store: final flush failed; buffered rows are lost',
      );
    }
    await this.retentionRun?.catch(() => undefined);
    try {
      await this.db.close();
    } catch (err) {
      this.log.error({ err }, 'store: closing the database failed');
    }
    this.log.info(this.stats(), 'store closed');
  }
}

interface ActuationRow {
  id: string;
  path: string;
  value: string;
  source: string;
  status: string;
  reason: string | null;
  requested_at: number;
  completed_at: number;
}

interface EventDbRow {
  id: number;
  ts: number;
  type: string;
  path: string | null;
  severity: string;
  message: string;
  data: string | null;
}

function resolveOptions(o: SqliteStoreOptions): Resolved {
  const problems: string[] = [];
  const positive = (name: keyof typeof DEFAULTS, value: number | undefined): number => {
    const v = value ?? (DEFAULTS[name] as number);
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) problems.push(`store.${name} must be a positive number, got ${String(v)}`);
    return v;
  };
  const sync = (name: 'synchronous' | 'actuationSynchronous', value: string | undefined): SynchronousMode => {
    const v = (value ?? DEFAULTS[name]).toUpperCase();
    if (!SYNC_MODES.has(v)) problems.push(`store.${name} must be one of ${[...SYNC_MODES].join(', ')}, got ${value}`);
    return v as SynchronousMode;
  };
  const resolved: Resolved = {
    sampleIntervalMs: positive('sampleIntervalMs', o.sampleIntervalMs),
    retentionMs: positive('retentionMs', o.retentionMs),
    flushIntervalMs: positive('flushIntervalMs', o.flushIntervalMs),
    maxBufferedRows: Math.floor(positive('maxBufferedRows', o.maxBufferedRows)),
    maxRowsPerTransaction: Math.floor(positive('maxRowsPerTransaction', o.maxRowsPerTransaction)),
    retentionIntervalMs: positive('retentionIntervalMs', o.retentionIntervalMs),
    retentionBatchRows: Math.floor(positive('retentionBatchRows', o.retentionBatchRows)),
    retentionMaxBatches: Math.floor(positive('retentionMaxBatches', o.retentionMaxBatches)),
    busyTimeoutMs: Math.floor(positive('busyTimeoutMs', o.busyTimeoutMs)),
    synchronous: sync('synchronous', o.synchronous),
    actuationSynchronous: sync('actuationSynchronous', o.actuationSynchronous),
    maxSizeBytes: o.maxSizeBytes,
    quickCheckOnOpen: o.quickCheckOnOpen ?? false,
    now: o.now ?? Date.now,
    timers: o.timers ?? realTimers,
    // An injected logger is used as given (the caller sets its bindings, e.g. component: 'store').
    logger: o.logger ?? pino({ name: 'auriga-store' }),
  };
  if (o.maxSizeBytes !== undefined && !(Number.isFinite(o.maxSizeBytes) && o.maxSizeBytes > 0)) {
    problems.push(`store.maxSizeBytes must be a positive number of bytes, got ${o.maxSizeBytes}`);
  }
  if (problems.length > 0) throw ConfigInvalidError(problems);
  return resolved;
}

async function applyMaxSize(db: Queryable, bytes: number | undefined): Promise<number> {
  const pageSize = (await db.get<{ page_size: number }>('PRAGMA page_size'))?.page_size ?? 4096;
  // 4294967294 is SQLite's own ceiling for max_page_count.
  const pages = bytes === undefined ? 4_294_967_294 : Math.max(1, Math.floor(bytes / pageSize));
  const row = await db.get<{ max_page_count: number }>(`PRAGMA max_page_count = ${pages}`);
  return (row?.max_page_count ?? pages) * pageSize;
}

function invalidActuation(a: ActuationRecord | undefined): string | undefined {
  if (!a || typeof a !== 'object') return 'not an object';
  if (typeof a.id !== 'string' || a.id === '') return 'id must be a non-empty string';
  if (typeof a.path !== 'string' || a.path === '') return 'path must be a non-empty string';
  if (typeof a.source !== 'string') return 'source must be a string';
  if (!STATUSES.has(a.status)) return `status must be one of ${[...STATUSES].join(', ')}, got ${String(a.status)}`;
  if (!Number.isFinite(a.requestedAt)) return 'requestedAt must be a finite number (ms since epoch)';
  if (!Number.isFinite(a.completedAt)) return 'completedAt must be a finite number (ms since epoch)';
  if (a.reason !== undefined && typeof a.reason !== 'string') return 'reason must be a string';
  return undefined;
}

interface TurnRow {
  id: string;
  ts: number;
  session_id: string;
  seat: string;
  lang: string;
  source: string;
  audio_ms: number | null;
  input: string;
  is_understood: number;
  intent: string | null;
  slots: string;
  actions: string;
  answer: string;
  answer_key: string;
  timings: string;
}

/** Why a turn cannot be stored, or undefined. */
function invalidTurn(t: TurnRecord): string | undefined {
  if (!t || typeof t !== 'object') return 'not an object';
  if (typeof t.id !== 'string' || t.id === '') return 'id must be a non-empty string';
  if (!Number.isFinite(t.timestamp)) return 'timestamp must be a finite number';
  for (const key of ['sessionId', 'seat', 'lang', 'source', 'input', 'answer', 'answerKey'] as const) {
    if (typeof t[key] !== 'string') return `${key} must be a string`;
  }
  if (t.audioDurationMs !== undefined && !Number.isFinite(t.audioDurationMs)) return 'audioDurationMs must be a finite number';
  return undefined;
}

function clampLimit(limit: number | undefined, l: { default: number; max: number }): number {
  if (limit === undefined || !Number.isFinite(limit)) return l.default;
  return Math.min(Math.max(1, Math.floor(limit)), l.max);
}

function bound(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) ? value : fallback;
}

/** `(?, ?), (?, ?)`; the full-size chunk strings are cached, the occasional tail is built. */
const placeholderCache = new Map<string, string>();
function placeholders(rows: number, columns: number): string {
  const key = `${rows}x${columns}`;
  const cached = placeholderCache.get(key);
  if (cached) return cached;
  const row = `(${new Array(columns).fill('?').join(', ')})`;
  const sql = new Array(rows).fill(row).join(', ');
  if (rows === SAMPLES_PER_INSERT || rows === EVENTS_PER_INSERT) placeholderCache.set(key, sql);
  return sql;
}

function describe(error: AurigaError): string {
  return `${error.code}: ${error.message}`;
}

interface TripRow {
  id: string;
  started_at: number;
  ended_at: number | null;
  stats: string;
  events: string;
  readings: string;
  start_odometer_km: number | null;
}

function tripFromRow(r: TripRow): TripRecord {
  const trip: TripRecord = {
    id: r.id,
    startedAt: r.started_at,
    stats: fromJsonColumn(r.stats) as TripRecord['stats'],
    events: (fromJsonColumn(r.events) ?? []) as TripRecord['events'],
    readings: (fromJsonColumn(r.readings) ?? {}) as TripRecord['readings'],
  };
  if (r.ended_at !== null) trip.endedAt = r.ended_at;
  if (r.start_odometer_km !== null) trip.startOdometerKm = r.start_odometer_km;
  return trip;
}

interface NotificationRow {
  id: string;
  delivered_at: number;
  created_at: number;
  kind: string;
  subject: string;
  severity: string;
  lang: string;
  text: string;
  facts: string;
  trip_id: string | null;
}
