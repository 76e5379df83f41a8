import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import type { Clock } from '../util/timers.js';
import { matchesPrefix, type SignalChange, type SignalSnapshot, type VehicleState } from '../vehicle/state.js';
import { StreamClientMessage, type StreamChangeDto, type StreamServerMessageDto } from './schemas.js';

const checkClientMessage = TypeCompiler.Compile(StreamClientMessage);

/** A client further behind than this is dropped rather than buffered without bound. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

interface StreamClient {
  socket: WebSocket;
  /** Empty = everything. */
  prefixes: string[];
}

export function snapshotDto(s: SignalSnapshot) {
  return { path: s.path, value: s.value ?? null, unit: s.unit ?? null, timestamp: s.timestamp ?? null, stale: s.stale };
}

/**
 * Fans vehicle state changes out to WebSocket clients: a snapshot on connect (and on every
 * subscribe), then the changes batched per interval (latest change per path wins within a batch).
 */
export class StreamHub {
  private readonly clients = new Set<StreamClient>();
  private pending = new Map<string, SignalChange>();
  private timer: unknown;
  private readonly onChange = (change: SignalChange) => {
    if (this.clients.size === 0) return;
    const earlier = this.pending.get(change.path);
    // Keep the value the client last saw as `previous` when a path changes twice within a batch.
    this.pending.set(change.path, earlier ? { ...change, previous: earlier.previous } : change);
    if (this.timer === undefined) this.timer = this.clock.setTimeout(() => this.flush(), this.batchMs);
  };
  private closed = false;

  constructor(
    private readonly state: VehicleState,
    private readonly batchMs: number,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {
    state.on('change', this.onChange);
  }

  get clientCount(): number {
    return this.clients.size;
  }

  add(socket: WebSocket): void {
    if (this.closed) {
      socket.close(1001, 'shutting down');
      return;
    }
    const client: StreamClient = { socket, prefixes: [] };
    this.clients.add(client);
    socket.on('message', (data, isBinary) => this.onMessage(client, data.toString(), isBinary));
    socket.on('close', () => this.clients.delete(client));
    socket.on('error', (err) => {
      this.log.debug({ err: err.message }, 'stream client error');
      this.clients.delete(client);
    });
    this.sendSnapshot(client);
  }

  private onMessage(client: StreamClient, text: string, isBinary: boolean): void {
    let msg: unknown;
    try {
      msg = isBinary ? undefined : JSON.parse(text);
    } catch {
      msg = undefined;
    }
    if (msg === undefined) {
      this.send(client, { type: 'error', code: 'AURIGA_ERR_STREAM_BAD_MESSAGE', message: 'messages must be JSON text, e.g. {"type":"subscribe","prefixes":["Vehicle.Cabin"]}' });
      return;
    }
    if (!checkClientMessage.Check(msg)) {
      const first = checkClientMessage.Errors(msg).First();
      const where = first?.path ? ` at ${first.path}` : '';
      this.send(client, {
        type: 'error',
        code: 'AURIGA_ERR_STREAM_BAD_MESSAGE',
        message: `invalid message${where}: ${first?.message ?? 'unknown problem'}; expected {"type":"subscribe","prefixes":[...]}`,
      });
      return;
    }
    client.prefixes = msg.prefixes.map((p) => p.replace(/\.$/, ''));
    this.sendSnapshot(client);
  }

  private sendSnapshot(client: StreamClient): void {
    const signals = client.prefixes.length === 0 ? this.state.list() : this.state.list().filter((s) => wanted(client, s.path));
    this.send(client, { type: 'snapshot', prefixes: client.prefixes, signals: signals.map(snapshotDto) });
  }

  /** Sends a message to every client now, whatever it subscribed to (notifications for the driver). */
  broadcast(msg: StreamServerMessageDto): void {
    if (this.closed) return;
    const text = JSON.stringify(msg);
    for (const client of this.clients) this.sendText(client, text);
  }

  /** Sends the batched changes now. */
  flush(): void {
    this.timer = undefined;
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    const all: StreamChangeDto[] = [];
    for (const c of batch.values()) {
      all.push({ path: c.path, value: c.value ?? null, previous: c.previous ?? null, timestamp: c.timestamp, stale: c.stale });
    }
    let allText: string | undefined;
    for (const client of this.clients) {
      if (client.prefixes.length === 0) {
        allText ??= JSON.stringify({ type: 'changes', changes: all });
        this.sendText(client, allText);
      } else {
        const mine = all.filter((c) => wanted(client, c.path));
        if (mine.length > 0) this.sendText(client, JSON.stringify({ type: 'changes', changes: mine }));
      }
    }
  }

  private send(client: StreamClient, msg: StreamServerMessageDto): void {
    this.sendText(client, JSON.stringify(msg));
  }

  private sendText(client: StreamClient, text: string): void {
    const socket = client.socket;
    if (socket.readyState !== socket.OPEN) return;
    if (socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.log.warn('dropping a stream client that does not keep up');
      this.clients.delete(client);
      socket.close(1008, 'client too slow');
      return;
    }
    socket.send(text);
  }

  /** Stops streaming and closes every client; idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.state.off('change', this.onChange);
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    for (const c of this.clients) c.socket.close(1001, 'shutting down');
    this.clients.clear();
  }
}

function wanted(client: StreamClient, path: string): boolean {
  return client.prefixes.length === 0 || client.prefixes.some((p) => matchesPrefix(path, p));
}
