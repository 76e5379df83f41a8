/**
 * Driving-context cost: what the DrivingContext adds per second of live signals, and how long a
 * grounded summary of a 2-hour trip takes to build (target: under 50 ms).
 *
 * 1. Records a drive: can-sim's long-highway-leak scenario stepped directly (no MQTT), its frames decoded
 *    by the service's Ingest into a VehicleState; every state change is recorded (path, value, time).
 * 2. Replays the recorded changes (12 times, shifted in time = 2 hours) into a fresh VehicleState:
 *    BASELINE the state alone (no listener), then with a DrivingContext with rules only, then with rules
 *    + the ONNX model (one inference per second of signals). Cost = wall time / seconds of signals.
 * 3. Summaries of the resulting 2-hour trip (en-US and zh-CN) and the API path (tripSummary through the
 *    store): median and p99 over many runs.
 *
 *   node --import tsx bench/driving-context.ts [--quick]
 */
import { performance } from 'node:perf_hooks';
import { createDbcCodec, loadDefaultVehicle, type SignalValue } from '@auriga/common';
import { CarSimulator } from '@auriga/can-sim';
import { DrivingContext, driving, Ingest, SituationModel, VehicleState } from '@auriga/vehicle-service';

const quick = process.argv.includes('--quick');
const RECORD_S = quick ? 300 : 600;
const REPEATS = Math.ceil(7200 / RECORD_S);
const ODOMETER = 'Vehicle.TraveledDistance';

interface Change { path: string; value: SignalValue; t: number }

function record(): Change[] {
  const vehicle = loadDefaultVehicle();
  const sim = new CarSimulator({ scenario: 'long-highway-leak', seed: 11, dt: 0.02, epoch: 0 });
  let now = 0;
  const state = new VehicleState(vehicle.catalog.signals);
  const ingest = new Ingest({ codec: createDbcCodec(vehicle.dbc), mapping: vehicle.mapping, state, staleFactor: 3, now: () => now });
  sim.on('frames', (frames) => { for (const f of frames) ingest.applyFrame(f); });
  const changes: Change[] = [];
  state.on('change', (c) => { if (!c.stale && c.value !== undefined) changes.push({ path: c.path, value: c.value, t: c.timestamp }); });
  for (let i = 0; i < RECORD_S * 10; i++) {
    now = Math.round((sim.simTime + 0.1) * 1000);
    sim.advance(0.1);
  }
  void sim.stop();
  return changes;
}

/** The recorded drive repeated `REPEATS` times back to back (odometer continued), as one long trip. */
function* longDrive(changes: Change[]): Generator<Change> {
  const span = RECORD_S * 1000;
  const odoStart = changes.find((c) => c.path === ODOMETER)?.value as number;
  const odoEnd = [...changes].reverse().find((c) => c.path === ODOMETER)?.value as number;
  for (let r = 0; r < REPEATS; r++) {
    for (const c of changes) {
      // The ignition goes on once: repeats only continue driving.
      if (r > 0 && c.path === 'Vehicle.LowVoltageSystemState') continue;
      const value = c.path === ODOMETER ? (c.value as number) + r * (odoEnd - odoStart) : c.value;
      yield { path: c.path, value, t: c.t + r * span };
    }
  }
}

async function replay(changes: Change[], mode: 'state-only' | 'rules' | 'rules+model') {
  const vehicle = loadDefaultVehicle();
  const state = new VehicleState(vehicle.catalog.signals);
  let now = 0;
  const model = mode === 'rules+model' ? await SituationModel.load() : undefined;
  const ctx = mode === 'state-only' ? undefined : new DrivingContext({ state, now: () => now, tickMs: 0, ...(model ? { model } : {}) });
  if (mode === 'state-only') state.on('change', () => undefined);
  const slots = new Map(vehicle.catalog.signals.map((s) => [s.path, state.slot(s.path)!]));
  let n = 0;
  let nextYield = 1000;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  for (const c of longDrive(changes)) {
    now = c.t;
    state.update(slots.get(c.path)!, c.value, c.t);
    n++;
    // Once per second of signals let the model's inference complete (as the event loop would).
    if (c.t >= nextYield) {
      nextYield += 1000;
      if (model) await new Promise((r) => setImmediate(r));
    }
  }
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const seconds = REPEATS * RECORD_S;
  const trip = ctx?.currentTrip();
  const out = {
    mode,
    changes: n,
    changesPerSignalSecond: Math.round(n / seconds),
    wallMs: Math.round(wallMs),
    usPerSignalSecond: Math.round((wallMs * 1000) / seconds),
    cpuUsPerSignalSecond: Math.round((cpu.user + cpu.system) / seconds),
    ...(ctx ? { modelRuns: ctx.stats.modelRuns, situations: trip && Object.fromEntries(Object.entries(trip.stats.situations).map(([k, v]) => [k, Math.round(v)])) } : {}),
  };
  return { out, ctx, trip };
}

function timeIt(fn: () => unknown, runs: number): { medianMs: number; p99Ms: number; maxMs: number } {
  for (let i = 0; i < Math.min(20, runs); i++) fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const r = (x: number) => Math.round(x * 1000) / 1000;
  return { medianMs: r(times[times.length >> 1]!), p99Ms: r(times[Math.floor(times.length * 0.99)]!), maxMs: r(times[times.length - 1]!) };
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const changes = record();
  const recordMs = Math.round(performance.now() - t0);
  const baseline = await replay(changes, 'state-only');
  const rules = await replay(changes, 'rules');
  const withModel = await replay(changes, 'rules+model');
  const trip = withModel.trip!;
  const runs = quick ? 200 : 1000;
  const summaryEn = timeIt(() => driving.summarizeTrip(trip, 'en-US'), runs);
  const summaryZh = timeIt(() => driving.summarizeTrip(trip, 'zh-CN'), runs);
  // Worst case: the trip full of events (500 = the per-trip cap), every kind present.
  const busy = structuredClone(trip);
  const kinds = driving.EVENT_KINDS;
  busy.events = Array.from({ length: 500 }, (_, i): driving.DrivingEvent => {
    const kind = kinds[i % kinds.length]!;
    const at = trip.startedAt + i * 10_000;
    const tyre = kind === 'tyre_pressure';
    return {
      id: `${kind}:${i}`, kind, severity: 'warning', subject: tyre ? 'RL' : kind === 'warning' ? 'Vehicle.OBD.Status.IsMILOn' : '',
      path: tyre ? 'Vehicle.Chassis.Axle.Row2.Wheel.Left.Tire.Pressure' : kind === 'warning' ? 'Vehicle.OBD.Status.IsMILOn' : 'Vehicle.Speed',
      value: tyre ? 190 - i / 100 : kind === 'warning' ? true : 135 + (i % 10), unit: '', startedAt: at, valueAt: at,
      data: { range: { value: 80, unit: 'km', path: 'Vehicle.Powertrain.FuelSystem.Range', at }, speed: { value: 20, unit: 'km/h', path: 'Vehicle.Speed', at } },
    };
  });
  busy.stats.eventCounts = Object.fromEntries(kinds.map((k) => [k, 50]));
  const summaryBusy = timeIt(() => driving.summarizeTrip(busy, 'zh-CN'), runs);
  const apiTimes: number[] = [];
  for (let i = 0; i < (quick ? 50 : 200); i++) {
    const a = performance.now();
    await withModel.ctx!.tripSummary('current', i % 2 ? 'zh-CN' : 'en-US');
    apiTimes.push(performance.now() - a);
  }
  apiTimes.sort((a, b) => a - b);
  const example = driving.summarizeTrip(trip, 'en-US');
  await Promise.all([rules.ctx?.destroy(), withModel.ctx?.destroy()]);
  const targetMs = 50;
  const result = {
    bench: 'driving-context',
    quick,
    recorded: { scenario: 'long-highway-leak', seconds: RECORD_S, changes: changes.length, ms: recordMs },
    signalSeconds: REPEATS * RECORD_S,
    update: { baseline: baseline.out, rules: rules.out, rulesPlusModel: withModel.out },
    overheadUsPerSignalSecond: { rules: rules.out.usPerSignalSecond - baseline.out.usPerSignalSecond, rulesPlusModel: withModel.out.usPerSignalSecond - baseline.out.usPerSignalSecond },
    trip: { durationMin: Math.round(trip.stats.durationS / 60), distanceKm: Math.round(trip.stats.distanceKm), events: trip.events.length },
    summary: {
      en: summaryEn,
      zh: summaryZh,
      worstCase500EventsZh: summaryBusy,
      apiPath: { medianMs: Math.round(apiTimes[apiTimes.length >> 1]! * 1000) / 1000, p99Ms: Math.round(apiTimes[Math.floor(apiTimes.length * 0.99)]! * 1000) / 1000 },
      example: example.text,
      facts: example.facts.length,
    },
    targetMs,
    pass: summaryEn.p99Ms < targetMs && summaryZh.p99Ms < targetMs && summaryBusy.p99Ms < targetMs,
  };
  console.log(JSON.stringify(result, null, 2));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
