import { createHash } from 'node:crypto';
import { OtaErrors } from '../errors.js';
import type { CampaignRecord, CampaignSchedule, CampaignStage, StageStats } from '../store/types.js';

/**
 * Campaign rules as pure functions: which vehicles are in which stage, whether assignments may be
 * delivered now (schedule), and what should happen next given the stage statistics. The service
 * applies the decision with an optimistic revision check, so several server instances can tick at once.
 */

export function validateStages(stages: CampaignStage[]): void {
  if (stages.length === 0) throw OtaErrors.badRequest('a campaign needs at least one stage');
  let last = 0;
  stages.forEach((s, i) => {
    if (!(s.percent > last && s.percent <= 100)) {
      throw OtaErrors.badRequest(`stages[${i}].percent ${s.percent} must grow past ${last} and be at most 100 (cumulative)`);
    }
    if (!(s.failureThreshold >= 0 && s.failureThreshold <= 1)) throw OtaErrors.badRequest(`stages[${i}].failureThreshold must be within 0..1`);
    last = s.percent;
  });
  if (last !== 100) throw OtaErrors.badRequest('the last stage must reach 100 percent');
}

/**
 * Splits vehicles into stages by cumulative percentage, in an order that is random-looking but stable
 * for a campaign (sha256 of campaign id + vehicle id), so the first stage is not always the same cars.
 * Every stage with a positive share gets at least one vehicle while vehicles remain.
 */
export function assignStages(campaignId: string, vehicleIds: string[], stages: CampaignStage[]): { vehicleId: string; stage: number }[] {
  const order = vehicleIds
    .map((id) => ({ id, key: createHash('sha256').update(`${campaignId}\0${id}`).digest('hex') }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const out: { vehicleId: string; stage: number }[] = [];
  let next = 0;
  stages.forEach((s, stage) => {
    const end = stage === stages.length - 1 ? order.length : Math.min(order.length, Math.max(next + 1, Math.ceil((order.length * s.percent) / 100)));
    for (; next < end; next++) out.push({ vehicleId: order[next]!.id, stage });
  });
  return out;
}

/** Whether a campaign may hand out new work at `now`: after startsAt, before endsAt, inside the daily window. */
export function inSchedule(schedule: CampaignSchedule | null, now: number): boolean {
  if (!schedule) return true;
  if (schedule.startsAt !== undefined && now < schedule.startsAt) return false;
  if (schedule.endsAt !== undefined && now >= schedule.endsAt) return false;
  if (schedule.daily) {
    const minute = Math.floor((now % 86_400_000) / 60_000);
    const { fromMinute, toMinute } = schedule.daily;
    const inside = fromMinute <= toMinute ? minute >= fromMinute && minute < toMinute : minute >= fromMinute || minute < toMinute;
    if (!inside) return false;
  }
  return true;
}

export type CampaignDecision =
  | { kind: 'none' }
  | { kind: 'start' }
  | { kind: 'pause'; reason: string }
  | { kind: 'promote'; toStage: number; reason?: string }
  | { kind: 'complete' };

export function failureRate(stats: StageStats, acknowledged = 0): number {
  return stats.total === 0 ? 0 : Math.max(0, stats.failed - acknowledged) / stats.total;
}

export function evaluateCampaign(c: CampaignRecord, stats: StageStats[], now: number): CampaignDecision {
  if (c.state === 'scheduled') {
    return c.schedule?.startsAt === undefined || now >= c.schedule.startsAt ? { kind: 'start' } : { kind: 'none' };
  }
  if (c.state !== 'running') return { kind: 'none' };
  const byStage = new Map(stats.map((s) => [s.stage, s]));
  // A stage already passed can still collect late failures; any stage over its threshold pauses.
  for (let i = 0; i <= c.currentStage; i++) {
    const s = byStage.get(i);
    const stage = c.stages[i];
    if (!s || !stage) continue;
    const rate = failureRate(s, c.acknowledged[String(i)] ?? 0);
    if (rate > stage.failureThreshold) {
      return { kind: 'pause', reason: `stage ${i + 1} failure rate ${(rate * 100).toFixed(1)}% is above ${(stage.failureThreshold * 100).toFixed(1)}%` };
    }
  }
  const current = byStage.get(c.currentStage);
  const finished = !current || current.succeeded + current.failed === current.total;
  if (!finished) {
    if (c.schedule?.endsAt !== undefined && now >= c.schedule.endsAt) return { kind: 'pause', reason: 'the campaign window ended' };
    return stageTimedOut(c, current!, now);
  }
  // An empty stage (few vehicles) counts as finished and is passed straight away.
  if (c.currentStage >= c.stages.length - 1) {
    // Stragglers of a stage passed on its timeout still hold undelivered work: stay running for them.
    const stragglers = stats.some((s) => s.stage < c.currentStage && s.succeeded + s.failed < s.total);
    return stragglers ? { kind: 'none' } : { kind: 'complete' };
  }
  return { kind: 'promote', toStage: c.currentStage + 1 };
}

/**
 * The stage timeout rule. A stage's clock starts at the campaign's last state change (`updatedAt`: the
 * start, the promotion that opened the stage, or the operator's resume). Once `schedule.stageTimeoutS` has
 * passed with vehicles of the stage still unfinished, the stage is judged on the vehicles that finished
 * (active, failed or rolled back): their failure rate (less failures acknowledged by a resume) above the
 * stage's threshold pauses the campaign; otherwise the next stage opens. No finished vehicle at all pauses
 * too: promoting on no evidence is what the stages exist to prevent. Stragglers keep their assignment and
 * still count in the normal rule (failures over the whole stage) when they report later. The last stage has
 * nothing to open: the campaign stays running so late vehicles still get the release.
 */
function stageTimedOut(c: CampaignRecord, current: StageStats, now: number): CampaignDecision {
  const timeoutS = c.schedule?.stageTimeoutS;
  if (timeoutS === undefined || now - c.updatedAt < timeoutS * 1000) return { kind: 'none' };
  if (c.currentStage >= c.stages.length - 1) return { kind: 'none' };
  const stage = c.stages[c.currentStage]!;
  const finished = current.succeeded + current.failed;
  const after = `stage ${c.currentStage + 1} timed out after ${formatDuration(timeoutS)}`;
  if (finished === 0) return { kind: 'pause', reason: `${after} with no vehicle finished (0 of ${current.total})` };
  const rate = Math.max(0, current.failed - (c.acknowledged[String(c.currentStage)] ?? 0)) / finished;
  if (rate > stage.failureThreshold) {
    return {
      kind: 'pause',
      reason: `${after}: failure rate ${(rate * 100).toFixed(1)}% of the ${finished} vehicle(s) that finished is above ${(stage.failureThreshold * 100).toFixed(1)}%`,
    };
  }
  return { kind: 'promote', toStage: c.currentStage + 1, reason: `${after}; judged on ${finished} of ${current.total} vehicle(s)` };
}

function formatDuration(s: number): string {
  if (s % 86_400 === 0) return `${s / 86_400} d`;
  if (s % 3600 === 0) return `${s / 3600} h`;
  if (s % 60 === 0) return `${s / 60} min`;
  return `${s} s`;
}

const TRANSITIONS: Record<string, CampaignRecord['state'][]> = {
  pause: ['running', 'scheduled'],
  resume: ['paused'],
  abort: ['scheduled', 'running', 'paused'],
  rollback: ['running', 'paused', 'completed', 'aborted'],
};

/** Operator actions: which states allow them. Throws a 409 error otherwise. */
export function checkOperatorAction(c: CampaignRecord, action: keyof typeof TRANSITIONS): void {
  if (!TRANSITIONS[action]!.includes(c.state)) throw OtaErrors.campaignState(c.id, c.state, action);
}
