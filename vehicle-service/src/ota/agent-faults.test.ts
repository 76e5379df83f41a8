import { createServer as createHttpServer, type Server } from 'node:http';
import { createConnection, createServer, type AddressInfo, type Socket } from 'node:net';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import mqtt from 'mqtt';
import pino from 'pino';
import Fastify from 'fastify';
import { TypeBoxValidatorCompiler } from '@fastify/type-provider-typebox';
import { afterEach, describe, expect, it } from 'vitest';
import { createTopics, SIGNALS } from '@auriga/common';
import { otaRoutes } from '../api/routes/ota.js';
import { VehicleState } from '../vehicle/state.js';
import { OtaAgent, type OtaAgentOptions } from './agent.js';
import { VoiceContextHandler } from './handlers/voice-context.js';
import { mqttNotifySource } from './notify.js';
import { GEAR_PARK, parkedFromVehicleState } from './policy.js';
import { startTcpProxy } from '@auriga/common/testing';
import { assign, HARDWARE, publishVoiceBundle, SERVICE_VERSION, startLocalFleet, tempDir, vehicleOnServer, writeFactoryContext, type LocalFleet } from './test-fixtures.js';

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

async function agentFor(f: LocalFleet, vehicleId: string, token: string, extra: Partial<OtaAgentOptions> = {}): Promise<{ agent: OtaAgent; dataDir: string }> {
  const dataDir = await tempDir();
  cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
  const agent = new OtaAgent({
    serverUrl: f.url, vehicleId, hardwareId: HARDWARE, token, serviceVersion: SERVICE_VERSION, dataDir,
    trustedRoot: f.fleet.rootJson,
    handlers: [new VoiceContextHandler()],
    factory: [{ kind: 'voice-context', name: 'garage-context', version: '1.0.0', dir: await writeFactoryContext(dataDir) }],
    pollIntervalMs: 3_600_000, healthWindowMs: 100, healthCheckIntervalMs: 50,
    limits: { requestTimeoutMs: 2000, stallTimeoutMs: 2000, retries: 2, backoffMs: 20 },
    logger, metadataNow: f.fleet.now,
    ...extra,
  });
  cleanups.push(() => agent.destroy());
  return { agent, dataDir };
}

function finalReport(agent: OtaAgent): Promise<{ step: string; reason?: string }> {
  return new Promise((resolve) => {
    agent.on('report', (r) => { if (r.step === 'active' || r.step === 'failed' || r.step === 'rolled_back') resolve(r); });
  });
}

/**
 * A TCP forwarder that cuts the first bundle download after `cutAfter` response bytes, and records the
 * Range header of every bundle request.
 */
async function startCuttingProxy(target: number, cutAfter: number, mode: 'cut' | 'stall' = 'cut'): Promise<{ port: number; ranges: Array<string | null>; cuts: number; close(): Promise<void> }> {
  const state = { ranges: [] as Array<string | null>, cuts: 0 };
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = createConnection({ host: '127.0.0.1', port: target });
    sockets.add(client).add(upstream);
    let downloading = false;
    let forwarded = 0;
    client.on('data', (buf: Buffer) => {
      const text = buf.toString('latin1');
      if (text.startsWith('GET /api/v1/vehicle/bundles/')) {
        downloading = true;
        forwarded = 0;
        state.ranges.push(/\r\nrange: ([^\r]+)/i.exec(text)?.[1] ?? null);
      } else if (/^(POST|GET|PUT) /.test(text)) {
        downloading = false;
      }
      upstream.write(buf);
    });
    upstream.on('data', (buf: Buffer) => {
      if (downloading && state.cuts === 0 && forwarded + buf.length > cutAfter) {
        client.write(buf.subarray(0, cutAfter - forwarded));
        state.cuts += 1;
        if (mode === 'stall') {
          // The server goes silent mid-body and keeps the connection open: only the agent's stall timeout ends it.
          upstream.pause();
          upstream.removeAllListeners('data');
          return;
        }
        client.destroy();
        upstream.destroy();
        return;
      }
      forwarded += buf.length;
      client.write(buf);
    });
    const drop = () => { client.destroy(); upstream.destroy(); };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    get ranges() { return state.ranges; },
    get cuts() { return state.cuts; },
    close: () => new Promise((resolve) => { for (const s of sockets) s.destroy(); server.close(() => resolve()); }),
  };
}

describe('OtaAgent faults', () => {
  it('resumes a download cut mid-way with a Range request from the .part offset; no byte is fetched twice', async () => {
    const f = await fleetUp();
    const token = await f.fleet.registerVehicle('car-cut', 'beta', HARDWARE);
    const rel = await publishVoiceBundle(f.fleet, { version: '2.0.0', padBytes: 1_000_000 });
    await assign(f.fleet, rel.targetPath, ['car-cut']);
    const proxy = await startCuttingProxy(Number(new URL(f.url).port), 300_000);
    cleanups.push(() => proxy.close());
    const { agent } = await agentFor(f, 'car-cut', token, { serverUrl: `http://127.0.0.1:${proxy.port}` });
    const downloaded = new Promise<{ bytesTransferred: number; rangeStarts: number[]; attempts: number }>((resolve) => agent.on('downloaded', resolve));
    const done = finalReport(agent);
    await agent.start();
    const d = await downloaded;
    expect((await done).step).toBe('active');
    expect(proxy.cuts).toBe(1);
    expect(d.attempts).toBe(2);
    expect(d.rangeStarts).toHaveLength(2);
    const resumedAt = d.rangeStarts[1]!;
    // The first response was cut after 300 000 bytes including its headers: the .part held less than that.
    expect(resumedAt).toBeGreaterThan(200_000);
    expect(resumedAt).toBeLessThan(300_000);
    expect(proxy.ranges).toEqual([null, `bytes=${resumedAt}-`]);
    expect(d.bytesTransferred).toBe(rel.length); // exactly the bundle once: resumed, not restarted
    expect(agent.holder('voice-context')!.current?.version).toBe('2.0.0');
  });

  it('abandons a download that stalls mid-body after its stall timeout and resumes it', async () => {
    const f = await fleetUp();
    const token = await f.fleet.registerVehicle('car-stall', 'beta', HARDWARE);
    const rel = await publishVoiceBundle(f.fleet, { version: '2.0.0', padBytes: 500_000 });
    await assign(f.fleet, rel.targetPath, ['car-stall']);
    const proxy = await startCuttingProxy(Number(new URL(f.url).port), 200_000, 'stall');
    cleanups.push(() => proxy.close());
    const { agent } = await agentFor(f, 'car-stall', token, {
      serverUrl: `http://127.0.0.1:${proxy.port}`,
      limits: { requestTimeoutMs: 2000, stallTimeoutMs: 300, retries: 2, backoffMs: 20 },
    });
    const downloaded = new Promise<{ bytesTransferred: number; rangeStarts: number[] }>((resolve) => agent.on('downloaded', resolve));
    const done = finalReport(agent);
    await agent.start();
    const d = await downloaded;
    expect((await done).step).toBe('active');
    expect(proxy.cuts).toBe(1);
    expect(d.rangeStarts[0]).toBe(0);
    expect(d.rangeStarts[1]).toBeGreaterThan(100_000);
    expect(proxy.ranges).toEqual([null, `bytes=${d.rangeStarts[1]}-`]);
    expect(d.bytesTransferred).toBe(rel.length);
  });

  it('survives a server that is down (connection refused, then reset) and retries with backoff until it is back', async () => {
    const f = await fleetUp();
    const token = await f.fleet.registerVehicle('car-down', 'beta', HARDWARE);
    const rel = await publishVoiceBundle(f.fleet, { version: '2.0.0' });
    await assign(f.fleet, rel.targetPath, ['car-down']);
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: Number(new URL(f.url).port) });
    cleanups.push(() => proxy.close());
    proxy.cut();
    const { agent } = await agentFor(f, 'car-down', token, { serverUrl: `http://127.0.0.1:${proxy.port}`, retryMs: 100 });
    const errors: string[] = [];
    agent.on('status', (s) => { if (s.lastError && !errors.includes(s.lastError.reason)) errors.push(s.lastError.reason); });
    await agent.start();
    await agent.idle();
    expect(agent.status()).toMatchObject({ phase: 'idle', update: null, models: [{ version: '1.0.0', slot: 'factory' }] });
    expect(agent.status().lastError?.reason).toMatch(/check-in: server unreachable/);
    const firstRetry = agent.status().nextCheckAt! - Date.now();
    expect(firstRetry).toBeLessThanOrEqual(100);
    // Still down at the first retry, then back: the retries (100 ms, 200 ms, ...) find it without any push.
    await new Promise((r) => setTimeout(r, 150));
    const done = finalReport(agent);
    proxy.restore();
    expect((await done).step).toBe('active');
    expect(errors.length).toBeGreaterThanOrEqual(1);
    await agent.destroy();

    // A closed port: connection refused.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const { agent: other } = await agentFor(f, 'car-down', token, { serverUrl: `http://127.0.0.1:${port}` });
    await other.start();
    await other.idle();
    expect(other.status().lastError?.reason).toMatch(/check-in: server unreachable \(ECONNREFUSED\)/);
  });

  it('gives up on a slow server after its timeout, keeps its model, and shuts down promptly', async () => {
    const sockets = new Set<Socket>();
    const slow: Server = createHttpServer(() => { /* never answers */ });
    slow.on('connection', (s) => sockets.add(s));
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => { for (const s of sockets) s.destroy(); slow.close(() => resolve()); }));
    const f = await fleetUp();
    const { agent } = await agentFor(f, 'car-slow', 'token', {
      serverUrl: `http://127.0.0.1:${(slow.address() as AddressInfo).port}`,
      limits: { requestTimeoutMs: 200, stallTimeoutMs: 200, retries: 0, backoffMs: 10 },
    });
    await agent.start();
    await agent.idle();
    expect(agent.status().lastError?.reason).toBe('check-in: no answer within 200 ms');
    expect(agent.status().models).toEqual([{ kind: 'voice-context', name: 'garage-context', version: '1.0.0', slot: 'factory' }]);
    agent.checkNow();
    const t0 = performance.now();
    await agent.destroy(); // aborts the hanging request instead of waiting for the timeout
    expect(performance.now() - t0).toBeLessThan(150);
  });

  it('fails cleanly when the disk fills up during the download (injected statfs stands in for the full disk)', async () => {
    const f = await fleetUp();
    const token = await f.fleet.registerVehicle('car-full', 'beta', HARDWARE);
    const rel = await publishVoiceBundle(f.fleet, { version: '2.0.0' });
    await assign(f.fleet, rel.targetPath, ['car-full']);
    // Enough space when the download starts, none left by its end (another process filled the disk).
    let calls = 0;
    const statfs = async () => ({ bsize: 4096, bavail: calls++ === 0 ? 1_000_000 : 0 });
    const { agent, dataDir } = await agentFor(f, 'car-full', token, { statfs, limits: { requestTimeoutMs: 2000, stallTimeoutMs: 2000, retries: 2, backoffMs: 20, minFreeBytes: 64 * 1024 } });
    const done = finalReport(agent);
    await agent.start();
    const r = await done;
    expect(r).toMatchObject({ step: 'failed', reason: expect.stringMatching(/^disk full: 0 bytes free while downloading garage-context-2.0.0.bundle/) });
    await agent.idle();
    expect(await readdir(join(dataDir, 'ota', 'downloads'))).toEqual([]); // the .part is gone
    expect(agent.status()).toMatchObject({ update: null, models: [{ version: '1.0.0', slot: 'factory' }], lastResult: { step: 'failed' } });
    expect((await vehicleOnServer(f.fleet, 'car-full')).assignment?.status).toBe('failed');
  });

  it('refuses to start a download that would not fit, and one over the size limit', async () => {
    const f = await fleetUp();
    const token = await f.fleet.registerVehicle('car-small', 'beta', HARDWARE);
    const rel = await publishVoiceBundle(f.fleet, { version: '2.0.0' });
    await assign(f.fleet, rel.targetPath, ['car-small']);
    const statfs = async () => ({ bsize: 1024, bavail: 8 }); // 8 KiB free: the bundle (~5 KB) and its extraction do not fit
    const { agent, dataDir } = await agentFor(f, 'car-small', token, { statfs });
    const done = finalReport(agent);
    await agent.start();
    expect((await done).reason).toMatch(/^disk full: garage-context-2.0.0.bundle needs \d+ bytes free \(download, install and reserve\), 8192 available$/);
    expect(await readdir(join(dataDir, 'ota', 'downloads'))).toEqual([]);

    const token2 = await f.fleet.registerVehicle('car-cap', 'beta', HARDWARE);
    await assign(f.fleet, rel.targetPath, ['car-cap']);
    const { agent: capped } = await agentFor(f, 'car-cap', token2, { limits: { requestTimeoutMs: 2000, stallTimeoutMs: 2000, retries: 0, backoffMs: 10, maxBundleBytes: 1000 } });
    const done2 = finalReport(capped);
    await capped.start();
    expect((await done2).reason).toBe(`garage-context-2.0.0.bundle is ${rel.length} bytes, over the download limit of 1000 bytes`);
  });
});

describe('OtaAgent triggers and policy', () => {
  it('checks in at once on an MQTT push notification (real Mosquitto)', async () => {
    const f = await fleetUp();
    const token = await f.fleet.registerVehicle('car-push', 'beta', HARDWARE);
    const topics = createTopics(`auriga-test/${randomUUID()}/v1`);
    const client = await mqtt.connectAsync('mqtt://127.0.0.1:1883', { reconnectPeriod: 200 });
    cleanups.push(() => client.endAsync());
    const { agent } = await agentFor(f, 'car-push', token, {
      notify: { source: mqttNotifySource(client), topics: [topics.otaNotify, topics.otaNotifyVehicle('car-push')] },
    });
    await agent.start();
    await agent.idle(); // first check-in: nothing assigned yet; the next poll is an hour away
    const rel = await publishVoiceBundle(f.fleet, { version: '2.0.0' });
    await assign(f.fleet, rel.targetPath, ['car-push']);
    const done = finalReport(agent);
    const publisher = await mqtt.connectAsync('mqtt://127.0.0.1:1883');
    cleanups.push(() => publisher.endAsync());
    await new Promise((r) => setTimeout(r, 100)); // the agent's subscription is in place
    await publisher.publishAsync(topics.otaNotifyVehicle('car-push'), '', { qos: 1 });
    expect((await done).step).toBe('active');
    expect(topics.otaNotify).toBe(`${topics.root}/ota/notify`);
    expect(() => topics.otaNotifyVehicle('a/b')).toThrow(/invalid vehicle id/);
  });

  it('waits to be parked (Vehicle.Speed 0 and gear in Park), downloading meanwhile', async () => {
    const f = await fleetUp();
    const token = await f.fleet.registerVehicle('car-park', 'beta', HARDWARE);
    const rel = await publishVoiceBundle(f.fleet, { version: '2.0.0' });
    await assign(f.fleet, rel.targetPath, ['car-park']);
    const state = new VehicleState(SIGNALS);
    const speed = state.slot('Vehicle.Speed')!;
    const gear = state.slot('Vehicle.Powertrain.Transmission.SelectedGear')!;
    state.update(speed, 42, Date.now());
    state.update(gear, 127, Date.now()); // Drive
    const { agent } = await agentFor(f, 'car-park', token, {
      policy: { 'voice-context': { when: 'parked' } }, isParked: parkedFromVehicleState(state), policyRecheckMs: 30,
    });
    await agent.start();
    await agent.idle();
    expect(agent.status()).toMatchObject({ phase: 'waiting', update: { step: 'verified', waitingFor: 'parked' }, models: [{ version: '1.0.0' }] });
    state.update(speed, 0, Date.now());
    await new Promise((r) => setTimeout(r, 80));
    expect(agent.status().update).toMatchObject({ step: 'verified', waitingFor: 'parked' }); // stopped but in Drive
    const done = finalReport(agent);
    state.update(gear, GEAR_PARK, Date.now());
    expect((await done).step).toBe('active');
    state.markStale(speed, Date.now());
    expect(parkedFromVehicleState(state)()).toBe(false); // unknown speed is not parked
  });

  it('asks the driver when the policy says so: GET /v1/ota/status and POST /v1/ota/consent', async () => {
    const f = await fleetUp();
    const token = await f.fleet.registerVehicle('car-ask', 'beta', HARDWARE);
    const rel = await publishVoiceBundle(f.fleet, { version: '2.0.0' });
    await assign(f.fleet, rel.targetPath, ['car-ask']);
    const { agent } = await agentFor(f, 'car-ask', token, { policy: { 'voice-context': { when: 'anytime', askDriver: true } } });
    const app = Fastify().withTypeProvider();
    app.setValidatorCompiler(TypeBoxValidatorCompiler);
    await app.register(otaRoutes, { agent });
    cleanups.push(() => app.close());
    await agent.start();
    await agent.idle();
    const status = await app.inject({ method: 'GET', url: '/v1/ota/status' });
    expect(status.statusCode).toBe(200);
    const body = status.json();
    expect(body).toMatchObject({
      vehicleId: 'car-ask', phase: 'waiting',
      models: [{ kind: 'voice-context', name: 'garage-context', version: '1.0.0', slot: 'factory' }],
      update: { target: rel.targetPath, version: '2.0.0', step: 'verified', waitingFor: 'consent', bytesTotal: rel.length },
      lastError: null,
    });
    const id = body.update.assignmentId as number;
    expect((await app.inject({ method: 'POST', url: '/v1/ota/consent', payload: { assignmentId: id + 1, accept: true } })).statusCode).toBe(409);
    expect((await app.inject({ method: 'POST', url: '/v1/ota/consent', payload: { assignmentId: id, accept: 'yes' } })).statusCode).toBe(400);
    const declined = await app.inject({ method: 'POST', url: '/v1/ota/consent', payload: { assignmentId: id, accept: false } });
    expect(declined.json().update).toMatchObject({ consent: 'declined' });
    await agent.idle();
    expect(agent.status().update).toMatchObject({ step: 'verified', waitingFor: 'consent' });
    const done = finalReport(agent);
    const accepted = await app.inject({ method: 'POST', url: '/v1/ota/consent', payload: { assignmentId: id, accept: true } });
    expect(accepted.statusCode).toBe(200);
    expect((await done).step).toBe('active');
    const after = (await app.inject({ method: 'GET', url: '/v1/ota/status' })).json();
    expect(after).toMatchObject({ models: [{ version: '2.0.0', slot: 'A' }], update: null, lastResult: { step: 'active', version: '2.0.0' } });
  });
});
