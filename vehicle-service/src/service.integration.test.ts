/**
 * The whole service over real MQTT: the embedded aedes broker and the machine's Mosquitto
 * (127.0.0.1:1883), with a minimal car on MQTT (test-support/mqtt-ecu.ts) answering requests.
 * The can-sim end-to-end tests live in /work/main/test/.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmbeddedBroker, type EmbeddedBroker } from './broker/embedded-broker.js';
import { loadConfig, type DeepPartial } from './config/load.js';
import type { VehicleServiceConfig } from './config/schema.js';
import { startVehicleService, type VehicleServiceHandle } from './service.js';
import { startMqttEcu, type MqttEcu } from './test-support/mqtt-ecu.js';
import { startTcpProxy, type TcpProxy } from '@auriga/common/testing';

const MOSQUITTO = 'mqtt://127.0.0.1:1883';
const TEMP = 'Vehicle.Cabin.HVAC.Station.Row1.Driver.Temperature';
const WINDOW = 'Vehicle.Cabin.Door.Row1.DriverSide.Window.Position';

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function waitFor(what: string, pred: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await pred())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function start(overrides: DeepPartial<VehicleServiceConfig> & { mqtt?: DeepPartial<VehicleServiceConfig['mqtt']> }) {
  const dataDir = mkdtempSync(join(tmpdir(), 'auriga-vs-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const topicRoot = `auriga-test/${randomUUID()}/v1`;
  const config = loadConfig(
    {},
    {
      ...overrides,
      http: { port: 0 },
      dataDir,
      mqtt: { embeddedPort: 0, topicRoot, reconnectMinMs: 50, reconnectMaxMs: 200, ...overrides.mqtt },
      actuation: { ackTimeoutMs: 1000, confirmTimeoutMs: 2000, travelTimeMs: {} },
    },
  );
  const service = await startVehicleService(config, { logger: pino({ level: 'silent' }), defaultMetrics: false });
  cleanups.push(() => service.close());
  return { service, topicRoot };
}

async function startEcu(url: string, topicRoot: string, speedKmh = 0): Promise<MqttEcu> {
  const ecu = await startMqttEcu({ url, topicRoot, speedKmh, periodMs: 20 });
  cleanups.push(() => ecu.close());
  return ecu;
}

async function put(service: VehicleServiceHandle, path: string, value: unknown) {
  const res = await fetch(`${service.url}/v1/signals/${path}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ value }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function get(service: VehicleServiceHandle, url: string) {
  const res = await fetch(`${service.url}${url}`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const allFresh = (s: VehicleServiceHandle, paths: string[]) => paths.every((p) => s.state.get(p)?.stale === false);
const allStale = (s: VehicleServiceHandle, paths: string[]) => paths.every((p) => s.state.get(p)?.stale === true);
const WATCHED = ['Vehicle.Speed', TEMP, WINDOW];

describe.each([
  ['embedded broker', 'embedded'],
  ['Mosquitto', 'mosquitto'],
] as const)('vehicle service over %s', (_name, kind) => {
  async function setup(speedKmh = 0) {
    if (kind === 'embedded') {
      const { service, topicRoot } = await start({});
      const ecu = await startEcu(service.mqttUrl, topicRoot, speedKmh);
      return { service, ecu };
    }
    const { service, topicRoot } = await start({ mqtt: { url: MOSQUITTO } });
    const ecu = await startEcu(MOSQUITTO, topicRoot, speedKmh);
    return { service, ecu };
  }

  it('sets the driver temperature through the API and confirms it from the bus', async () => {
    const { service } = await setup();
    await waitFor('fresh HVAC status', () => allFresh(service, WATCHED));
    const res = await put(service, TEMP, 24.5);
    expect(res).toMatchObject({ status: 200, body: { status: 'confirmed', value: 24.5 } });
    expect((await get(service, `/v1/signals/${TEMP}`)).body).toMatchObject({ value: 24.5, stale: false });
    const health = await get(service, '/healthz');
    expect(health).toMatchObject({ status: 200, body: { status: 'ok', mqtt: { connected: true, embeddedBroker: kind === 'embedded' } } });
    // The outcome is in the real SQLite store.
    await waitFor('stored actuation', async () => ((await get(service, `/v1/actuations?path=${TEMP}`)).body as unknown as unknown[]).length === 1);
  });

  it('refuses to open a window fully at 100 km/h', async () => {
    const { service, ecu } = await setup(100);
    await waitFor('speed 100', () => service.state.get('Vehicle.Speed')?.value === 100 && allFresh(service, WATCHED));
    const res = await put(service, WINDOW, 100);
    expect(res).toMatchObject({ status: 200, body: { status: 'refused', ruleId: 'window-opening-limited-at-highway-speed' } });
    expect(ecu.ecu.requests).toHaveLength(0);
  });
});

describe('vehicle service connection loss', () => {
  it('marks everything stale when the embedded broker goes away, then recovers on the same port', async () => {
    const { service, topicRoot } = await start({});
    let ecu = await startEcu(service.mqttUrl, topicRoot);
    await waitFor('fresh data', () => allFresh(service, WATCHED));
    const port = service.embeddedBroker!.port;

    await ecu.close();
    await service.embeddedBroker!.close();
    await waitFor('all stale', () => allStale(service, WATCHED) && !service.transport.connected);
    expect((await get(service, '/healthz')).body).toMatchObject({ status: 'degraded', mqtt: { connected: false } });
    // Requests fail cleanly meanwhile (the ECU status is stale).
    expect((await put(service, TEMP, 22)).body).toMatchObject({ status: 'refused', ruleId: 'ecu-status-stale' });

    const broker: EmbeddedBroker = await startEmbeddedBroker({ host: '127.0.0.1', port, fallbackToFreePort: false, logger: pino({ level: 'silent' }) });
    cleanups.push(() => broker.close());
    const reconnectsBefore = service.transport.connectCount;
    await waitFor('reconnected', () => service.transport.connected && service.transport.connectCount > reconnectsBefore);
    ecu = await startEcu(broker.url, topicRoot);
    // Fresh values prove the frames subscription was renewed on the new broker.
    await waitFor('fresh again', () => allFresh(service, WATCHED));
    expect((await put(service, TEMP, 22)).body).toMatchObject({ status: 'confirmed' });
    const events = (await get(service, '/v1/events?type=mqtt.disconnected')).body as unknown as unknown[];
    await waitFor('disconnect event stored', async () => ((await get(service, '/v1/events?type=mqtt.disconnected')).body as unknown as unknown[]).length >= 1);
    expect(Array.isArray(events)).toBe(true);
  });

  it('survives losing Mosquitto (connection cut) and resubscribes', async () => {
    const proxy: TcpProxy = await startTcpProxy({ host: '127.0.0.1', port: 1883 });
    cleanups.push(() => proxy.close());
    const { service, topicRoot } = await start({ mqtt: { url: `mqtt://127.0.0.1:${proxy.port}` } });
    await startEcu(MOSQUITTO, topicRoot);
    await waitFor('fresh data', () => allFresh(service, WATCHED));

    proxy.cut();
    await waitFor('all stale', () => allStale(service, WATCHED));
    expect(service.transport.connected).toBe(false);
    // Several reconnect attempts fail while the proxy refuses.
    await new Promise((r) => setTimeout(r, 300));
    proxy.restore();
    await waitFor('fresh again', () => allFresh(service, WATCHED), 5000);
    expect((await put(service, TEMP, 26)).body).toMatchObject({ status: 'confirmed' });
  });

  it('starts while the broker is down and connects when it appears', async () => {
    // Find a free port, then leave it unused.
    const probe = await startEmbeddedBroker({ host: '127.0.0.1', port: 0, logger: pino({ level: 'silent' }) });
    const port = probe.port;
    await probe.close();
    const { service, topicRoot } = await start({ mqtt: { url: `mqtt://127.0.0.1:${port}` } });
    expect(service.transport.connected).toBe(false);
    expect((await get(service, '/healthz')).body).toMatchObject({ status: 'degraded', vehicle: { fresh: false } });

    const broker = await startEmbeddedBroker({ host: '127.0.0.1', port, fallbackToFreePort: false, logger: pino({ level: 'silent' }) });
    cleanups.push(() => broker.close());
    await startEcu(broker.url, topicRoot);
    await waitFor('fresh data', () => service.transport.connected && allFresh(service, WATCHED));
  });

  it('closes gracefully and idempotently, publishing the offline status', async () => {
    const { service, topicRoot } = await start({ mqtt: { url: MOSQUITTO } });
    await waitFor('connected', () => service.transport.connected);
    const ecu = await startEcu(MOSQUITTO, topicRoot, 0);
    const statuses: string[] = [];
    ecu.client.on('message', (topic, payload) => {
      if (topic === `${topicRoot}/service/status`) statuses.push((JSON.parse(payload.toString()) as { state: string }).state);
    });
    await ecu.client.subscribeAsync(`${topicRoot}/service/status`);
    await waitFor('online status', () => statuses.includes('online'));
    await Promise.all([service.close(), service.close()]);
    await waitFor('offline status', () => statuses.at(-1) === 'offline');
    await expect(fetch(`${service.url}/healthz`)).rejects.toThrow();
  });

  it('takes a free port when the embedded broker port is busy', async () => {
    const squatter = await startEmbeddedBroker({ host: '127.0.0.1', port: 0, logger: pino({ level: 'silent' }) });
    cleanups.push(() => squatter.close());
    const { service } = await start({ mqtt: { embeddedPort: squatter.port } });
    expect(service.embeddedBroker!.port).not.toBe(squatter.port);
    await waitFor('connected', () => service.transport.connected);
  });
});
