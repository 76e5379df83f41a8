import { randomUUID } from 'node:crypto';
import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { encodeFrameBatch, type CanFrame, type Topics } from '@auriga/common';
import { TypedEmitter } from '@auriga/common';
import { systemClock, type Clock } from '../util/timers.js';

export interface MqttTransportOptions {
  url: string;
  topics: Topics;
  /** Bus the actuation requests go to. */
  bus: string;
  clientId?: string;
  reconnectMinMs: number;
  reconnectMaxMs: number;
  keepaliveS: number;
  logger: Logger;
  clock?: Clock;
  /** Extra fields for the retained service status. */
  statusInfo?: Record<string, unknown>;
}

interface TransportEvents {
  connected: [];
  disconnected: [reason: string];
  /** A frame batch from `{root}/can/{bus}/frames`, undecoded (Ingest walks it in place). */
  frames: [payload: Buffer, bus: string];
}

/**
 * The service's MQTT connection: subscribes to every bus's frames, publishes actuation requests,
 * keeps a retained status with a last will. Reconnects with exponential backoff (mqtt.js's own
 * reconnect uses a fixed period), resubscribes on every connect, never throws when the broker is away.
 */
export class MqttTransport extends TypedEmitter<TransportEvents> {
  private readonly client: MqttClient;
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly framesPrefix: string;
  private attempt = 0;
  private reconnectTimer: unknown;
  private closed = false;
  private wasConnected = false;
  private lastErrorLogged = '';
  /** Number of successful (re)connections, for tests and health. */
  connectCount = 0;

  constructor(private readonly opts: MqttTransportOptions) {
    super();
    this.log = opts.logger.child({ component: 'mqtt' });
    this.clock = opts.clock ?? systemClock;
    this.framesPrefix = `${opts.topics.root}/can/`;
    const clientOptions: IClientOptions = {
      clientId: opts.clientId ?? `auriga-vehicle-service-${randomUUID().slice(0, 8)}`,
      clean: true,
      keepalive: opts.keepaliveS,
      connectTimeout: 5000,
      // Reconnection is driven here (backoff); subscriptions are renewed on every connect.
      reconnectPeriod: 0,
      resubscribe: false,
      // Requests must not be replayed after a reconnect: a stale "open the window" is worse than a failure.
      queueQoSZero: false,
      will: { topic: opts.topics.serviceStatus, payload: Buffer.from(JSON.stringify({ state: 'offline' })), qos: 1, retain: true },
    };
    this.client = connect(opts.url, clientOptions);
    this.client.on('connect', () => this.onConnect());
    this.client.on('close', () => this.onClose());
    this.client.on('error', (err) => this.onError(err));
    this.client.on('message', (topic, payload) => {
      if (!topic.startsWith(this.framesPrefix)) return;
      const bus = this.opts.topics.busOf(topic);
      if (bus !== undefined) this.emit('frames', payload, bus);
    });
  }

  get connected(): boolean {
    return this.client.connected && !this.closed;
  }

  get url(): string {
    return this.opts.url;
  }

  /** Puts frames on the car's bus (QoS 1). Throws when not connected rather than queueing stale requests. */
  sendFrames(frames: readonly CanFrame[], bus: string = this.opts.bus): Promise<void> {
    if (!this.connected) return Promise.reject(new Error('not connected to the MQTT broker'));
    const payload = encodeFrameBatch(frames);
    return new Promise((resolve, reject) => {
      this.client.publish(this.opts.topics.tx(bus), payload, { qos: 1 }, (err) => (err ? reject(err) : resolve()));
    });
  }

  /** Publishes raw JSON (retained status). Fire-and-forget; errors are logged. */
  private publishStatus(state: 'online' | 'offline'): Promise<void> {
    const payload = JSON.stringify({ state, since: new Date(this.clock.now()).toISOString(), ...this.opts.statusInfo });
    return new Promise((resolve) => {
      this.client.publish(this.opts.topics.serviceStatus, payload, { qos: 1, retain: true }, (err) => {
        if (err) this.log.debug({ err: err.message }, 'status publish failed');
        resolve();
      });
    });
  }

  private onConnect(): void {
    // mqtt.js leaves Nagle on: a request written while a status publish is unacknowledged would wait
    // for the broker's delayed ACK (~40 ms). Set on every new stream, before anything but CONNECT went out.
    disableNagle(this.client);
    this.attempt = 0;
    this.connectCount++;
    this.lastErrorLogged = '';
    this.client.subscribe(this.opts.topics.allFrames, { qos: 0 }, (err) => {
      if (err) {
        // Without the subscription the service is blind: drop the connection and try again.
        this.log.error({ err: err.message }, 'subscribing to the CAN frames failed; reconnecting');
        this.client.stream?.destroy();
        return;
      }
      if (this.closed) return;
      this.wasConnected = true;
      this.log.info({ url: this.opts.url }, 'connected to the MQTT broker');
      void this.publishStatus('online');
      this.emit('connected');
    });
  }

  private onClose(): void {
    if (this.wasConnected) {
      this.wasConnected = false;
      if (this.closed) {
        this.emit('disconnected', 'closed');
        return;
      }
      this.log.warn({ url: this.opts.url }, 'lost the connection to the MQTT broker');
      this.emit('disconnected', 'connection closed');
    }
    this.scheduleReconnect();
  }

  private onError(err: Error): void {
    // Repeated identical failures (broker down) are logged once per outage.
    const key = (err as NodeJS.ErrnoException).code ?? err.message;
    if (key === this.lastErrorLogged) return;
    this.lastErrorLogged = key;
    this.log.warn({ url: this.opts.url, err: err.message }, 'MQTT connection error');
  }

  private scheduleReconnect(): void {
    if (this.closed || this.reconnectTimer !== undefined) return;
    const base = Math.min(this.opts.reconnectMaxMs, this.opts.reconnectMinMs * 2 ** this.attempt);
    // +-20 % jitter so a fleet of clients does not reconnect in lockstep.
    const delay = Math.round(base * (0.8 + Math.random() * 0.4));
    this.attempt = Math.min(this.attempt + 1, 30);
    this.reconnectTimer = this.clock.setTimeout(() => {
      this.reconnectTimer = undefined;
      if (this.closed || this.client.connected) return;
      this.log.debug({ attempt: this.attempt }, 'reconnecting to the MQTT broker');
      this.client.reconnect();
    }, delay);
  }

  private closing: Promise<void> | undefined;

  /** Publishes the offline status (best effort), then disconnects; idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.reconnectTimer !== undefined) this.clock.clearTimeout(this.reconnectTimer);
      this.reconnectTimer = undefined;
      if (this.client.connected) {
        await withTimeout(this.publishStatus('offline'), 1000);
      }
      this.closed = true;
      await withTimeout(new Promise<void>((resolve) => this.client.end(false, {}, () => resolve())), 2000).catch(() => undefined);
      if (!this.client.disconnected) this.client.end(true);
      if (this.wasConnected) {
        this.wasConnected = false;
        this.emit('disconnected', 'closed');
      }
      this.removeAllListeners();
    })();
    return this.closing;
  }
}

/** Turns Nagle's algorithm off on the client's socket (TCP and TLS; no-op for WebSocket streams). */
export function disableNagle(client: MqttClient): void {
  const stream = client.stream as unknown as { setNoDelay?: (noDelay: boolean) => unknown } | undefined;
  if (typeof stream?.setNoDelay === 'function') stream.setNoDelay(true);
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let t: NodeJS.Timeout;
  return Promise.race([p, new Promise<undefined>((resolve) => (t = setTimeout(() => resolve(undefined), ms)))]).finally(() => clearTimeout(t));
}
