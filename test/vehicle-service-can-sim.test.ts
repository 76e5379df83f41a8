/**
 * End to end: the simulated car (@auriga/can-sim) and the vehicle service (@auriga/vehicle-service)
 * over the embedded broker and over the machine's Mosquitto (127.0.0.1:1883), each test on its own
 * topic root. The sim runs 50x faster than real time so the cabin warms up in seconds.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator, type CarSimulator } from '@auriga/can-sim';
import { loadConfig, startVehicleService, type VehicleServiceHandle } from '@auriga/vehicle-service';
import { startTcpProxy } from '@auriga/vehicle-service/testing';
import { waitFor } from '@auriga/common/testing';

const MOSQUITTO = 'mqtt://127.0.0.1:1883';
const DRIVER_TEMP = 'Vehicle.Cabin.HVAC.Station.Row1.Driver.Temperature';
const PASSENGER_TEMP = 'Vehicle.Cabin.HVAC.Station.Row1.Passenger.Temperature';
const DRIVER_FAN = 'Vehicle.Cabin.HVAC.Station.Row1.Driver.FanSpeed';
const PASSENGER_FAN = 'Vehicle.Cabin.HVAC.Station.Row1.Passenger.FanSpeed';
const CABIN = 'Vehicle.Cabin.HVAC.AmbientAirTemperature';
const WINDOW = 'Vehicle.Cabin.Door.Row1.DriverSide.Window.Position';
const silent = pino({ level: 'silent' });

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function startService(mqttUrl: string | undefined, topicRoot: string): Promise<VehicleServiceHandle> {
  const dataDir = mkdtempSync(join(tmpdir(), 'auriga-e2e-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const config = loadConfig(
    {},
    {
      http: { port: 0 },
      dataDir,
      mqtt: { embeddedPort: 0, topicRoot, reconnectMinMs: 50, reconnectMaxMs: 250, ...(mqttUrl ? { url: mqttUrl } : {}) },
      // Generous: the sim at 50x on a busy machine can answer late; outcomes, not speed, are tested here.
      actuation: { ackTimeoutMs: 3000, confirmTimeoutMs: 5000 },
    },
  );
  const service = await startVehicleService(config, { logger: silent, defaultMetrics: false });
  cleanups.push(() => service.close());
  return service;
}

async function startSim(mqttUrl: string, topicRoot: string): Promise<CarSimulator> {
  const sim = await startSimulator({ mqttUrl, topicRoot, scenario: 'parked', timeScale: 50, seed: 7, logger: silent });
  cleanups.push(() => sim.stop());
  return sim;
}

async function put(service: VehicleServiceHandle, path: string, value: unknown): Promise<{ status: string; reason?: string; ruleId?: string }> {
  const res = await fetch(`${service.url}/v1/signals/${path}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ value }),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { status: string; reason?: string; ruleId?: string };
}

const fresh = (service: VehicleServiceHandle, path: string) => service.state.get(path)?.stale === false;

describe.each([
  ['the embedded broker', undefined],
  ['Mosquitto', MOSQUITTO],
] as const)('can-sim + vehicle service over %s', (_name, brokerUrl) => {
  async function setup() {
    const topicRoot = `auriga-test/${randomUUID()}/v1`;
    const service = await startService(brokerUrl, topicRoot);
    const sim = await startSim(service.mqttUrl, topicRoot);
    await waitFor('fresh HVAC and speed', () => fresh(service, DRIVER_TEMP) && fresh(service, 'Vehicle.Speed') && fresh(service, CABIN));
    return { service, sim };
  }

  it('sets the cabin temperature through the API and the simulated cabin reaches it', async () => {
    const { service } = await setup();
    const start = service.state.get(CABIN)!.value as number;
    const target = Math.round(start) + 4;
    // The cabin follows the mean of both zones, with the blower on.
    for (const [path, value] of [
      [DRIVER_FAN, 100],
      [PASSENGER_FAN, 100],
      [DRIVER_TEMP, target],
      [PASSENGER_TEMP, target],
    ] as const) {
      expect(await put(service, path, value)).toMatchObject({ status: 'confirmed' });
    }
    expect(service.state.get(DRIVER_TEMP)?.value).toBe(target);
    await waitFor(`cabin at ${target} °C (from ${start})`, () => Math.abs((service.state.get(CABIN)!.value as number) - target) <= 0.5, 20_000);
  });

  it('refuses to open a window fully at 100 km/h, allows the highway limit', async () => {
    const { service, sim } = await setup();
    sim.set({ speedKmh: 100 });
    await waitFor('100 km/h', () => Math.abs((service.state.get('Vehicle.Speed')!.value as number) - 100) < 1);
    const refused = await put(service, WINDOW, 100);
    expect(refused).toMatchObject({ status: 'refused', ruleId: 'window-opening-limited-at-highway-speed' });
    expect(refused.reason).toMatch(/20%/);
    // Within the limit the car moves the window and the service confirms it.
    expect(await put(service, WINDOW, 20)).toMatchObject({ status: 'confirmed' });
  });
});

describe('can-sim + vehicle service: losing the broker', () => {
  it('marks the state stale when the embedded broker restarts and recovers without crashing', async () => {
    const topicRoot = `auriga-test/${randomUUID()}/v1`;
    const service = await startService(undefined, topicRoot);
    const sim = await startSim(service.mqttUrl, topicRoot);
    await waitFor('fresh data', () => fresh(service, 'Vehicle.Speed'));
    const { port } = service.embeddedBroker!;

    await service.embeddedBroker!.close();
    await waitFor('disconnected, all stale', () => !service.transport.connected && service.state.list('Vehicle.Cabin.HVAC').every((s) => s.stale));

    const { startEmbeddedBroker } = await import('@auriga/vehicle-service');
    const broker = await startEmbeddedBroker({ host: '127.0.0.1', port, fallbackToFreePort: false, logger: silent });
    cleanups.push(() => broker.close());
    // Both the service and the sim reconnect on their own; fresh values prove the resubscription.
    await waitFor('fresh again', () => service.transport.connected && fresh(service, 'Vehicle.Speed') && fresh(service, DRIVER_TEMP), 15_000);
    expect(await put(service, DRIVER_TEMP, 23)).toMatchObject({ status: 'confirmed' });
    expect(sim.isStopped).toBe(false);
  });

  it('marks the state stale when its Mosquitto connection drops and recovers', async () => {
    const topicRoot = `auriga-test/${randomUUID()}/v1`;
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: 1883 });
    cleanups.push(() => proxy.close());
    const service = await startService(`mqtt://127.0.0.1:${proxy.port}`, topicRoot);
    await startSim(MOSQUITTO, topicRoot);
    await waitFor('fresh data', () => fresh(service, 'Vehicle.Speed'));

    proxy.cut();
    await waitFor('all stale', () => !service.transport.connected && service.state.list('Vehicle.Speed').every((s) => s.stale));
    const during = await put(service, DRIVER_TEMP, 24);
    expect(during).toMatchObject({ status: 'refused', ruleId: 'ecu-status-stale' });
    proxy.restore();
    await waitFor('fresh again', () => fresh(service, 'Vehicle.Speed') && fresh(service, DRIVER_TEMP), 10_000);
    expect(await put(service, DRIVER_TEMP, 24)).toMatchObject({ status: 'confirmed' });
  });
});
