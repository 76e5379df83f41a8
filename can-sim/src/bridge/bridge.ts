import { decodeFrameBatch, encodeFrameBatch, TypedEmitter, type CanFrame, type Topics } from '@auriga/common';
import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import { pino, type Logger } from 'pino';
import { realTimers, type Timers } from '../clock/timers.js';
import { SimErrors } from '../errors.js';
import { FrameBatcher } from './batcher.js';
import { CandumpLineSplitter } from './line-splitter.js';
import { compileTxPolicy, describeTxPolicy, type TxPolicy } from './tx-policy.js';
import type { TxWriter } from './tx-writer.js';

export interface CanBridgeOptions {
  mqttUrl: string;
  topics: Topics;
  /** The SocketCAN interface: lines naming another one are ignored; topics use this name. */
  iface: string;
  /** `candump -L` text (stdin or a spawned candump's stdout). */
  input: NodeJS.ReadableStream;
  /** Name of the input in error messages (default "<stdin>"). */
  inputName?: string;
  /** What may be transmitted (default: nothing). */
  txPolicy?: TxPolicy;
  /** Where allowed request frames go; without one, tx is not subscribed at all. */
  txWriter?: TxWriter;
  logger?: Logger;
  /** Longest time a frame waits for its batch (default 10 ms). */
  batchMs?: number;
  /** Most frames in one batch (default 500). */
  maxBatchFrames?: number;
  /** Retained status refresh interval (default 5000 ms). */
  statusIntervalMs?: number;
  reconnectPeriodMs?: number;
  clientId?: string;
  timers?: Timers;
}

export interface BridgeStats {
  /** Frames published on {root}/can/{iface}/frames. */
  frames: number;
  /** Frames read while the broker was unreachable (not queued: stale frames are worse than none). */
  dropped: number;
  /** Input lines that were not candump -L frames. */
  malformed: number;
  /** Frames of another interface, and remote (RTR) frames, which a frame batch cannot carry. */
  ignored: number;
  /** Request frames written to the bus. */
  txSent: number;
  /** Request frames refused by the tx policy. */
  txRefused: number;
  /** Request frames that could not be written (cansend failed, queue full, malformed batch). */
  txFailed: number;
}

export interface BridgeStatus extends BridgeStats {
  state: 'running' | 'offline';
  iface: string;
  tx: string;
  since: string;
}

export interface CanBridgeEvents {
  connect: [];
  offline: [];
  /** A malformed input line (also logged and counted). */
  malformed: [error: Error, lineNo: number];
  /** A request frame refused by the policy. */
  txRefused: [frame: CanFrame, reason: string];
  /** A request frame written to the bus. */
  txSent: [frame: CanFrame];
  /** The input ended (stdin closed, candump exited). */
  inputEnd: [];
}

export const BRIDGE_OFFLINE_STATUS = JSON.stringify({ state: 'offline' });
/** Malformed lines logged one by one before the log only samples them (a garbage stream must not flood it). */
const MALFORMED_LOG_FIRST = 20;
const MALFORMED_LOG_EVERY = 1000;

/**
 * A real car's SocketCAN interface on Auriga's MQTT layout: candump -L lines in, frame batches out
 * on {root}/can/{iface}/frames; request frames from {root}/can/{iface}/tx out to the bus through a
 * TxWriter, only when the tx policy allows them. A retained status on {root}/bridge/{iface}/status
 * with an offline last will. Reads the input from the first connection on; reconnects on its own
 * and keeps reading while the broker is away (those frames are dropped and counted).
 */
export class CanBridge extends TypedEmitter<CanBridgeEvents> {
  readonly iface: string;
  /** Resolves when the input ends. */
  readonly inputEnded: Promise<void>;
  private readonly client: MqttClient;
  private readonly mqttUrl: string;
  private readonly topics: Topics;
  private readonly logger: Logger;
  private readonly batcher: FrameBatcher;
  private readonly splitter: CandumpLineSplitter;
  private readonly txCheck: (frame: CanFrame) => string | undefined;
  private readonly txDescription: string;
  private readonly txWriter: TxWriter | undefined;
  private readonly input: NodeJS.ReadableStream;
  private readonly timers: Timers;
  private readonly statusIntervalMs: number;
  private readonly since = new Date().toISOString();
  private readonly counts: BridgeStats = { frames: 0, dropped: 0, malformed: 0, ignored: 0, txSent: 0, txRefused: 0, txFailed: 0 };
  private readonly foreignLogged = new Set<string>();
  private statusTimer: unknown;
  private closed: Promise<void> | undefined;
  private readonly onData = (chunk: Uint8Array | string) => this.splitter.push(chunk);

  constructor(options: CanBridgeOptions) {
    super();
    if (!options.iface || /[\s#+/]/.test(options.iface)) throw SimErrors.badOption('iface', `"${options.iface}" is not an interface name`);
    this.iface = options.iface;
    this.mqttUrl = options.mqttUrl;
    this.topics = options.topics;
    this.logger = options.logger ?? pino({ level: 'silent' });
    this.timers = options.timers ?? realTimers;
    this.statusIntervalMs = options.statusIntervalMs ?? 5000;
    const policy = options.txPolicy ?? { mode: 'none' };
    this.txCheck = compileTxPolicy(policy);
    this.txDescription = describeTxPolicy(policy);
    this.txWriter = options.txWriter;
    this.input = options.input;
    this.batcher = new FrameBatcher({
      flush: (frames) => this.publishFrames(frames),
      timers: this.timers,
      ...(options.batchMs !== undefined ? { intervalMs: options.batchMs } : {}),
      ...(options.maxBatchFrames !== undefined ? { maxFrames: options.maxBatchFrames } : {}),
    });
    this.splitter = new CandumpLineSplitter({
      frame: (frame) => this.onFrame(frame),
      malformed: (err, lineNo) => this.onMalformed(err, lineNo),
    }, options.inputName ?? '<stdin>');

    const statusTopic = this.topics.bridgeStatus(this.iface);
    const txTopic = this.topics.tx(this.iface);
    const clientOptions: IClientOptions = {
      clientId: options.clientId ?? `auriga-bridge-${this.iface}-${process.pid}-${Math.random().toString(16).slice(2, 8)}`,
      reconnectPeriod: options.reconnectPeriodMs ?? 1000,
      connectTimeout: 10_000,
      // Frames are QoS 0 and never queued offline; a clean session drops tx requests sent while we were
      // away, so a stale "open the window" is not executed minutes later.
      queueQoSZero: false,
      clean: true,
      will: { topic: statusTopic, payload: Buffer.from(BRIDGE_OFFLINE_STATUS), qos: 1, retain: true },
    };
    try {
      this.client = connect(options.mqttUrl, clientOptions);
    } catch (err) {
      throw SimErrors.mqttConnect(options.mqttUrl, (err as Error).message, { cause: err });
    }
    this.client.on('connect', () => {
      this.logger.info({ url: options.mqttUrl, iface: this.iface }, 'connected to the MQTT broker');
      if (this.txWriter) {
        this.client.subscribe(txTopic, { qos: 1 }, (err) => {
          if (err) this.logger.error({ err: err.message, topic: txTopic }, 'cannot subscribe to the tx topic');
        });
      }
      this.publishStatus();
      this.emit('connect');
    });
    this.client.on('offline', () => {
      this.logger.warn({ url: options.mqttUrl }, 'MQTT broker unreachable; frames are dropped until it is back');
      this.emit('offline');
    });
    this.client.on('error', (err) => this.logger.warn({ err: err.message }, 'MQTT problem'));
    this.client.on('message', (topic, payload) => {
      if (topic === txTopic) this.onTx(payload);
    });

    this.inputEnded = new Promise<void>((resolve) => {
      const end = () => {
        this.input.off('end', end);
        this.input.off('close', end);
        this.input.off('error', onError);
        this.splitter.end();
        this.batcher.flush();
        this.emit('inputEnd');
        resolve();
      };
      const onError = (err: Error) => {
        this.logger.error({ err: err.message }, 'input error');
        end();
      };
      // Reading starts at the first connection (a log piped in at boot is not dropped while the
      // broker starts); from then on, frames read while the broker is away are dropped and counted.
      this.once('connect', () => {
        if (!this.closed) this.input.on('data', this.onData);
      });
      this.input.once('end', end);
      this.input.once('close', end);
      this.input.once('error', onError);
    });
    this.statusTimer = this.timers.setTimeout(() => this.statusTick(), this.statusIntervalMs);
  }

  get stats(): BridgeStats {
    return { ...this.counts };
  }

  get connected(): boolean {
    return this.client.connected;
  }

  status(state: 'running' | 'offline' = 'running'): BridgeStatus {
    return { state, iface: this.iface, ...this.counts, tx: this.txDescription, since: this.since };
  }

  /** Resolves at the first connection; rejects after `timeoutMs`. */
  waitConnected(timeoutMs = 10_000): Promise<void> {
    if (this.client.connected) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off('connect', onConnect);
        reject(SimErrors.mqttConnect(this.mqttUrl, `no connection within ${timeoutMs} ms`));
      }, timeoutMs);
      const onConnect = () => {
        clearTimeout(timer);
        resolve();
      };
      this.once('connect', onConnect);
    });
  }

  /** Stops reading, sends what is pending, publishes the offline status and disconnects. Idempotent. */
  close(): Promise<void> {
    this.closed ??= (async () => {
      this.input.off('data', this.onData);
      this.timers.clearTimeout(this.statusTimer);
      this.batcher.destroy();
      await this.txWriter?.close();
      if (this.client.connected) {
        await new Promise<void>((resolve) => {
          this.client.publish(this.topics.bridgeStatus(this.iface), JSON.stringify(this.status('offline')), { qos: 1, retain: true }, () => resolve());
          setTimeout(resolve, 1000).unref();
        });
      }
      await new Promise<void>((resolve) => {
        // Not connected: stop reconnecting at once instead of finishing a handshake first.
        this.client.end(!this.client.connected, {}, () => resolve());
        setTimeout(() => {
          this.client.end(true);
          resolve();
        }, 2000).unref();
      });
      this.logger.info(this.stats, 'bridge stopped');
      this.removeAllListeners();
    })();
    return this.closed;
  }

  private onFrame(frame: CanFrame): void {
    if (frame.bus !== this.iface) {
      this.counts.ignored++;
      const bus = frame.bus ?? '';
      if (!this.foreignLogged.has(bus)) {
        this.foreignLogged.add(bus);
        this.logger.warn({ iface: bus, bridged: this.iface }, 'ignoring frames of another interface');
      }
      return;
    }
    if (frame.remote) {
      this.counts.ignored++;
      return;
    }
    this.batcher.push(frame);
  }

  private onMalformed(err: Error, lineNo: number): void {
    this.counts.malformed++;
    const n = this.counts.malformed;
    if (n <= MALFORMED_LOG_FIRST || n % MALFORMED_LOG_EVERY === 0) {
      this.logger.warn({ line: lineNo, malformed: n, err: err.message }, 'skipping a malformed candump line');
    }
    this.emit('malformed', err, lineNo);
  }

  private publishFrames(frames: CanFrame[]): void {
    if (!this.client.connected) {
      this.counts.dropped += frames.length;
      return;
    }
    this.client.publish(this.topics.frames(this.iface), encodeFrameBatch(frames), { qos: 0 });
    this.counts.frames += frames.length;
  }

  private onTx(payload: Buffer): void {
    let frames: CanFrame[];
    try {
      frames = decodeFrameBatch(payload, this.iface);
    } catch (err) {
      this.counts.txFailed++;
      this.logger.warn({ err: (err as Error).message }, 'malformed frame batch on the tx topic');
      return;
    }
    for (const frame of frames) {
      const refusal = this.txCheck(frame);
      if (refusal !== undefined) {
        this.counts.txRefused++;
        this.logger.warn({ id: frame.id, extended: frame.extended, reason: refusal }, 'refused to transmit a frame');
        this.emit('txRefused', frame, refusal);
        continue;
      }
      this.txWriter!.write(this.iface, frame).then(
        () => {
          this.counts.txSent++;
          this.emit('txSent', frame);
        },
        (err: Error) => {
          this.counts.txFailed++;
          this.logger.error({ id: frame.id, err: err.message }, 'could not transmit a frame');
        },
      );
    }
  }

  private publishStatus(): void {
    if (!this.client.connected) return;
    this.client.publish(this.topics.bridgeStatus(this.iface), JSON.stringify(this.status()), { qos: 1, retain: true });
  }

  private statusTick(): void {
    this.publishStatus();
    this.statusTimer = this.timers.setTimeout(() => this.statusTick(), this.statusIntervalMs);
  }
}
