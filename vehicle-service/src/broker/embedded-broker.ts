import { createServer, type Server, type Socket } from 'node:net';
import { Aedes } from 'aedes';
import type { Logger } from 'pino';
import { BrokerListenError } from '../errors.js';

export interface EmbeddedBrokerOptions {
  host: string;
  /** 0 = any free port. */
  port: number;
  /** When the port is taken, listen on a free one instead of failing (logged). Default true. */
  fallbackToFreePort?: boolean;
  logger: Logger;
}

export interface EmbeddedBroker {
  readonly host: string;
  readonly port: number;
  /** mqtt://host:port */
  readonly url: string;
  /** Disconnects every client and stops listening; idempotent. */
  close(): Promise<void>;
}

/**
 * An in-process MQTT broker (aedes over a plain TCP server) for cars without an external one.
 * Retained messages and QoS 1 live in memory only.
 */
export async function startEmbeddedBroker(opts: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  const log = opts.logger.child({ component: 'embedded-broker' });
  const aedes = await Aedes.createBroker();
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    // Without this Nagle + delayed ACK adds ~40 ms to every small publish on loopback.
    socket.setNoDelay(true);
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    // A client resetting its connection must not take the process down.
    socket.on('error', (err) => log.debug({ err }, 'client socket error'));
    aedes.handle(socket);
  });
  aedes.on('clientError', (client, err) => log.debug({ client: client.id, err: err.message }, 'client error'));
  aedes.on('connectionError', (_client, err) => log.debug({ err: err.message }, 'connection error'));

  let port: number;
  try {
    port = await listen(server, opts.host, opts.port);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' && opts.port !== 0 && opts.fallbackToFreePort !== false) {
      port = await listen(server, opts.host, 0).catch((e: Error) => {
        aedes.close();
        throw BrokerListenError(opts.host, 0, e.message, { cause: e });
      });
      log.warn({ wanted: opts.port, port }, `port ${opts.port} is busy: the embedded MQTT broker listens on ${port} instead`);
    } else {
      aedes.close();
      throw BrokerListenError(opts.host, opts.port, (err as Error).message, { cause: err });
    }
  }
  log.info({ host: opts.host, port }, 'embedded MQTT broker listening');

  let closing: Promise<void> | undefined;
  return {
    host: opts.host,
    port,
    url: `mqtt://${opts.host.includes(':') ? `[${opts.host}]` : opts.host}:${port}`,
    close() {
      closing ??= (async () => {
        const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
        await new Promise<void>((resolve) => aedes.close(() => resolve()));
        // aedes closes its clients; anything still half-open would keep server.close() waiting.
        for (const s of sockets) s.destroy();
        await serverClosed;
        log.info('embedded MQTT broker closed');
      })();
      return closing;
    },
  };
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => {
      server.off('listening', onListening);
      reject(err);
    };
    const onListening = () => {
      server.off('error', onError);
      const addr = server.address();
      resolve(typeof addr === 'object' && addr ? addr.port : port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}
