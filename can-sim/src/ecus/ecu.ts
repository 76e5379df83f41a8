import type { DbcMessage, DbcSignal, SignalValues } from '@auriga/common';
import type { Prng } from '../util/prng.js';
import type { DriverControls, DriverInputs } from '../vehicle/inputs.js';
import type { VehicleState } from '../vehicle/state.js';

/** Ack_Result labels, in DBC order. */
export type AckResult = 'Accepted' | 'RejectedPolicy' | 'RejectedRange' | 'RejectedFault' | 'RejectedBusy';
export const ACK_RESULTS: readonly AckResult[] = [
  'Accepted', 'RejectedPolicy', 'RejectedRange', 'RejectedFault', 'RejectedBusy',
];

export interface RequestOutcome {
  result: AckResult;
  /** Why it was rejected (for logs and tests; not on the bus). */
  reason?: string;
}

export const ACCEPTED: RequestOutcome = { result: 'Accepted' };
export const policy = (reason: string): RequestOutcome => ({ result: 'RejectedPolicy', reason });
export const busy = (reason: string): RequestOutcome => ({ result: 'RejectedBusy', reason });

/** What one step of the simulation hands every ECU. */
export interface StepContext {
  inputs: DriverInputs;
  controls: DriverControls;
  /** Per-ECU seeded randomness (sensor noise), so runs are reproducible. */
  rng: Prng;
}

/** How one request signal is handled: an optional policy check, then the state change. */
export interface SignalHandler {
  check?(value: number): RequestOutcome | undefined;
  apply(value: number): void;
}

/** Physical value that a request signal holds for "no request" (GenSigStartValue), if the DBC declares one. */
export function noRequestValue(signal: DbcSignal): number | undefined {
  return signal.startValue === undefined ? undefined : signal.startValue * signal.factor + signal.offset;
}

export function isCounterSignal(signal: DbcSignal): boolean {
  return /_Counter$/.test(signal.name);
}

/**
 * An enumerated request signal: its value table names more than the "no request" value
 * (HVACReq_AC: Off/On/NoRequest), so only the named values are valid. A table that only labels the
 * sentinel (HVACReq_TempDriver: 255 NoRequest) leaves a plain numeric range.
 */
export function isEnumerated(signal: DbcSignal): boolean {
  if (!signal.choices) return false;
  let named = 0;
  for (const raw of signal.choices.keys()) if (raw !== signal.startValue) named++;
  return named > 0;
}

function sameValue(a: number, b: number, signal: DbcSignal): boolean {
  return Math.abs(a - b) < Math.abs(signal.factor) / 2;
}

/**
 * An electronic control unit of the simulated car: a plain class holding a slice of the vehicle
 * physics (`step`), the status messages it transmits (`encode`) and the HU request messages it
 * serves (`handleRequest`). No I/O: the vehicle schedules and encodes the frames.
 */
export abstract class Ecu {
  /** Short name for logs and `sim.state` (powertrain, chassis, ...). */
  abstract readonly name: string;
  /** Status messages this ECU produces, by DBC message name. */
  abstract readonly transmits: readonly string[];
  /** Request handlers: request message name -> request signal name -> handler. */
  protected readonly requestHandlers: Record<string, Record<string, SignalHandler>> = {};

  constructor(protected readonly state: VehicleState) {}

  /** Advances this ECU's physics by `dt` simulated seconds. */
  abstract step(dt: number, ctx: StepContext): void;

  /**
   * Physical signal values of one status message now. Multiplexed messages return one value set per
   * frame to send this cycle. Values outside a signal's range are clamped by the caller.
   */
  abstract encode(messageName: string): SignalValues | SignalValues[];

  get requestMessages(): readonly string[] {
    return Object.keys(this.requestHandlers);
  }

  handles(messageName: string): boolean {
    return Object.hasOwn(this.requestHandlers, messageName);
  }

  /**
   * Validates a whole request first and applies it only if every signal in it is acceptable, so a
   * rejected request changes nothing. Signals holding their "no request" value are skipped.
   */
  handleRequest(message: DbcMessage, values: SignalValues): RequestOutcome {
    const handlers = this.requestHandlers[message.name];
    if (!handlers) return { result: 'RejectedRange', reason: `${this.name} does not serve ${message.name}` };
    const changes: Array<() => void> = [];
    for (const signal of message.signals) {
      if (isCounterSignal(signal) || signal.unusable) continue;
      const value = values[signal.name];
      if (value === undefined) continue;
      const none = noRequestValue(signal);
      if (none !== undefined && sameValue(value, none, signal)) continue;
      const handler = handlers[signal.name];
      if (!handler) return { result: 'RejectedRange', reason: `${signal.name} is not supported` };
      if (value < signal.minimum - 1e-9 || value > signal.maximum + 1e-9) {
        return { result: 'RejectedRange', reason: `${signal.name}=${value} outside [${signal.minimum}, ${signal.maximum}]` };
      }
      if (isEnumerated(signal)) {
        const raw = Math.round((value - signal.offset) / signal.factor);
        if (!signal.choices!.has(raw)) return { result: 'RejectedRange', reason: `${signal.name}=${value} is not a defined value` };
      }
      const verdict = handler.check?.(value);
      if (verdict && verdict.result !== 'Accepted') return verdict;
      changes.push(() => handler.apply(value));
    }
    for (const change of changes) change();
    return ACCEPTED;
  }
}

export const bit = (b: boolean): number => (b ? 1 : 0);
