import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createSigner, generateKeyFile } from '../metadata/keys.js';
import { postgresReachable } from '../store/test-stores.js';
import { TestFleet } from '../testing/fleet-fixture.js';
import { SimulatedCar } from '../testing/simulated-car.js';
import { buildRoot, expiresAfter } from '../metadata/repository.js';
import { signMetadata } from '../metadata/sign.js';
import type { RoleName } from '../metadata/types.js';
import { allowedTransition } from './app.js';
import { parseRangeHeader } from './range.js';

const pgUp = await postgresReachable();
if (!pgUp) console.warn('PostgreSQL at 127.0.0.1:5432 is unreachable: the PostgreSQL fleet tests are skipped');

let fleet: TestFleet | undefined;
afterEach(async () => {
  await fleet?.cleanup();
  fleet = undefined;
});

async function car(f: TestFleet, id: string, group = 'beta', hw = 'hu-a1'): Promise<SimulatedCar> {
  const token = await f.registerVehicle(id, group, hw);
  return new SimulatedCar(f.server.app, id, hw, token, f.rootJson, f.now);
}

describe.each([['sqlite', true], ['postgres', pgUp]] as const)('fleet server on %s', (kind, available) => {
  it.runIf(available)('rolls a release out stage by stage, verified by the client library', async () => {
    fleet = await TestFleet.create(kind);
    const cars = await Promise.all(['car-1', 'car-2', 'car-3', 'car-4'].map((id) => car(fleet!, id)));
    const other = await car(fleet, 'car-b', 'beta', 'hu-b2');
    await fleet.publishRelease('speech', '1.0.0', { hardware: ['hu-a1', 'hu-b2'] });
    const next = await fleet.publishRelease('speech', '1.1.0');
    const created = await fleet.op(fleet.server, 'POST', '/api/v1/campaigns', {
      name: 'speech 1.1', releaseId: next.targetPath, selector: { group: 'beta' },
      stages: [{ percent: 25, failureThreshold: 0 }, { percent: 100, failureThreshold: 0.5 }],
    });
    expect(created.statusCode).toBe(201);
    const { campaign, skipped } = created.json();
    expect(campaign).toMatchObject({ state: 'running', currentStage: 0, previousReleaseId: 'speech-1.0.0.bundle' });
    expect(skipped).toEqual([{ vehicleId: 'car-b', reason: 'hardware hu-b2 is not supported by speech-1.1.0.bundle' }]);

    const outcomes = await Promise.all(cars.map((c) => c.update()));
    expect(outcomes.filter((o) => o === 'installed')).toHaveLength(1); // stage 1: 25% of 4
    expect(await other.update()).toBe('idle');
    // Stage 1 all active -> promoted; the rest install now.
    const second = await Promise.all(cars.map((c) => c.update()));
    expect(second.filter((o) => o === 'installed')).toHaveLength(3);
    const progress = (await fleet.op(fleet.server, 'GET', `/api/v1/campaigns/${campaign.id}`)).json();
    expect(progress.campaign.state).toBe('completed');
    expect(progress.stages.map((s: { succeeded: number; total: number }) => [s.succeeded, s.total])).toEqual([[1, 1], [3, 3]]);
    expect(cars.every((c) => c.installed.speech?.version === '1.1.0')).toBe(true);
    expect(await cars[0]!.update()).toBe('up-to-date');

    // Operator rollback: every car goes back to the bundle in its previous slot... which these cars never had
    // (they started empty), so each refuses the older release as a rollback attack and reports why.
    const rb = await fleet.op(fleet.server, 'POST', `/api/v1/campaigns/${campaign.id}/rollback`);
    expect(rb.json()).toMatchObject({ vehicles: 4, campaign: { state: 'rolled_back' } });
    expect(await cars[0]!.update()).toBe('failed');
    expect(cars[0]!.lastError).toMatch(/older than the installed 1.1.0/);
    const vehicle = (await fleet.op(fleet.server, 'GET', '/api/v1/vehicles/car-1')).json();
    expect(vehicle).toMatchObject({ lastStep: 'failed', assignment: { action: 'rollback', status: 'failed' } });
    expect(vehicle.reports[0].reason).toMatch(/rollback attack/);
  });
});

describe.each([['sqlite', true], ['postgres', pgUp]] as const)('two server instances on one %s database', (kind, available) => {
  it.runIf(available)('share releases, campaigns and per-vehicle metadata; cars may hit either', async () => {
    fleet = await TestFleet.create(kind);
    const a = fleet.server;
    const b = await fleet.addServer();
    const cars = await Promise.all(['c0', 'c1', 'c2', 'c3'].map((id) => car(fleet!, id)));
    const rel = await fleet.publishRelease('speech', '1.0.0');
    const { campaign } = (await fleet.op(b, 'POST', '/api/v1/campaigns', {
      name: 'multi', releaseId: rel.targetPath, selector: { group: 'beta' },
      stages: [{ percent: 50, failureThreshold: 0 }, { percent: 100, failureThreshold: 0 }],
    })).json();
    // Both instances tick at once, repeatedly: optimistic revisions keep one decision per step.
    await Promise.all([a.campaigns.tickAll(), b.campaigns.tickAll(), a.campaigns.tickAll(), b.campaigns.tickAll()]);
    for (let round = 0; round < 3; round++) {
      // Each car talks to a different instance every round (a load balancer without affinity).
      await Promise.all(cars.map((c, i) => {
        const instance = (i + round) % 2 === 0 ? a : b;
        const roaming = new SimulatedCar(instance.app, c.id, c.hardwareId, c.token, fleet!.rootJson, fleet!.now);
        roaming.trusted = c.trusted;
        roaming.installed = c.installed;
        return roaming.update().then((r) => {
          c.trusted = roaming.trusted;
          return r;
        });
      }));
      await Promise.all([a.campaigns.tickAll(), b.campaigns.tickAll()]);
    }
    const p = (await fleet.op(a, 'GET', `/api/v1/campaigns/${campaign.id}`)).json();
    expect(p.campaign.state).toBe('completed');
    expect(p.campaign.revision).toBe(4); // created, started, promoted, completed
    expect(p.stages.map((s: { succeeded: number }) => s.succeeded)).toEqual([2, 2]);
    const assignments = await fleet.db.store.listAssignments(campaign.id);
    expect(assignments).toHaveLength(4);
    expect(cars.every((c) => c.installed.speech?.version === '1.0.0')).toBe(true);
  });
});

describe('fleet server', () => {
  it('pauses a campaign automatically, resumes, and rolls back to the previous slot', async () => {
    fleet = await TestFleet.create();
    const cars = await Promise.all(['a', 'b', 'c', 'd'].map((id) => car(fleet!, id)));
    const v1 = await fleet.publishRelease('speech', '1.0.0');
    const v1Campaign = (await fleet.op(fleet.server, 'POST', '/api/v1/campaigns', {
      name: 'v1', releaseId: v1.targetPath, selector: { vehicles: ['a', 'b', 'c', 'd'] }, stages: [{ percent: 100, failureThreshold: 0 }],
    })).json().campaign;
    for (const c of cars) expect(await c.update()).toBe('installed');
    expect((await fleet.op(fleet.server, 'GET', `/api/v1/campaigns/${v1Campaign.id}`)).json().campaign.state).toBe('completed');

    const v2 = await fleet.publishRelease('speech', '2.0.0');
    const { campaign } = (await fleet.op(fleet.server, 'POST', '/api/v1/campaigns', {
      name: 'v2', releaseId: v2.targetPath, selector: { vehicles: ['a', 'b', 'c', 'd'] },
      stages: [{ percent: 50, failureThreshold: 0.4 }, { percent: 100, failureThreshold: 0 }],
    })).json();
    const results = await Promise.all(cars.map((c) => c.update({ fail: 'acceptance test: accuracy 0.61 < 0.9' })));
    expect(results.filter((r) => r === 'failed')).toHaveLength(2);
    let p = (await fleet.op(fleet.server, 'GET', `/api/v1/campaigns/${campaign.id}`)).json();
    expect(p.campaign).toMatchObject({ state: 'paused', stateReason: expect.stringMatching(/stage 1 failure rate 100.0% is above 40.0%/) });
    // Paused: the second stage receives nothing.
    // (their current assignment is still the active v1 one: up to date; the stage-1 cars' failed v2 is not resent)
    expect((await Promise.all(cars.map((c) => c.update()))).filter((r) => r === 'installed' || r === 'failed')).toHaveLength(0);

    expect((await fleet.op(fleet.server, 'POST', `/api/v1/campaigns/${campaign.id}/resume`)).json().campaign.state).toBe('running');
    // The failures were acknowledged; with the stage finished the campaign moves on to stage 2.
    p = (await fleet.op(fleet.server, 'GET', `/api/v1/campaigns/${campaign.id}`)).json();
    expect(p.campaign.currentStage).toBe(1);
    const upgraded = await Promise.all(cars.map((c) => c.update()));
    expect(upgraded.filter((r) => r === 'installed')).toHaveLength(2);
    const onV2 = cars.filter((c) => c.installed.speech?.version === '2.0.0');
    expect(onV2).toHaveLength(2);

    const rb = (await fleet.op(fleet.server, 'POST', `/api/v1/campaigns/${campaign.id}/rollback`)).json();
    expect(rb.vehicles).toBe(2);
    for (const c of onV2) expect(await c.update()).toBe('installed');
    expect(cars.every((c) => c.installed.speech?.version === '1.0.0')).toBe(true);
    p = (await fleet.op(fleet.server, 'GET', `/api/v1/campaigns/${campaign.id}`)).json();
    expect(p.rollback).toEqual({ total: 2, done: 2, failed: 0 });
    expect((await fleet.op(fleet.server, 'POST', `/api/v1/campaigns/${campaign.id}/resume`)).statusCode).toBe(409);
  });

  it('holds a scheduled campaign until its window and aborts cleanly', async () => {
    fleet = await TestFleet.create();
    const c1 = await car(fleet, 'a');
    const rel = await fleet.publishRelease('speech', '1.0.0');
    const startsAt = fleet.clock + 3_600_000;
    const { campaign } = (await fleet.op(fleet.server, 'POST', '/api/v1/campaigns', {
      name: 'night', releaseId: rel.targetPath, selector: { group: 'beta' }, stages: [{ percent: 100, failureThreshold: 0 }], schedule: { startsAt },
    })).json();
    expect(campaign.state).toBe('scheduled');
    expect(await c1.update()).toBe('idle');
    fleet.clock = startsAt;
    await fleet.server.campaigns.tickAll();
    const check = await c1.checkIn();
    expect(check.assignment).toMatchObject({ targetPath: rel.targetPath, action: 'install' });
    expect((await fleet.op(fleet.server, 'POST', `/api/v1/campaigns/${campaign.id}/abort`)).json().campaign.state).toBe('aborted');
    expect((await c1.checkIn()).assignment).toBeNull();
  });

  it('judges a stage on the cars that reported once its timeout passes; the straggler still gets the release', async () => {
    fleet = await TestFleet.create();
    const cars = new Map((await Promise.all(['a', 'b', 'c', 'd'].map((id) => car(fleet!, id)))).map((c) => [c.id, c]));
    const rel = await fleet.publishRelease('speech', '1.0.0');
    const { campaign } = (await fleet.op(fleet.server, 'POST', '/api/v1/campaigns', {
      name: 'timeout', releaseId: rel.targetPath, selector: { group: 'beta' },
      stages: [{ percent: 50, failureThreshold: 0.5 }, { percent: 100, failureThreshold: 0.5 }], schedule: { stageTimeoutS: 3600 },
    })).json();
    const [first, straggler] = await fleet.db.store.campaignMembers(campaign.id, 0);
    expect(await cars.get(first!)!.update()).toBe('installed');
    // The other stage-1 car never checks in: before the timeout the stage waits.
    fleet.clock += 3_599_000;
    await fleet.server.campaigns.tickAll();
    expect((await fleet.server.campaigns.get(campaign.id)).currentStage).toBe(0);
    fleet.clock += 1000;
    await fleet.server.campaigns.tickAll();
    const promoted = await fleet.server.campaigns.get(campaign.id);
    expect(promoted).toMatchObject({ state: 'running', currentStage: 1, stateReason: 'stage 1 timed out after 1 h; judged on 1 of 2 vehicle(s)' });
    for (const id of await fleet.db.store.campaignMembers(campaign.id, 1)) expect(await cars.get(id)!.update()).toBe('installed');
    // The last stage finished; the straggler of stage 1 keeps its assignment and completes the campaign when it shows up.
    expect((await fleet.server.campaigns.get(campaign.id)).state).toBe('running');
    expect(await cars.get(straggler!)!.update()).toBe('installed');
    expect((await fleet.server.campaigns.get(campaign.id)).state).toBe('completed');
  });

  it('keeps each car to its own assignments and the operator API to operators', async () => {
    fleet = await TestFleet.create();
    const a = await car(fleet, 'a');
    const b = await car(fleet, 'b', 'other');
    const rel = await fleet.publishRelease('speech', '1.0.0');
    await fleet.op(fleet.server, 'POST', '/api/v1/campaigns', { name: 'x', releaseId: rel.targetPath, selector: { vehicles: ['a'] }, stages: [{ percent: 100, failureThreshold: 0 }] });
    const assignment = (await a.checkIn()).assignment!;
    const app = fleet.server.app;
    expect((await app.inject({ method: 'GET', url: '/api/v1/releases' })).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/api/v1/releases', headers: { authorization: `Bearer ${a.token}` } })).statusCode).toBe(401);
    expect((await app.inject({ method: 'POST', url: '/api/v1/vehicle/check-in', headers: { authorization: 'Bearer avt_forged' }, payload: { serviceVersion: '0.1.0', rootVersion: 1 } })).statusCode).toBe(401);
    // b has no assignment for this bundle, and cannot report on a's assignment.
    expect((await app.inject({ method: 'GET', url: `/api/v1/vehicle/bundles/${rel.targetPath}`, headers: { authorization: `Bearer ${b.token}` } })).statusCode).toBe(403);
    expect(await b.report(assignment.id, 'failed', 'spoofed')).toBe(404);
    expect(await a.report(assignment.id, 'failed')).toBe(400); // a failure needs a reason
    expect((await b.checkIn()).assignment).toBeNull();
    // Rotating a token locks the old one out.
    const rotated = (await fleet.op(fleet.server, 'POST', '/api/v1/vehicles/a/token')).json();
    expect((await app.inject({ method: 'POST', url: '/api/v1/vehicle/check-in', headers: { authorization: `Bearer ${a.token}` }, payload: { serviceVersion: '0.1.0', rootVersion: 1 } })).statusCode).toBe(401);
    expect(rotated.token).toMatch(/^avt_/);
    expect(allowedTransition('active', 'downloading')).toBe(false);
    expect(allowedTransition('active', 'rolled_back')).toBe(true);
    expect(allowedTransition('failed', 'active')).toBe(false);
  });

  it('refuses bad targets and roots the way a car would, and rotates root', async () => {
    fleet = await TestFleet.create();
    await fleet.publishRelease('speech', '1.0.0');
    const stranger = createSigner(generateKeyFile());
    let res = await fleet.op(fleet.server, 'PUT', '/api/v1/metadata/targets', fleet.signedTargets(stranger, 2));
    expect(res.json()).toMatchObject({ error: 'AURIGA_ERR_OTA_THRESHOLD' });
    res = await fleet.op(fleet.server, 'PUT', '/api/v1/metadata/targets', fleet.signedTargets(createSigner(fleet.keys.targets), 7));
    expect(res.json()).toMatchObject({ error: 'AURIGA_ERR_OTA_VERSION_MISMATCH' });
    fleet.targets['ghost.bundle'] = { length: 10, hashes: { sha256: 'e'.repeat(64) }, custom: { name: 'g', version: '1.0.0', kind: 'speech-model', hardwareIds: ['x'], serviceVersions: '*' } };
    res = await fleet.op(fleet.server, 'PUT', '/api/v1/metadata/targets', fleet.signedTargets(createSigner(fleet.keys.targets), 2));
    expect(res.json().message).toMatch(/upload the bundle for ghost.bundle/);
    delete fleet.targets['ghost.bundle'];

    // Root v2 rotates the targets key; it must carry the old root's signature.
    const newTargets = generateKeyFile();
    const keys = { ...fleet.keys, targets: newTargets };
    const v2 = buildRoot({
      version: 2, expires: expiresAfter(fleet.clock, 365 * 86_400),
      roles: Object.fromEntries((Object.keys(keys) as RoleName[]).map((r) => [r, { keys: [createSigner(keys[r]).publicKey], threshold: 1 }])) as never,
    });
    const newRootKey = createSigner(generateKeyFile());
    expect((await fleet.op(fleet.server, 'PUT', '/api/v1/metadata/root', signMetadata(v2, [newRootKey]))).json().error).toBe('AURIGA_ERR_OTA_THRESHOLD');
    expect((await fleet.op(fleet.server, 'PUT', '/api/v1/metadata/root', signMetadata(v2, [createSigner(fleet.keys.root)]))).statusCode).toBe(200);
    // A root whose online keys this server does not hold is refused: the server could not sign with it.
    const v3 = structuredClone(v2);
    v3.version = 3;
    const foreign = createSigner(generateKeyFile());
    v3.keys[foreign.keyid] = foreign.publicKey;
    v3.roles.timestamp.keyids = [foreign.keyid];
    expect((await fleet.op(fleet.server, 'PUT', '/api/v1/metadata/root', signMetadata(v3, [createSigner(fleet.keys.root)]))).json().message).toMatch(/holds 0 of the timestamp keys/);

    // A car on root v1 receives v2 and then refuses targets signed with the revoked key.
    const c = await car(fleet, 'a');
    const reply = await c.checkIn();
    expect(reply.roots).toHaveLength(1);
    expect(() => c.verify(reply)).toThrow(/targets metadata has 0 valid signature/);
    fleet.keys.targets = newTargets;
    expect((await fleet.op(fleet.server, 'PUT', '/api/v1/metadata/targets', fleet.signedTargets())).statusCode).toBe(200);
    expect(c.verify(await c.checkIn())).toEqual([]);
    expect(c.trusted.root.version).toBe(2);
  });

  it('re-signs the timestamp before it expires, so cars never see a stale one from a live server', async () => {
    fleet = await TestFleet.create();
    await fleet.publishRelease('speech', '1.0.0');
    const c = await car(fleet, 'a');
    c.verify(await c.checkIn());
    const before = c.trusted.timestamp!.version;
    fleet.clock += 13 * 3_600_000; // past half of the one-day timestamp lifetime
    c.verify(await c.checkIn());
    expect(c.trusted.timestamp!.version).toBe(before + 1);
    fleet.clock += 5 * 86_400_000; // past half of the snapshot lifetime and the director lifetime
    c.verify(await c.checkIn());
    expect(c.trusted.snapshot!.version).toBeGreaterThan(1);
  });

  it('serves bundles with HTTP Range over a real socket, so a cut download resumes', async () => {
    fleet = await TestFleet.create();
    const c = await car(fleet, 'a');
    const rel = await fleet.publishRelease('speech', '1.0.0', { bytes: 300_000 });
    await fleet.op(fleet.server, 'POST', '/api/v1/campaigns', { name: 'x', releaseId: rel.targetPath, selector: { vehicles: ['a'] }, stages: [{ percent: 100, failureThreshold: 0 }] });
    const [assigned] = c.verify(await c.checkIn());
    const url = `${await fleet.server.app.listen({ port: 0, host: '127.0.0.1' })}/api/v1/vehicle/bundles/${rel.targetPath}`;
    const auth = { authorization: `Bearer ${c.token}` };

    // First attempt: the connection is cut after ~100 kB.
    const controller = new AbortController();
    const first = await fetch(url, { headers: auth, signal: controller.signal });
    expect(first.headers.get('accept-ranges')).toBe('bytes');
    const etag = first.headers.get('etag')!;
    const got: Buffer[] = [];
    let n = 0;
    const reader = first.body!.getReader();
    while (n < 100_000) {
      const { value, done } = await reader.read();
      if (done) break;
      got.push(Buffer.from(value));
      n += value.length;
    }
    controller.abort();
    await reader.cancel().catch(() => undefined);

    const rest = await fetch(url, { headers: { ...auth, range: `bytes=${n}-`, 'if-range': etag } });
    expect(rest.status).toBe(206);
    expect(rest.headers.get('content-range')).toBe(`bytes ${n}-${rel.length - 1}/${rel.length}`);
    const whole = Buffer.concat([...got, Buffer.from(await rest.arrayBuffer())]);
    expect(whole.length).toBe(assigned!.target.length);
    expect(createHash('sha256').update(whole).digest('hex')).toBe(assigned!.target.hashes.sha256);

    const beyond = await fetch(url, { headers: { ...auth, range: `bytes=${rel.length}-` } });
    expect(beyond.status).toBe(416);
    await beyond.arrayBuffer();
    expect(beyond.headers.get('content-range')).toBe(`bytes */${rel.length}`);
    const changed = await fetch(url, { headers: { ...auth, range: 'bytes=10-', 'if-range': '"other"' } });
    expect(changed.status).toBe(200);
    expect(Number(changed.headers.get('content-length'))).toBe(rel.length);
    await changed.arrayBuffer();
  });

  it('serves the dashboard page and its data', async () => {
    fleet = await TestFleet.create();
    await car(fleet, 'a');
    await fleet.publishRelease('speech', '1.0.0');
    const page = await fleet.server.app.inject({ method: 'GET', url: '/dashboard' });
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.body).toContain('/api/v1/dashboard');
    const data = (await fleet.op(fleet.server, 'GET', '/api/v1/dashboard')).json();
    expect(data.releases.map((r: { id: string }) => r.id)).toEqual(['speech-1.0.0.bundle']);
    expect(data.vehicles[0]).not.toHaveProperty('director');
  });
});

describe('parseRangeHeader', () => {
  it('handles the forms a resuming client sends', () => {
    expect(parseRangeHeader(undefined, 100)).toEqual({ kind: 'full' });
    expect(parseRangeHeader('bytes=10-', 100)).toEqual({ kind: 'partial', start: 10, end: 99 });
    expect(parseRangeHeader('bytes=10-19', 100)).toEqual({ kind: 'partial', start: 10, end: 19 });
    expect(parseRangeHeader('bytes=90-500', 100)).toEqual({ kind: 'partial', start: 90, end: 99 });
    expect(parseRangeHeader('bytes=-10', 100)).toEqual({ kind: 'partial', start: 90, end: 99 });
    expect(parseRangeHeader('bytes=100-', 100)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRangeHeader('bytes=20-10', 100)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRangeHeader('bytes=0-1,5-6', 100)).toEqual({ kind: 'full' });
    expect(parseRangeHeader('items=0-1', 100)).toEqual({ kind: 'full' });
  });
});
