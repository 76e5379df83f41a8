/**
 * `npm start`: the whole stack on embedded defaults, nothing to install.
 *   - vehicle-service (HTTP API + HMI on http://127.0.0.1:8080, SQLite under ./.data),
 *   - an embedded MQTT broker in-process when MQTT_URL is unset,
 *   - the simulated car (can-sim) on that broker, unless AURIGA_SIM=off.
 * Environment: everything vehicle-service reads (PORT, MQTT_URL, DATA_DIR, ... see the README) plus
 *   AURIGA_SIM             scenario for the simulated car: parked | city | highway | night-rain | long-highway-leak | idle | off (default city)
 *   AURIGA_SIM_TIME_SCALE  simulated seconds per real second (default 1)
 *   AURIGA_SIM_SEED        PRNG seed of the scenario (default 1)
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { pino, type Logger } from 'pino';
import { isAurigaError } from '@auriga/common';
import { loadConfig, startVehicleService, type VehicleServiceHandle } from '@auriga/vehicle-service';
import { SCENARIO_NAMES, startSimulator, type CarSimulator } from '@auriga/can-sim';

function fail(message: string): never {
  process.stderr.write(`auriga: ${message}\n`);
  process.exit(1);
}

function simOptions(env: NodeJS.ProcessEnv): { scenario: string; timeScale: number; seed: number } | undefined {
  const scenario = env.AURIGA_SIM ?? 'city';
  if (scenario === 'off') return undefined;
  if (!(SCENARIO_NAMES as readonly string[]).includes(scenario)) {
    fail(`AURIGA_SIM must be one of ${[...SCENARIO_NAMES, 'off'].join(', ')}, got "${scenario}"`);
  }
  const timeScale = Number(env.AURIGA_SIM_TIME_SCALE ?? '1');
  if (!Number.isFinite(timeScale) || timeScale <= 0 || timeScale > 1000) {
    fail(`AURIGA_SIM_TIME_SCALE must be a number in (0, 1000], got "${env.AURIGA_SIM_TIME_SCALE}"`);
  }
  const seed = Number(env.AURIGA_SIM_SEED ?? '1');
  if (!Number.isInteger(seed)) fail(`AURIGA_SIM_SEED must be an integer, got "${env.AURIGA_SIM_SEED}"`);
  return { scenario, timeScale, seed };
}

const HMI_ROOT = fileURLToPath(new URL('../hmi-web/', import.meta.url));

/** A fresh clone has no HMI build: make it once (about 10 s) so the screen is there at the first start. */
async function ensureHmiBuilt(dir: string | undefined, logger: Logger): Promise<void> {
  if (dir !== undefined || existsSync(`${HMI_ROOT}dist/index.html`)) return;
  logger.info('building the HMI (first start)');
  try {
    const { build } = await import('vite');
    await build({ root: HMI_ROOT, logLevel: 'warn' });
  } catch (err) {
    // The API still works; the page at / says how to build the screen.
    logger.error({ err }, 'could not build the HMI: run npm run build -w hmi-web');
  }
}

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (isAurigaError(err)) fail(err.message);
    throw err;
  }
  const sim = simOptions(process.env);
  const logger = pino({ level: config.logLevel });

  let service: VehicleServiceHandle | undefined;
  let car: CarSimulator | undefined;
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'stopping');
    // A hung dependency must not keep a head unit from shutting down.
    setTimeout(() => {
      logger.error('shutdown took longer than 15 s: exiting');
      process.exit(1);
    }, 15_000).unref();
    try {
      await car?.stop();
      await service?.close();
      process.exit(0);
    } catch (err) {
      logger.error({ err }, 'error during shutdown');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));

  try {
    await ensureHmiBuilt(config.hmi.dir, logger);
    service = await startVehicleService(config, { logger });
    if (sim) {
      car = await startSimulator({
        mqttUrl: service.mqttUrl,
        topicRoot: config.mqtt.topicRoot,
        bus: config.can.bus,
        ...sim,
        logger: logger.child({ component: 'can-sim' }),
      });
    }
  } catch (err) {
    logger.fatal({ err }, isAurigaError(err) ? `cannot start: ${err.message}` : 'cannot start');
    await car?.stop().catch(() => undefined);
    await service?.close().catch(() => undefined);
    process.exit(1);
  }
  const lines = [
    `Auriga is running`,
    `  HMI and API   ${service.url}/`,
    `  API docs      ${service.url}/docs`,
    `  MQTT broker   ${service.mqttUrl}${service.embeddedBroker ? ' (embedded)' : ''}`,
    `  simulated car ${sim ? `${sim.scenario}, x${sim.timeScale} time, seed ${sim.seed}` : 'off'}`,
    `  data          ${config.dataDir}`,
    `Press Ctrl+C to stop.`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

void main();
