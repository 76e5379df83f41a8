import { parseArgs } from 'node:util';
import { createTopics, DEFAULT_TOPIC_ROOT, isAurigaError } from '@auriga/common';
import { pino, type Logger } from 'pino';
import { CanBridge } from './bridge/bridge.js';
import { spawnCandump, type CandumpProcess } from './bridge/candump-process.js';
import { createTxPolicy, type TxPolicy } from './bridge/tx-policy.js';
import { CansendTxWriter, StreamTxWriter } from './bridge/tx-writer.js';
import { replayCandump } from './candump/replay.js';
import { validateTimeScale, type TimeScale } from './clock/sim-clock.js';
import { describeScenarios } from './scenarios/catalog.js';
import type { CarSimulator } from './sim.js';
import { startSimulator } from './start.js';
import { MqttTransport } from './transport/mqtt-transport.js';

const USAGE = `auriga-sim: the simulated Auriga car on MQTT

Usage:
  auriga-sim [run] --mqtt URL [--scenario NAME] [--time-scale N|max] [--seed N] [--record FILE.log]
                   [--topic-root ROOT] [--bus NAME] [--fault JSON]... [--log-level LEVEL]
  auriga-sim replay FILE.log --mqtt URL [--time-scale N] [--loop] [--bus NAME] [--keep-timestamps]
                   [--topic-root ROOT] [--log-level LEVEL]
  auriga-sim bridge --mqtt URL (--candump IFACE | --iface IFACE < candump.log)
                   [--tx-allow ID,ID... | --tx-any] [--tx-stdout] [--batch-ms N] [--max-batch N]
                   [--topic-root ROOT] [--log-level LEVEL]
  auriga-sim scenarios
  auriga-sim --help

Options:
  --mqtt URL          broker, e.g. mqtt://127.0.0.1:1883 (required for run, replay and bridge)
  --scenario NAME     drive scenario (default parked); see "auriga-sim scenarios"
  --time-scale N      simulated seconds per wall second (default 1), or "max"
  --seed N            seed of the driver model and random faults (default 1)
  --record FILE.log   record the bus to a candump log (+ FILE.log.labels.jsonl ground truth)
  --topic-root ROOT   MQTT topic root (default ${DEFAULT_TOPIC_ROOT})
  --bus NAME          bus name in the topics (default can0); for replay: publish every frame on it
  --fault JSON        inject a fault at start, e.g. '{"kind":"silent","ecu":"ECM"}' (repeatable)
  --loop              replay: start again at the end
  --keep-timestamps   replay: keep the log's timestamps instead of shifting them to now
  --log-level LEVEL   pino level (default info)

Bridge (a real car's SocketCAN interface <-> MQTT, on the head unit):
  --candump IFACE     run "candump -L IFACE" (can-utils) and bridge that interface
  --iface IFACE       bridge IFACE, reading "candump -L" lines from stdin instead
  --tx-allow ID,ID    CAN ids (hex; 3 digits = 11-bit, 8 digits = 29-bit) the bridge may send with
                      cansend; requests for any other id are refused and logged
  --tx-any            send every requested frame (bench setups only)
                      without --tx-allow or --tx-any nothing is sent: anyone who can publish on
                      the broker could otherwise put any frame on the car's bus
  --tx-stdout         print allowed request frames as candump -L lines on stdout instead of
                      running cansend (logs then go to stderr)
  --batch-ms N        longest time a frame waits for its batch (default 10)
  --max-batch N       most frames in one batch (default 500)
`;

class UsageError extends Error {}

function parseTimeScale(text: string | undefined, allowMax: boolean): TimeScale {
  if (text === undefined) return 1;
  const value = text === 'max' && allowMax ? 'max' : Number(text);
  try {
    return validateTimeScale(value);
  } catch (err) {
    throw new UsageError(`--time-scale: ${(err as Error).message}`);
  }
}

function parseSeed(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--seed must be a non-negative integer, got "${text}"`);
  return n;
}

/** Stops `stop` on SIGINT/SIGTERM; a second signal exits at once. */
function onSignals(logger: Logger, stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(130);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down');
    stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'error during shutdown');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}

async function run(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      mqtt: { type: 'string' },
      scenario: { type: 'string' },
      'time-scale': { type: 'string' },
      seed: { type: 'string' },
      record: { type: 'string' },
      'topic-root': { type: 'string' },
      bus: { type: 'string' },
      fault: { type: 'string', multiple: true },
      loop: { type: 'boolean' },
      'keep-timestamps': { type: 'boolean' },
      'log-level': { type: 'string' },
      candump: { type: 'string' },
      iface: { type: 'string' },
      'tx-allow': { type: 'string' },
      'tx-any': { type: 'boolean' },
      'tx-stdout': { type: 'boolean' },
      'batch-ms': { type: 'string' },
      'max-batch': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const command = positionals[0] ?? 'run';
  if (values.help || command === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  // With --tx-stdout, stdout carries the frames: logs go to stderr.
  const logger = pino({ level: values['log-level'] ?? 'info' }, pino.destination(values['tx-stdout'] ? 2 : 1));

  if (command === 'scenarios') {
    for (const s of describeScenarios()) process.stdout.write(`${s.name.padEnd(20)} ${s.description}\n`);
    return;
  }
  if (!values.mqtt) throw new UsageError('--mqtt URL is required');

  if (command === 'run') {
    if (positionals.length > 1) throw new UsageError(`unexpected argument "${positionals[1]}"`);
    if (values.loop || values['keep-timestamps']) throw new UsageError('--loop and --keep-timestamps are replay options');
    const faults = (values.fault ?? []).map((text) => {
      try {
        return JSON.parse(text) as Record<string, unknown>;
      } catch (err) {
        throw new UsageError(`--fault: not JSON: ${(err as Error).message}`);
      }
    });
    let sim: CarSimulator | undefined;
    onSignals(logger, async () => sim?.stop());
    sim = await startSimulator({
      mqttUrl: values.mqtt,
      logger,
      timeScale: parseTimeScale(values['time-scale'], true),
      ...(values.scenario ? { scenario: values.scenario } : {}),
      ...(values.seed !== undefined ? { seed: parseSeed(values.seed)! } : {}),
      ...(values.record ? { record: values.record } : {}),
      ...(values['topic-root'] ? { topicRoot: values['topic-root'] } : {}),
      ...(values.bus ? { bus: values.bus } : {}),
      ...(faults.length > 0 ? { faults: faults as never } : {}),
    });
    return;
  }

  if (command === 'replay') {
    const file = positionals[1];
    if (!file) throw new UsageError('replay needs a candump log file');
    if (values.scenario || values.seed || values.record || values.fault) {
      throw new UsageError('--scenario, --seed, --record and --fault do not apply to replay');
    }
    const timeScale = parseTimeScale(values['time-scale'], false) as number;
    const topics = createTopics(values['topic-root'] ?? DEFAULT_TOPIC_ROOT);
    const transport = await MqttTransport.connect({ url: values.mqtt, topics, subscribe: false, logger: logger.child({ component: 'mqtt' }) });
    const abort = new AbortController();
    onSignals(logger, async () => {
      abort.abort();
      await transport.close();
    });
    transport.publishStatus({ state: 'running', mode: 'replay', file, timeScale, loop: !!values.loop });
    logger.info({ file, timeScale, loop: !!values.loop, root: topics.root }, 'replaying');
    const result = await replayCandump(file, {
      timeScale,
      loop: !!values.loop,
      rebaseTimestamps: !values['keep-timestamps'],
      signal: abort.signal,
      ...(values.bus ? { bus: values.bus } : {}),
      publish: (frames, bus) => transport.publishFrames(frames, bus),
      onProgress: (p) => logger.info(p, 'replay pass done'),
    });
    logger.info(result, 'replay finished');
    await transport.close();
    return;
  }
  if (command === 'bridge') {
    await bridge(values, positionals, logger);
    return;
  }
  throw new UsageError(`unknown command "${command}" (run, replay, bridge, scenarios)`);
}

function positiveInteger(option: string, text: string | undefined, min: number): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${option} must be an integer >= ${min}, got "${text}"`);
  return n;
}

interface BridgeValues {
  mqtt?: string | undefined;
  candump?: string | undefined;
  iface?: string | undefined;
  'tx-allow'?: string | undefined;
  'tx-any'?: boolean | undefined;
  'tx-stdout'?: boolean | undefined;
  'batch-ms'?: string | undefined;
  'max-batch'?: string | undefined;
  'topic-root'?: string | undefined;
  scenario?: string | undefined;
  record?: string | undefined;
  fault?: string[] | undefined;
  bus?: string | undefined;
}

/** `auriga-sim bridge`: exits 0 when stdin ends or on SIGTERM/SIGINT, 1 when candump stops. */
async function bridge(values: BridgeValues, positionals: string[], logger: Logger): Promise<void> {
  if (positionals.length > 1) throw new UsageError(`unexpected argument "${positionals[1]}"`);
  if (values.scenario || values.record || values.fault || values.bus) {
    throw new UsageError('--scenario, --record, --fault and --bus do not apply to bridge');
  }
  if (values.candump && values.iface && values.candump !== values.iface) {
    throw new UsageError('--candump and --iface name different interfaces; give one of them');
  }
  const iface = values.candump ?? values.iface;
  if (!iface) throw new UsageError('bridge needs --candump IFACE (run candump) or --iface IFACE (candump -L lines on stdin)');
  let txPolicy: TxPolicy;
  try {
    txPolicy = createTxPolicy({ ...(values['tx-allow'] !== undefined ? { allow: values['tx-allow'] } : {}), any: !!values['tx-any'] });
  } catch (err) {
    if (isAurigaError(err)) throw new UsageError(err.message);
    throw err;
  }
  const batchMs = positiveInteger('--batch-ms', values['batch-ms'], 0);
  const maxBatch = positiveInteger('--max-batch', values['max-batch'], 1);
  const topics = createTopics(values['topic-root'] ?? DEFAULT_TOPIC_ROOT);

  let candump: CandumpProcess | undefined;
  if (values.candump) {
    candump = spawnCandump(iface, (line) => logger.warn({ candump: line }, 'candump says'));
  }
  const input = candump?.stdout ?? process.stdin;
  const txWriter = values['tx-stdout'] ? new StreamTxWriter(process.stdout) : new CansendTxWriter();
  const canBridge = new CanBridge({
    mqttUrl: values.mqtt!,
    topics,
    iface,
    input,
    inputName: candump ? `candump ${iface}` : '<stdin>',
    txPolicy,
    txWriter,
    logger: logger.child({ component: 'bridge' }),
    ...(batchMs !== undefined ? { batchMs } : {}),
    ...(maxBatch !== undefined ? { maxBatchFrames: maxBatch } : {}),
  });
  if (txPolicy.mode === 'none') logger.warn('transmission disabled: requests on the tx topic are refused (give --tx-allow)');
  logger.info({ iface, root: topics.root, input: candump ? 'candump' : 'stdin', tx: txPolicy.mode }, 'bridging');
  let stopping = false;
  onSignals(logger, async () => {
    stopping = true;
    candump?.child.kill('SIGTERM');
    await canBridge.close();
  });
  if (candump) {
    const why = await candump.exited;
    if (stopping) return;
    await canBridge.close();
    throw new Error(why);
  }
  await canBridge.inputEnded;
  if (stopping) return;
  logger.info(canBridge.stats, 'input ended');
  await canBridge.close();
}

run(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof UsageError || (err as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    process.stderr.write(`auriga-sim: ${(err as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  const e = err as { code?: string; message?: string };
  process.stderr.write(`auriga-sim: ${e.code ? `${e.code}: ` : ''}${e.message ?? String(err)}\n`);
  process.exit(1);
});
