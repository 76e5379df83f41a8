/**
 * TESTS AND BENCHES: a minimal car on MQTT, for when can-sim is not wanted: publishes every cyclic
 * status message periodically and answers actuation requests through a FakeEcu (ack + new status).
 */
import { connectAsync, type MqttClient } from 'mqtt';
import { createDbcCodec, createTopics, decodeFrameBatch, encodeFrameBatch, loadDefaultVehicle, type CanFrame } from '@auriga/common';
import { disableNagle } from '../mqtt/transport.js';
import { FakeEcu } from './fake-ecu.js';

export interface MqttEcuOptions {
  url: string;
  topicRoot: string;
  bus?: string;
  /** Period of the status publication (ms); 0 = never (tests publish by hand). */
  periodMs?: number;
  speedKmh?: number;
}

export interface MqttEcu {
  readonly ecu: FakeEcu;
  readonly client: MqttClient;
  setSpeed(kmh: number): void;
  /** Publishes the status messages now. */
  publishStatus(): void;
  publish(frames: CanFrame[]): void;
  close(): Promise<void>;
}

export async function startMqttEcu(opts: MqttEcuOptions): Promise<MqttEcu> {
  const { dbc, mapping } = loadDefaultVehicle();
  const codec = createDbcCodec(dbc);
  const topics = createTopics(opts.topicRoot);
  const bus = opts.bus ?? 'can0';
  const cyclic = dbc.messages.filter((m) => m.sender !== 'HU' && m.cycleTimeMs);
  const client = await connectAsync(opts.url, { reconnectPeriod: 100, connectTimeout: 3000, clean: true });
  const publish = (frames: CanFrame[]) => {
    if (client.connected) client.publish(topics.frames(bus), encodeFrameBatch(frames), { qos: 0 });
  };
  const ecu = new FakeEcu(codec, mapping, publish);
  ecu.setStatus('ESP_Status', { ESP_VehicleSpeed: opts.speedKmh ?? 0, ESP_VehicleStandstill: (opts.speedKmh ?? 0) === 0 ? 1 : 0 });
  client.on('message', (topic, payload) => {
    if (topic === topics.tx(bus)) ecu.handle(decodeFrameBatch(payload));
  });
  disableNagle(client);
  client.on('connect', () => {
    disableNagle(client);
    client.subscribe(topics.tx(bus), { qos: 1 });
  });
  await client.subscribeAsync(topics.tx(bus), { qos: 1 });
  const publishStatus = () => publish(ecu.cyclicFrames(cyclic));
  const timer = opts.periodMs === 0 ? undefined : setInterval(publishStatus, opts.periodMs ?? 20);
  publishStatus();
  return {
    ecu,
    client,
    setSpeed: (kmh) => ecu.setStatus('ESP_Status', { ESP_VehicleSpeed: kmh, ESP_VehicleStandstill: kmh === 0 ? 1 : 0 }),
    publishStatus,
    publish,
    async close() {
      if (timer) clearInterval(timer);
      await client.endAsync(true);
    },
  };
}
