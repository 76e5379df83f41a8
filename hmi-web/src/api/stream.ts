import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
import type { SignalSnapshot, StreamChange, StreamServerMessage } from './types.js';

/** The part of the browser's WebSocket the client uses (a fake in unit tests). */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}

export interface StreamTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(id: unknown): void;
  now(): number;
}

export type StreamStatus = 'connecting' | 'open' | 'waiting' | 'closed';

export interface StreamState {
  /** connecting: socket opening; open: snapshot received; waiting: retry scheduled; closed: stopped. */
  status: StreamStatus;
  /** Failed attempts in a row (0 once connected). */
  attempt: number;
  /** When the next attempt starts (waiting only). */
  retryAt: number | null;
  /** When the last message arrived. */
  lastMessageAt: number | null;
  /** Why the last connection ended. */
  lastError: string | null;
}

export interface StreamHandlers {
  snapshot(signals: SignalSnapshot[]): void;
  changes(changes: StreamChange[]): void;
  state(state: StreamState): void;
  /** The service refused a message of ours (bad subscribe). */
  serverError?(code: string, message: string): void;
}

export interface StreamClientOptions {
  url: string;
  handlers: StreamHandlers;
  createSocket?: (url: string) => SocketLike;
  timers?: StreamTimers;
  backoff?: BackoffOptions;
  random?: () => number;
  /** VSS branches to receive (none = everything). */
  prefixes?: string[];
}

const OPEN = 1;

const browserTimers: StreamTimers = {
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (id) => globalThis.clearTimeout(id as ReturnType<typeof setTimeout>),
  now: () => Date.now(),
};

/**
 * The live signal stream (WebSocket /v1/stream): a snapshot, then batched changes. Reconnects on
 * its own with capped, jittered exponential backoff; every reconnect starts from a fresh snapshot.
 */
export class StreamClient {
  private socket: SocketLike | undefined;
  private retryTimer: unknown;
  private stopped = false;
  private prefixes: string[];
  private readonly timers: StreamTimers;
  private readonly createSocket: (url: string) => SocketLike;
  private current: StreamState = { status: 'closed', attempt: 0, retryAt: null, lastMessageAt: null, lastError: null };

  constructor(private readonly options: StreamClientOptions) {
    this.timers = options.timers ?? browserTimers;
    this.createSocket = options.createSocket ?? ((url) => new WebSocket(url) as unknown as SocketLike);
    this.prefixes = options.prefixes ?? [];
  }

  get state(): StreamState {
    return this.current;
  }

  start(): void {
    if (this.stopped || this.socket || this.retryTimer !== undefined) return;
    this.connect();
  }

  /** Restricts the stream to these branches; the service answers with a new snapshot. */
  subscribe(prefixes: string[]): void {
    this.prefixes = [...prefixes];
    if (this.socket?.readyState === OPEN) this.socket.send(JSON.stringify({ type: 'subscribe', prefixes: this.prefixes }));
  }

  /** Reconnects now instead of waiting for the backoff (e.g. the driver tapped "retry"). */
  retryNow(): void {
    if (this.stopped || this.current.status !== 'waiting') return;
    this.timers.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.connect();
  }

  /** Stops for good; idempotent. */
  close(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.retryTimer !== undefined) this.timers.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const socket = this.socket;
    this.socket = undefined;
    if (socket) {
      detach(socket);
      closeQuietly(socket, 1000, 'closed by the HMI');
    }
    this.setState({ status: 'closed', retryAt: null });
  }

  private connect(): void {
    this.setState({ status: 'connecting', retryAt: null });
    let socket: SocketLike;
    try {
      socket = this.createSocket(this.options.url);
    } catch (err) {
      this.scheduleRetry((err as Error).message || 'cannot open the WebSocket');
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      if (this.prefixes.length > 0) socket.send(JSON.stringify({ type: 'subscribe', prefixes: this.prefixes }));
    };
    socket.onmessage = (ev) => this.onMessage(ev.data);
    socket.onerror = () => {
      // Browsers give no detail here; onclose follows with the code.
    };
    socket.onclose = (ev) => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      detach(socket);
      this.scheduleRetry(ev.code === 1001 ? 'the service is shutting down' : `connection closed (${ev.code}${ev.reason ? `: ${ev.reason}` : ''})`);
    };
  }

  private onMessage(data: unknown): void {
    if (typeof data !== 'string') return;
    let msg: StreamServerMessage;
    try {
      msg = JSON.parse(data) as StreamServerMessage;
    } catch {
      return;
    }
    const now = this.timers.now();
    switch (msg.type) {
      case 'snapshot':
        this.options.handlers.snapshot(msg.signals);
        this.setState({ status: 'open', attempt: 0, lastMessageAt: now, lastError: null });
        break;
      case 'changes':
        this.options.handlers.changes(msg.changes);
        this.current = { ...this.current, lastMessageAt: now };
        break;
      case 'error':
        this.options.handlers.serverError?.(msg.code, msg.message);
        break;
      default:
        break;
    }
  }

  private scheduleRetry(reason: string): void {
    if (this.stopped) return;
    const attempt = this.current.attempt + 1;
    const delay = backoffDelay(attempt, this.options.backoff ?? DEFAULT_BACKOFF, this.options.random);
    this.retryTimer = this.timers.setTimeout(() => {
      this.retryTimer = undefined;
      this.connect();
    }, delay);
    this.setState({ status: 'waiting', attempt, retryAt: this.timers.now() + delay, lastError: reason });
  }

  private setState(patch: Partial<StreamState>): void {
    this.current = { ...this.current, ...patch };
    this.options.handlers.state(this.current);
  }
}

/**
 * Closes a socket without the browser's "closed before the connection is established" console
 * error: a socket still connecting is closed as soon as it opens.
 */
export function closeQuietly(socket: SocketLike, code = 1000, reason = ''): void {
  if (socket.readyState === 0) {
    socket.onopen = () => socket.close(code, reason);
    socket.onerror = () => undefined;
    return;
  }
  if (socket.readyState === OPEN) socket.close(code, reason);
}

function detach(socket: SocketLike): void {
  socket.onopen = null;
  socket.onmessage = null;
  socket.onclose = null;
  socket.onerror = null;
}
