/**
 * Ingest throughput: CAN frames per second the vehicle service takes from the broker, decodes with
 * the DBC and applies to its VSS state (change events, stream hub, history sampling included), and
 * the CPU it spends doing so.
 *
 * The service runs as its own process (vehicle-service/src/main.ts, embedded aedes broker in that
 * process, as deployed); this process floods it with realistic frames: every cyclic message of the
 * project DBC in proportion to its cycle rate, with random in-range signal values (so values change),
 * in MQTT batches of 50 frames. Frames and CPU are read from the service's /metrics
 * (auriga_can_frames_ingested_total, process_cpu_seconds_total; the CPU includes the embedded broker).
 *
 * Phases: the target rate (20,000 frames/s offered: must be kept up with under one core) and a flood
 * (200,000 frames/s offered: the most it reaches, backlog drained at the end).
 * BASELINE in the same run: the raw decode rate without MQTT, in this process on one core:
 * Ingest.applyBatch on the same batches, and the bare codec (createDbcCodec().decodeFrame).
 *
 *   node --import tsx bench/ingest.ts [--quick]
 *
 * --quick: 3 s per phase instead of 10. Prints one JSON object; pass = the target phase ingests
 * >= 98 % of the 20,000 frames/s offered with less than one core.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { connectAsync } from 'mqtt';
import { createDbcCodec, createTopics, decodeFrameBatch, encodeFrameBatch, loadDefaultVehicle, type CanFrame, type DbcMessage } from '@auriga/common';
import { disableNagle, Ingest, VehicleState } from '@auriga/vehicle-service';
import { startServiceProcess, type ServiceProcess } from './support/service-process.js';

export const TARGET_FRAMES_PER_SECOND = 20_000;
const FLOOD_FRAMES_PER_SECOND = 200_000;
const BATCH = 50;

/** Deterministic PRNG so runs compare. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function realisticBatches(count: number): Buffer[] {
  const { dbc } = loadDefaultVehicle();
  const codec = createDbcCodec(dbc);
  const rand = mulberry32(42);
  const cyclic = dbc.messages.filter((m) => m.sender !== 'HU' && m.cycleTimeMs);
  // Weighted by frequency: a 10 ms message appears 100x as often as a 1000 ms one.
  const weights = cyclic.map((m) => 1 / m.cycleTimeMs!);
  const total = weights.reduce((a, b) => a + b, 0);
  const pick = (): DbcMessage => {
    let r = rand() * total;
    for (let i = 0; i < cyclic.length; i++) if ((r -= weights[i]!) <= 0) return cyclic[i]!;
    return cyclic[cyclic.length - 1]!;
  };
  const frameFor = (m: DbcMessage): CanFrame => {
    const values: Record<string, number> = {};
    const muxValue = m.multiplexer ? Math.floor(rand() * 4) : undefined;
    for (const s of m.signals) {
      if (s.unusable) continue;
      if (s.isMultiplexer) {
        values[s.name] = muxValue!;
        continue;
      }
      if (s.multiplexValue !== undefined && s.multiplexValue !== muxValue) continue;
      const steps = Math.max(0, Math.floor((s.maximum - s.minimum) / s.factor));
      values[s.name] = s.minimum + Math.floor(rand() * (steps + 1)) * s.factor;
    }
    try {
      return codec.encodeFrame(m.name, values, Date.now() / 1000);
    } catch {
      return codec.encodeFrame(m.name, {}, Date.now() / 1000);
    }
  };
  return Array.from({ length: count }, () => encodeFrameBatch(Array.from({ length: BATCH }, () => frameFor(pick()))));
}

interface Phase {
  offeredFramesPerSecond: number;
  seconds: number;
  framesSent: number;
  framesIngested: number;
  ingestedFramesPerSecond: number;
  keptUp: boolean;
  serviceCpuCores: number;
}

async function runPhase(service: ServiceProcess, topicRoot: string, batches: Buffer[], rate: number, seconds: number): Promise<Phase> {
  const client = await connectAsync(service.mqttUrl, { clean: true });
  disableNagle(client);
  const topic = createTopics(topicRoot).frames('can0');
  const frames0 = await service.metric('auriga_can_frames_ingested_total');
  const cpu0 = await service.metric('process_cpu_seconds_total');
  const t0 = performance.now();
  let sent = 0;
  let i = 0;
  while (performance.now() - t0 < seconds * 1000) {
    const due = Math.floor(((performance.now() - t0) / 1000) * rate / BATCH);
    while (sent / BATCH < due) {
      client.publish(topic, batches[i++ % batches.length]!, { qos: 0 });
      sent += BATCH;
    }
    await new Promise((r) => setTimeout(r, 1));
  }
  // Let what is in flight arrive: wait until the counter stops moving (at most 3 s).
  let last = -1;
  let frames1 = await service.metric('auriga_can_frames_ingested_total');
  const drainDeadline = performance.now() + 3000;
  while (frames1 !== last && frames1 - frames0 < sent && performance.now() < drainDeadline) {
    last = frames1;
    await new Promise((r) => setTimeout(r, 100));
    frames1 = await service.metric('auriga_can_frames_ingested_total');
  }
  const elapsed = (performance.now() - t0) / 1000;
  const cpu1 = await service.metric('process_cpu_seconds_total');
  await client.endAsync();
  const ingested = frames1 - frames0;
  return {
    offeredFramesPerSecond: rate,
    seconds: round(elapsed, 2),
    framesSent: sent,
    framesIngested: ingested,
    ingestedFramesPerSecond: Math.round(ingested / elapsed),
    keptUp: ingested >= sent * 0.98,
    serviceCpuCores: round((cpu1 - cpu0) / elapsed, 3),
  };
}

function round(x: number, digits: number): number {
  return Math.round(x * 10 ** digits) / 10 ** digits;
}

/** BASELINE: frames/s on one core, no MQTT. */
function baselines(batches: Buffer[], seconds: number): { ingestApplyBatch: number; codecDecodeFrame: number } {
  const { dbc, catalog, mapping } = loadDefaultVehicle();
  const codec = createDbcCodec(dbc);
  const state = new VehicleState(catalog.signals);
  state.on('change', () => undefined); // a listener, as the service has (stream hub, history)
  const ingest = new Ingest({ codec, mapping, state, staleFactor: 3, now: Date.now });
  let frames = 0;
  let t0 = performance.now();
  for (let i = 0; performance.now() - t0 < seconds * 1000; i++) frames += ingest.applyBatch(batches[i % batches.length]!);
  const ingestRate = frames / ((performance.now() - t0) / 1000);

  const decoded = batches.flatMap((b) => decodeFrameBatch(b));
  frames = 0;
  t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) {
    for (const f of decoded) codec.decodeFrame(f);
    frames += decoded.length;
  }
  const codecRate = frames / ((performance.now() - t0) / 1000);
  return { ingestApplyBatch: Math.round(ingestRate), codecDecodeFrame: Math.round(codecRate) };
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const seconds = quick ? 3 : 10;
  const batches = realisticBatches(200);
  const baseline = baselines(batches, quick ? 1 : 3);

  const dataDir = mkdtempSync(join(tmpdir(), 'auriga-bench-'));
  const topicRoot = `auriga-bench/${randomUUID()}/v1`;
  const service = await startServiceProcess({ DATA_DIR: dataDir, MQTT_TOPIC_ROOT: topicRoot, LOG_LEVEL: 'info' });
  try {
    const target = await runPhase(service, topicRoot, batches, TARGET_FRAMES_PER_SECOND, seconds);
    const flood = await runPhase(service, topicRoot, batches, FLOOD_FRAMES_PER_SECOND, seconds);
    const result = {
      bench: 'ingest',
      quick,
      batchFrames: BATCH,
      phases: { target, flood },
      maxIngestedFramesPerSecond: Math.max(target.ingestedFramesPerSecond, flood.ingestedFramesPerSecond),
      baselineFramesPerSecond: baseline,
      target: { framesPerSecond: TARGET_FRAMES_PER_SECOND, cpuCores: 1 },
      pass: target.keptUp && target.serviceCpuCores < 1,
      node: process.version,
      cpus: cpus().length,
      loadAverage1m: round(loadavg()[0]!, 2),
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    const code = await service.stop();
    if (code !== 0) process.stderr.write(`the service exited with ${code} on SIGTERM\n`);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`ingest: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
