import { openPostgres, openSqlite, type PostgresOptions, type SqlDb } from './sql.js';
import type {
  AssignmentRecord,
  AssignmentStatus,
  CampaignRecord,
  CampaignSelector,
  CampaignState,
  MetadataRecord,
  OtaStore,
  ReleaseRecord,
  ReportRecord,
  StageStats,
  VehicleRecord,
} from './types.js';
import { FAILURE_STATUSES, SUCCESS_STATUSES } from './types.js';

function ddl(dialect: SqlDb['dialect']): string {
  const serial = dialect === 'postgres' ? 'SERIAL PRIMARY KEY' : 'INTEGER PRIMARY KEY AUTOINCREMENT';
  return `
CREATE TABLE IF NOT EXISTS ota_vehicles (
  id TEXT PRIMARY KEY,
  group_name TEXT NOT NULL,
  hardware_id TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  created_at BIGINT NOT NULL,
  last_seen_at BIGINT,
  service_version TEXT,
  installed TEXT,
  last_step TEXT,
  last_reason TEXT,
  last_status_at BIGINT,
  director_version INTEGER NOT NULL DEFAULT 0,
  director TEXT
);
CREATE INDEX IF NOT EXISTS ota_vehicles_group ON ota_vehicles (group_name, id);
CREATE TABLE IF NOT EXISTS ota_metadata (
  role TEXT NOT NULL,
  version INTEGER NOT NULL,
  body TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (role, version)
);
CREATE TABLE IF NOT EXISTS ota_releases (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  version TEXT NOT NULL,
  kind TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  length BIGINT NOT NULL,
  custom TEXT NOT NULL,
  targets_version INTEGER NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS ota_campaigns (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  release_id TEXT NOT NULL REFERENCES ota_releases (id),
  previous_release_id TEXT REFERENCES ota_releases (id),
  selector TEXT NOT NULL,
  stages TEXT NOT NULL,
  schedule TEXT,
  state TEXT NOT NULL,
  current_stage INTEGER NOT NULL,
  state_reason TEXT,
  acknowledged TEXT NOT NULL,
  revision INTEGER NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS ota_campaign_vehicles (
  campaign_id TEXT NOT NULL REFERENCES ota_campaigns (id),
  vehicle_id TEXT NOT NULL REFERENCES ota_vehicles (id),
  stage INTEGER NOT NULL,
  PRIMARY KEY (campaign_id, vehicle_id)
);
CREATE TABLE IF NOT EXISTS ota_assignments (
  id ${serial},
  vehicle_id TEXT NOT NULL REFERENCES ota_vehicles (id),
  campaign_id TEXT NOT NULL REFERENCES ota_campaigns (id),
  release_id TEXT NOT NULL REFERENCES ota_releases (id),
  action TEXT NOT NULL,
  status TEXT NOT NULL,
  reason TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS ota_assignments_once ON ota_assignments (campaign_id, vehicle_id, action);
CREATE INDEX IF NOT EXISTS ota_assignments_vehicle ON ota_assignments (vehicle_id, id);
CREATE TABLE IF NOT EXISTS ota_reports (
  id ${serial},
  vehicle_id TEXT NOT NULL REFERENCES ota_vehicles (id),
  assignment_id INTEGER,
  step TEXT NOT NULL,
  reason TEXT,
  detail TEXT,
  at BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS ota_reports_vehicle ON ota_reports (vehicle_id, id);
`;
}

type Row = Record<string, unknown>;
const num = (v: unknown): number => Number(v);
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const json = <T>(v: unknown): T => JSON.parse(String(v)) as T;

function vehicleOf(r: Row): VehicleRecord {
  return {
    id: String(r.id), group: String(r.group_name), hardwareId: String(r.hardware_id), createdAt: num(r.created_at),
    lastSeenAt: numOrNull(r.last_seen_at), serviceVersion: strOrNull(r.service_version),
    installed: r.installed ? json(r.installed) : null, lastStep: strOrNull(r.last_step), lastReason: strOrNull(r.last_reason),
    lastStatusAt: numOrNull(r.last_status_at), directorVersion: num(r.director_version), director: strOrNull(r.director),
  };
}
function releaseOf(r: Row): ReleaseRecord {
  return {
    id: String(r.id), name: String(r.name), version: String(r.version), kind: String(r.kind), sha256: String(r.sha256),
    length: num(r.length), custom: json(r.custom), targetsVersion: num(r.targets_version), createdAt: num(r.created_at),
  };
}
function campaignOf(r: Row): CampaignRecord {
  return {
    id: String(r.id), name: String(r.name), releaseId: String(r.release_id), previousReleaseId: strOrNull(r.previous_release_id),
    selector: json(r.selector), stages: json(r.stages), schedule: r.schedule ? json(r.schedule) : null,
    state: String(r.state) as CampaignState, currentStage: num(r.current_stage), stateReason: strOrNull(r.state_reason),
    acknowledged: json(r.acknowledged), revision: num(r.revision), createdAt: num(r.created_at), updatedAt: num(r.updated_at),
  };
}
function assignmentOf(r: Row): AssignmentRecord {
  return {
    id: num(r.id), vehicleId: String(r.vehicle_id), campaignId: String(r.campaign_id), releaseId: String(r.release_id),
    action: String(r.action) as AssignmentRecord['action'], status: String(r.status) as AssignmentStatus,
    reason: strOrNull(r.reason), createdAt: num(r.created_at), updatedAt: num(r.updated_at),
  };
}

/** One implementation for both databases: the SQL below is the common subset of SQLite 3.35+ and PostgreSQL 12+. */
export class SqlOtaStore implements OtaStore {
  constructor(private readonly db: SqlDb) {}

  get dialect(): SqlDb['dialect'] { return this.db.dialect; }

  async init(): Promise<void> {
    if (this.db.dialect === 'postgres') {
      // Several instances may start at once on one database: serialize the DDL.
      await this.db.transaction(async (tx) => {
        await tx.exec('SELECT pg_advisory_xact_lock(4242001)');
        await tx.exec(ddl('postgres'));
      });
    } else {
      await this.db.exec(ddl('sqlite'));
    }
  }

  close(): Promise<void> { return this.db.close(); }

  async addVehicle(v: { id: string; group: string; hardwareId: string; tokenHash: string; createdAt: number }): Promise<void> {
    await this.db.run('INSERT INTO ota_vehicles (id, group_name, hardware_id, token_hash, created_at) VALUES (?, ?, ?, ?, ?)',
      [v.id, v.group, v.hardwareId, v.tokenHash, v.createdAt]);
  }

  async setVehicleToken(id: string, tokenHash: string): Promise<boolean> {
    return (await this.db.run('UPDATE ota_vehicles SET token_hash = ? WHERE id = ?', [tokenHash, id])) === 1;
  }

  async getVehicle(id: string): Promise<VehicleRecord | undefined> {
    const [r] = await this.db.all('SELECT * FROM ota_vehicles WHERE id = ?', [id]);
    return r ? vehicleOf(r) : undefined;
  }

  async getVehicleByTokenHash(tokenHash: string): Promise<VehicleRecord | undefined> {
    const [r] = await this.db.all('SELECT * FROM ota_vehicles WHERE token_hash = ?', [tokenHash]);
    return r ? vehicleOf(r) : undefined;
  }

  async listVehicles(opts: { group?: string; limit?: number; offset?: number } = {}): Promise<VehicleRecord[]> {
    const limit = Math.min(opts.limit ?? 500, 10_000);
    const offset = opts.offset ?? 0;
    const rows = opts.group
      ? await this.db.all('SELECT * FROM ota_vehicles WHERE group_name = ? ORDER BY id LIMIT ? OFFSET ?', [opts.group, limit, offset])
      : await this.db.all('SELECT * FROM ota_vehicles ORDER BY id LIMIT ? OFFSET ?', [limit, offset]);
    return rows.map(vehicleOf);
  }

  async vehicleIdsBySelector(selector: CampaignSelector): Promise<{ found: string[]; missing: string[] }> {
    if ('group' in selector) {
      const rows = await this.db.all<{ id: string }>('SELECT id FROM ota_vehicles WHERE group_name = ? ORDER BY id', [selector.group]);
      return { found: rows.map((r) => r.id), missing: [] };
    }
    const found: string[] = [];
    const wanted = [...new Set(selector.vehicles)];
    for (let i = 0; i < wanted.length; i += 500) {
      const chunk = wanted.slice(i, i + 500);
      const rows = await this.db.all<{ id: string }>(`SELECT id FROM ota_vehicles WHERE id IN (${chunk.map(() => '?').join(',')})`, chunk);
      found.push(...rows.map((r) => r.id));
    }
    const have = new Set(found);
    return { found: found.sort(), missing: wanted.filter((id) => !have.has(id)) };
  }

  async recordCheckIn(id: string, at: number, serviceVersion: string, installed: VehicleRecord['installed']): Promise<void> {
    await this.db.run('UPDATE ota_vehicles SET last_seen_at = ?, service_version = ?, installed = ? WHERE id = ?',
      [at, serviceVersion, installed ? JSON.stringify(installed) : null, id]);
  }

  async setVehicleStatus(id: string, step: string, reason: string | null, at: number): Promise<void> {
    await this.db.run('UPDATE ota_vehicles SET last_step = ?, last_reason = ?, last_status_at = ? WHERE id = ?', [step, reason, at, id]);
  }

  async setDirector(id: string, expectedVersion: number, version: number, body: string): Promise<boolean> {
    return (await this.db.run('UPDATE ota_vehicles SET director_version = ?, director = ? WHERE id = ? AND director_version = ?',
      [version, body, id, expectedVersion])) === 1;
  }

  async putMetadata(role: string, version: number, body: string, at: number): Promise<boolean> {
    return (await this.db.run('INSERT INTO ota_metadata (role, version, body, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
      [role, version, body, at])) === 1;
  }

  async latestMetadata(role: string): Promise<MetadataRecord | undefined> {
    const [r] = await this.db.all('SELECT * FROM ota_metadata WHERE role = ? ORDER BY version DESC LIMIT 1', [role]);
    return r ? { role: String(r.role), version: num(r.version), body: String(r.body), createdAt: num(r.created_at) } : undefined;
  }

  async metadataVersions(role: string, afterVersion: number): Promise<MetadataRecord[]> {
    const rows = await this.db.all('SELECT * FROM ota_metadata WHERE role = ? AND version > ? ORDER BY version', [role, afterVersion]);
    return rows.map((r) => ({ role: String(r.role), version: num(r.version), body: String(r.body), createdAt: num(r.created_at) }));
  }

  async addRelease(r: ReleaseRecord): Promise<void> {
    await this.db.run('INSERT INTO ota_releases (id, name, version, kind, sha256, length, custom, targets_version, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [r.id, r.name, r.version, r.kind, r.sha256, r.length, JSON.stringify(r.custom), r.targetsVersion, r.createdAt]);
  }

  async getRelease(id: string): Promise<ReleaseRecord | undefined> {
    const [r] = await this.db.all('SELECT * FROM ota_releases WHERE id = ?', [id]);
    return r ? releaseOf(r) : undefined;
  }

  async listReleases(): Promise<ReleaseRecord[]> {
    return (await this.db.all('SELECT * FROM ota_releases ORDER BY created_at DESC, id')).map(releaseOf);
  }

  async createCampaign(c: CampaignRecord, members: { vehicleId: string; stage: number }[]): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.run(
        `INSERT INTO ota_campaigns (id, name, release_id, previous_release_id, selector, stages, schedule, state, current_stage,
           state_reason, acknowledged, revision, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [c.id, c.name, c.releaseId, c.previousReleaseId, JSON.stringify(c.selector), JSON.stringify(c.stages),
          c.schedule ? JSON.stringify(c.schedule) : null, c.state, c.currentStage, c.stateReason, JSON.stringify(c.acknowledged),
          c.revision, c.createdAt, c.updatedAt]);
      for (let i = 0; i < members.length; i += 300) {
        const chunk = members.slice(i, i + 300);
        await tx.run(`INSERT INTO ota_campaign_vehicles (campaign_id, vehicle_id, stage) VALUES ${chunk.map(() => '(?, ?, ?)').join(', ')}`,
          chunk.flatMap((m) => [c.id, m.vehicleId, m.stage]));
      }
    });
  }

  async getCampaign(id: string): Promise<CampaignRecord | undefined> {
    const [r] = await this.db.all('SELECT * FROM ota_campaigns WHERE id = ?', [id]);
    return r ? campaignOf(r) : undefined;
  }

  async listCampaigns(states?: CampaignState[]): Promise<CampaignRecord[]> {
    const rows = states?.length
      ? await this.db.all(`SELECT * FROM ota_campaigns WHERE state IN (${states.map(() => '?').join(',')}) ORDER BY created_at DESC, id`, states)
      : await this.db.all('SELECT * FROM ota_campaigns ORDER BY created_at DESC, id');
    return rows.map(campaignOf);
  }

  async updateCampaign(c: CampaignRecord): Promise<boolean> {
    return (await this.db.run(
      `UPDATE ota_campaigns SET state = ?, current_stage = ?, state_reason = ?, acknowledged = ?, previous_release_id = ?,
         revision = ?, updated_at = ? WHERE id = ? AND revision = ?`,
      [c.state, c.currentStage, c.stateReason, JSON.stringify(c.acknowledged), c.previousReleaseId, c.revision, c.updatedAt, c.id, c.revision - 1],
    )) === 1;
  }

  async campaignMembers(campaignId: string, stage?: number): Promise<string[]> {
    const rows = stage === undefined
      ? await this.db.all<{ vehicle_id: string }>('SELECT vehicle_id FROM ota_campaign_vehicles WHERE campaign_id = ? ORDER BY vehicle_id', [campaignId])
      : await this.db.all<{ vehicle_id: string }>('SELECT vehicle_id FROM ota_campaign_vehicles WHERE campaign_id = ? AND stage = ? ORDER BY vehicle_id', [campaignId, stage]);
    return rows.map((r) => r.vehicle_id);
  }

  async stageStats(campaignId: string): Promise<StageStats[]> {
    const rows = await this.db.all<{ stage: unknown; status: string | null; n: unknown }>(
      `SELECT cv.stage AS stage, a.status AS status, COUNT(*) AS n
         FROM ota_campaign_vehicles cv
         LEFT JOIN ota_assignments a ON a.campaign_id = cv.campaign_id AND a.vehicle_id = cv.vehicle_id AND a.action = 'install'
        WHERE cv.campaign_id = ?
        GROUP BY cv.stage, a.status`, [campaignId]);
    const byStage = new Map<number, StageStats>();
    for (const r of rows) {
      const stage = num(r.stage);
      const s = byStage.get(stage) ?? { stage, total: 0, unassigned: 0, notStarted: 0, inProgress: 0, succeeded: 0, failed: 0 };
      const n = num(r.n);
      s.total += n;
      const status = r.status as AssignmentStatus | null;
      if (status === null) s.unassigned += n;
      if (status === null || status === 'assigned' || status === 'cancelled') s.notStarted += n;
      else if (SUCCESS_STATUSES.includes(status)) s.succeeded += n;
      else if (FAILURE_STATUSES.includes(status)) s.failed += n;
      else s.inProgress += n;
      byStage.set(stage, s);
    }
    return [...byStage.values()].sort((a, b) => a.stage - b.stage);
  }

  async createAssignments(rows: Omit<AssignmentRecord, 'id'>[]): Promise<number> {
    if (rows.length === 0) return 0;
    return this.db.transaction(async (tx) => {
      let created = 0;
      for (let i = 0; i < rows.length; i += 100) {
        const chunk = rows.slice(i, i + 100);
        created += await tx.run(
          `INSERT INTO ota_assignments (vehicle_id, campaign_id, release_id, action, status, reason, created_at, updated_at)
           VALUES ${chunk.map(() => '(?, ?, ?, ?, ?, ?, ?, ?)').join(', ')} ON CONFLICT DO NOTHING`,
          chunk.flatMap((r) => [r.vehicleId, r.campaignId, r.releaseId, r.action, r.status, r.reason, r.createdAt, r.updatedAt]));
      }
      return created;
    });
  }

  async updateCampaignAssignments(campaignId: string, from: AssignmentStatus[], to: AssignmentStatus, at: number, action?: 'install' | 'rollback'): Promise<number> {
    const params: unknown[] = [to, at, campaignId, ...from];
    let sql = `UPDATE ota_assignments SET status = ?, updated_at = ? WHERE campaign_id = ? AND status IN (${from.map(() => '?').join(',')})`;
    if (action) {
      sql += ' AND action = ?';
      params.push(action);
    }
    return this.db.run(sql, params);
  }

  async currentAssignment(vehicleId: string): Promise<AssignmentRecord | undefined> {
    const [r] = await this.db.all('SELECT * FROM ota_assignments WHERE vehicle_id = ? ORDER BY id DESC LIMIT 1', [vehicleId]);
    return r ? assignmentOf(r) : undefined;
  }

  async getAssignment(id: number): Promise<AssignmentRecord | undefined> {
    const [r] = await this.db.all('SELECT * FROM ota_assignments WHERE id = ?', [id]);
    return r ? assignmentOf(r) : undefined;
  }

  async listAssignments(campaignId: string): Promise<AssignmentRecord[]> {
    return (await this.db.all('SELECT * FROM ota_assignments WHERE campaign_id = ? ORDER BY id', [campaignId])).map(assignmentOf);
  }

  async updateAssignment(id: number, status: AssignmentStatus, reason: string | null, at: number): Promise<void> {
    await this.db.run('UPDATE ota_assignments SET status = ?, reason = ?, updated_at = ? WHERE id = ?', [status, reason, at, id]);
  }

  async addReport(r: Omit<ReportRecord, 'id'>): Promise<void> {
    await this.db.run('INSERT INTO ota_reports (vehicle_id, assignment_id, step, reason, detail, at) VALUES (?, ?, ?, ?, ?, ?)',
      [r.vehicleId, r.assignmentId, r.step, r.reason, r.detail ? JSON.stringify(r.detail) : null, r.at]);
  }

  async listReports(vehicleId: string, limit: number): Promise<ReportRecord[]> {
    const rows = await this.db.all('SELECT * FROM ota_reports WHERE vehicle_id = ? ORDER BY id DESC LIMIT ?', [vehicleId, limit]);
    return rows.map((r) => ({
      id: num(r.id), vehicleId: String(r.vehicle_id), assignmentId: numOrNull(r.assignment_id), step: String(r.step),
      reason: strOrNull(r.reason), detail: r.detail ? json(r.detail) : null, at: num(r.at),
    }));
  }
}

export async function openSqliteStore(path: string): Promise<OtaStore> {
  const store = new SqlOtaStore(await openSqlite(path));
  await store.init();
  return store;
}

export async function openPostgresStore(opts: PostgresOptions): Promise<OtaStore> {
  const store = new SqlOtaStore(await openPostgres(opts));
  await store.init();
  return store;
}

/** `sqlite:/path/to/file.db` (or a bare path) or `postgres://...` (with optional `?schema=name`). */
export async function openStore(url: string): Promise<OtaStore> {
  if (/^postgres(ql)?:\/\//.test(url)) {
    const u = new URL(url);
    const schema = u.searchParams.get('schema') ?? undefined;
    u.searchParams.delete('schema');
    return openPostgresStore({ connectionString: u.toString(), schema });
  }
  return openSqliteStore(url.replace(/^sqlite:/, ''));
}
