import { spawn } from 'node:child_process';
import { appendFile, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OtaAgent, type CrashPoint } from './agent.js';
import { VoiceContextHandler } from './handlers/voice-context.js';
import { ModelSlots } from './slots.js';
import { SLOT_NAMES, type AgentStateDoc } from './state.js';
import { assign, HARDWARE, publishVoiceBundle, SERVICE_VERSION, startLocalFleet, tempDir, vehicleOnServer, writeFactoryContext, type LocalFleet } from './test-fixtures.js';

const FIXTURE = fileURLToPath(new URL('./kill-agent.fixture.ts', import.meta.url));
const HEALTH_MS = 150;

/** Every point where the agent persisted a step, in order: the process is killed right after each. */
const POINTS: CrashPoint[] = ['downloading', 'download-part', 'verified', 'installing', 'extracted', 'installed', 'acceptance', 'switched', 'active'];

let f: LocalFleet;
let release: { targetPath: string; sha256: string; length: number };
let strictRelease: { targetPath: string };
const dirs: string[] = [];

beforeAll(async () => {
  f = await startLocalFleet();
  // Big enough to arrive in several chunks (so a kill can land mid-download); one restart tolerated in the health window.
  release = await publishVoiceBundle(f.fleet, { version: '2.0.0', padBytes: 300_000, acceptance: { minAccuracy: 0.8, maxLatencyMs: 500, maxCrashes: 1 } });
  strictRelease = await publishVoiceBundle(f.fleet, { name: 'strict-context', version: '2.0.0', acceptance: { minAccuracy: 0.8, maxLatencyMs: 500, maxCrashes: 0 } });
});
afterAll(async () => {
  await f?.cleanup();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

function runChild(cfg: Record<string, unknown>): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE], {
      env: { ...process.env, OTA_FIXTURE: JSON.stringify(cfg) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** What a restarted car would find on disk: the state must name only complete slots whose files match their hashes. */
async function assertConsistent(dataDir: string): Promise<AgentStateDoc> {
  const state = JSON.parse(await readFile(join(dataDir, 'ota', 'state.json'), 'utf8')) as AgentStateDoc;
  const ks = state.kinds['voice-context'] ?? { active: 'factory', slots: {} };
  const slots = new ModelSlots(join(dataDir, 'models'));
  if (ks.active !== 'factory') expect(ks.slots[ks.active], `active slot ${ks.active} is recorded`).toBeDefined();
  for (const name of SLOT_NAMES) {
    const record = ks.slots[name];
    if (record) expect(await slots.verify('voice-context', name, record), `slot ${name} is complete`).toBeUndefined();
  }
  return state;
}

async function waitForServer(vehicleId: string, statuses: string[]): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const v = await vehicleOnServer(f.fleet, vehicleId);
    if (v.assignment && statuses.includes(v.assignment.status)) return v.assignment.status;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${vehicleId} never reached ${statuses.join('/')}`);
}

async function setup(vehicleId: string, targetPath: string) {
  const token = await f.fleet.registerVehicle(vehicleId, 'kill', HARDWARE);
  await assign(f.fleet, targetPath, [vehicleId]);
  const dataDir = await tempDir('ota-kill-');
  dirs.push(dataDir);
  const factoryDir = await writeFactoryContext(dataDir);
  const cfg = { url: f.url, vehicleId, hardwareId: HARDWARE, token, dataDir, rootJson: f.fleet.rootJson, metaNow: f.fleet.clock, factoryDir, healthWindowMs: HEALTH_MS };
  const restart = () => new OtaAgent({
    serverUrl: f.url, vehicleId, hardwareId: HARDWARE, token, serviceVersion: SERVICE_VERSION, dataDir, trustedRoot: f.fleet.rootJson,
    handlers: [new VoiceContextHandler()],
    factory: [{ kind: 'voice-context', name: 'garage-context', version: '1.0.0', dir: factoryDir }],
    pollIntervalMs: 3_600_000, healthWindowMs: HEALTH_MS, healthCheckIntervalMs: 50,
    limits: { requestTimeoutMs: 5000, stallTimeoutMs: 5000, retries: 2, backoffMs: 20 },
    logger: pino({ level: 'silent' }), metadataNow: f.fleet.now,
  });
  return { cfg, dataDir, restart };
}

describe('OtaAgent killed with SIGKILL at every step', () => {
  it('runs to the end without a kill (the baseline the loop below breaks)', async () => {
    const { cfg } = await setup('kill-none', release.targetPath);
    const out = await runChild(cfg);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout)).toMatchObject({ report: { step: 'active' }, status: { models: [{ version: '2.0.0', slot: 'A' }] } });
  });

  it.concurrent.each(POINTS)('killed right after %s: restarts on a complete, verified model and finishes the update', async (point) => {
    const { cfg, dataDir, restart } = await setup(`kill-${point}`, release.targetPath);
    const out = await runChild({ ...cfg, killAt: point });
    expect(out.signal, `the fixture must die at ${point}: ${out.stderr}`).toBe('SIGKILL');

    const before = await assertConsistent(dataDir);
    const active = before.kinds['voice-context']?.active ?? 'factory';
    // Before the switch the car is on its old model; from the switch on, on the new one. Never anything in between.
    const switched = point === 'switched' || point === 'active';
    expect(active).toBe(switched ? 'A' : 'factory');

    const agent = restart();
    try {
      await agent.start();
      const holder = agent.holder('voice-context')!;
      expect(holder.current).toMatchObject(switched ? { version: '2.0.0', slot: 'A' } : { version: '1.0.0', slot: 'factory' });
      expect(await waitForServer(`kill-${point}`, ['active', 'failed', 'rolled_back'])).toBe('active');
      await agent.idle();
      expect(holder.current).toMatchObject({ version: '2.0.0', slot: 'A' });
      const after = await assertConsistent(dataDir);
      expect(after.job).toBeUndefined();
      expect(after.outbox).toEqual([]);
      expect(after.kinds['voice-context']).toMatchObject({ active: 'A', slots: { A: { version: '2.0.0', bundleSha256: release.sha256 } } });
      expect(await readdir(join(dataDir, 'models', 'voice-context'))).toEqual(['A']); // no staging leftovers
      expect(await readdir(join(dataDir, 'ota', 'downloads'))).toEqual([]);
      const reports = (await vehicleOnServer(f.fleet, `kill-${point}`)).reports.map((r) => r.step).reverse();
      expect(reports[reports.length - 1]).toBe('active');
    } finally {
      await agent.destroy();
    }
  });

  it('a new model found corrupt on the restart inside its health window is rolled back, with the reason', async () => {
    const { cfg, dataDir, restart } = await setup('kill-corrupt', release.targetPath);
    const out = await runChild({ ...cfg, killAt: 'switched' });
    expect(out.signal).toBe('SIGKILL');
    await appendFile(join(dataDir, 'models', 'voice-context', 'A', 'garage.yaml'), '#');
    const agent = restart();
    try {
      await agent.start();
      expect(agent.holder('voice-context')!.current).toMatchObject({ version: '1.0.0', slot: 'factory' });
      expect(await waitForServer('kill-corrupt', ['active', 'failed', 'rolled_back'])).toBe('rolled_back');
      const v = await vehicleOnServer(f.fleet, 'kill-corrupt');
      expect(v.reports[0]).toMatchObject({ step: 'rolled_back', reason: expect.stringMatching(/^slot voice-context\/A is corrupt: voice-context\/A\/garage.yaml is \d+ bytes, expected \d+$/) });
      expect((await assertConsistent(dataDir)).kinds['voice-context']).toEqual({ active: 'factory', slots: {} });
    } finally {
      await agent.destroy();
    }
  });

  it('a restart inside the health window of a model that tolerates no crash rolls back to the previous model', async () => {
    const { cfg, dataDir, restart } = await setup('kill-strict', strictRelease.targetPath);
    const out = await runChild({ ...cfg, killAt: 'switched' });
    expect(out.signal).toBe('SIGKILL');
    const agent = restart();
    try {
      await agent.start();
      expect(await waitForServer('kill-strict', ['active', 'failed', 'rolled_back'])).toBe('rolled_back');
      await agent.idle();
      expect(agent.holder('voice-context')!.current).toMatchObject({ version: '1.0.0', slot: 'factory' });
      const v = await vehicleOnServer(f.fleet, 'kill-strict');
      expect(v.reports[0]).toMatchObject({ step: 'rolled_back', reason: 'the process restarted 1 time(s) during the health window (max 0)' });
      const state = await assertConsistent(dataDir);
      expect(state.kinds['voice-context']).toEqual({ active: 'factory', slots: {} });
    } finally {
      await agent.destroy();
    }
  });
});
