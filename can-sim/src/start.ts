import { createTopics, DEFAULT_BUS, DEFAULT_TOPIC_ROOT, type Dbc } from '@auriga/common';
import { pino, type Logger } from 'pino';
import { CandumpRecorder } from './candump/recorder.js';
import type { TimeScale } from './clock/sim-clock.js';
import { SimErrors } from './errors.js';
import type { FaultSpec } from './faults/faults.js';
import { CarSimulator } from './sim.js';
import { MqttTransport } from './transport/mqtt-transport.js';

export interface StartSimulatorOptions {
  /** Broker URL, e.g. mqtt://127.0.0.1:1883. */
  mqttUrl: string;
  /** Topic root (default auriga/v1). */
  topicRoot?: string;
  /** Bus name in the topics (default can0). */
  bus?: string;
  /** idle | parked | city | highway | night-rain | long-highway-leak (default parked). */
  scenario?: string;
  /** 1 = real time, N = N times faster, 'max' = as fast as possible (default 1). */
  timeScale?: TimeScale;
  seed?: number;
  /** Record the bus to this candump log (and the ground truth to `<record>.labels.jsonl`). */
  record?: string;
  logger?: Logger;
  /** Faults active from the start. */
  faults?: FaultSpec[];
  /** Another DBC than common/data/auriga.dbc (it must define the messages the ECUs use). */
  dbc?: Dbc;
  /** How long to wait for the broker at start (default 10 s). */
  connectTimeoutMs?: number;
  /** Wall-clock interval of the retained status updates (default 1000 ms). */
  statusIntervalMs?: number;
  clientId?: string;
}

/**
 * Starts the simulated car on MQTT: validates the options, connects (waiting for the broker up to
 * connectTimeoutMs), then runs. `await sim.stop()` publishes the offline status and disconnects.
 */
export async function startSimulator(options: StartSimulatorOptions): Promise<CarSimulator> {
  if (typeof options.mqttUrl !== 'string' || !/^(mqtts?|wss?|tcp|ssl):\/\//.test(options.mqttUrl)) {
    throw SimErrors.badOption('mqttUrl', `expected mqtt://host:port (or mqtts/ws/wss), got ${JSON.stringify(options.mqttUrl)}`);
  }
  const logger = options.logger ?? pino({ level: 'info' });
  let topics;
  try {
    topics = createTopics(options.topicRoot ?? DEFAULT_TOPIC_ROOT);
  } catch (err) {
    throw SimErrors.badOption('topicRoot', (err as Error).message);
  }
  const bus = options.bus ?? DEFAULT_BUS;
  if (!/^[A-Za-z0-9_.-]+$/.test(bus)) throw SimErrors.badOption('bus', `"${bus}" must be a plain name like can0`);

  // Everything that can be wrong with the options fails here, before touching the network.
  const sim = new CarSimulator({
    ...(options.dbc ? { dbc: options.dbc } : {}),
    ...(options.scenario !== undefined ? { scenario: options.scenario } : {}),
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    ...(options.timeScale !== undefined ? { timeScale: options.timeScale } : {}),
    ...(options.faults ? { faults: options.faults } : {}),
    ...(options.statusIntervalMs !== undefined ? { statusIntervalMs: options.statusIntervalMs } : {}),
    logger: logger.child({ component: 'sim' }),
  });

  const transport = await MqttTransport.connect({
    url: options.mqttUrl,
    topics,
    bus,
    logger: logger.child({ component: 'mqtt' }),
    ...(options.connectTimeoutMs !== undefined ? { connectTimeoutMs: options.connectTimeoutMs } : {}),
    ...(options.clientId ? { clientId: options.clientId } : {}),
  });
  sim.onStop(() => transport.close());

  let recorder: CandumpRecorder | undefined;
  if (options.record) {
    recorder = new CandumpRecorder(options.record, { bus, labelsPath: `${options.record}.labels.jsonl` });
    const r = recorder;
    sim.onStop(() => r.close());
    r.writeLabel(sim.epoch + sim.simTime, sim.groundTruthLabel());
    sim.on('label', (label, simTime) => r.writeLabel(sim.epoch + simTime, label));
    sim.on('request', (record) => r.write([{ ...record.frame, bus }]));
  }

  sim.on('frames', (frames) => {
    transport.publishFrames(frames);
    recorder?.write(frames);
  });
  sim.on('status', (status) => transport.publishStatus(status));
  transport.on('tx', (frames) => sim.receive(frames));
  transport.on('control', (payload) => {
    const result = sim.control(payload);
    logger.info({ control: payload.toString('utf8').slice(0, 200), ...result }, 'sim/control');
  });
  transport.on('warning', (err) => logger.warn({ err: err.message }, 'MQTT transport problem'));

  sim.start();
  logger.info(
    { mqtt: options.mqttUrl, root: topics.root, bus, scenario: sim.scenario, seed: sim.seed, timeScale: sim.clock.timeScale, record: options.record },
    'simulated car running',
  );
  return sim;
}
