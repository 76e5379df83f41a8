import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { CanFrame, DbcCodec, DbcMessage, DbcSignal, MappingEntry, SignalCatalog, SignalValue, SignalValues, VssMapping } from '@auriga/common';
import { InvalidValueError, NotActuatorError, ServiceClosingError, UnknownSignalError } from '../errors.js';
import { evaluatePolicy, type PolicySettings } from '../policy/policy.js';
import type { ActuationStatus, VehicleStore } from '../store/types.js';
import type { Clock } from '../util/timers.js';
import type { Ingest } from '../vehicle/ingest.js';
import type { SignalChange, VehicleState } from '../vehicle/state.js';

export interface ActuationResult {
  /** Unique id of the request (also in the stored actuation log). */
  id: string;
  path: string;
  value: SignalValue;
  status: ActuationStatus;
  /** Why it was refused, failed or timed out; absent when confirmed. */
  reason?: string;
  /** For policy refusals: the id of the rule that refused. */
  ruleId?: string;
  /** Milliseconds from the request to its outcome (including waiting behind earlier requests on the same signal). */
  ms: number;
}

export interface ActuationRequestOptions {
  /** Who asked: api, voice, hmi, test... (stored with the outcome). */
  source: string;
}

/** Where request frames go (the MQTT transport in production, a fake bus in tests). */
export interface FrameSender {
  readonly connected: boolean;
  sendFrames(frames: readonly CanFrame[]): Promise<void>;
}

export interface ActuationServiceOptions {
  catalog: SignalCatalog;
  mapping: VssMapping;
  codec: DbcCodec;
  state: VehicleState;
  ingest: Ingest;
  sender: FrameSender;
  store: VehicleStore;
  policy: PolicySettings;
  ackTimeoutMs: number;
  confirmTimeoutMs: number;
  /** Extra confirmation time for moving actuators, by path pattern (`*` = one segment); first match wins. */
  travelTimeMs?: Record<string, number>;
  clock: Clock;
  logger: Logger;
  /** Path of the vehicle speed signal used by the policy. */
  speedPath?: string;
  /** Called with every outcome (metrics). */
  onOutcome?: (result: ActuationResult) => void;
}

export const ACK_MESSAGE = 'ECU_ActuationAck';

/** Ack_Result values of ECU_ActuationAck. */
const ACK_RESULTS: Record<number, { status: ActuationStatus; reason: string } | undefined> = {
  0: undefined,
  1: { status: 'refused', reason: 'its own safety policy' },
  2: { status: 'refused', reason: 'value out of range' },
  3: { status: 'failed', reason: 'actuator fault' },
  4: { status: 'failed', reason: 'busy' },
};

interface Prepared {
  id: string;
  path: string;
  value: SignalValue;
  source: string;
  entry: MappingEntry & { write: NonNullable<MappingEntry['write']> };
  physical: number;
  counterSignal: DbcSignal | undefined;
  requestedAt: number;
}

interface PendingAck {
  resolve(result: number): void;
}

type Outcome = Omit<ActuationResult, 'id' | 'path' | 'value' | 'ms'>;

/**
 * Turns "set this VSS actuator to that value" into a CAN request and a verified outcome:
 * catalog check -> policy -> request frame (rolling counter) -> ECU ack -> status reaches the target.
 * Requests on one signal run one after the other; each gets its own answer.
 */
export class ActuationService {
  private readonly log: Logger;
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly inFlight = new Set<Promise<ActuationResult>>();
  private readonly counters = new Map<string, number>();
  private readonly pendingAcks = new Map<string, PendingAck>();
  private readonly travel: Array<{ re: RegExp; ms: number }>;
  private readonly ackMessage: DbcMessage | undefined;
  private readonly unsubscribeAck: (() => void) | undefined;
  private closing = false;

  constructor(private readonly opts: ActuationServiceOptions) {
    this.log = opts.logger.child({ component: 'actuation' });
    this.travel = Object.entries(opts.travelTimeMs ?? {}).map(([pattern, ms]) => ({ re: globToRegExp(pattern), ms }));
    this.ackMessage = opts.codec.messageByName(ACK_MESSAGE);
    if (this.ackMessage) this.unsubscribeAck = opts.ingest.onMessage(this.ackMessage, (signals) => this.onAck(signals));
    else this.log.warn(`the DBC has no ${ACK_MESSAGE} message: requests are confirmed by the status signals only`);
  }

  /**
   * Requests an actuator value. Resolves with the outcome (confirmed, refused, failed, timeout).
   * Throws (synchronously, as a rejected promise) for requests that never reach the car:
   * unknown signal (404), not an actuator (405), invalid value (400), shutting down (503).
   */
  async request(path: string, value: SignalValue, options: ActuationRequestOptions): Promise<ActuationResult> {
    const prepared = this.prepare(path, value, options.source);
    const previous = this.queues.get(path) ?? Promise.resolve();
    const run = (): Promise<ActuationResult> => this.execute(prepared);
    const result = previous.then(run, run);
    this.queues.set(path, result);
    this.inFlight.add(result);
    try {
      return await result;
    } finally {
      this.inFlight.delete(result);
      if (this.queues.get(path) === result) this.queues.delete(path);
    }
  }

  /** Validation that needs no car: throws coded errors. */
  private prepare(path: string, value: SignalValue, source: string): Prepared {
    if (this.closing) throw ServiceClosingError();
    const spec = this.opts.catalog.get(path);
    if (!spec) throw UnknownSignalError(path);
    if (spec.kind !== 'actuator') throw NotActuatorError(path, spec.kind);
    const invalid = this.opts.catalog.checkValue(path, value);
    if (invalid !== undefined) throw InvalidValueError(path, invalid);
    const entry = this.opts.mapping.byPath.get(path);
    if (!entry?.write) throw NotActuatorError(path, 'actuator without a request signal on this car');
    let physical: number;
    try {
      physical = entry.write.toDbc(value);
      // Encoding once here turns "does not fit the signal" into a 400 before anything is queued.
      this.opts.codec.encodeFrame(entry.write.message.name, { [entry.write.signal.name]: physical });
    } catch (err) {
      throw InvalidValueError(path, err instanceof Error ? err.message : String(err));
    }
    return {
      id: randomUUID(),
      path,
      value,
      source,
      entry: entry as Prepared['entry'],
      physical,
      counterSignal: findCounterSignal(entry.write.message),
      requestedAt: this.opts.clock.now(),
    };
  }

  private async execute(p: Prepared): Promise<ActuationResult> {
    let outcome: Outcome;
    try {
      outcome = await this.run(p);
    } catch (err) {
      this.log.error({ err, path: p.path }, 'actuation failed unexpectedly');
      outcome = { status: 'failed', reason: `internal error: ${(err as Error).message}` };
    }
    const completedAt = this.opts.clock.now();
    const result: ActuationResult = { id: p.id, path: p.path, value: p.value, ...outcome, ms: completedAt - p.requestedAt };
    this.log.info({ id: p.id, path: p.path, value: p.value, source: p.source, status: result.status, reason: result.reason, ms: result.ms }, 'actuation');
    this.opts.onOutcome?.(result);
    this.opts.store
      .recordActuation({
        id: p.id,
        path: p.path,
        value: p.value,
        source: p.source,
        status: result.status,
        ...(result.reason !== undefined ? { reason: result.reason } : {}),
        requestedAt: p.requestedAt,
        completedAt,
      })
      .catch((err: unknown) => this.log.error({ err, id: p.id }, 'could not record the actuation'));
    return result;
  }

  private async run(p: Prepared): Promise<Outcome> {
    const { state, ingest, sender } = this.opts;
    const read = p.entry.read;
    const slot = state.slot(p.path);

    if (read && slot && !slot.stale && slot.value !== undefined && this.reached(p, slot.value)) return { status: 'confirmed' };

    const statusMessage = read?.message ?? p.entry.write.message;
    const speed = this.opts.speedPath ?? 'Vehicle.Speed';
    const speedValue = state.freshValue(speed);
    const decision = evaluatePolicy(
      { path: p.path, value: p.value },
      {
        speedKmh: typeof speedValue === 'number' ? speedValue : undefined,
        ownerEcu: statusMessage.sender,
        ecuStatusStale: read ? ingest.isMessageStale(read.message.name) : !sender.connected,
      },
      this.opts.policy,
    );
    if (!decision.allowed) return { status: 'refused', reason: decision.reason, ruleId: decision.ruleId };
    if (!sender.connected) return { status: 'failed', reason: 'not connected to the vehicle bus (MQTT broker unreachable)' };

    const message = p.entry.write.message;
    const counter = this.nextCounter(message, p.counterSignal);
    const values: SignalValues = { [p.entry.write.signal.name]: p.physical };
    if (p.counterSignal && counter !== undefined) values[p.counterSignal.name] = counter;
    const frame = this.opts.codec.encodeFrame(message.name, values, this.opts.clock.now() / 1000);

    // Watch before sending: the status may move before the ack is processed.
    let confirmResolve: ((o: Outcome) => void) | undefined;
    let unwatch: (() => void) | undefined;
    const confirmed = new Promise<Outcome>((resolve) => (confirmResolve = resolve));
    if (read && slot) {
      unwatch = state.watch(p.path, (change: SignalChange) => {
        if (!change.stale && change.value !== undefined && this.reached(p, change.value)) confirmResolve!({ status: 'confirmed' });
        else if (change.stale && !sender.connected) {
          confirmResolve!({ status: 'failed', reason: 'lost the connection to the vehicle bus while waiting for confirmation' });
        }
      });
    }

    const ackKey = `${message.id}:${counter ?? 0}`;
    const ack = this.ackMessage ? this.waitForAck(ackKey) : undefined;
    try {
      try {
        await sender.sendFrames([frame]);
      } catch (err) {
        ack?.cancel();
        return { status: 'failed', reason: `could not send the request: ${(err as Error).message}` };
      }

      if (ack) {
        const ackResult = await ack.promise;
        if (ackResult === undefined) {
          return { status: 'timeout', reason: `no acknowledgement from the ${statusMessage.sender} ECU within ${this.opts.ackTimeoutMs} ms` };
        }
        if (ackResult !== 0) {
          const known = ACK_RESULTS[ackResult];
          const ecu = statusMessage.sender;
          return known
            ? { status: known.status, reason: `the ${ecu} ECU rejected the request (${known.reason})` }
            : { status: 'failed', reason: `the ${ecu} ECU answered with unknown result ${ackResult}${this.ackLabel(ackResult) ? ` (${this.ackLabel(ackResult)})` : ''}` };
        }
      }

      if (!read || !slot) return { status: 'confirmed', reason: 'acknowledged by the ECU; this signal has no status to verify' };
      if (!slot.stale && slot.value !== undefined && this.reached(p, slot.value)) return { status: 'confirmed' };

      const timeoutMs = this.opts.confirmTimeoutMs + this.travelAllowance(p.path);
      let timer: unknown;
      const timedOut = new Promise<Outcome>((resolve) => {
        timer = this.opts.clock.setTimeout(() => {
          const now = slot.value === undefined ? 'unknown' : JSON.stringify(slot.value);
          resolve({ status: 'timeout', reason: `${p.path} did not reach ${JSON.stringify(p.value)} within ${timeoutMs} ms (now ${now}${slot.stale ? ', stale' : ''})` });
        }, timeoutMs);
      });
      try {
        return await Promise.race([confirmed, timedOut]);
      } finally {
        this.opts.clock.clearTimeout(timer);
      }
    } finally {
      unwatch?.();
    }
  }

  /** True when `current` is the requested value (numbers: within half a scaling step). */
  private reached(p: Prepared, current: SignalValue): boolean {
    if (typeof p.value !== 'number' || typeof current !== 'number') return current === p.value;
    const readFactor = Math.abs(p.entry.read?.signal.factor ?? 0);
    const writeFactor = Math.abs(p.entry.write.signal.factor);
    const tolerance = Math.max(readFactor, writeFactor) / 2 + 1e-9 * Math.max(1, Math.abs(p.value));
    return Math.abs(current - p.value) <= tolerance;
  }

  private travelAllowance(path: string): number {
    for (const t of this.travel) if (t.re.test(path)) return t.ms;
    return 0;
  }

  private nextCounter(message: DbcMessage, counterSignal: DbcSignal | undefined): number | undefined {
    if (!counterSignal) return undefined;
    const modulo = 2 ** Math.min(counterSignal.length, 16);
    let next = ((this.counters.get(message.name) ?? -1) + 1) % modulo;
    // Skip counters still awaiting an ack so two pending requests are never confused.
    for (let i = 0; i < modulo && this.pendingAcks.has(`${message.id}:${next}`); i++) next = (next + 1) % modulo;
    this.counters.set(message.name, next);
    return next;
  }

  private waitForAck(key: string): { promise: Promise<number | undefined>; cancel(): void } {
    let timer: unknown;
    let settle!: (v: number | undefined) => void;
    const promise = new Promise<number | undefined>((resolve) => (settle = resolve));
    const done = (v: number | undefined) => {
      this.opts.clock.clearTimeout(timer);
      if (this.pendingAcks.get(key) === pending) this.pendingAcks.delete(key);
      settle(v);
    };
    const pending: PendingAck = { resolve: done };
    this.pendingAcks.set(key, pending);
    timer = this.opts.clock.setTimeout(() => done(undefined), this.opts.ackTimeoutMs);
    return { promise, cancel: () => done(undefined) };
  }

  private onAck(signals: SignalValues): void {
    const requestId = signals.Ack_RequestId;
    const counter = signals.Ack_Counter;
    const result = signals.Ack_Result;
    if (requestId === undefined || result === undefined) return;
    this.pendingAcks.get(`${requestId}:${counter ?? 0}`)?.resolve(result);
  }

  private ackLabel(result: number): string | undefined {
    const signal = this.ackMessage?.signals.find((s) => s.name === 'Ack_Result');
    const label = signal?.choices?.get(result);
    return label ? humanize(label) : undefined;
  }

  /** Number of requests running or queued. */
  get pending(): number {
    return this.inFlight.size;
  }

  /** Refuses new requests and waits for those in flight to finish; idempotent. */
  async close(): Promise<void> {
    this.closing = true;
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    this.unsubscribeAck?.();
  }
}

/** The rolling counter of a request message: `<Message>_Counter`, else any signal named like a counter. */
export function findCounterSignal(message: DbcMessage): DbcSignal | undefined {
  return (
    message.signals.find((s) => s.name === `${message.name}_Counter`) ??
    message.signals.find((s) => /(^|_)(counter|cnt|rc|alive)$/i.test(s.name) && !s.unusable)
  );
}

export function globToRegExp(pattern: string): RegExp {
  const escaped = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('[^.]+')}$`);
}

function humanize(label: string): string {
  // RejectedPolicy -> "rejected policy"; labels may also be SNAKE_CASE.
  return label
    .replace(/_/g, ' ')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase();
}
