/**
 * OTA model updates end to end, as an integrator runs them: the real fleet server (`startServer` from a
 * server.json, SQLite in a temp dir, MQTT push on), the operator tooling (`runCli`: the same code as the
 * `auriga-ota` binary) for keys, root, vehicle, bundles, releases and campaigns, and the real vehicle
 * service (`startVehicleService`, configured by the OTA_* environment variables) next to can-sim (parked)
 * on the machine's Mosquitto with its own topic root.
 *
 * The story: the car ships a voice context that does not know "it's toasty in here". Release 1.1.0 adds
 * it: the car downloads, verifies, installs, passes the acceptance test, switches and reports `active`, and
 * POST /v1/text understands the phrase with no restart. Release 1.2.0 fails its acceptance test on the car:
 * refused, the car keeps 1.1.0 and the server sees `failed` with the reason (the campaign pauses itself).
 * Release 1.2.1 adds "it's nippy in here"; the operator rolls its campaign back and the car returns to 1.1.0
 * from its previous slot. Every campaign change is pushed over MQTT, so nothing waits for the 5 s poll.
 * Last, a speech-model release (the shipped acoustic model, golden WAVs spoken by espeak-ng) replaces the
 * engine behind POST /v1/voice with no restart (skipped with a message when espeak-ng is absent).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator } from '@auriga/can-sim';
import { createTopics } from '@auriga/common';
import { loadServerConfig, runCli, startServer } from '@auriga/ota';
import { loadConfig, startVehicleService, type VehicleServiceHandle } from '@auriga/vehicle-service';

const MOSQUITTO = 'mqtt://127.0.0.1:1883';
const VEHICLE = 'VIN-E2E-0001';
const HARDWARE = 'hu-a1';
const CAR_YAML = readFileSync(new URL('../models/contexts/en-US/car.yaml', import.meta.url), 'utf8');
const SPEECH_ARTIFACTS = fileURLToPath(new URL('../models/speech/artifacts', import.meta.url));
const hasEspeak = spawnSync('espeak-ng', ['--version']).status === 0;
if (!hasEspeak) console.warn('ota-e2e.test.ts: espeak-ng is not installed; the speech-model update is skipped (apt-get install espeak-ng)');
const silent = pino({ level: 'silent' });

const cleanups: Array<() => Promise<unknown> | unknown> = [];
let dir = '';
let fleetEnv: Record<string, string> = {};
let fleetUrl = '';
let operatorToken = '';
let service: VehicleServiceHandle;
const pushes: string[] = [];

async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    const got = await probe().catch((err: unknown) => { last = err; return undefined; });
    if (got) return got;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The operator tool, in-process; returns its JSON output (or the raw text). */
async function ota(...args: string[]): Promise<any> {
  const out: string[] = [];
  const err: string[] = [];
  const rc = await runCli(args, { out: (l) => out.push(l), err: (l) => err.push(l), env: fleetEnv });
  if (rc !== 0) throw new Error(`auriga-ota ${args.join(' ')} exited ${rc}: ${err.join('\n')}`);
  const text = out.join('\n');
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

async function text(phrase: string): Promise<Record<string, any>> {
  const res = await fetch(`${service.url}/v1/text`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: phrase, lang: 'en-US' }) });
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, any>;
}

async function carStatus(): Promise<Record<string, any>> {
  return (await fetch(`${service.url}/v1/ota/status`)).json() as Promise<Record<string, any>>;
}

const voiceModel = (s: Record<string, any>) => (s.models as Array<Record<string, any>>).find((m) => m.kind === 'voice-context')!;

async function operatorGet(path: string): Promise<Record<string, any>> {
  const res = await fetch(`${fleetUrl}${path}`, { headers: { authorization: `Bearer ${operatorToken}` } });
  return res.json() as Promise<Record<string, any>>;
}

/** Writes a voice-context bundle source (car.yaml + golden.json + manifest), builds it and publishes the release. */
async function release(version: string, context: string, golden: Array<{ text: string; intent: string | null }>): Promise<string> {
  const src = join(dir, `src-${version}`);
  mkdirSync(src);
  writeFileSync(join(src, 'car.yaml'), context);
  writeFileSync(join(src, 'golden.json'), JSON.stringify({ phrases: golden }, null, 2));
  const manifest = join(dir, `manifest-${version}.json`);
  writeFileSync(manifest, JSON.stringify({
    name: 'car-context', version, kind: 'voice-context',
    supports: { serviceVersions: '^0.1.0', hardware: [HARDWARE] },
    acceptance: { minAccuracy: 1, maxLatencyMs: 250, healthWindowS: 1 },
    files: [{ path: 'car.yaml', role: 'voice-context' }, { path: 'golden.json', role: 'acceptance-data' }],
  }));
  const out = join(dir, `car-context-${version}.bundle`);
  expect(await ota('bundle', 'build', '--dir', src, '--manifest', manifest, '--out', out)).toMatchObject({ files: 2 });
  expect(await ota('bundle', 'verify', '--in', out)).toMatchObject({ ok: true, version });
  await ota('release', 'publish', '--bundle', out, '--sign', join(dir, 'keys/targets.json'));
  return `car-context-${version}.bundle`;
}

async function campaign(target: string, ...extra: string[]): Promise<string> {
  const before = pushes.length;
  const created = await ota('campaign', 'create', '--name', target, '--release', target, '--vehicles', VEHICLE, '--stages', '100:0', ...extra);
  expect(created.campaign).toMatchObject({ state: 'running', releaseId: target });
  // The server pushed "check in now" to this car: it does not wait for its next poll.
  await waitFor('the push for the new campaign', async () => pushes.length > before);
  return created.campaign.id as string;
}

const progress = (id: string) => ota('campaign', 'show', '--id', id);

const GOLDEN_BASE = [
  { text: 'set the temperature to twenty two degrees', intent: 'setTemperature' },
  { text: 'banana telephone', intent: null },
];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'auriga-ota-e2e-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const topicRoot = `auriga-test/${randomUUID()}/v1`;

  // Keys and root, offline (the three online keys go to the server; root only needs their public halves).
  mkdirSync(join(dir, 'keys'));
  mkdirSync(join(dir, 'pub'));
  for (const role of ['root', 'targets', 'snapshot', 'timestamp', 'director']) {
    await ota('keys', 'generate', '--out', join(dir, `keys/${role}.json`));
    writeFileSync(join(dir, `pub/${role}.json`), JSON.stringify(await ota('keys', 'public', '--in', join(dir, `keys/${role}.json`))));
  }
  await ota('root', 'init', '--out', join(dir, 'root-1.json'),
    '--key', `root=${join(dir, 'pub/root.json')}`, '--key', `targets=${join(dir, 'pub/targets.json')}`,
    '--key', `snapshot=${join(dir, 'pub/snapshot.json')}`, '--key', `timestamp=${join(dir, 'pub/timestamp.json')}`,
    '--key', `director=${join(dir, 'pub/director.json')}`, '--sign', join(dir, 'keys/root.json'));

  // The fleet server from its config file, with the MQTT push on the car's broker and topic root.
  operatorToken = randomBytes(32).toString('hex');
  const tokenHash = String(await ota('token', 'hash', operatorToken));
  writeFileSync(join(dir, 'server.json'), JSON.stringify({
    listen: { host: '127.0.0.1', port: 0 },
    store: 'sqlite:ota.db',
    bundleDir: 'bundles',
    onlineKeys: { snapshot: ['keys/snapshot.json'], timestamp: ['keys/timestamp.json'], director: ['keys/director.json'] },
    operatorTokenHashes: [tokenHash],
    pollIntervalS: 3600,
    campaignTickS: 1,
    push: { mqttUrl: MOSQUITTO, topicRoot },
  }));
  const fleet = await startServer(await loadServerConfig(join(dir, 'server.json')), silent);
  cleanups.push(() => fleet.server.close());
  fleetUrl = fleet.url;
  fleetEnv = { AURIGA_OTA_SERVER: fleet.url, AURIGA_OTA_TOKEN: operatorToken };
  expect(await ota('metadata', 'publish', '--role', 'root', '--in', join(dir, 'root-1.json'))).toEqual({ version: 1 });

  // The car: its token (printed once) and the root it trusts, as files the image would hold.
  const added = await ota('vehicle', 'add', '--id', VEHICLE, '--group', 'e2e', '--hardware', HARDWARE);
  writeFileSync(join(dir, 'vehicle.token'), `${added.token}\n`, { mode: 0o600 });
  copyFileSync(join(dir, 'root-1.json'), join(dir, 'car-root.json'));

  // Listen to what the server pushes to this car (the agent subscribes to the same topic).
  const listener = await mqtt.connectAsync(MOSQUITTO, { reconnectPeriod: 0 });
  cleanups.push(() => listener.endAsync(true));
  const carTopic = createTopics(topicRoot).otaNotifyVehicle(VEHICLE);
  listener.on('message', (topic) => { if (topic === carTopic) pushes.push(topic); });
  await listener.subscribeAsync(carTopic, { qos: 1 });

  const dataDir = join(dir, 'car-data');
  const config = loadConfig({
    OTA_SERVER_URL: fleet.url,
    OTA_VEHICLE_ID: VEHICLE,
    OTA_HARDWARE_ID: HARDWARE,
    OTA_TOKEN_FILE: join(dir, 'vehicle.token'),
    OTA_ROOT_FILE: join(dir, 'car-root.json'),
    OTA_POLL_INTERVAL_S: '5', // the fallback; the pushes make the car check in at once
  }, { http: { port: 0 }, dataDir, mqtt: { url: MOSQUITTO, topicRoot, reconnectMinMs: 50, reconnectMaxMs: 250 } });
  service = await startVehicleService(config, { logger: silent, defaultMetrics: false });
  cleanups.push(() => service.close());
  const sim = await startSimulator({ mqttUrl: MOSQUITTO, topicRoot, scenario: 'parked', timeScale: 50, seed: 5, logger: silent });
  cleanups.push(() => sim.stop());
  // No targets metadata is published yet, so the server answers the car's first check-in 404 and the car
  // retries; it finds its first update through the push below.
  await waitFor('the OTA agent to start', async () => (await carStatus()).phase === 'idle');
}, 30_000);

afterAll(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

describe('OTA voice-context update, fleet server to car, end to end', () => {
  let v110 = '';

  it('before any update the car runs its shipped context, which does not understand "it\'s toasty in here"', async () => {
    expect(voiceModel(await carStatus())).toMatchObject({ name: 'car-context', version: '0.0.0', slot: 'factory' });
    expect(await text("it's toasty in here")).toMatchObject({ isUnderstood: false });
  });

  it('1.1.0 is downloaded, verified, installed, accepted, switched and reported active; the new phrase works with no restart', async () => {
    const context = CAR_YAML.replace('a bit hot, sweating]', 'a bit hot, sweating, toasty]');
    expect(context).not.toBe(CAR_YAML);
    v110 = await release('1.1.0', context, [...GOLDEN_BASE, { text: "it's toasty in here", intent: 'reportComfort' }]);
    const assistantBefore = service.assistant;
    const id = await campaign(v110);

    const done = await waitFor('campaign 1.1.0 to complete', async () => {
      const p = await progress(id);
      return p.campaign.state === 'completed' && p;
    });
    expect(done.stages).toMatchObject([{ total: 1, succeeded: 1, failed: 0 }]);
    const status = await carStatus();
    expect(voiceModel(status)).toMatchObject({ name: 'car-context', version: '1.1.0', slot: 'A' });
    // (lastError still shows the 404 of the first check-ins, before any targets metadata was published.)
    expect(status).toMatchObject({ update: null, lastResult: { step: 'active', name: 'car-context', version: '1.1.0' } });

    // The server saw every step, in order.
    const vehicle = await operatorGet(`/api/v1/vehicles/${VEHICLE}`);
    expect(vehicle).toMatchObject({ lastStep: 'active' });
    const steps = (vehicle.reports as Array<{ step: string }>).map((r) => r.step).reverse();
    expect(steps).toEqual(['downloading', 'verified', 'installed', 'active']);

    // Same service, same assistant: the context was swapped under it.
    expect(service.assistant).toBe(assistantBefore);
    expect(await text("it's toasty in here")).toMatchObject({ isUnderstood: true, intent: 'reportComfort', slots: { feeling: 'hot' } });
  });

  it('1.2.0 fails its acceptance test on the car: refused, the car stays on 1.1.0, the server sees failed with the reason', async () => {
    const context = CAR_YAML.replace('a bit hot, sweating]', 'a bit hot, sweating, toasty]');
    const target = await release('1.2.0', context, [...GOLDEN_BASE, { text: 'teleport me to the moon', intent: 'navigateTo' }]);
    const id = await campaign(target);

    const paused = await waitFor('campaign 1.2.0 to pause on the failure', async () => {
      const p = await progress(id);
      return p.campaign.state === 'paused' && p;
    });
    expect(paused.stages).toMatchObject([{ total: 1, succeeded: 0, failed: 1 }]);
    expect(paused.campaign.stateReason).toBe('stage 1 failure rate 100.0% is above 0.0%');
    const vehicle = await operatorGet(`/api/v1/vehicles/${VEHICLE}`);
    // What the car declared at this check-in: 1.1.0 installed.
    expect(vehicle).toMatchObject({ lastStep: 'failed', installed: { 'car-context': { version: '1.1.0' } } });
    expect(vehicle.assignment).toMatchObject({ releaseId: target, status: 'failed' });
    expect(vehicle.assignment.reason).toMatch(/acceptance/i);
    expect(vehicle.assignment.reason).toContain('"teleport me to the moon" gave nothing, expected navigateTo');

    const status = await carStatus();
    expect(voiceModel(status)).toMatchObject({ version: '1.1.0', slot: 'A' });
    expect(status.lastResult).toMatchObject({ step: 'failed', version: '1.2.0' });
    expect(await text("it's toasty in here")).toMatchObject({ isUnderstood: true, intent: 'reportComfort' });
  });

  it('an operator rollback of 1.2.1 brings back 1.1.0 from the previous slot', async () => {
    const context = CAR_YAML.replace('a bit hot, sweating]', 'a bit hot, sweating, toasty]').replace('a little cold, so cold]', 'a little cold, so cold, nippy]');
    const target = await release('1.2.1', context, [...GOLDEN_BASE, { text: "it's nippy in here", intent: 'reportComfort' }]);
    // The rollback target is named: by default it would be the newest older release (the refused 1.2.0).
    const id = await campaign(target, '--previous', v110);
    await waitFor('campaign 1.2.1 to complete', async () => (await progress(id)).campaign.state === 'completed');
    expect(voiceModel(await carStatus())).toMatchObject({ version: '1.2.1', slot: 'B', previous: { version: '1.1.0', slot: 'A' } });
    expect(await text("it's nippy in here")).toMatchObject({ isUnderstood: true, slots: { feeling: 'cold' } });

    const before = pushes.length;
    expect(await ota('campaign', 'rollback', '--id', id)).toMatchObject({ vehicles: 1, campaign: { state: 'rolled_back' } });
    await waitFor('the rollback push', async () => pushes.length > before);
    const back = await waitFor('the rollback to finish', async () => {
      const p = await progress(id);
      return p.rollback.done === 1 && p;
    });
    expect(back.rollback).toEqual({ total: 1, done: 1, failed: 0 });
    const status = await carStatus();
    expect(voiceModel(status)).toMatchObject({ version: '1.1.0', slot: 'A' });
    expect(status.lastResult).toMatchObject({ step: 'active', version: '1.1.0' });
    expect(await text("it's nippy in here")).toMatchObject({ isUnderstood: false });
    expect(await text("it's toasty in here")).toMatchObject({ isUnderstood: true, intent: 'reportComfort' });
  });
});

describe.skipIf(!hasEspeak)('OTA speech-model update, fleet server to car, end to end', () => {
  const say = (file: string, phrase: string): string => {
    execFileSync('espeak-ng', ['-v', 'en-us', '-s', '150', '-w', file, phrase]);
    return file;
  };
  const GOLDEN = [
    { phrase: 'lock the doors', intent: 'lockDoors' },
    { phrase: 'turn on the air conditioning', intent: 'setAirConditioning', slots: { state: 'on' } },
    { phrase: 'what a lovely day for a picnic', intent: null },
  ];

  it('a speech-model release is installed after its golden WAVs pass on the car; POST /v1/voice answers on the new engine', async () => {
    const speechModel = (s: Record<string, any>) => (s.models as Array<Record<string, any>>).find((m) => m.kind === 'speech-model');
    // The agent loaded the shipped model at start (the only engine: no second one was loaded for the routes).
    expect(speechModel(await carStatus())).toMatchObject({ name: 'speech-en-us', version: '0.0.0', slot: 'factory' });
    const engineBefore = service.speech;
    expect(engineBefore).toBeDefined();

    // The bundle: the model's own files in model/ (manifest.json at the root is the OTA manifest), the
    // context the golden WAVs are decoded against, the WAVs and the golden set.
    const src = join(dir, 'src-speech-1.0.0');
    mkdirSync(join(src, 'model'), { recursive: true });
    mkdirSync(join(src, 'golden'));
    for (const f of ['manifest.json', 'student.int8.onnx', 'lexicon.txt.gz']) copyFileSync(join(SPEECH_ARTIFACTS, f), join(src, 'model', f));
    writeFileSync(join(src, 'car.yaml'), CAR_YAML);
    const utterances = GOLDEN.map((g, i) => {
      say(join(src, 'golden', `${i}.wav`), g.phrase);
      return { wav: `golden/${i}.wav`, intent: g.intent, ...(g.slots ? { slots: g.slots } : {}) };
    });
    writeFileSync(join(src, 'golden.json'), JSON.stringify({ context: 'car.yaml', utterances }, null, 2));
    const manifest = join(dir, 'manifest-speech-1.0.0.json');
    writeFileSync(manifest, JSON.stringify({
      name: 'speech-en-us', version: '1.0.0', kind: 'speech-model',
      supports: { serviceVersions: '^0.1.0', hardware: [HARDWARE] },
      acceptance: { minAccuracy: 1, maxLatencyMs: 3000, healthWindowS: 1 },
      files: [
        { path: 'model/manifest.json', role: 'other' },
        { path: 'model/student.int8.onnx', role: 'model' },
        { path: 'model/lexicon.txt.gz', role: 'other' },
        { path: 'car.yaml', role: 'other' },
        ...utterances.map((u) => ({ path: u.wav, role: 'other' })),
        { path: 'golden.json', role: 'acceptance-data' },
      ],
    }));
    const out = join(dir, 'speech-en-us-1.0.0.bundle');
    expect(await ota('bundle', 'build', '--dir', src, '--manifest', manifest, '--out', out)).toMatchObject({ files: 8 });
    await ota('release', 'publish', '--bundle', out, '--sign', join(dir, 'keys/targets.json'));
    const id = await campaign('speech-en-us-1.0.0.bundle');

    await waitFor('campaign speech 1.0.0 to complete', async () => (await progress(id)).campaign.state === 'completed', 20_000);
    const status = await carStatus();
    expect(speechModel(status)).toMatchObject({ name: 'speech-en-us', version: '1.0.0', slot: 'A' });
    expect(status.lastResult).toMatchObject({ step: 'active', name: 'speech-en-us', version: '1.0.0' });

    // A new engine answers; the old one was closed once its requests were done.
    expect(service.speech).toBeDefined();
    expect(service.speech).not.toBe(engineBefore);
    await waitFor('the old engine to close', async () => engineBefore!.recognize(new Float32Array(1600), service.assistant.context).then(() => false, (err: Error) => /closed/i.test(err.message)));
    const wav = readFileSync(say(join(dir, 'lock.wav'), 'lock the doors'));
    const res = await fetch(`${service.url}/v1/voice`, { method: 'POST', headers: { 'content-type': 'audio/wav' }, body: wav });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ isUnderstood: true, intent: 'lockDoors' });
  }, 30_000);
});
