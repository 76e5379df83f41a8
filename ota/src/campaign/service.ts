import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { OtaErrors } from '../errors.js';
import type { ReleaseCustom } from '../metadata/types.js';
import type {
  AssignmentRecord,
  AssignmentStatus,
  CampaignRecord,
  CampaignSchedule,
  CampaignSelector,
  CampaignStage,
  OtaStore,
  StageStats,
} from '../store/types.js';
import type { AssignmentNotifier } from '../server/notify.js';
import { compareSemver } from '../util/semver.js';
import { assignStages, checkOperatorAction, evaluateCampaign, failureRate, inSchedule, validateStages } from './engine.js';

export interface CreateCampaignInput {
  name: string;
  releaseId: string;
  previousReleaseId?: string;
  selector: CampaignSelector;
  stages: CampaignStage[];
  schedule?: CampaignSchedule;
}

export interface CampaignProgress {
  campaign: CampaignRecord;
  stages: (CampaignStage & StageStats & { failureRate: number })[];
  rollback: { total: number; done: number; failed: number };
}

const IN_FLIGHT: AssignmentStatus[] = ['downloading', 'verified', 'installed', 'active'];

/** Applies the engine's decisions and the operator's actions to the store. Safe to run on several instances. */
export class CampaignService {
  constructor(
    private readonly store: OtaStore,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
    /** Push "check in now" to cars whose assignment was created or changed; absent = cars only poll. */
    private readonly notifier?: Pick<AssignmentNotifier, 'notify'>,
  ) {}

  /** Best effort, after the change is stored: a failing push must never fail the decision or the operator's request. */
  private push(vehicleIds: string[], why: string): void {
    if (!this.notifier || vehicleIds.length === 0) return;
    try {
      this.notifier.notify(vehicleIds, why);
    } catch (err) {
      this.log.warn({ err, why }, 'OTA push failed; the cars will poll');
    }
  }

  async create(input: CreateCampaignInput): Promise<{ campaign: CampaignRecord; skipped: { vehicleId: string; reason: string }[] }> {
    validateStages(input.stages);
    const release = await this.store.getRelease(input.releaseId);
    if (!release) throw OtaErrors.notFound(`release ${input.releaseId}`);
    let previous = input.previousReleaseId ? await this.store.getRelease(input.previousReleaseId) : undefined;
    if (input.previousReleaseId && !previous) throw OtaErrors.notFound(`release ${input.previousReleaseId}`);
    if (!previous) {
      // The rollback target by default: the newest older release of the same model.
      previous = (await this.store.listReleases())
        .filter((r) => r.name === release.name && compareSemver(r.version, release.version) < 0)
        .sort((a, b) => compareSemver(b.version, a.version))[0];
    }
    const { found, missing } = await this.store.vehicleIdsBySelector(input.selector);
    if (missing.length) throw OtaErrors.badRequest(`unknown vehicles: ${missing.slice(0, 20).join(', ')}${missing.length > 20 ? ', ...' : ''}`);
    const hardware = (release.custom as unknown as ReleaseCustom).hardwareIds ?? [];
    const skipped: { vehicleId: string; reason: string }[] = [];
    const members: string[] = [];
    for (const id of found) {
      const v = await this.store.getVehicle(id);
      if (v && !hardware.includes(v.hardwareId)) skipped.push({ vehicleId: id, reason: `hardware ${v.hardwareId} is not supported by ${release.id}` });
      else members.push(id);
    }
    if (members.length === 0) throw OtaErrors.badRequest('the campaign selects no compatible vehicle');
    const at = this.now();
    const campaign: CampaignRecord = {
      id: randomUUID(), name: input.name, releaseId: release.id, previousReleaseId: previous?.id ?? null,
      selector: input.selector, stages: input.stages, schedule: input.schedule ?? null,
      state: 'scheduled', currentStage: 0, stateReason: null, acknowledged: {}, revision: 1, createdAt: at, updatedAt: at,
    };
    await this.store.createCampaign(campaign, assignStages(campaign.id, members, input.stages));
    this.log.info({ campaign: campaign.id, vehicles: members.length, skipped: skipped.length }, 'campaign created');
    await this.tick(campaign.id);
    return { campaign: (await this.store.getCampaign(campaign.id))!, skipped };
  }

  async get(id: string): Promise<CampaignRecord> {
    const c = await this.store.getCampaign(id);
    if (!c) throw OtaErrors.notFound(`campaign ${id}`);
    return c;
  }

  async progress(id: string): Promise<CampaignProgress> {
    const campaign = await this.get(id);
    const stats = await this.store.stageStats(id);
    const stages = campaign.stages.map((s, i) => {
      const st = stats.find((x) => x.stage === i) ?? { stage: i, total: 0, unassigned: 0, notStarted: 0, inProgress: 0, succeeded: 0, failed: 0 };
      return { ...s, ...st, failureRate: failureRate(st) };
    });
    const rollbacks = (await this.store.listAssignments(id)).filter((a) => a.action === 'rollback');
    return {
      campaign,
      stages,
      rollback: {
        total: rollbacks.length,
        done: rollbacks.filter((a) => a.status === 'active').length,
        failed: rollbacks.filter((a) => a.status === 'failed').length,
      },
    };
  }

  /** Evaluates one campaign and applies the decision; returns the decision kind for logs and tests. */
  async tick(id: string): Promise<string> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const c = await this.store.getCampaign(id);
      if (!c) return 'none';
      const stats = await this.store.stageStats(id);
      const d = evaluateCampaign(c, stats, this.now());
      let next: CampaignRecord | undefined;
      switch (d.kind) {
        case 'none':
          await this.ensureAssignments(c, stats);
          return 'none';
        case 'start': next = { ...c, state: 'running', currentStage: 0, stateReason: null }; break;
        case 'promote': next = { ...c, currentStage: d.toStage, stateReason: d.reason ?? null }; break;
        case 'pause': next = { ...c, state: 'paused', stateReason: d.reason }; break;
        case 'complete': next = { ...c, state: 'completed', stateReason: null }; break;
      }
      next = { ...next, revision: c.revision + 1, updatedAt: this.now() };
      if (!(await this.store.updateCampaign(next))) continue; // another instance moved it: evaluate again
      this.log.info({ campaign: id, decision: d }, 'campaign decision');
      if (d.kind === 'start' || d.kind === 'promote') {
        await this.ensureAssignments(next, await this.store.stageStats(id));
        if (d.kind === 'promote') await this.tick(id); // an empty stage passes straight on
      }
      return d.kind;
    }
    return 'none';
  }

  /** Creates install assignments for every member of the open stages that has none (idempotent). */
  private async ensureAssignments(c: CampaignRecord, stats: StageStats[]): Promise<void> {
    if (c.state !== 'running') return;
    for (let stage = 0; stage <= c.currentStage; stage++) {
      if (!stats.find((s) => s.stage === stage && s.unassigned > 0)) continue;
      const at = this.now();
      const members = await this.store.campaignMembers(c.id, stage);
      const created = await this.store.createAssignments(members.map((vehicleId) => ({
        vehicleId, campaignId: c.id, releaseId: c.releaseId, action: 'install', status: 'assigned', reason: null, createdAt: at, updatedAt: at,
      })));
      // Another instance may have created them first; it pushes then. (Members already assigned get a harmless extra push.)
      if (created > 0) this.push(members, `campaign ${c.id} stage ${stage + 1} assigned`);
    }
  }

  async tickAll(): Promise<void> {
    for (const c of await this.store.listCampaigns(['scheduled', 'running'])) {
      try {
        await this.tick(c.id);
      } catch (err) {
        this.log.error({ err, campaign: c.id }, 'campaign tick failed');
      }
    }
  }

  async pause(id: string): Promise<CampaignRecord> {
    return this.transition(id, 'pause', (c) => ({ ...c, state: 'paused', stateReason: 'paused by operator' }));
  }

  /** Resumes; the failures seen so far count as acknowledged, so only new failures can pause it again. */
  async resume(id: string): Promise<CampaignRecord> {
    const stats = await this.store.stageStats(id);
    const updated = await this.transition(id, 'resume', (c) => ({
      ...c,
      state: 'running',
      stateReason: null,
      acknowledged: Object.fromEntries(stats.filter((s) => s.stage <= c.currentStage).map((s) => [String(s.stage), s.failed])),
    }));
    await this.tick(id);
    // Assignments handed out before the pause but not yet picked up are deliverable again.
    const waiting = (await this.store.listAssignments(id)).filter((a) => a.action === 'install' && a.status === 'assigned');
    this.push(waiting.map((a) => a.vehicleId), `campaign ${id} resumed`);
    return this.get(updated.id);
  }

  async abort(id: string): Promise<CampaignRecord> {
    const c = await this.transition(id, 'abort', (x) => ({ ...x, state: 'aborted', stateReason: 'aborted by operator' }));
    await this.store.updateCampaignAssignments(id, ['assigned'], 'cancelled', this.now(), 'install');
    return c;
  }

  /**
   * Rolls the campaign back: undelivered installs are cancelled and every vehicle that started or finished
   * the new release is assigned the previous one (action `rollback`, which the car accepts only for the
   * bundle in its previous slot).
   */
  async rollback(id: string): Promise<{ campaign: CampaignRecord; vehicles: number }> {
    const before = await this.get(id);
    if (!before.previousReleaseId) throw OtaErrors.conflict(`campaign ${id} has no previous release to roll back to`);
    const c = await this.transition(id, 'rollback', (x) => ({ ...x, state: 'rolled_back', stateReason: 'rolled back by operator' }));
    const at = this.now();
    await this.store.updateCampaignAssignments(id, ['assigned'], 'cancelled', at, 'install');
    const touched = (await this.store.listAssignments(id)).filter((a) => a.action === 'install' && IN_FLIGHT.includes(a.status));
    await this.store.createAssignments(touched.map((a): Omit<AssignmentRecord, 'id'> => ({
      vehicleId: a.vehicleId, campaignId: id, releaseId: c.previousReleaseId!, action: 'rollback', status: 'assigned', reason: null, createdAt: at, updatedAt: at,
    })));
    this.log.warn({ campaign: id, vehicles: touched.length }, 'campaign rolled back');
    this.push(touched.map((a) => a.vehicleId), `campaign ${id} rolled back`);
    return { campaign: c, vehicles: touched.length };
  }

  private async transition(id: string, action: 'pause' | 'resume' | 'abort' | 'rollback', change: (c: CampaignRecord) => CampaignRecord): Promise<CampaignRecord> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const c = await this.get(id);
      checkOperatorAction(c, action);
      const next = { ...change(c), revision: c.revision + 1, updatedAt: this.now() };
      if (await this.store.updateCampaign(next)) {
        this.log.info({ campaign: id, action }, 'campaign operator action');
        return next;
      }
    }
    throw OtaErrors.conflict(`campaign ${id} is changing too fast, retry`);
  }

  /** Whether an assignment may be handed to its vehicle now (campaign state and schedule). */
  deliverable(a: AssignmentRecord, c: CampaignRecord | undefined): boolean {
    if (a.status === 'failed' || a.status === 'rolled_back' || a.status === 'cancelled') return false;
    if (a.action === 'rollback') return true; // urgent: ignores windows and pauses
    if (a.status !== 'assigned') return true; // already under way on the car: let it finish
    return !!c && c.state === 'running' && inSchedule(c.schedule, this.now());
  }
}
