/**
 * MQTT push from the fleet server against the machine's Mosquitto (own topic root per test): the cars
 * whose assignment is created or changed get "check in now" on `{root}/ota/notify/{vehicleId}`, and a
 * broken push never fails the operator's request.
 */
import { randomUUID } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createTopics } from '@auriga/common';
import { TestFleet } from '../testing/fleet-fixture.js';
import { SimulatedCar } from '../testing/simulated-car.js';
import { mqttAssignmentNotifier, type AssignmentNotifier } from './notify.js';

const MOSQUITTO = 'mqtt://127.0.0.1:1883';
const silent = pino({ level: 'silent' });

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function waitFor(what: string, pred: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Records every vehicle id notified under `root` (the per-vehicle topic a car subscribes to). */
async function listen(root: string): Promise<{ client: MqttClient; ids: string[] }> {
  const client = await mqtt.connectAsync(MOSQUITTO, { reconnectPeriod: 0 });
  cleanups.push(() => client.endAsync(true));
  const ids: string[] = [];
  const prefix = `${createTopics(root).otaNotify}/`;
  client.on('message', (topic) => { if (topic.startsWith(prefix)) ids.push(topic.slice(prefix.length)); });
  await client.subscribeAsync(`${prefix}#`, { qos: 1 });
  return { client, ids };
}

async function fleetWith(notifier: AssignmentNotifier): Promise<TestFleet> {
  const fleet = await TestFleet.create('sqlite', { notifier });
  cleanups.push(() => fleet.cleanup());
  return fleet;
}

async function car(fleet: TestFleet, id: string): Promise<SimulatedCar> {
  const token = await fleet.registerVehicle(id, 'beta', 'hu-a1');
  return new SimulatedCar(fleet.server.app, id, 'hu-a1', token, fleet.rootJson, fleet.now);
}

describe('OTA push over MQTT', () => {
  it('notifies exactly the cars whose assignment was created or changed: start, promotion, resume, rollback', async () => {
    const root = `auriga-test/${randomUUID()}/v1`;
    const seen = await listen(root);
    const notifier = mqttAssignmentNotifier({ url: MOSQUITTO, topicRoot: root, logger: silent });
    const fleet = await fleetWith(notifier);
    await waitFor('the notifier to connect', () => notifier.connected);
    const cars = await Promise.all(['car-1', 'car-2', 'car-3', 'car-4'].map((id) => car(fleet, id)));
    await fleet.publishRelease('speech', '1.0.0');
    const next = await fleet.publishRelease('speech', '1.1.0');

    // Campaign start: only the first stage (2 of 4 cars) is assigned, and only those cars hear about it.
    const created = await fleet.op(fleet.server, 'POST', '/api/v1/campaigns', {
      name: 'speech 1.1', releaseId: next.targetPath, selector: { group: 'beta' },
      stages: [{ percent: 50, failureThreshold: 0 }, { percent: 100, failureThreshold: 1 }],
    });
    expect(created.statusCode).toBe(201);
    const campaignId = created.json().campaign.id as string;
    const members = async (stage: number) => (await fleet.db.store.campaignMembers(campaignId, stage)).sort();
    const [stage1, stage2] = [await members(0), await members(1)];
    await waitFor('stage 1 pushes', () => seen.ids.length >= 2);
    expect([...seen.ids].sort()).toEqual(stage1);

    // One stage-1 car installs, the other fails: the campaign pauses by itself (threshold 0). Nothing new to push.
    const byId = new Map(cars.map((c) => [c.id, c]));
    expect(await byId.get(stage1[1]!)!.update()).toBe('installed');
    expect(await byId.get(stage1[0]!)!.update({ fail: 'acceptance test failed' })).toBe('failed');
    expect((await fleet.db.store.getCampaign(campaignId))!.state).toBe('paused');

    // Resume: the stage is finished, so it is promoted and stage 2's cars are pushed.
    seen.ids.length = 0;
    const resumed = await fleet.op(fleet.server, 'POST', `/api/v1/campaigns/${campaignId}/resume`);
    expect(resumed.statusCode).toBe(200);
    await waitFor('stage 2 pushes', () => seen.ids.length >= 2);
    expect([...new Set(seen.ids)].sort()).toEqual(stage2);
    for (const id of stage2) expect(await byId.get(id)!.update()).toBe('installed');

    // Rollback: every car that started or finished 1.1.0 (3 of them; the failed one did not) is pushed.
    seen.ids.length = 0;
    const rb = await fleet.op(fleet.server, 'POST', `/api/v1/campaigns/${campaignId}/rollback`);
    expect(rb.json()).toMatchObject({ vehicles: 3 });
    await waitFor('rollback pushes', () => seen.ids.length >= 3);
    expect([...seen.ids].sort()).toEqual([stage1[1]!, ...stage2].sort());
  });

  it('a broker that is down, or a notifier that throws, never fails the operator request: the car finds the work by polling', async () => {
    // Nothing listens on port 1: the notifier never connects and drops the pushes.
    const down = mqttAssignmentNotifier({ url: 'mqtt://127.0.0.1:1', topicRoot: 'auriga-test/down/v1', logger: silent, clientOptions: { connectTimeout: 200, reconnectPeriod: 100 } });
    const throwing: AssignmentNotifier = {
      notify: () => { throw new Error('broker exploded'); },
      close: async () => { await down.close(); },
    };
    for (const notifier of [down, throwing]) {
      const fleet = await fleetWith(notifier);
      const c = await car(fleet, 'car-1');
      const rel = await fleet.publishRelease('speech', '1.0.0');
      const created = await fleet.op(fleet.server, 'POST', '/api/v1/campaigns', {
        name: 'speech 1.0', releaseId: rel.targetPath, selector: { vehicles: ['car-1'] }, stages: [{ percent: 100, failureThreshold: 0 }],
      });
      expect(created.statusCode).toBe(201);
      const campaignId = created.json().campaign.id as string;
      expect((await fleet.op(fleet.server, 'POST', `/api/v1/campaigns/${campaignId}/pause`)).statusCode).toBe(200);
      expect((await fleet.op(fleet.server, 'POST', `/api/v1/campaigns/${campaignId}/resume`)).statusCode).toBe(200);
      expect(await c.update()).toBe('installed');
    }
  });

  it('the server config accepts an optional push section', async () => {
    const { ServerConfigSchema } = await import('./config.js');
    const { Value } = await import('@sinclair/typebox/value');
    const base = {
      listen: { host: '127.0.0.1', port: 0 }, store: 'sqlite:x.db', bundleDir: 'b',
      onlineKeys: { snapshot: ['s'], timestamp: ['t'], director: ['d'] }, operatorTokenHashes: ['0'.repeat(64)],
    };
    expect(Value.Check(ServerConfigSchema, base)).toBe(true);
    expect(Value.Check(ServerConfigSchema, { ...base, push: { mqttUrl: 'mqtt://broker:1883', topicRoot: 'auriga/v1' } })).toBe(true);
    expect(Value.Check(ServerConfigSchema, { ...base, push: { mqttUrl: 'http://broker', topicRoot: 'auriga/v1' } })).toBe(false);
    expect(Value.Check(ServerConfigSchema, { ...base, push: { mqttUrl: 'mqtt://broker', topicRoot: 'auriga/#' } })).toBe(false);
  });
});
