import { catalog, isAurigaError } from '@auriga/common';
import { TypeBoxValidatorCompiler, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import fastifySwagger from '@fastify/swagger';
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { DrivingContext } from '../../driving/driving-context.js';
import { ungroundedNumbers } from '../../driving/facts.js';
import { P, tyrePressurePath, WHEELS } from '../../driving/signals.js';
import { VehicleState } from '../../vehicle/state.js';
import { drivingRoutes } from './driving.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup() {
  const state = new VehicleState(catalog.signals);
  let now = Date.UTC(2026, 10, 29, 9);
  const set = (path: string, value: number | string | boolean) => state.update(state.slot(path)!, value, now);
  const driving = new DrivingContext({ state, now: () => now, tickMs: 0, newTripId: () => 'trip-1' });
  const app = Fastify().withTypeProvider<TypeBoxTypeProvider>();
  app.setValidatorCompiler(TypeBoxValidatorCompiler);
  app.setErrorHandler((err, _req, reply) => {
    if (isAurigaError(err)) return reply.code(err.statusCode).send({ statusCode: err.statusCode, code: err.code, error: 'x', message: err.message });
    return reply.code((err as { statusCode?: number }).statusCode ?? 500).send({ statusCode: 400, code: 'AURIGA_ERR_API_VALIDATION', error: 'x', message: String(err) });
  });
  await app.register(fastifySwagger, { openapi: { info: { title: 'test', version: '1' } } });
  await app.register(drivingRoutes, { driving });
  cleanups.push(() => app.close(), () => driving.destroy());
  return { app, set, advance: (ms: number) => { now += ms; } };
}

describe('driving routes', () => {
  it('serve the context, trips, grounded summaries in both languages, and notifications', async () => {
    const { app, set, advance } = await setup();
    expect((await app.inject('/v1/trips/current')).statusCode).toBe(404);
    set(P.ignition, 'ON');
    set(P.fuelRange, 70_000);
    set(P.fuelLevel, 12);
    for (let s = 0; s < 600; s++) {
      advance(1000);
      set(P.speed, 60 + (s % 3));
      for (const w of WHEELS) set(tyrePressurePath(w), w === 'FR' ? 230 - Math.floor(s / 30) : 240);
    }
    const ctx = (await app.inject('/v1/context')).json();
    expect(ctx.tripId).toBe('trip-1');
    expect(ctx.activeEvents.map((e: { kind: string }) => e.kind).sort()).toEqual(['low_fuel', 'tyre_pressure']);
    const trips = (await app.inject('/v1/trips')).json();
    expect(trips).toHaveLength(1);
    expect(trips[0]).toMatchObject({ id: 'trip-1', inProgress: true });
    expect(trips[0].stats.distanceKm).toBeCloseTo(10, 0);
    const byId = (await app.inject('/v1/trips/trip-1')).json();
    expect(byId.stats.maxSpeedKmh).toBe(62);
    for (const lang of ['en-US', 'zh-CN']) {
      const res = await app.inject(`/v1/trips/current/summary?lang=${lang}`);
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body.lang).toBe(lang);
      expect(ungroundedNumbers(body.text, body.facts)).toEqual([]);
      expect(body.facts[0]).toMatchObject({ id: 'tyre.FR.pressure', value: 211, unit: 'kPa' });
    }
    const car = (await app.inject('/v1/context/summary?lang=zh-CN')).json();
    expect(car.text).toMatch(/^右前轮胎压正在下降/);
    const notes = (await app.inject('/v1/notifications')).json();
    expect(notes.map((n: { kind: string }) => n.kind).sort()).toEqual(['low_fuel', 'tyre_pressure']);
    expect((await app.inject('/v1/trips/nope')).json().code).toBe('AURIGA_ERR_DRIVING_TRIP_NOT_FOUND');
    expect((await app.inject('/v1/trips/current/summary?lang=fr-FR')).statusCode).toBe(400);
    expect((await app.inject('/v1/trips?limit=0')).statusCode).toBe(400);
  });

  it('documents every route in the OpenAPI spec', async () => {
    const { app } = await setup();
    await app.ready();
    const spec = app.swagger() as { paths: Record<string, unknown> };
    expect(Object.keys(spec.paths).sort()).toEqual(
      ['/v1/context', '/v1/context/summary', '/v1/notifications', '/v1/trips', '/v1/trips/{id}', '/v1/trips/{id}/summary'],
    );
  });
});
