import { startTcpProxy } from '@auriga/common/testing';
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { connectAsync, type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { createDbcCodec, createTopics, decodeFrameBatch, encodeFrameBatch, type CanFrame } from '@auriga/common';
import { startSimulator } from '../start.js';
import type { CarSimulator } from '../sim.js';
import { loadSimDbc } from '../vehicle/dbc.js';

// Real Mosquitto on this machine; every test uses its own topic root.
const BROKER = 'mqtt://127.0.0.1:1883';
const codec = createDbcCodec(loadSimDbc());
const silent = pino({ level: 'silent' });

interface Observer {
  client: MqttClient;
  frames: CanFrame[];
  messages: number;
  statuses: Array<Record<string, unknown>>;
}

async function observe(root: string): Promise<Observer> {
  const topics = createTopics(root);
  const client = await connectAsync(BROKER);
  const obs: Observer = { client, frames: [], messages: 0, statuses: [] };
  client.on('message', (topic, payload) => {
    if (topic === topics.simStatus) {
      if (payload.length > 0) obs.statuses.push(JSON.parse(payload.toString()) as Record<string, unknown>);
      return;
    }
    obs.messages++;
    obs.frames.push(...decodeFrameBatch(payload, topics.busOf(topic)));
  });
  await client.subscribeAsync([topics.frames(), topics.simStatus], { qos: 1 });
  // Leave no retained status behind on the shared broker.
  cleanup.push(async () => {
    const c = await connectAsync(BROKER);
    await c.publishAsync(topics.simStatus, '', { qos: 1, retain: true });
    await c.endAsync();
  });
  return obs;
}

async function until<T>(what: string, probe: () => T | undefined | false, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const decoded = (frames: CanFrame[], name: string) =>
  frames.map((f) => codec.decodeFrame(f)).filter((d) => d?.message.name === name).map((d) => ({ ...d!.signals }));

const cleanup: Array<() => Promise<unknown> | void> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

describe('simulator over MQTT (real Mosquitto)', () => {
  it('publishes decodable frames at the DBC cycle rates, answers requests, obeys control, goes offline on stop', async () => {
    const root = `auriga-test/${randomUUID()}/v1`;
    const topics = createTopics(root);
    const obs = await observe(root);
    cleanup.push(() => obs.client.endAsync());
    const sim: CarSimulator = await startSimulator({ mqttUrl: BROKER, topicRoot: root, scenario: 'parked', timeScale: 10, seed: 1, logger: silent, statusIntervalMs: 200 });
    cleanup.push(() => sim.stop());

    // About 3 s of simulated time.
    await until('frames', () => obs.frames.filter((f) => f.id === 544).length >= 150);
    const esp = obs.frames.filter((f) => f.id === 544);
    const gaps = esp.slice(1).map((f, i) => f.timestamp - esp[i]!.timestamp);
    for (const gap of gaps) expect(gap).toBeCloseTo(0.02, 6); // ESP_Status every 20 ms of simulated time
    const engine = obs.frames.filter((f) => f.id === 192);
    expect(engine.at(-1)!.timestamp - engine.at(-2)!.timestamp).toBeCloseTo(0.01, 6);
    expect(decoded(obs.frames, 'ESP_Status').at(-1)).toMatchObject({ ESP_VehicleSpeed: 0, ESP_VehicleStandstill: 1 });
    expect(decoded(obs.frames, 'TCM_GearStatus').at(-1)).toMatchObject({ TCM_GearLever: 0 });
    // Batched: many frames per MQTT message.
    expect(obs.frames.length / obs.messages).toBeGreaterThan(3);
    await until('running status', () => obs.statuses.find((s) => s.state === 'running'));
    expect(obs.statuses.at(-1)).toMatchObject({ state: 'running', scenario: 'parked', timeScale: 10, seed: 1, faults: [] });

    // A window request: ack, then the window moves to 50 % (2 s of simulated time).
    const seen = obs.frames.length;
    const request = codec.encodeFrame('HU_Window_Request', { WinReq_Pos_FL: 50, WinReq_Counter: 3 }, Date.now() / 1000);
    await obs.client.publishAsync(topics.tx(), encodeFrameBatch([request]), { qos: 1 });
    const ack = await until('ack', () => decoded(obs.frames.slice(seen), 'ECU_ActuationAck')[0]);
    expect(ack).toEqual({ Ack_RequestId: 1410, Ack_Counter: 3, Ack_Result: 0 });
    await until('window at 50 %', () => decoded(obs.frames.slice(seen), 'BCM_WindowStatus').find((s) => s.BCM_WindowPos_FL === 50));

    // Control: drive at 30 km/h, then the trunk refuses to open.
    await obs.client.publishAsync(topics.simControl, JSON.stringify({ cmd: 'set', speedKmh: 30 }), { qos: 1 });
    await until('30 km/h on the bus', () => decoded(obs.frames, 'ESP_Status').at(-1)!.ESP_VehicleSpeed! > 25);
    const before = obs.frames.length;
    const trunk = codec.encodeFrame('HU_Body_Request', { BodyReq_TrunkOpen: 1, BodyReq_Counter: 4 }, Date.now() / 1000);
    await obs.client.publishAsync(topics.tx(), encodeFrameBatch([trunk]), { qos: 1 });
    const refused = await until('trunk ack', () => decoded(obs.frames.slice(before), 'ECU_ActuationAck')[0]);
    expect(refused).toEqual({ Ack_RequestId: 1409, Ack_Counter: 4, Ack_Result: 1 });

    // A bad command is reported in the status, nothing crashes.
    await obs.client.publishAsync(topics.simControl, '{"cmd":"warp"}', { qos: 1 });
    await until('lastControl', () => obs.statuses.find((s) => (s.lastControl as { ok?: boolean } | undefined)?.ok === false));

    await sim.stop();
    await until('offline status', () => obs.statuses.at(-1)?.state === 'offline');
  });

  it('survives the broker going away and reconnects', async () => {
    const root = `auriga-test/${randomUUID()}/v1`;
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: 1883 });
    const port = proxy.port;
    cleanup.push(() => proxy.close());
    const obs = await observe(root);
    cleanup.push(() => obs.client.endAsync());
    const sim = await startSimulator({ mqttUrl: `mqtt://127.0.0.1:${port}`, topicRoot: root, scenario: 'idle', timeScale: 1, logger: silent, statusIntervalMs: 200 });
    cleanup.push(() => sim.stop());

    await until('first frames', () => obs.frames.length > 50);
    proxy.cut();
    // Mosquitto sees the connection die and publishes the last will.
    await until('last will', () => obs.statuses.at(-1)?.state === 'offline', 5000);
    await new Promise((r) => setTimeout(r, 300));
    proxy.restore();
    const count = obs.frames.length;
    await until('frames again', () => obs.frames.length > count + 50, 8000);
    await until('running again', () => obs.statuses.at(-1)?.state === 'running', 3000);
    expect(sim.isStopped).toBe(false);
  });
});
