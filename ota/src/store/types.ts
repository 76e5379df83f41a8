/** Rows and the one storage interface the server uses; SQLite and PostgreSQL implement it with the same SQL. */

export const VEHICLE_STEPS = ['downloading', 'verified', 'installed', 'active', 'rolled_back', 'failed'] as const;
export type VehicleStep = (typeof VEHICLE_STEPS)[number];
export type AssignmentStatus = 'assigned' | VehicleStep | 'cancelled';
export const SUCCESS_STATUSES: readonly AssignmentStatus[] = ['active'];
export const FAILURE_STATUSES: readonly AssignmentStatus[] = ['failed', 'rolled_back'];
export const CLOSED_STATUSES: readonly AssignmentStatus[] = ['active', 'failed', 'rolled_back', 'cancelled'];

export interface VehicleRecord {
  id: string;
  group: string;
  hardwareId: string;
  createdAt: number;
  lastSeenAt: number | null;
  serviceVersion: string | null;
  installed: Record<string, { version: string; sha256?: string }> | null;
  lastStep: string | null;
  lastReason: string | null;
  lastStatusAt: number | null;
  directorVersion: number;
  director: string | null;
}

export interface MetadataRecord {
  role: string;
  version: number;
  body: string;
  createdAt: number;
}

export interface ReleaseRecord {
  id: string; // the target path in targets metadata
  name: string;
  version: string;
  kind: string;
  sha256: string;
  length: number;
  custom: Record<string, unknown>;
  targetsVersion: number;
  createdAt: number;
}

export interface CampaignStage {
  /** Cumulative share of the campaign's vehicles reached once this stage is open (the last is 100). */
  percent: number;
  /** Pause when failed / vehicles-in-stage goes above this (0..1). */
  failureThreshold: number;
}

export interface CampaignSchedule {
  startsAt?: number;
  endsAt?: number;
  /** Daily delivery window in UTC, minutes since midnight; from > to wraps past midnight. */
  daily?: { fromMinute: number; toMinute: number };
  /**
   * A stage still waiting for vehicles this many seconds after it opened (or after the campaign was last
   * resumed) is judged on the vehicles that finished (see `evaluateCampaign`). Absent: a stage waits for all.
   */
  stageTimeoutS?: number;
}

export type CampaignSelector = { group: string } | { vehicles: string[] };
export type CampaignState = 'scheduled' | 'running' | 'paused' | 'aborted' | 'completed' | 'rolled_back';

export interface CampaignRecord {
  id: string;
  name: string;
  releaseId: string;
  previousReleaseId: string | null;
  selector: CampaignSelector;
  stages: CampaignStage[];
  schedule: CampaignSchedule | null;
  state: CampaignState;
  currentStage: number;
  stateReason: string | null;
  /** Failures already acknowledged by an operator's resume, per stage, so only new ones count again. */
  acknowledged: Record<string, number>;
  revision: number;
  createdAt: number;
  updatedAt: number;
}

export interface AssignmentRecord {
  id: number;
  vehicleId: string;
  campaignId: string;
  releaseId: string;
  action: 'install' | 'rollback';
  status: AssignmentStatus;
  reason: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface StageStats {
  stage: number;
  total: number;
  /** Members with no install assignment yet (a subset of notStarted). */
  unassigned: number;
  notStarted: number;
  inProgress: number;
  succeeded: number;
  failed: number;
}

export interface ReportRecord {
  id: number;
  vehicleId: string;
  assignmentId: number | null;
  step: string;
  reason: string | null;
  detail: Record<string, unknown> | null;
  at: number;
}

export interface OtaStore {
  readonly dialect: 'sqlite' | 'postgres';
  init(): Promise<void>;
  close(): Promise<void>;

  addVehicle(v: { id: string; group: string; hardwareId: string; tokenHash: string; createdAt: number }): Promise<void>;
  setVehicleToken(id: string, tokenHash: string): Promise<boolean>;
  getVehicle(id: string): Promise<VehicleRecord | undefined>;
  getVehicleByTokenHash(tokenHash: string): Promise<VehicleRecord | undefined>;
  listVehicles(opts?: { group?: string; limit?: number; offset?: number }): Promise<VehicleRecord[]>;
  vehicleIdsBySelector(selector: CampaignSelector): Promise<{ found: string[]; missing: string[] }>;
  recordCheckIn(id: string, at: number, serviceVersion: string, installed: VehicleRecord['installed']): Promise<void>;
  setVehicleStatus(id: string, step: string, reason: string | null, at: number): Promise<void>;
  /** Stores newly signed director metadata only if the stored version is still `expectedVersion`. */
  setDirector(id: string, expectedVersion: number, version: number, body: string): Promise<boolean>;

  /** Inserts one metadata version; false if that role/version exists already (another instance won). */
  putMetadata(role: string, version: number, body: string, at: number): Promise<boolean>;
  latestMetadata(role: string): Promise<MetadataRecord | undefined>;
  metadataVersions(role: string, afterVersion: number): Promise<MetadataRecord[]>;

  addRelease(r: ReleaseRecord): Promise<void>;
  getRelease(id: string): Promise<ReleaseRecord | undefined>;
  listReleases(): Promise<ReleaseRecord[]>;

  createCampaign(c: CampaignRecord, members: { vehicleId: string; stage: number }[]): Promise<void>;
  getCampaign(id: string): Promise<CampaignRecord | undefined>;
  listCampaigns(states?: CampaignState[]): Promise<CampaignRecord[]>;
  /** Optimistic update: applies only if the stored revision is `c.revision - 1`; returns whether it did. */
  updateCampaign(c: CampaignRecord): Promise<boolean>;
  campaignMembers(campaignId: string, stage?: number): Promise<string[]>;
  stageStats(campaignId: string): Promise<StageStats[]>;

  /** Creates assignments (ignoring duplicates of campaign+vehicle+action); returns how many were new. */
  createAssignments(rows: Omit<AssignmentRecord, 'id'>[]): Promise<number>;
  /** Sets `to` on every assignment of the campaign with one of the `from` statuses (and optional action). */
  updateCampaignAssignments(campaignId: string, from: AssignmentStatus[], to: AssignmentStatus, at: number, action?: 'install' | 'rollback'): Promise<number>;
  currentAssignment(vehicleId: string): Promise<AssignmentRecord | undefined>;
  getAssignment(id: number): Promise<AssignmentRecord | undefined>;
  listAssignments(campaignId: string): Promise<AssignmentRecord[]>;
  updateAssignment(id: number, status: AssignmentStatus, reason: string | null, at: number): Promise<void>;

  addReport(r: Omit<ReportRecord, 'id'>): Promise<void>;
  listReports(vehicleId: string, limit: number): Promise<ReportRecord[]>;
}
