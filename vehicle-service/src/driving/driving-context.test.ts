import { catalog } from '@auriga/common';
import { describe, expect, it } from 'vitest';
import { VehicleState } from '../vehicle/state.js';
import { DrivingContext } from './driving-context.js';
import { ungroundedNumbers } from './facts.js';
import { P, tyrePressurePath, WHEELS } from './signals.js';
import { SituationModel } from './situation/model.js';
import { FEATURE_COUNT } from './situation/features.js';
import { MemoryDrivingStore } from './store.js';
import type { DrivingNotification } from './types.js';

const T0 = Date.UTC(2026, 10, 29, 8, 0, 0);

function setup(opts: { model?: SituationModel } = {}) {
  const state = new VehicleState(catalog.signals);
  let now = T0;
  const set = (path: string, value: number | string | boolean) => state.update(state.slot(path)!, value, now);
  const store = new MemoryDrivingStore();
  let id = 0;
  const ctx = new DrivingContext({ state, store, now: () => now, tickMs: 0, newTripId: () => `trip-${++id}`, ...(opts.model ? { model: opts.model } : {}) });
  const delivered: DrivingNotification[] = [];
  ctx.on('notification', (n) => delivered.push(n));
  return { state, ctx, store, set, delivered, advance: (ms: number) => { now += ms; }, now: () => now };
}

/** Drives `seconds` at `kmh` with a leak on RL, one update per second (signals as the bus would send them). */
function drive(h: ReturnType<typeof setup>, seconds: number, kmh: number, leakKpaPerMin = 0, odoStart = { km: 12_000 }) {
  for (let s = 0; s < seconds; s++) {
    h.advance(1000);
    h.set(P.speed, kmh + (s % 2 ? 0.3 : -0.3));
    h.set(P.accelLong, s % 2 ? 0.1 : -0.1);
    odoStart.km += kmh / 3600;
    h.set(P.odometer, Math.round(odoStart.km * 10) / 10);
    const t = h.now() - T0;
    for (const w of WHEELS) h.set(tyrePressurePath(w), Math.round(250 - (w === 'RL' ? (leakKpaPerMin * t) / 60_000 : 0)));
    h.ctx.tick();
  }
}

describe('DrivingContext', () => {
  it('a drive with a slow leak: one tyre notification, trip statistics, a grounded summary naming the pressure', async () => {
    const h = setup();
    h.set(P.gear, 127);
    h.set(P.consumption, 7);
    h.set(P.ignition, 'ON');
    expect(h.ctx.context().tripId).toBe('trip-1');
    const odo = { km: 12_000 };
    drive(h, 1800, 100, 1.5, odo);
    const tyres = h.delivered.filter((n) => n.kind === 'tyre_pressure');
    expect(tyres).toHaveLength(1);
    expect(tyres[0]!.text).toMatch(/^The rear left tyre is losing pressure: 235 kPa/);
    expect(ungroundedNumbers(tyres[0]!.text, tyres[0]!.facts)).toEqual([]);
    expect(h.ctx.context().activeEvents.map((e) => e.kind)).toContain('tyre_pressure');
    const live = await h.ctx.tripSummary('current', 'en-US');
    expect(live.text).toMatch(/^The rear left tyre is losing pressure: 205 kPa, 45 kPa below the others/);
    h.advance(1000);
    h.set(P.speed, 0);
    h.set(P.ignition, 'OFF');
    const trips = await h.ctx.listTrips();
    expect(trips).toHaveLength(1);
    const trip = trips[0]!;
    expect(trip.endedAt).toBe(h.now());
    expect(trip.stats.distanceKm).toBeCloseTo(50, 0);
    expect(trip.stats.fuelUsedL).toBeCloseTo(3.5, 1);
    expect(trip.stats.maxSpeedKmh).toBeCloseTo(100.3, 5);
    expect(trip.stats.situations.highway).toBeGreaterThan(1700);
    const summary = await h.ctx.tripSummary('trip-1', 'zh-CN');
    expect(summary.text).toContain('左后轮胎压正在下降：205 kPa');
    expect(summary.facts.find((f) => f.id === 'tyre.RL.pressure')).toMatchObject({ value: 205, unit: 'kPa', path: tyrePressurePath('RL') });
    expect(ungroundedNumbers(summary.text, summary.facts)).toEqual([]);
    // The end-of-trip summary is a notification too, and everything is in the store.
    const stored = await h.ctx.notifications();
    expect(stored.map((n) => n.kind)).toEqual(['trip_summary', 'tyre_pressure']);
    await expect(h.ctx.tripSummary('current')).rejects.toMatchObject({ code: 'AURIGA_ERR_DRIVING_NO_CURRENT_TRIP' });
    await expect(h.ctx.getTrip('nope')).rejects.toMatchObject({ code: 'AURIGA_ERR_DRIVING_TRIP_NOT_FOUND', statusCode: 404 });
    await h.ctx.destroy();
    await h.ctx.destroy();
  });

  it('holds a low-fuel notification during a voice interaction and delivers it after, with the range', async () => {
    const h = setup();
    h.set(P.ignition, 'ON');
    h.set(P.fuelRange, 61_400);
    h.ctx.setInteractionActive(true);
    h.set(P.fuelLevel, 14);
    expect(h.delivered).toHaveLength(0);
    h.advance(4000);
    h.ctx.setInteractionActive(false);
    expect(h.delivered).toHaveLength(1);
    expect(h.delivered[0]!.text).toBe('Fuel is low: 14% left, about 61 km of range.');
    expect(h.delivered[0]!.deliveredAt - h.delivered[0]!.createdAt).toBe(4000);
    // Still low a minute later, dipping and recovering around the threshold: no nagging.
    h.set(P.fuelLevel, 16);
    h.set(P.fuelLevel, 15);
    expect(h.delivered).toHaveLength(1);
    await h.ctx.destroy();
  });

  it('stops listening after destroy and saves the trip in progress', async () => {
    const h = setup();
    h.set(P.ignition, 'ON');
    drive(h, 10, 30);
    await h.ctx.destroy();
    h.set(P.ignition, 'OFF');
    const saved = await h.store.trips();
    expect(saved).toHaveLength(1);
    expect(saved[0]!.endedAt).toBeUndefined();
  });

  it('with the ONNX model: situation from the model, style score on the trip', async () => {
    const model = await SituationModel.load();
    const h = setup({ model });
    h.set(P.gear, 127);
    h.set(P.ignition, 'ON');
    h.set(P.cruise, true);
    for (let s = 0; s < 120; s++) {
      drive(h, 1, 120 + (s % 5));
      await new Promise((r) => setImmediate(r));
    }
    const ctx = h.ctx.context();
    expect(ctx.situation).toBe('highway');
    expect(ctx.source).toBe('model');
    expect(ctx.style).toBeGreaterThanOrEqual(0);
    expect(h.ctx.currentTrip()!.stats.styleScore).toBeDefined();
    expect(h.ctx.stats.modelRuns).toBeGreaterThan(30);
    await h.ctx.destroy();
  });
});

describe('model swap (OTA driving-context-model update)', () => {
  it('uses the new model from the next window and closes the old one', async () => {
    const state = new VehicleState(catalog.signals);
    const oldModel = await SituationModel.load();
    const newModel = await SituationModel.load();
    const ctx = new DrivingContext({ state, store: new MemoryDrivingStore(), now: () => T0, tickMs: 0, model: oldModel });
    expect(ctx.modelPath).toBe(oldModel.path);
    ctx.setModel(newModel);
    await new Promise((r) => setTimeout(r, 20));
    // The old session is released: running it now fails, the new one answers.
    await expect(oldModel.run(new Float32Array(FEATURE_COUNT))).rejects.toThrow();
    await expect(newModel.run(new Float32Array(FEATURE_COUNT))).resolves.toHaveProperty('situation');
    await ctx.destroy();
  });
});
