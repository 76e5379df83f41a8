import type { Logger } from 'pino';
import { inTransaction, type Db } from './db.js';

/**
 * Versioned schema. `PRAGMA user_version` holds the number of migrations applied; at open every
 * missing one runs, all in one transaction (a crash mid-way leaves the previous version intact).
 *
 * Rules for later issues: APPEND ONLY, never edit a shipped migration. And keep them additive (new
 * tables, new nullable or defaulted columns, new indexes): after an OTA rollback an older build
 * opens a file migrated by a newer one and must still work, so nothing an old build writes may be
 * rejected by a newer schema. For the same reason no CHECK constraints on enum-like columns
 * (SQLite cannot alter a CHECK without rebuilding the table); the store validates in code.
 */
export interface Migration {
  /** 1-based, consecutive. */
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
      -- Facts about the file itself (created_at, ...). Later issues keep their small settings here too.
      CREATE TABLE store_meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) STRICT;

      -- One row per signal path: history rows carry a small integer instead of a ~40-byte VSS
      -- path, which roughly halves the size of the biggest table (7 days x ~100 paths at 1 Hz).
      CREATE TABLE signal_paths (
        id   INTEGER PRIMARY KEY,
        path TEXT NOT NULL UNIQUE
      ) STRICT;

      -- Typed value: one column of SQLite type ANY (a STRICT table keeps exactly what was bound:
      -- INTEGER/REAL for numbers, 0/1 for booleans, TEXT for strings) plus a tag that says how to
      -- read it back (0 number, 1 boolean, 2 string). Numbers stay numbers, so later issues can
      -- aggregate in SQL (avg/min/max per minute) without parsing JSON, and a number is 1-8 bytes
      -- instead of its decimal text. Clustered on (path_id, ts) (WITHOUT ROWID): a history query
      -- is one range scan and the table needs no separate (path, ts) index.
      CREATE TABLE signal_history (
        path_id INTEGER NOT NULL,
        ts      INTEGER NOT NULL,
        kind    INTEGER NOT NULL,
        value   ANY NOT NULL,
        PRIMARY KEY (path_id, ts)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX signal_history_ts ON signal_history (ts);

      CREATE TABLE events (
        id       INTEGER PRIMARY KEY,
        ts       INTEGER NOT NULL,
        type     TEXT NOT NULL,
        path     TEXT,
        severity TEXT NOT NULL,
        message  TEXT NOT NULL,
        data     TEXT -- JSON
      ) STRICT;
      CREATE INDEX events_ts ON events (ts);
      CREATE INDEX events_type_ts ON events (type, ts);
      CREATE INDEX events_path_ts ON events (path, ts) WHERE path IS NOT NULL;

      CREATE TABLE actuations (
        id           TEXT PRIMARY KEY,
        path         TEXT NOT NULL,
        value        TEXT NOT NULL, -- JSON
        source       TEXT NOT NULL,
        status       TEXT NOT NULL,
        reason       TEXT,
        requested_at INTEGER NOT NULL,
        completed_at INTEGER NOT NULL,
        ms           INTEGER GENERATED ALWAYS AS (completed_at - requested_at) VIRTUAL
      ) STRICT;
      CREATE INDEX actuations_requested_at ON actuations (requested_at);
      CREATE INDEX actuations_path_requested_at ON actuations (path, requested_at);
    `,
  },
  {
    version: 2,
    name: 'assistant turns',
    sql: `
      -- One row per assistant turn (typed or spoken): what was said, what it meant, what the car
      -- did and what the assistant answered. JSON columns hold small objects (slots, actions, timings).
      CREATE TABLE turns (
        id             TEXT PRIMARY KEY,
        ts             INTEGER NOT NULL,
        session_id     TEXT NOT NULL,
        seat           TEXT NOT NULL,
        lang           TEXT NOT NULL,
        source         TEXT NOT NULL,   -- text | voice | timeout
        audio_ms       REAL,            -- spoken turns: duration of the audio
        input          TEXT NOT NULL,   -- the typed text or the transcript
        is_understood  INTEGER NOT NULL,
        intent         TEXT,
        slots          TEXT NOT NULL,   -- JSON
        actions        TEXT NOT NULL,   -- JSON [{path, value, status, reason}]
        answer         TEXT NOT NULL,
        answer_key     TEXT NOT NULL,
        timings        TEXT NOT NULL    -- JSON {understandMs, planMs, actMs, answerMs, ttsMs, totalMs}
      ) STRICT;
      CREATE INDEX turns_ts ON turns (ts);
      CREATE INDEX turns_session_ts ON turns (session_id, ts);
    `,
  },
  {
    version: 3,
    name: 'driving context: trips and notifications',
    sql: `
      -- One row per trip (ignition on to off); the trip in progress is saved now and then with
      -- ended_at NULL. Statistics, events and readings are JSON (small objects, read whole);
      -- distance and duration are columns too, for SQL totals.
      CREATE TABLE trips (
        id          TEXT PRIMARY KEY,
        started_at  INTEGER NOT NULL,
        ended_at    INTEGER,
        distance_km REAL NOT NULL,
        duration_s  REAL NOT NULL,
        stats       TEXT NOT NULL, -- JSON TripStats
        events      TEXT NOT NULL, -- JSON DrivingEvent[]
        readings    TEXT NOT NULL, -- JSON
        start_odometer_km REAL
      ) STRICT;
      CREATE INDEX trips_started_at ON trips (started_at);

      -- Time per driving situation of each trip (parked, stop_and_go, city, rural, highway).
      CREATE TABLE trip_situations (
        trip_id   TEXT NOT NULL,
        situation TEXT NOT NULL,
        seconds   REAL NOT NULL,
        PRIMARY KEY (trip_id, situation)
      ) STRICT, WITHOUT ROWID;

      -- Delivered proactive notifications (history for the API).
      CREATE TABLE notifications (
        id           TEXT PRIMARY KEY,
        delivered_at INTEGER NOT NULL,
        created_at   INTEGER NOT NULL,
        kind         TEXT NOT NULL,
        subject      TEXT NOT NULL,
        severity     TEXT NOT NULL,
        lang         TEXT NOT NULL,
        text         TEXT NOT NULL,
        facts        TEXT NOT NULL, -- JSON Fact[]
        trip_id      TEXT
      ) STRICT;
      CREATE INDEX notifications_delivered_at ON notifications (delivered_at);
    `,
  },
];

export interface MigrationResult {
  from: number;
  to: number;
  applied: string[];
}

/** Brings the file to the newest schema version this build knows. */
export async function migrate(
  db: Db,
  opts: { logger?: Logger; migrations?: readonly Migration[] } = {},
): Promise<MigrationResult> {
  const migrations = opts.migrations ?? MIGRATIONS;
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration "${m.name}" has version ${m.version}, expected ${i + 1}`);
  });
  const latest = migrations.length;
  return db.exclusive(async (conn) => {
    const before = await userVersion(conn);
    if (before > latest) {
      // A newer build migrated this file (we are probably an OTA rollback). Migrations are
      // additive, so this build can still use it.
      opts.logger?.warn({ fileVersion: before, knownVersion: latest }, 'store schema is newer than this build; using it as is');
      return { from: before, to: before, applied: [] };
    }
    if (before === latest) return { from: before, to: before, applied: [] };
    const pending = migrations.slice(before);
    await inTransaction(conn, async (tx) => {
      // Re-read under the write lock: another process may have migrated in the meantime.
      if ((await userVersion(tx)) !== before) throw new Error('schema changed by another process during migration');
      for (const m of pending) await tx.exec(m.sql);
      // PRAGMA takes no bound parameters; `latest` is an integer we computed.
      await tx.exec(`PRAGMA user_version = ${latest}`);
    });
    const applied = pending.map((m) => `${m.version}: ${m.name}`);
    opts.logger?.info({ from: before, to: latest, applied }, 'store schema migrated');
    return { from: before, to: latest, applied };
  });
}

async function userVersion(conn: { get<T>(sql: string): Promise<T | undefined> }): Promise<number> {
  const row = await conn.get<{ user_version: number }>('PRAGMA user_version');
  return row?.user_version ?? 0;
}
