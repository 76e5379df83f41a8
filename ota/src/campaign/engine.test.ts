import { describe, expect, it } from 'vitest';
import type { CampaignRecord, StageStats } from '../store/types.js';
import { assignStages, checkOperatorAction, evaluateCampaign, inSchedule, validateStages } from './engine.js';

const stages = [{ percent: 10, failureThreshold: 0.2 }, { percent: 50, failureThreshold: 0.1 }, { percent: 100, failureThreshold: 0.05 }];
const campaign = (over: Partial<CampaignRecord> = {}): CampaignRecord => ({
  id: 'c1', name: 'c', releaseId: 'r', previousReleaseId: null, selector: { group: 'g' }, stages, schedule: null,
  state: 'running', currentStage: 0, stateReason: null, acknowledged: {}, revision: 1, createdAt: 0, updatedAt: 0, ...over,
});
const st = (stage: number, total: number, succeeded: number, failed: number, inProgress = 0): StageStats => ({
  stage, total, succeeded, failed, inProgress, unassigned: 0, notStarted: total - succeeded - failed - inProgress,
});

describe('campaign engine', () => {
  it('validates cumulative stages', () => {
    expect(() => validateStages(stages)).not.toThrow();
    expect(() => validateStages([{ percent: 50, failureThreshold: 0 }])).toThrow(/reach 100/);
    expect(() => validateStages([{ percent: 50, failureThreshold: 0 }, { percent: 40, failureThreshold: 0 }])).toThrow(/must grow/);
    expect(() => validateStages([{ percent: 100, failureThreshold: 2 }])).toThrow(/0..1/);
  });

  it('splits vehicles by cumulative percentage, stably', () => {
    const ids = Array.from({ length: 100 }, (_, i) => `car-${i}`);
    const a = assignStages('c1', ids, stages);
    const count = (s: number) => a.filter((m) => m.stage === s).length;
    expect([count(0), count(1), count(2)]).toEqual([10, 40, 50]);
    expect(assignStages('c1', [...ids].reverse(), stages)).toEqual(a);
    expect(assignStages('c2', ids, stages)).not.toEqual(a);
    // Few vehicles: each stage still gets one while any remain.
    expect(assignStages('c1', ['a', 'b'], stages).map((m) => m.stage)).toEqual([0, 1]);
  });

  it('promotes when every vehicle of the stage finished under the threshold', () => {
    expect(evaluateCampaign(campaign(), [st(0, 10, 9, 0, 1)], 0)).toEqual({ kind: 'none' });
    expect(evaluateCampaign(campaign(), [st(0, 10, 8, 2)], 0)).toEqual({ kind: 'promote', toStage: 1 });
    expect(evaluateCampaign(campaign({ currentStage: 2 }), [st(0, 10, 10, 0), st(1, 40, 40, 0), st(2, 50, 50, 0)], 0)).toEqual({ kind: 'complete' });
  });

  it('pauses as soon as the failure rate of a stage passes its threshold', () => {
    const d = evaluateCampaign(campaign(), [st(0, 10, 1, 3, 6)], 0);
    expect(d).toMatchObject({ kind: 'pause' });
    expect((d as { reason: string }).reason).toMatch(/stage 1 failure rate 30.0% is above 20.0%/);
    // Late failures in an earlier stage count too.
    expect(evaluateCampaign(campaign({ currentStage: 1 }), [st(0, 10, 7, 3), st(1, 40, 0, 0, 5)], 0)).toMatchObject({ kind: 'pause' });
    // After a resume the acknowledged failures no longer count.
    expect(evaluateCampaign(campaign({ acknowledged: { 0: 3 } }), [st(0, 10, 1, 3, 6)], 0)).toEqual({ kind: 'none' });
  });

  it('starts scheduled campaigns at their time and respects windows', () => {
    expect(evaluateCampaign(campaign({ state: 'scheduled', schedule: { startsAt: 1000 } }), [], 999)).toEqual({ kind: 'none' });
    expect(evaluateCampaign(campaign({ state: 'scheduled', schedule: { startsAt: 1000 } }), [], 1000)).toEqual({ kind: 'start' });
    expect(evaluateCampaign(campaign({ schedule: { endsAt: 50 } }), [st(0, 10, 5, 0, 5)], 60)).toMatchObject({ kind: 'pause', reason: 'the campaign window ended' });
    const night = { daily: { fromMinute: 22 * 60, toMinute: 5 * 60 } };
    const at = (h: number) => Date.UTC(2030, 0, 1, h);
    expect([inSchedule(night, at(23)), inSchedule(night, at(3)), inSchedule(night, at(12))]).toEqual([true, true, false]);
    expect(inSchedule({ startsAt: 10, endsAt: 20 }, 15)).toBe(true);
    expect(inSchedule({ startsAt: 10, endsAt: 20 }, 20)).toBe(false);
    expect(inSchedule(null, 0)).toBe(true);
  });

  describe('stage timeout', () => {
    const HOUR = 3_600_000;
    // Stage 1 opened (or was resumed) at t = 10 h; the timeout is 6 h. The clock is injected: `now` below.
    const opened = 10 * HOUR;
    const timed = (over: Partial<CampaignRecord> = {}) => campaign({ updatedAt: opened, schedule: { stageTimeoutS: 6 * 3600 }, ...over });

    it('waits for every vehicle until the timeout, then judges the stage on the vehicles that finished', () => {
      // 10 vehicles: 4 active, 6 never checked in.
      const stats = [st(0, 10, 4, 0)];
      expect(evaluateCampaign(timed(), stats, opened + 6 * HOUR - 1)).toEqual({ kind: 'none' });
      expect(evaluateCampaign(timed(), stats, opened + 6 * HOUR)).toEqual({
        kind: 'promote', toStage: 1, reason: 'stage 1 timed out after 6 h; judged on 4 of 10 vehicle(s)',
      });
      // Without a timeout the same stage waits forever.
      expect(evaluateCampaign(campaign({ updatedAt: opened }), stats, opened + 1000 * HOUR)).toEqual({ kind: 'none' });
    });

    it('rates failures over the finished vehicles, not the whole stage', () => {
      // 1 failed of 4 finished = 25 % > 20 %, although 1 of 10 (10 %) would pass the normal rule.
      const d = evaluateCampaign(timed(), [st(0, 10, 3, 1, 2)], opened + 6 * HOUR);
      expect(d).toEqual({
        kind: 'pause',
        reason: 'stage 1 timed out after 6 h: failure rate 25.0% of the 4 vehicle(s) that finished is above 20.0%',
      });
      // 1 of 5 finished = 20 %: not above the threshold, promoted.
      expect(evaluateCampaign(timed(), [st(0, 10, 4, 1)], opened + 6 * HOUR)).toMatchObject({ kind: 'promote', toStage: 1 });
      // Failures acknowledged by a resume do not count again.
      expect(evaluateCampaign(timed({ acknowledged: { 0: 1 } }), [st(0, 10, 3, 1)], opened + 6 * HOUR)).toMatchObject({ kind: 'promote' });
    });

    it('pauses when no vehicle finished, and never closes the last stage early', () => {
      expect(evaluateCampaign(timed(), [st(0, 10, 0, 0, 3)], opened + 7 * HOUR)).toEqual({
        kind: 'pause', reason: 'stage 1 timed out after 6 h with no vehicle finished (0 of 10)',
      });
      // Last stage: nothing to promote to, the campaign keeps running so late vehicles still get the release.
      const last = timed({ currentStage: 2 });
      expect(evaluateCampaign(last, [st(0, 10, 10, 0), st(1, 40, 40, 0), st(2, 50, 20, 0)], opened + 100 * HOUR)).toEqual({ kind: 'none' });
      // Nor is a campaign completed while stragglers of a stage passed on its timeout have not finished.
      expect(evaluateCampaign(last, [st(0, 10, 9, 0), st(1, 40, 40, 0), st(2, 50, 50, 0)], opened)).toEqual({ kind: 'none' });
      expect(evaluateCampaign(last, [st(0, 10, 9, 1), st(1, 40, 40, 0), st(2, 50, 50, 0)], opened)).toEqual({ kind: 'complete' });
    });

    it('counts from the last state change (promotion or resume), not from the campaign creation', () => {
      const resumed = timed({ createdAt: 0, updatedAt: opened + 5 * HOUR });
      expect(evaluateCampaign(resumed, [st(0, 10, 4, 0)], opened + 6 * HOUR)).toEqual({ kind: 'none' });
      expect(evaluateCampaign(resumed, [st(0, 10, 4, 0)], opened + 11 * HOUR)).toMatchObject({ kind: 'promote', toStage: 1 });
    });

    it('a failure rate over the threshold still pauses at once, before the timeout', () => {
      expect(evaluateCampaign(timed(), [st(0, 10, 0, 3, 1)], opened + HOUR)).toMatchObject({ kind: 'pause', reason: expect.stringMatching(/^stage 1 failure rate 30.0%/) });
    });
  });

  it('allows operator actions only from sensible states', () => {
    expect(() => checkOperatorAction(campaign({ state: 'completed' }), 'pause')).toThrow(/is completed: cannot pause/);
    expect(() => checkOperatorAction(campaign({ state: 'paused' }), 'resume')).not.toThrow();
    expect(() => checkOperatorAction(campaign({ state: 'rolled_back' }), 'rollback')).toThrow(/cannot rollback/);
    expect(() => checkOperatorAction(campaign({ state: 'completed' }), 'rollback')).not.toThrow();
  });
});
