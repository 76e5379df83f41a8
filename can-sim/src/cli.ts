import { parseArgs } from 'node:util';
import { createTopics, DEFAULT_TOPIC_ROOT } from '@auriga/common';
import { pino, type Logger } from 'pino';
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
  auriga-sim scenarios
  auriga-sim --help

Options:
  --mqtt URL          broker, e.g. mqtt://127.0.0.1:1883 (required for run and replay)
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
      help: { type: 'boolean', short: 'h' },
    },
  });
  const command = positionals[0] ?? 'run';
  if (values.help || command === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  const logger = pino({ level: values['log-level'] ?? 'info' });

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
  throw new UsageError(`unknown command "${command}" (run, replay, scenarios)`);
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
