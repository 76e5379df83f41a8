import pino from 'pino';
import { runCli } from './cli.js';
import { loadServerConfig, startServer } from '../server/config.js';

/** Entry point of `auriga-ota`. `serve --config FILE` runs the fleet server; everything else is runCli. */
const argv = process.argv.slice(2);
if (argv[0] === 'serve') {
  const at = argv.indexOf('--config');
  const configPath = at >= 0 ? argv[at + 1] : undefined;
  if (!configPath) {
    process.stderr.write('usage: auriga-ota serve --config FILE\n');
    process.exit(2);
  }
  const logger = pino({ level: process.env.LOG_LEVEL ?? 'info' });
  try {
    const { server, url } = await startServer(await loadServerConfig(configPath), logger);
    logger.info({ url }, 'auriga-ota server listening');
    const stop = (signal: string) => {
      logger.info({ signal }, 'shutting down');
      server.close().then(() => process.exit(0), (err: unknown) => { logger.error({ err }, 'shutdown failed'); process.exit(1); });
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  } catch (err) {
    logger.error({ err }, 'cannot start the server');
    process.exit(1);
  }
} else {
  process.exitCode = await runCli(argv, {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    env: process.env,
  });
}
