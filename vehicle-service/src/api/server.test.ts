import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createServiceMetrics, type ServiceMetrics } from '../metrics/metrics.js';
import { createHarness } from '../test-support/harness.js';
import type { HealthDto } from './schemas.js';
import { buildApi, type Api } from './server.js';

const TEMP = 'Vehicle.Cabin.HVAC.Station.Row1.Driver.Temperature';
const WINDOW = 'Vehicle.Cabin.Door.Row1.DriverSide.Window.Position';

const apps: Api[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()));
});

async function setup(opts: { speed?: number } = {}) {
  let metrics: ServiceMetrics | undefined;
  const h = createHarness({ ...opts, onOutcome: (r) => metrics?.recordActuation(r) });
  h.feedStatus();
  metrics = createServiceMetrics(
    { ingest: () => h.ingest, mqttConnected: () => true, staleSignals: () => h.state.staleCount },
    { defaultMetrics: false },
  );
  let storeOk = true;
  const health = async (): Promise<HealthDto> => ({
    status: storeOk ? 'ok' : 'failing',
    uptimeS: 1,
    mqtt: { connected: true, url: 'mqtt://test', embeddedBroker: false },
    store: { ok: storeOk },
    vehicle: { fresh: true, lastFrameAt: 1, signals: h.state.size, staleSignals: h.state.staleCount, framesIngested: h.ingest.framesIngested, decodeErrors: 0 },
    closing: false,
  });
  const app = await buildApi({
    state: h.state,
    catalog: h.catalog,
    actuation: h.actuation,
    store: h.store,
    metrics,
    health,
    streamBatchMs: 20,
    clock: h.clock,
    logger: h.logger,
  });
  apps.push(app);
  return { ...h, app, metrics, setStoreOk: (ok: boolean) => (storeOk = ok) };
}

function expectError(res: { statusCode: number; json(): unknown }, status: number, code: string) {
  expect(res.statusCode).toBe(status);
  const body = res.json() as Record<string, unknown>;
  expect(body).toMatchObject({ statusCode: status, code, error: expect.any(String), message: expect.any(String) });
  return body.message as string;
}

describe('HTTP API', () => {
  it('lists every signal, or a VSS branch', async () => {
    const t = await setup({ speed: 42 });
    const all = await t.app.inject({ method: 'GET', url: '/v1/signals' });
    expect(all.statusCode).toBe(200);
    const list = all.json() as Array<{ path: string; value: unknown; unit: unknown; stale: boolean; timestamp: unknown }>;
    expect(list).toHaveLength(t.catalog.signals.length);
    expect(list.find((s) => s.path === 'Vehicle.Speed')).toMatchObject({ value: 42, unit: 'km/h', stale: false, timestamp: expect.any(Number) });
    const cabin = (await t.app.inject({ method: 'GET', url: '/v1/signals?prefix=Vehicle.Cabin' })).json() as Array<{ path: string }>;
    expect(cabin.length).toBeGreaterThan(5);
    expect(cabin.every((s) => s.path.startsWith('Vehicle.Cabin.'))).toBe(true);
    expect(cabin.some((s) => s.path === 'Vehicle.Cabin.DoorCount')).toBe(true);
  });

  it('reports never-received signals with null value and stale', async () => {
    const t = await setup();
    const res = await t.app.inject({ method: 'GET', url: '/v1/signals/Vehicle.Powertrain.TractionBattery.StateOfCharge.Displayed' });
    expect(res.json()).toMatchObject({ value: null, timestamp: null, stale: true });
  });

  it('rejects malformed query strings with 400 saying what is wrong', async () => {
    const t = await setup();
    const msg = expectError(await t.app.inject({ method: 'GET', url: '/v1/signals?prefix=not%20a%20path' }), 400, 'AURIGA_ERR_API_VALIDATION');
    expect(msg).toMatch(/prefix/);
    expectError(await t.app.inject({ method: 'GET', url: '/v1/signals?colour=red' }), 400, 'AURIGA_ERR_API_VALIDATION');
  });

  it('returns one signal, 404 with a code for unknown ones', async () => {
    const t = await setup({ speed: 12.5 });
    const res = await t.app.inject({ method: 'GET', url: '/v1/signals/Vehicle.Speed' });
    expect(res.json()).toMatchObject({ path: 'Vehicle.Speed', value: 12.5, unit: 'km/h', stale: false });
    const msg = expectError(await t.app.inject({ method: 'GET', url: '/v1/signals/Vehicle.Warp.Drive' }), 404, 'AURIGA_ERR_SIGNAL_UNKNOWN');
    expect(msg).toContain('Vehicle.Warp.Drive');
    expectError(await t.app.inject({ method: 'GET', url: '/v1/signals/Vehicle..Speed' }), 400, 'AURIGA_ERR_API_VALIDATION');
  });

  it('serves history from the store and validates the window', async () => {
    const t = await setup();
    t.store.recordSignal('Vehicle.Speed', 10, 1000);
    t.store.recordSignal('Vehicle.Speed', 20, 2000);
    t.store.recordSignal('Vehicle.Speed', 30, 3000);
    const res = await t.app.inject({ method: 'GET', url: '/v1/signals/Vehicle.Speed/history?from=1500&to=3000&limit=5' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual([
      { value: 20, timestamp: 2000 },
      { value: 30, timestamp: 3000 },
    ]);
    expectError(await t.app.inject({ method: 'GET', url: '/v1/signals/Vehicle.Speed/history?from=5&to=1' }), 400, 'AURIGA_ERR_API_VALIDATION');
    expectError(await t.app.inject({ method: 'GET', url: '/v1/signals/Vehicle.Speed/history?limit=abc' }), 400, 'AURIGA_ERR_API_VALIDATION');
    expectError(await t.app.inject({ method: 'GET', url: '/v1/signals/Vehicle.Speed/history?limit=0' }), 400, 'AURIGA_ERR_API_VALIDATION');
    expectError(await t.app.inject({ method: 'GET', url: '/v1/signals/Vehicle.Nope/history' }), 404, 'AURIGA_ERR_SIGNAL_UNKNOWN');
  });

  it('answers 503 with a code when the store fails a history query', async () => {
    const t = await setup();
    t.store.history = async () => {
      throw new Error('disk I/O error');
    };
    const msg = expectError(await t.app.inject({ method: 'GET', url: '/v1/signals/Vehicle.Speed/history' }), 503, 'AURIGA_ERR_STORE_UNAVAILABLE');
    expect(msg).toContain('disk I/O error');
  });

  it('sets an actuator: 200 with the outcome', async () => {
    const t = await setup();
    const res = await t.app.inject({ method: 'PUT', url: `/v1/signals/${TEMP}`, payload: { value: 23.5 } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ path: TEMP, value: 23.5, status: 'confirmed', ms: expect.any(Number), id: expect.any(String) });
    expect(t.state.get(TEMP)?.value).toBe(23.5);
    const log = (await t.app.inject({ method: 'GET', url: `/v1/actuations?path=${TEMP}` })).json() as Array<{ status: string; source: string }>;
    expect(log[0]).toMatchObject({ status: 'confirmed', source: 'api' });
  });

  it('answers a policy refusal with 200 and status refused', async () => {
    const t = await setup({ speed: 100 });
    const res = await t.app.inject({ method: 'PUT', url: `/v1/signals/${WINDOW}`, payload: { value: 100 } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'refused', ruleId: 'window-opening-limited-at-highway-speed', reason: expect.stringContaining('20%') });
  });

  it('rejects malformed bodies and invalid values with 400', async () => {
    const t = await setup();
    const put = (payload: unknown, headers: Record<string, string> = {}) =>
      t.app.inject({ method: 'PUT', url: `/v1/signals/${TEMP}`, payload: payload as string, headers: { 'content-type': 'application/json', ...headers } });
    expect(expectError(await put({}), 400, 'AURIGA_ERR_API_VALIDATION')).toMatch(/value/);
    expectError(await put({ value: 22, extra: true }), 400, 'AURIGA_ERR_API_VALIDATION');
    expectError(await put({ value: [1] }), 400, 'AURIGA_ERR_API_VALIDATION');
    expectError(await put('{"value": '), 400, 'AURIGA_ERR_API_BAD_REQUEST');
    // No coercion: a numeric string is not a temperature.
    expect(expectError(await put({ value: '22' }), 400, 'AURIGA_ERR_SIGNAL_INVALID_VALUE')).toMatch(/number/);
    expect(expectError(await put({ value: 99 }), 400, 'AURIGA_ERR_SIGNAL_INVALID_VALUE')).toMatch(/30/);
    // text/plain has a parser in fastify: the string body fails the schema.
    expectError(await put('value=22', { 'content-type': 'text/plain' }), 400, 'AURIGA_ERR_API_VALIDATION');
    expectError(await put('<value>22</value>', { 'content-type': 'application/xml' }), 415, 'AURIGA_ERR_API_UNSUPPORTED_MEDIA_TYPE');
    expect(t.sent).toHaveLength(0);
  });

  it('answers 404 for unknown and 405 for read-only signals', async () => {
    const t = await setup();
    expectError(await t.app.inject({ method: 'PUT', url: '/v1/signals/Vehicle.Nope', payload: { value: 1 } }), 404, 'AURIGA_ERR_SIGNAL_UNKNOWN');
    const res = await t.app.inject({ method: 'PUT', url: '/v1/signals/Vehicle.Speed', payload: { value: 1 } });
    expectError(res, 405, 'AURIGA_ERR_SIGNAL_NOT_ACTUATOR');
    expect(res.headers.allow).toBe('GET');
  });

  it('serves the catalog, whole or by branch', async () => {
    const t = await setup();
    const all = (await t.app.inject({ method: 'GET', url: '/v1/catalog' })).json() as Array<{ path: string; kind: string }>;
    expect(all).toHaveLength(t.catalog.signals.length);
    expect(all.find((s) => s.path === TEMP)).toMatchObject({ kind: 'actuator', datatype: 'float', min: 15, max: 30 });
    const hvac = (await t.app.inject({ method: 'GET', url: '/v1/catalog?prefix=Vehicle.Cabin.HVAC' })).json() as unknown[];
    expect(hvac.length).toBeGreaterThan(3);
    expect(hvac.length).toBeLessThan(all.length);
  });

  it('lists events from the store', async () => {
    const t = await setup();
    t.store.recordEvent({ type: 'mqtt.connected', severity: 'info', message: 'connected', timestamp: 5 });
    const events = (await t.app.inject({ method: 'GET', url: '/v1/events?severity=info' })).json() as Array<{ type: string }>;
    expect(events.map((e) => e.type)).toEqual(['mqtt.connected']);
    expectError(await t.app.inject({ method: 'GET', url: '/v1/events?severity=loud' }), 400, 'AURIGA_ERR_API_VALIDATION');
  });

  it('reports health: 200 when working, 503 when the store is broken', async () => {
    const t = await setup();
    const ok = await t.app.inject({ method: 'GET', url: '/healthz' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ status: 'ok', mqtt: { connected: true }, store: { ok: true } });
    t.setStoreOk(false);
    const bad = await t.app.inject({ method: 'GET', url: '/healthz' });
    expect(bad.statusCode).toBe(503);
    expect(bad.json()).toMatchObject({ status: 'failing' });
  });

  it('exposes Prometheus metrics', async () => {
    const t = await setup();
    await t.app.inject({ method: 'PUT', url: `/v1/signals/${TEMP}`, payload: { value: 24 } });
    const res = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/plain/);
    const framesLine = res.body.split('\n').find((l) => l.startsWith('auriga_can_frames_ingested_total '));
    expect(Number(framesLine?.split(' ')[1])).toBe(t.ingest.framesIngested);
    expect(res.body).toContain('auriga_mqtt_connected 1');
    expect(res.body).toMatch(/auriga_actuation_duration_seconds_count\{status="confirmed"\} 1/);
  });

  it('answers unknown routes with a coded 404, and a plain GET of the stream with 426', async () => {
    const t = await setup();
    expectError(await t.app.inject({ method: 'GET', url: '/v1/nothing' }), 404, 'AURIGA_ERR_API_NOT_FOUND');
    // Other GET paths belong to the HMI (client-side routes): only a POST there is an unknown route.
    expectError(await t.app.inject({ method: 'POST', url: '/v2/nothing' }), 404, 'AURIGA_ERR_API_NOT_FOUND');
    expectError(await t.app.inject({ method: 'GET', url: '/v1/stream' }), 426, 'AURIGA_ERR_API_UPGRADE_REQUIRED');
  });

  it('documents every route in the OpenAPI JSON', async () => {
    const t = await setup();
    const res = await t.app.inject({ method: 'GET', url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json() as { paths: Record<string, Record<string, { requestBody?: unknown; responses?: Record<string, unknown> }>> };
    const routes = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`));
    for (const r of [
      'GET /v1/signals',
      'GET /v1/signals/{path}',
      'PUT /v1/signals/{path}',
      'GET /v1/signals/{path}/history',
      'GET /v1/catalog',
      'GET /v1/actuations',
      'GET /v1/events',
      'GET /v1/stream',
      'GET /healthz',
      'GET /metrics',
    ]) {
      expect(routes).toContain(r);
    }
    const put = doc.paths['/v1/signals/{path}']!.put!;
    expect(put.requestBody).toBeDefined();
    expect(Object.keys(put.responses ?? {})).toEqual(expect.arrayContaining(['200', '400', '404', '405']));
    expect((await t.app.inject({ method: 'GET', url: '/docs' })).statusCode).toBeLessThan(400);
  });
});

describe('WebSocket /v1/stream', () => {
  async function connect(url: string) {
    const ws = new WebSocket(url);
    const messages: Array<Record<string, unknown>> = [];
    const waiters: Array<() => void> = [];
    ws.on('message', (data) => {
      messages.push(JSON.parse(data.toString()) as Record<string, unknown>);
      waiters.splice(0).forEach((w) => w());
    });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const next = async (pred: (m: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> => {
      for (;;) {
        const i = messages.findIndex(pred);
        if (i >= 0) return messages.splice(0, i + 1).pop()!;
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`no matching message; have ${JSON.stringify(messages).slice(0, 300)}`)), 3000);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
    };
    return { ws, next };
  }

  it('sends a snapshot, then batched changes, and filters by subscription', async () => {
    const t = await setup({ speed: 10 });
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    const port = (t.app.server.address() as { port: number }).port;
    const { ws, next } = await connect(`ws://127.0.0.1:${port}/v1/stream`);

    const snapshot = await next((m) => m.type === 'snapshot');
    const signals = snapshot.signals as Array<{ path: string; value: unknown }>;
    expect(signals).toHaveLength(t.catalog.signals.length);
    expect(signals.find((s) => s.path === 'Vehicle.Speed')?.value).toBe(10);

    // Two speed changes within one batch arrive as one change (the latest) with the earlier previous.
    t.ingest.applyFrame(t.codec.encodeFrame('ESP_Status', { ESP_VehicleSpeed: 11 }));
    t.ingest.applyFrame(t.codec.encodeFrame('ESP_Status', { ESP_VehicleSpeed: 12 }));
    const changes = await next((m) => m.type === 'changes');
    const speed = (changes.changes as Array<{ path: string; value: unknown; previous: unknown; stale: boolean }>).filter((c) => c.path === 'Vehicle.Speed');
    expect(speed).toEqual([expect.objectContaining({ value: 12, previous: 10, stale: false })]);

    ws.send(JSON.stringify({ type: 'subscribe', prefixes: ['Vehicle.Cabin.HVAC'] }));
    const filtered = await next((m) => m.type === 'snapshot');
    expect((filtered.signals as Array<{ path: string }>).every((s) => s.path.startsWith('Vehicle.Cabin.HVAC.'))).toBe(true);
    t.ingest.applyFrame(t.codec.encodeFrame('ESP_Status', { ESP_VehicleSpeed: 50 }));
    t.ingest.applyFrame(t.codec.encodeFrame('HVAC_Status', { HVAC_TempSetDriver: 26 }));
    const hvacChanges = await next((m) => m.type === 'changes');
    const paths = (hvacChanges.changes as Array<{ path: string }>).map((c) => c.path);
    expect(paths).toContain(TEMP);
    expect(paths).not.toContain('Vehicle.Speed');

    ws.send('not json');
    expect(await next((m) => m.type === 'error')).toMatchObject({ code: 'AURIGA_ERR_STREAM_BAD_MESSAGE' });
    ws.send(JSON.stringify({ type: 'subscribe', prefixes: 'Vehicle' }));
    expect((await next((m) => m.type === 'error')).message).toMatch(/prefixes/);
    ws.close();
  });

  it('streams stale flags and is closed on shutdown', async () => {
    const t = await setup();
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    const port = (t.app.server.address() as { port: number }).port;
    const { ws, next } = await connect(`ws://127.0.0.1:${port}/v1/stream`);
    ws.send(JSON.stringify({ type: 'subscribe', prefixes: ['Vehicle.Speed'] }));
    await next((m) => m.type === 'snapshot' && (m.prefixes as string[]).length === 1);
    t.ingest.markAllStale();
    const changes = await next((m) => m.type === 'changes');
    expect(changes.changes).toEqual([expect.objectContaining({ path: 'Vehicle.Speed', stale: true, value: 0 })]);
    // A notification for the driver reaches every client, whatever it subscribed to.
    const notification = { id: 'n1', kind: 'low_fuel', subject: 'fuel', severity: 'warning' as const, text: 'Fuel is low: 9%, about 60 km of range.', lang: 'en-US', createdAt: 1, deliveredAt: 2 };
    t.app.streamHub.broadcast({ type: 'notification', notification });
    expect(await next((m) => m.type === 'notification')).toEqual({ type: 'notification', notification });
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    await t.app.close();
    expect(await closed).toBe(1001);
  });
});
