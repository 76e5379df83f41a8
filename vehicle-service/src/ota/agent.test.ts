import { appendFile, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { matchText } from '../context/match.js';
import { OtaAgent, type OtaAgentOptions } from './agent.js';
import type { ModelHandler } from './acceptance.js';
import { VoiceContextHandler, type VoiceContextModel } from './handlers/voice-context.js';
import type { AgentStateDoc } from './state.js';
import {
  assign,
  FaultyVoiceHandler,
  publishVoiceBundle,
  SERVICE_VERSION,
  HARDWARE,
  startLocalFleet,
  tempDir,
  vehicleOnServer,
  writeFactoryContext,
  type FaultyModel,
  type LocalFleet,
} from './test-fixtures.js';

const logger = pino({ level: 'silent' });
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!().catch(() => undefined);
});

async function fleetUp(): Promise<LocalFleet> {
  const f = await startLocalFleet();
  cleanups.push(f.cleanup);
  return f;
}

async function makeAgent(f: LocalFleet, vehicleId: string, token: string, dataDir: string, extra: Partial<OtaAgentOptions> = {}): Promise<OtaAgent> {
  const factoryDir = await writeFactoryContext(dataDir);
  const agent = new OtaAgent({
    serverUrl: f.url,
    vehicleId,
    hardwareId: HARDWARE,
    token,
    serviceVersion: SERVICE_VERSION,
    dataDir,
    trustedRoot: f.fleet.rootJson,
    handlers: [new VoiceContextHandler()],
    factory: [{ kind: 'voice-context', name: 'garage-context', version: '1.0.0', dir: factoryDir }],
    pollIntervalMs: 3_600_000,
    healthWindowMs: 150,
    healthCheckIntervalMs: 50,
    limits: { requestTimeoutMs: 2000, stallTimeoutMs: 2000, retries: 2, backoffMs: 20 },
    logger,
    metadataNow: f.fleet.now,
    ...extra,
  });
  cleanups.push(() => agent.destroy());
  return agent;
}

/** Waits for the agent to report a final step (active, failed, rolled_back). */
function finalReport(agent: OtaAgent): Promise<{ step: string; reason?: string }> {
  return new Promise((resolve) => {
    agent.on('report', (r) => {
      if (r.step === 'active' || r.step === 'failed' || r.step === 'rolled_back') resolve(r);
    });
  });
}

async function readState(dataDir: string): Promise<AgentStateDoc> {
  return JSON.parse(await readFile(join(dataDir, 'ota', 'state.json'), 'utf8')) as AgentStateDoc;
}

describe('OtaAgent against a real fleet server', () => {
  it('downloads, verifies, installs into the inactive slot, passes acceptance, switches without losing a request, reports active', async () => {
    const f = await fleetUp();
    const token = await f.fleet.registerVehicle('car-1', 'beta', HARDWARE);
    const rel = await publishVoiceBundle(f.fleet, { version: '2.0.0' });
    await assign(f.fleet, rel.targetPath, ['car-1']);
    const dataDir = await tempDir();
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const agent = await makeAgent(f, 'car-1', token, dataDir);
    const holder = agent.holder<VoiceContextModel>('voice-context')!;

    // A request that starts on the factory model before the switch and finishes after it.
    let inFlight: ReturnType<typeof holder.acquire> | undefined;
    let answeredDuringSwitch: boolean | undefined;
    agent.on('switched', () => {
      answeredDuringSwitch = inFlight ? matchText(inFlight.model.compiled, 'turn on the lights').isUnderstood : undefined;
    });
    const steps: string[] = [];
    agent.on('report', (r) => steps.push(r.step));
    const done = finalReport(agent);
    await agent.start();
    expect(holder.current).toMatchObject({ version: '1.0.0', slot: 'factory' });
    inFlight = holder.acquire();
    expect(await done).toEqual({ assignmentId: expect.any(Number), step: 'active', detail: expect.any(Object) });
    expect(steps).toEqual(['downloading', 'verified', 'installed', 'active']);

    // The in-flight request still ran on the old model (v1 knows no lights) after the switch; new ones see v2.
    expect(answeredDuringSwitch).toBe(false);
    expect(inFlight.meta.version).toBe('1.0.0');
    inFlight.release({ ok: true, latencyMs: 1 });
    expect(await holder.use((m) => matchText(m.compiled, 'turn on the lights').intent)).toBe('lightsOn');
    expect(holder.current).toMatchObject({ version: '2.0.0', slot: 'A' });

    const state = await readState(dataDir);
    expect(state.kinds['voice-context']).toMatchObject({ active: 'A', slots: { A: { version: '2.0.0', bundleSha256: rel.sha256 } } });
    expect(state.job).toBeUndefined();
    expect(await readdir(join(dataDir, 'models', 'voice-context'))).toEqual(['A']);
    expect(await readdir(join(dataDir, 'ota', 'downloads'))).toEqual([]); // the bundle is removed once installed
    await agent.idle();
    const v = await vehicleOnServer(f.fleet, 'car-1');
    expect(v.assignment?.status).toBe('active');
    expect(agent.status()).toMatchObject({ models: [{ kind: 'voice-context', version: '2.0.0', slot: 'A' }], update: null, lastResult: { step: 'active', version: '2.0.0' } });

    // A third release goes to slot B and keeps A for rollback.
    const rel3 = await publishVoiceBundle(f.fleet, { version: '2.1.0' });
    await assign(f.fleet, rel3.targetPath, ['car-1']);
    const done3 = finalReport(agent);
    agent.checkNow();
    expect((await done3).step).toBe('active');
    expect(agent.status().models).toEqual([{ kind: 'voice-context', name: 'garage-context', version: '2.1.0', slot: 'B', previous: { name: 'garage-context', version: '2.0.0', slot: 'A' } }]);
    await agent.destroy();

    // Bit rot in the active slot: on start the car re-checks its hashes and falls back to the previous slot.
    await appendFile(join(dataDir, 'models', 'voice-context', 'B', 'garage.yaml'), '#');
    const restarted = await makeAgent(f, 'car-1', token, dataDir);
    let healed = finalReport(restarted);
    await restarted.start();
    expect(restarted.holder('voice-context')!.current).toMatchObject({ version: '2.0.0', slot: 'A' });
    expect(restarted.status().lastError?.reason).toMatch(/slot voice-context\/B is corrupt: voice-context\/B\/garage.yaml is \d+ bytes, expected \d+/);
    expect((await readState(dataDir)).kinds['voice-context']).toEqual(expect.objectContaining({ active: 'A', slots: { A: expect.objectContaining({ version: '2.0.0' }) } }));
    expect(await readdir(join(dataDir, 'models', 'voice-context'))).toEqual(['A']);
    // The assignment still says 2.1.0: the car installs it again (into B) and is healed.
    expect((await healed).step).toBe('active');
    expect(restarted.holder('voice-context')!.current).toMatchObject({ version: '2.1.0', slot: 'B' });
    await restarted.destroy();

    // The factory model when no slot is usable (both corrupt), then healed the same way.
    await writeFile(join(dataDir, 'models', 'voice-context', 'A', 'golden.json'), '{}');
    await writeFile(join(dataDir, 'models', 'voice-context', 'B', 'golden.json'), '{}');
    const third = await makeAgent(f, 'car-1', token, dataDir);
    healed = finalReport(third);
    await third.start();
    expect(third.holder('voice-context')!.current).toMatchObject({ version: '1.0.0', slot: 'factory' });
    expect((await healed).step).toBe('active');
    expect(third.holder('voice-context')!.current).toMatchObject({ version: '2.1.0', slot: 'A' });
  });

  it('follows an operator rollback to exactly the bundle in its previous slot', async () => {
    const f = await fleetUp();
    const token = await f.fleet.registerVehicle('car-rb', 'beta', HARDWARE);
    const dataDir = await tempDir();
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const agent = await makeAgent(f, 'car-rb', token, dataDir);
    await agent.start();
    await agent.idle();
    const v2 = await publishVoiceBundle(f.fleet, { version: '2.0.0' });
    await assign(f.fleet, v2.targetPath, ['car-rb']);
    let done = finalReport(agent);
    agent.checkNow();
    expect((await done).step).toBe('active');
    const v21 = await publishVoiceBundle(f.fleet, { version: '2.1.0' });
    const campaign = await assign(f.fleet, v21.targetPath, ['car-rb']);
    done = finalReport(agent);
    agent.checkNow();
    expect((await done).step).toBe('active');
    expect(agent.holder('voice-context')!.current).toMatchObject({ version: '2.1.0', slot: 'B' });

    const rb = await f.fleet.op(f.fleet.server, 'POST', `/api/v1/campaigns/${campaign}/rollback`);
    expect(rb.statusCode).toBe(200);
    // Users of the model outside the holder (the service's assistant) follow 'switched', rollbacks included.
    const switched: unknown[][] = [];
    agent.on('switched', (...args) => switched.push(args));
    done = finalReport(agent);
    agent.checkNow();
    expect(await done).toMatchObject({ step: 'active', detail: { rollback: true, slot: 'A' } });
    expect(switched).toMatchObject([[{ version: '2.0.0', slot: 'A' }, { version: '2.1.0', slot: 'B' }]]);
    expect(agent.holder('voice-context')!.current).toMatchObject({ version: '2.0.0', slot: 'A' });
    expect(agent.status().models[0]).toMatchObject({ previous: { version: '2.1.0', slot: 'B' } });
    await agent.idle();
    expect((await vehicleOnServer(f.fleet, 'car-rb')).assignment).toMatchObject({ status: 'active' });
  });

  it('a clean stop inside the health window is not a crash: the next start finishes the window and goes active', async () => {
    const f = await fleetUp();
    const token = await f.fleet.registerVehicle('car-stop', 'beta', HARDWARE);
    const rel = await publishVoiceBundle(f.fleet, { version: '2.0.0', acceptance: { minAccuracy: 0.8, maxLatencyMs: 500, maxCrashes: 0 } });
    await assign(f.fleet, rel.targetPath, ['car-stop']);
    const dataDir = await tempDir();
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const first = await makeAgent(f, 'car-stop', token, dataDir, { healthWindowMs: 60_000 });
    const switched = new Promise((resolve) => first.on('switched', resolve));
    await first.start();
    await switched;
    await first.destroy();
    expect((await readState(dataDir)).job).toMatchObject({ step: 'switched', crashes: 0, cleanStop: true });
    const second = await makeAgent(f, 'car-stop', token, dataDir);
    const done = finalReport(second);
    await second.start();
    expect((await done).step).toBe('active');
  });

  it('refuses a bundle whose acceptance test fails, keeps its model and reports the reason', async () => {
    const f = await fleetUp();
    const token = await f.fleet.registerVehicle('car-2', 'beta', HARDWARE);
    // The golden set expects intents this context does not have: accuracy 2/4 < 0.9.
    const rel = await publishVoiceBundle(f.fleet, {
      version: '2.0.0',
      golden: { phrases: [
        { text: 'open the left door', intent: 'openDoor' },
        { text: 'close the left door', intent: 'closeDoor' },
        { text: 'open the trunk', intent: 'openTrunk' },
        { text: 'honk the horn', intent: 'honk' },
      ] },
      acceptance: { minAccuracy: 0.9, maxLatencyMs: 500 },
    });
    await assign(f.fleet, rel.targetPath, ['car-2']);
    const dataDir = await tempDir();
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const agent = await makeAgent(f, 'car-2', token, dataDir);
    const done = finalReport(agent);
    await agent.start();
    const r = await done;
    expect(r.step).toBe('failed');
    expect(r.reason).toMatch(/acceptance test failed: accuracy 0.5 < 0.9 .*"open the trunk" gave nothing, expected openTrunk/);
    await agent.idle();
    expect(agent.holder('voice-context')!.current).toMatchObject({ version: '1.0.0', slot: 'factory' });
    const state = await readState(dataDir);
    expect(state.kinds['voice-context']).toEqual({ active: 'factory', slots: {} });
    expect(await readdir(join(dataDir, 'models', 'voice-context'))).toEqual([]); // the refused slot is wiped
    const v = await vehicleOnServer(f.fleet, 'car-2');
    expect(v.assignment).toMatchObject({ status: 'failed' });
    expect(v.reports[0]).toMatchObject({ step: 'failed', reason: expect.stringMatching(/accuracy 0.5 < 0.9/) });
    // Checking in again does not retry the refused assignment.
    agent.checkNow();
    await agent.idle();
    expect((await vehicleOnServer(f.fleet, 'car-2')).reports.filter((x) => x.step === 'downloading')).toHaveLength(1);
  });

  it.each([
    ['crashes', { afterSwitch: 'crash' }, /model crashed while answering/],
    ['is too slow', { afterSwitch: 'slow', slowMs: 60 }, /too slow: request latency p95 \d+ ms > 30 ms|answered in \d+ ms, budget 30 ms/],
  ] as const)('rolls back on its own when the new model %s after the switch', async (_what, fault, reason) => {
    const f = await fleetUp();
    const token = await f.fleet.registerVehicle('car-3', 'beta', HARDWARE);
    const good = await publishVoiceBundle(f.fleet, { version: '2.0.0', acceptance: { minAccuracy: 0.8, maxLatencyMs: 30 } });
    await assign(f.fleet, good.targetPath, ['car-3']);
    const dataDir = await tempDir();
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const handler = new FaultyVoiceHandler();
    const agent = await makeAgent(f, 'car-3', token, dataDir, { handlers: [handler as ModelHandler<FaultyModel>], healthWindowMs: 400 });
    let done = finalReport(agent);
    await agent.start();
    expect((await done).step).toBe('active');
    await agent.idle();

    const bad = await publishVoiceBundle(f.fleet, { version: '2.1.0', acceptance: { minAccuracy: 0.8, maxLatencyMs: 30, maxCrashes: 0 }, extra: { 'fault.json': JSON.stringify(fault) } });
    await assign(f.fleet, bad.targetPath, ['car-3']);
    const holder = agent.holder<FaultyModel>('voice-context')!;
    // Driver requests keep coming during the switch and the health window; none is lost: each is answered
    // by the model current when it started (the faulty one fails, which is what triggers the rollback).
    let serving = true;
    const answers: Array<{ version: string; ok: boolean }> = [];
    agent.on('switched', () => {
      void (async () => {
        while (serving) {
          const lease = holder.acquire();
          const start = performance.now();
          try {
            handler.answer(lease.model, 'open the left door');
            lease.release({ ok: true, latencyMs: performance.now() - start });
            answers.push({ version: lease.meta.version, ok: true });
          } catch (err) {
            lease.release({ ok: false, latencyMs: performance.now() - start, error: (err as Error).message });
            answers.push({ version: lease.meta.version, ok: false });
          }
          await new Promise((r) => setTimeout(r, 5));
        }
      })();
    });
    const rolled = new Promise<{ kind: string; reason: string }>((resolve) => agent.on('rolledBack', resolve));
    done = finalReport(agent);
    agent.checkNow();
    const r = await done;
    serving = false;
    expect(r.step).toBe('rolled_back');
    expect(r.reason).toMatch(reason);
    expect((await rolled).kind).toBe('voice-context');
    expect(holder.current).toMatchObject({ version: '2.0.0', slot: 'A' });
    expect(answers.some((a) => a.version === '2.1.0')).toBe(true);
    await agent.idle();
    const state = await readState(dataDir);
    expect(state.kinds['voice-context']!.active).toBe('A');
    expect(state.kinds['voice-context']!.slots.B).toBeUndefined();
    const v = await vehicleOnServer(f.fleet, 'car-3');
    expect(v.assignment).toMatchObject({ status: 'rolled_back' });
    expect(v.reports[0]).toMatchObject({ step: 'rolled_back', reason: expect.stringMatching(reason) });
  });
});
