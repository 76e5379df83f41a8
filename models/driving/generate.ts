/**
 * Training data for the driving-context model: drives can-sim's scenarios (no MQTT: the simulator is
 * stepped directly), decodes its CAN frames with the vehicle service's own ingest into a VSS state, and
 * samples the same window features the service computes (vehicle-service/src/driving/situation/features.ts).
 * Labels are the simulator's ground truth (situation) and a style score computed from the true
 * dynamics at 10 Hz (jerk and peak accelerations), which the model only sees through 2 Hz signals.
 *
 *   node --import tsx models/driving/generate.ts --out DIR --seeds 1,2,3 [--scale 1]
 * writes DIR/windows.csv: FEATURE_NAMES..., label, style, scenario, seed, t
 */
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createDbcCodec, loadDefaultVehicle } from '@auriga/common';
import { CarSimulator } from '@auriga/can-sim';
import { Ingest } from '../../vehicle-service/src/vehicle/ingest.js';
import { VehicleState } from '../../vehicle-service/src/vehicle/state.js';
import { FEATURE_COUNT, FEATURE_NAMES, FeatureWindow, readSample, SAMPLE_HZ } from '../../vehicle-service/src/driving/situation/features.js';

export const SCENARIO_PLAN: ReadonlyArray<{ scenario: string; seconds: number }> = [
  { scenario: 'idle', seconds: 120 },
  { scenario: 'parked', seconds: 240 },
  { scenario: 'city', seconds: 1500 },
  { scenario: 'highway', seconds: 1200 },
  { scenario: 'night-rain', seconds: 1500 },
  { scenario: 'long-highway-leak', seconds: 600 },
];

export interface WindowRow {
  features: Float32Array;
  label: string;
  style: number;
  scenario: string;
  seed: number;
  t: number;
}

const STEP_S = 0.1;
/** Seconds between two emitted windows (windows overlap; this thins the autocorrelated rows). */
const EMIT_EVERY_S = 2;

/** Style target 0..100 from true dynamics over the last window (10 Hz): jerk, peak longitudinal and lateral acceleration. */
function styleScore(accel: number[], lat: number[]): number {
  let jerk = 0, peakA = 0, peakL = 0;
  for (let i = 1; i < accel.length; i++) jerk += Math.abs(accel[i]! - accel[i - 1]!) / STEP_S;
  jerk /= Math.max(1, accel.length - 1);
  for (const a of accel) peakA = Math.max(peakA, Math.abs(a));
  for (const l of lat) peakL = Math.max(peakL, Math.abs(l));
  const clip = (x: number) => Math.min(1, Math.max(0, x));
  return 100 * (0.4 * clip(jerk / 1.5) + 0.3 * clip(peakA / 3.5) + 0.3 * clip(peakL / 3.5));
}

/** Drives one scenario and calls `onRow` for every emitted window. */
export function driveScenario(scenario: string, seed: number, seconds: number, onRow: (row: WindowRow) => void): void {
  const vehicle = loadDefaultVehicle();
  const codec = createDbcCodec(vehicle.dbc);
  const sim = new CarSimulator({ scenario, seed, dt: 0.05, epoch: 0 });
  let nowMs = 0;
  const state = new VehicleState(vehicle.catalog.signals);
  for (const e of vehicle.mapping.entries) if (e.value !== undefined && state.has(e.path)) state.setConstant(e.path, e.value, 0);
  const ingest = new Ingest({ codec, mapping: vehicle.mapping, state, staleFactor: 3, now: () => nowMs });
  sim.on('frames', (frames) => {
    for (const f of frames) ingest.applyFrame(f);
  });
  const window = new FeatureWindow();
  const trueAccel: number[] = [];
  const trueLat: number[] = [];
  const keep = Math.round(20 / STEP_S);
  const stepsPerSample = Math.round(1 / SAMPLE_HZ / STEP_S);
  const stepsPerEmit = Math.round(EMIT_EVERY_S / STEP_S);
  const steps = Math.round(seconds / STEP_S);
  for (let i = 1; i <= steps; i++) {
    // Frames of this step are stamped with its end time (they arrive when advance() returns).
    nowMs = Math.round((sim.simTime + STEP_S) * 1000);
    sim.advance(STEP_S);
    ingest.checkStaleness(nowMs);
    trueAccel.push(sim.state.powertrain.accelerationMs2);
    trueLat.push(sim.state.chassis.lateralAccelMs2);
    if (trueAccel.length > keep) { trueAccel.shift(); trueLat.shift(); }
    if (i % stepsPerSample === 0) window.push(readSample((p) => state.freshValue(p)));
    if (i % stepsPerEmit === 0 && window.ready) {
      onRow({ features: window.features(), label: sim.groundTruthLabel(), style: styleScore(trueAccel, trueLat), scenario, seed, t: sim.simTime });
    }
  }
  void sim.stop();
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { out: { type: 'string' }, seeds: { type: 'string' }, scale: { type: 'string', default: '1' } } });
  if (!values.out || !values.seeds) throw new Error('usage: generate.ts --out DIR --seeds 1,2,3 [--scale 0.25]');
  const seeds = values.seeds.split(',').map((s) => Number.parseInt(s, 10));
  const scale = Number(values.scale);
  mkdirSync(values.out, { recursive: true });
  const file = join(values.out, 'windows.csv');
  const out = createWriteStream(file);
  out.write([...FEATURE_NAMES, 'label', 'style', 'scenario', 'seed', 't'].join(',') + '\n');
  const counts: Record<string, number> = {};
  const t0 = performance.now();
  for (const seed of seeds) {
    for (const { scenario, seconds } of SCENARIO_PLAN) {
      driveScenario(scenario, seed, Math.max(60, Math.round(seconds * scale)), (row) => {
        const f: string[] = [];
        for (let i = 0; i < FEATURE_COUNT; i++) f.push(Number(row.features[i]!.toPrecision(6)).toString());
        out.write(`${f.join(',')},${row.label},${row.style.toFixed(2)},${row.scenario},${row.seed},${row.t.toFixed(1)}\n`);
        counts[row.label] = (counts[row.label] ?? 0) + 1;
      });
    }
  }
  await new Promise<void>((resolve) => out.end(resolve));
  console.log(JSON.stringify({ file, seeds, scale, rows: counts, seconds: Math.round((performance.now() - t0) / 100) / 10 }));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
