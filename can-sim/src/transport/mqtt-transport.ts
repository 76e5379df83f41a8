import { encodeFrameBatch, decodeFrameBatch, type CanFrame, type Topics } from '@auriga/common';
import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import { pino, type Logger } from 'pino';
import { SimErrors } from '../errors.js';
import { TypedEmitter } from '@auriga/common';

export interface MqttTransportOptions {
  url: string;
  topics: Topics;
  /** Bus name in the frames/tx topics (default can0). */
  bus?: string;
  clientId?: string;
  logger?: Logger;
  /** How long the first connection may take before startSimulator fails (default 10 s). */
  connectTimeoutMs?: number;
  /** Delay between reconnection attempts when the broker goes away (default 1 s). */
  reconnectPeriodMs?: number;
  /** Subscribe to {root}/can/{bus}/tx and {root}/sim/control (default true; false for replay). */
  subscribe?: boolean;
  /** Most bytes in one frames message; bigger batches are split (default 256 KiB). */
  maxBatchBytes?: number;
}

export interface MqttTransportEvents {
  /** Request frames received on {root}/can/{bus}/tx. */
  tx: [frames: CanFrame[]];
  /** A payload received on {root}/sim/control. */
  control: [payload: Buffer];
  connect: [];
  offline: [];
  warning: [error: Error];
}

export const OFFLINE_STATUS = JSON.stringify({ state: 'offline' });

/**
 * MQTT side of the simulator: frames out as binary frame batches (QoS 0, never queued while
 * offline: stale frames are worse than none), request frames and control commands in, a retained
 * status with an `{"state":"offline"}` last will. Reconnects on its own when the broker goes away.
 */
export class MqttTransport extends TypedEmitter<MqttTransportEvents> {
  readonly bus: string;
  private readonly client: MqttClient;
  private readonly logger: Logger;
  private readonly topics: Topics;
  private readonly maxBatchBytes: number;
  private lastStatus: string | undefined;
  private closed: Promise<void> | undefined;
  private framesDropped = 0;
  private framesSent = 0;

  private constructor(client: MqttClient, options: MqttTransportOptions) {
    super();
    this.client = client;
    this.topics = options.topics;
    this.bus = options.bus ?? 'can0';
    this.logger = options.logger ?? pino({ level: 'silent' });
    this.maxBatchBytes = options.maxBatchBytes ?? 256 * 1024;
    const txTopic = this.topics.tx(this.bus);
    const subscribe = options.subscribe !== false;
    client.on('connect', () => {
      this.logger.info({ url: options.url }, 'connected to the MQTT broker');
      if (subscribe) {
        client.subscribe([txTopic, this.topics.simControl], { qos: 1 }, (err) => {
          if (err) this.warn(new Error(`subscribe failed: ${err.message}`, { cause: err }));
        });
      }
      // A broker restart loses retained messages: publish the current status again.
      if (this.lastStatus) client.publish(this.topics.simStatus, this.lastStatus, { qos: 1, retain: true });
      this.emit('connect');
    });
    client.on('offline', () => {
      this.logger.warn('MQTT broker unreachable; reconnecting');
      this.emit('offline');
    });
    client.on('error', (err) => this.warn(err));
    client.on('message', (topic, payload) => {
      if (topic === this.topics.simControl) {
        this.emit('control', payload);
        return;
      }
      if (topic !== txTopic) return;
      try {
        const frames = decodeFrameBatch(payload, this.bus);
        if (frames.length > 0) this.emit('tx', frames);
      } catch (err) {
        this.warn(new Error(`malformed frame batch on ${topic}: ${(err as Error).message}`, { cause: err }));
      }
    });
  }

  /** Connects and waits for the first connection (AURIGA_ERR_SIM_MQTT_CONNECT after connectTimeoutMs). */
  static async connect(options: MqttTransportOptions): Promise<MqttTransport> {
    const timeout = options.connectTimeoutMs ?? 10_000;
    const clientOptions: IClientOptions = {
      clientId: options.clientId ?? `auriga-sim-${process.pid}-${Math.random().toString(16).slice(2, 10)}`,
      reconnectPeriod: options.reconnectPeriodMs ?? 1000,
      connectTimeout: Math.min(timeout, 30_000),
      queueQoSZero: false,
      clean: true,
      will: { topic: options.topics.simStatus, payload: Buffer.from(OFFLINE_STATUS), qos: 1, retain: true },
    };
    let client: MqttClient;
    try {
      client = connect(options.url, clientOptions);
    } catch (err) {
      throw SimErrors.mqttConnect(options.url, (err as Error).message, { cause: err });
    }
    const transport = new MqttTransport(client, options);
    await new Promise<void>((resolve, reject) => {
      let lastError = 'no answer';
      const onError = (err: Error) => (lastError = err.message);
      const timer = setTimeout(() => {
        client.off('connect', onConnect);
        client.off('error', onError);
        client.end(true);
        reject(SimErrors.mqttConnect(options.url, `${lastError} (gave up after ${timeout} ms)`));
      }, timeout);
      const onConnect = () => {
        clearTimeout(timer);
        client.off('error', onError);
        resolve();
      };
      client.once('connect', onConnect);
      client.on('error', onError);
    });
    return transport;
  }

  get connected(): boolean {
    return this.client.connected;
  }

  get stats(): { framesSent: number; framesDropped: number } {
    return { framesSent: this.framesSent, framesDropped: this.framesDropped };
  }

  /** Publishes frames as one batch (split when over maxBatchBytes). Dropped while disconnected. */
  publishFrames(frames: readonly CanFrame[], bus: string = this.bus): void {
    if (frames.length === 0 || this.closed) return;
    if (!this.client.connected) {
      this.framesDropped += frames.length;
      return;
    }
    const topic = this.topics.frames(bus);
    let start = 0;
    let bytes = 1;
    for (let i = 0; i < frames.length; i++) {
      const size = 14 + frames[i]!.data.length;
      if (bytes + size > this.maxBatchBytes && i > start) {
        this.client.publish(topic, encodeFrameBatch(frames.slice(start, i)), { qos: 0 });
        start = i;
        bytes = 1;
      }
      bytes += size;
    }
    this.client.publish(topic, encodeFrameBatch(start === 0 ? frames : frames.slice(start)), { qos: 0 });
    this.framesSent += frames.length;
  }

  /** Publishes the retained status (kept and re-published after a reconnect). */
  publishStatus(status: unknown): void {
    if (this.closed) return;
    this.lastStatus = JSON.stringify(status);
    if (this.client.connected) this.client.publish(this.topics.simStatus, this.lastStatus, { qos: 1, retain: true });
  }

  /** Publishes `{"state":"offline"}` (when connected) and disconnects. Idempotent. */
  close(): Promise<void> {
    this.closed ??= (async () => {
      if (this.client.connected) {
        await new Promise<void>((resolve) => {
          this.client.publish(this.topics.simStatus, OFFLINE_STATUS, { qos: 1, retain: true }, () => resolve());
          // Do not hang on a broker that stopped answering.
          setTimeout(resolve, 1000).unref();
        });
      }
      await new Promise<void>((resolve) => {
        this.client.end(false, {}, () => resolve());
        setTimeout(() => {
          this.client.end(true);
          resolve();
        }, 2000).unref();
      });
      this.removeAllListeners();
    })();
    return this.closed;
  }

  private warn(err: Error): void {
    this.logger.warn({ err: err.message }, 'MQTT transport problem');
    if (this.listenerCount('warning') > 0) this.emit('warning', err);
  }
}
