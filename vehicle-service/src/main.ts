/**
 * Entry point of the in-car daemon: `node --import tsx vehicle-service/src/main.ts`.
 * Configuration from the environment (see ENV_VARIABLES) and the optional AURIGA_CONFIG file.
 */
import { pino } from 'pino';
import { isAurigaError } from '@auriga/common';
import { loadConfig } from './config/load.js';
import { ConfigFileError, ConfigInvalidError } from './errors.js';
import { startVehicleService, type VehicleServiceHandle } from './service.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (isAurigaError(err, ConfigInvalidError.code) || isAurigaError(err, ConfigFileError.code)) {
      process.stderr.write(`vehicle-service: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const logger = pino({ level: config.logLevel });
  let service: VehicleServiceHandle;
  try {
    service = await startVehicleService(config, { logger });
  } catch (err) {
    logger.fatal({ err }, isAurigaError(err) ? `cannot start: ${err.message}` : 'cannot start');
    process.exitCode = 1;
    return;
  }

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'stopping');
    // A hung dependency must not keep a head unit from shutting down.
    const force = setTimeout(() => {
      logger.error('shutdown took longer than 15 s: exiting');
      process.exit(1);
    }, 15_000);
    force.unref();
    service.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'error during shutdown');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`vehicle-service: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
