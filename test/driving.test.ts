/**
 * Driving context end to end: can-sim's long-highway-leak scenario (a slow leak in the rear-left tyre,
 * fuel running low) 100x faster than real time over the machine's Mosquitto, the vehicle service
 * ingesting it, and the DrivingContext (ONNX model + rules) on the service's state and SQLite store.
 * The driving context runs on the simulator's clock, so durations and leak rates are in simulated time.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator, type CarSimulator } from '@auriga/can-sim';
import { driving, isDrivingStore, loadConfig, startVehicleService } from '@auriga/vehicle-service';
import { waitFor } from '@auriga/common/testing';

const MOSQUITTO = 'mqtt://127.0.0.1:1883';
const RL = 'Vehicle.Chassis.Axle.Row2.Wheel.Left.Tire.Pressure';
const silent = pino({ level: 'silent' });

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

describe('driving context on can-sim long-highway-leak (Mosquitto, faster than real time)', () => {
  it('one tyre notification, a trip summary naming the right pressure in en-US and zh-CN, mostly highway', async () => {
    const topicRoot = `auriga-test/${randomUUID()}/v1`;
    const dataDir = mkdtempSync(join(tmpdir(), 'auriga-driving-e2e-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const config = loadConfig({}, { http: { port: 0 }, dataDir, mqtt: { url: MOSQUITTO, topicRoot, reconnectMinMs: 50, reconnectMaxMs: 250 } });
    let sim: CarSimulator | undefined;
    // The service's own driving context, on the simulator's clock: trip durations and the leak rate come out in
    // simulated time. At 100x, 60 s of simulated time is 0.6 s of wall time: inference and MQTT delivery run on
    // the wall clock, so a busy machine must not make the model output or a late batch look old.
    const service = await startVehicleService(config, {
      logger: silent,
      defaultMetrics: false,
      driving: {
        now: () => (sim ? Math.round((sim.epoch + sim.simTime) * 1000) : Date.now()),
        tickMs: 20,
        modelFreshMs: 60_000,
        staleGraceMs: 60_000,
      },
    });
    cleanups.push(() => service.close());
    expect(isDrivingStore(service.store)).toBe(true);
    const ctx = service.driving;
    const notifications: driving.DrivingNotification[] = [];
    ctx.on('notification', (n) => notifications.push(n));
    const flips: Array<[string, number, number]> = [];
    ctx.on('situation', (x, at) => flips.push([x, Math.round(at / 1000 - (sim?.epoch ?? 0)), Math.round(sim?.simTime ?? 0)]));

    sim = await startSimulator({ mqttUrl: MOSQUITTO, topicRoot, scenario: 'long-highway-leak', timeScale: 100, seed: 3, logger: silent });
    cleanups.push(() => sim!.stop());
    await waitFor('a trip to start', () => ctx.context().tripId !== undefined, 10_000);
    await waitFor('the tyre notification', () => notifications.some((n) => n.kind === 'tyre_pressure'), 60_000);
    // Keep driving a few simulated minutes: the leak goes on, but the driver is told once.
    const seen = sim.simTime;
    await waitFor('3 more simulated minutes', () => sim!.simTime > seen + 180, 30_000);
    sim.set({ speedKmh: 0, ignition: 'off' });
    const ended = await new Promise<{ trip: driving.TripRecord; summary: driving.Summary }>((resolve) =>
      ctx.once('tripEnded', (trip, summary) => resolve({ trip, summary })),
    );
    sim.pause();

    const tyre = notifications.filter((n) => n.kind === 'tyre_pressure');
    expect(tyre).toHaveLength(1);
    expect(tyre[0]!.subject).toBe('RL');
    expect(notifications.filter((n) => n.kind === 'low_fuel').length).toBeLessThanOrEqual(1);

    // The end-of-trip summary leads with the tyre, at the pressure the car reported.
    const { trip, summary } = ended;
    expect(summary.text).toMatch(/^The rear left tyre is losing pressure: \d+ kPa/);
    const pressure = summary.facts.find((f) => f.id === 'tyre.RL.pressure')!;
    expect(pressure).toMatchObject({ path: RL, unit: 'kPa' });
    const reported = service.state.get(RL)!.value as number;
    expect(Math.abs((pressure.value as number) - reported)).toBeLessThanOrEqual(2);
    expect(Math.abs((pressure.value as number) - sim.state.tpms.tyres.RL.pressureKpa)).toBeLessThanOrEqual(4);
    expect(summary.text).toContain(`${pressure.value} kPa`);
    expect(driving.ungroundedNumbers(summary.text, summary.facts)).toEqual([]);

    // Same trip from the store, in Chinese.
    const zh = await ctx.tripSummary(trip.id, 'zh-CN');
    expect(zh.text).toContain(`左后轮胎压正在下降：${pressure.value} kPa`);
    expect(driving.ungroundedNumbers(zh.text, zh.facts)).toEqual([]);
    const stored = await ctx.notifications();
    expect(stored.filter((n) => n.kind === 'tyre_pressure')).toHaveLength(1);

    // Situations: mostly highway, as the simulator's ground truth says.
    const s = trip.stats.situations;
    const moving = s.stop_and_go + s.city + s.rural + s.highway;
    const truth = sim.labelHistory();
    const truthMoving = truth.filter((x) => x.label !== 'parked').reduce((a, x) => a + x.to - x.from, 0);
    const truthHighway = truth.filter((x) => x.label === 'highway').reduce((a, x) => a + x.to - x.from, 0);
    const why = JSON.stringify({ flips, s, stats: ctx.stats, truth: truth.map((x) => [x.label, Math.round(x.from), Math.round(x.to)]) });
    expect(s.highway / moving, why).toBeGreaterThan(0.75);
    expect(Math.abs(s.highway / moving - truthHighway / truthMoving), why).toBeLessThan(0.15);
    expect(trip.stats.distanceKm).toBeGreaterThan(10);
    expect(trip.stats.maxSpeedKmh).toBeGreaterThan(100);
    // The model ran along (how often depends on the machine: at 100x a second of driving is 10 ms of wall time).
    expect(ctx.stats.modelRuns).toBeGreaterThan(50);
    expect(ctx.stats.modelErrors).toBe(0);
    expect(ctx.stats.decidedByModel).toBeGreaterThan(ctx.stats.decidedByRules);
  }, 120_000);
});
