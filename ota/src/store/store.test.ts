import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStore, postgresReachable, type TestStore } from './test-stores.js';
import type { CampaignRecord, ReleaseRecord } from './types.js';

const pgUp = await postgresReachable();
if (!pgUp) console.warn('PostgreSQL at 127.0.0.1:5432 is unreachable: the PostgreSQL store tests are skipped');

const release = (id: string, version: string): ReleaseRecord => ({
  id, name: 'speech', version, kind: 'speech-model', sha256: 'a'.repeat(64), length: 1024,
  custom: { name: 'speech', version }, targetsVersion: 1, createdAt: 1000,
});

describe.each([
  ['sqlite', true],
  ['postgres', pgUp],
] as const)('OtaStore on %s', (kind, available) => {
  let t: TestStore;
  beforeAll(async () => {
    if (available) t = await createTestStore(kind);
  });
  afterAll(async () => { await t?.cleanup(); });

  it.runIf(available)('keeps vehicles, tokens and status', async () => {
    const s = t.store;
    await s.addVehicle({ id: 'car-1', group: 'beta', hardwareId: 'hu-a1', tokenHash: 'h1', createdAt: 1 });
    await s.addVehicle({ id: 'car-2', group: 'beta', hardwareId: 'hu-a1', tokenHash: 'h2', createdAt: 2 });
    await s.addVehicle({ id: 'car-3', group: 'prod', hardwareId: 'hu-b2', tokenHash: 'h3', createdAt: 3 });
    await expect(s.addVehicle({ id: 'car-1', group: 'x', hardwareId: 'y', tokenHash: 'h9', createdAt: 4 })).rejects.toThrow();
    expect((await s.getVehicleByTokenHash('h2'))?.id).toBe('car-2');
    expect(await s.getVehicleByTokenHash('nope')).toBeUndefined();
    expect(await s.setVehicleToken('car-2', 'h2b')).toBe(true);
    expect(await s.getVehicleByTokenHash('h2')).toBeUndefined();
    await s.recordCheckIn('car-1', 50, '0.1.0', { speech: { version: '1.0.0' } });
    await s.setVehicleStatus('car-1', 'failed', 'disk full', 60);
    const v = await s.getVehicle('car-1');
    expect(v).toMatchObject({ group: 'beta', lastSeenAt: 50, serviceVersion: '0.1.0', installed: { speech: { version: '1.0.0' } }, lastStep: 'failed', lastReason: 'disk full', lastStatusAt: 60, directorVersion: 0 });
    expect((await s.listVehicles({ group: 'beta' })).map((x) => x.id)).toEqual(['car-1', 'car-2']);
    expect(await s.vehicleIdsBySelector({ vehicles: ['car-3', 'car-9', 'car-1'] })).toEqual({ found: ['car-1', 'car-3'], missing: ['car-9'] });
    expect(await s.setDirector('car-1', 0, 1, 'd1')).toBe(true);
    expect(await s.setDirector('car-1', 0, 1, 'd1-again')).toBe(false);
    expect((await s.getVehicle('car-1'))?.director).toBe('d1');
  });

  it.runIf(available)('stores metadata versions once', async () => {
    const s = t.store;
    expect(await s.putMetadata('root', 1, 'r1', 1)).toBe(true);
    expect(await s.putMetadata('root', 2, 'r2', 2)).toBe(true);
    expect(await s.putMetadata('root', 2, 'other', 3)).toBe(false);
    expect((await s.latestMetadata('root'))?.body).toBe('r2');
    expect((await s.metadataVersions('root', 1)).map((m) => m.version)).toEqual([2]);
    expect(await s.latestMetadata('timestamp')).toBeUndefined();
  });

  it.runIf(available)('runs campaigns, assignments, optimistic updates and stage stats', async () => {
    const s = t.store;
    await s.addRelease(release('speech-1.0.0.bundle', '1.0.0'));
    await s.addRelease(release('speech-1.1.0.bundle', '1.1.0'));
    expect((await s.getRelease('speech-1.1.0.bundle'))?.length).toBe(1024);
    const c: CampaignRecord = {
      id: 'c1', name: 'speech 1.1', releaseId: 'speech-1.1.0.bundle', previousReleaseId: 'speech-1.0.0.bundle',
      selector: { group: 'beta' }, stages: [{ percent: 50, failureThreshold: 0 }, { percent: 100, failureThreshold: 0.5 }],
      schedule: null, state: 'running', currentStage: 0, stateReason: null, acknowledged: {}, revision: 1, createdAt: 10, updatedAt: 10,
    };
    await s.createCampaign(c, [{ vehicleId: 'car-1', stage: 0 }, { vehicleId: 'car-2', stage: 1 }]);
    expect(await s.campaignMembers('c1', 1)).toEqual(['car-2']);
    const row = { campaignId: 'c1', releaseId: c.releaseId, action: 'install' as const, status: 'assigned' as const, reason: null, createdAt: 11, updatedAt: 11 };
    expect(await s.createAssignments([{ ...row, vehicleId: 'car-1' }])).toBe(1);
    expect(await s.createAssignments([{ ...row, vehicleId: 'car-1' }])).toBe(0); // once per campaign/vehicle/action
    const a = await s.currentAssignment('car-1');
    expect(a).toMatchObject({ vehicleId: 'car-1', status: 'assigned', action: 'install' });
    await s.updateAssignment(a!.id, 'downloading', null, 12);
    expect(await s.stageStats('c1')).toEqual([
      { stage: 0, total: 1, unassigned: 0, notStarted: 0, inProgress: 1, succeeded: 0, failed: 0 },
      { stage: 1, total: 1, unassigned: 1, notStarted: 1, inProgress: 0, succeeded: 0, failed: 0 },
    ]);
    await s.updateAssignment(a!.id, 'failed', 'acceptance test', 13);
    expect((await s.stageStats('c1'))[0]).toMatchObject({ failed: 1, inProgress: 0 });

    // Two instances race to update the same revision: exactly one wins.
    const other = await t.openAnother();
    const mine = { ...c, state: 'paused' as const, revision: 2, updatedAt: 20 };
    const theirs = { ...c, currentStage: 1, revision: 2, updatedAt: 21 };
    const results = await Promise.all([s.updateCampaign(mine), other.updateCampaign(theirs)]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect((await s.getCampaign('c1'))?.revision).toBe(2);
    expect((await s.listCampaigns(['running', 'paused'])).map((x) => x.id)).toEqual(['c1']);
    expect(await s.listCampaigns(['aborted'])).toEqual([]);

    await s.createAssignments([{ ...row, vehicleId: 'car-2' }]);
    expect(await s.updateCampaignAssignments('c1', ['assigned'], 'cancelled', 30, 'install')).toBe(1);
    expect((await s.listAssignments('c1')).map((x) => x.status)).toEqual(['failed', 'cancelled']);

    await s.addReport({ vehicleId: 'car-1', assignmentId: a!.id, step: 'failed', reason: 'acceptance test', detail: { accuracy: 0.5 }, at: 13 });
    await s.addReport({ vehicleId: 'car-1', assignmentId: null, step: 'active', reason: null, detail: null, at: 14 });
    const reports = await s.listReports('car-1', 10);
    expect(reports.map((r) => r.step)).toEqual(['active', 'failed']);
    expect(reports[1]!.detail).toEqual({ accuracy: 0.5 });
  });
});
