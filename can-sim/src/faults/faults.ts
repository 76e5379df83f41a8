import type { CanFrame, DbcCodec, DbcMessage, DbcSignal } from '@auriga/common';
import { SimErrors } from '../errors.js';
import type { Prng } from '../util/prng.js';
import type { OutgoingFrame } from '../vehicle/vehicle.js';

/**
 * Faults the simulator can inject between the ECUs and the bus.
 *  - silent:     an ECU (DBC node) stops transmitting and stops answering requests.
 *  - outOfRange: a signal is sent with a value outside its DBC range (default: raw all ones, the usual "SNA").
 *  - drop:       frames are lost with a probability (all, one ECU's or one message's).
 *  - delay:      frames arrive late by delayMs (all, one ECU's or one message's).
 *  - burst:      every transmission of a message is repeated `count` times back-to-back.
 *  - reject:     an ECU answers every request with RejectedFault.
 * Every fault may carry `durationS` (simulated seconds) after which it clears itself.
 */
export type FaultSpec =
  | { kind: 'silent'; ecu: string; durationS?: number }
  | { kind: 'outOfRange'; message: string; signal: string; value?: number; durationS?: number }
  | { kind: 'drop'; probability: number; ecu?: string; message?: string; durationS?: number }
  | { kind: 'delay'; delayMs: number; ecu?: string; message?: string; durationS?: number }
  | { kind: 'burst'; message: string; count: number; durationS?: number }
  | { kind: 'reject'; ecu: string; durationS?: number };

export type FaultKind = FaultSpec['kind'];
export const FAULT_KINDS: readonly FaultKind[] = ['silent', 'outOfRange', 'drop', 'delay', 'burst', 'reject'];

/** An injected fault: its spec (names normalised) with an id and when it started (simulated seconds). */
export type ActiveFault = FaultSpec & { id: string; since: number };

interface CompiledFault {
  fault: ActiveFault;
  until: number;
  message?: DbcMessage;
  signal?: DbcSignal;
  outOfRangeValue?: number;
}

interface Delayed {
  at: number;
  frame: CanFrame;
}

export interface FaultLayerOptions {
  codec: DbcCodec;
  /** DBC nodes of the simulated ECUs (valid `ecu` targets). */
  nodes: readonly string[];
  /** Messages the car transmits (valid `message` targets). */
  messages: readonly DbcMessage[];
  rng: Prng;
}

const KEYS: Record<FaultKind, { required: string[]; optional: string[] }> = {
  silent: { required: ['ecu'], optional: [] },
  outOfRange: { required: ['message', 'signal'], optional: ['value'] },
  drop: { required: ['probability'], optional: ['ecu', 'message'] },
  delay: { required: ['delayMs'], optional: ['ecu', 'message'] },
  burst: { required: ['message', 'count'], optional: [] },
  reject: { required: ['ecu'], optional: [] },
};

/** The fault-injection layer: filters and alters the frames on their way from the ECUs to the transport. */
export class FaultLayer {
  private readonly faults: CompiledFault[] = [];
  private delayed: Delayed[] = [];
  private nextId = 1;
  private readonly nodes: Map<string, string>;
  private readonly messages: Map<string, DbcMessage>;

  constructor(private readonly options: FaultLayerOptions) {
    this.nodes = new Map(options.nodes.map((n) => [n.toUpperCase(), n]));
    this.messages = new Map(options.messages.map((m) => [m.name, m]));
  }

  /** Validates and adds a fault (AURIGA_ERR_SIM_BAD_FAULT saying what is wrong). */
  add(input: unknown, simTime: number): ActiveFault {
    const compiled = this.compile(input, simTime);
    this.faults.push(compiled);
    return compiled.fault;
  }

  remove(id: string): boolean {
    const i = this.faults.findIndex((f) => f.fault.id === id);
    if (i < 0) return false;
    this.faults.splice(i, 1);
    return true;
  }

  /** Removes every fault; frames already delayed are still delivered. */
  clear(): void {
    this.faults.length = 0;
  }

  list(): ActiveFault[] {
    return this.faults.map((f) => ({ ...f.fault }));
  }

  isSilent(node: string): boolean {
    return this.faults.some((f) => f.fault.kind === 'silent' && f.fault.ecu === node);
  }

  rejects(node: string): boolean {
    return this.faults.some((f) => f.fault.kind === 'reject' && f.fault.ecu === node);
  }

  /** Drops faults whose duration has passed; returns the ones removed. */
  expire(simTime: number): ActiveFault[] {
    const gone = this.faults.filter((f) => simTime >= f.until);
    if (gone.length > 0) {
      for (const g of gone) this.faults.splice(this.faults.indexOf(g), 1);
    }
    return gone.map((g) => g.fault);
  }

  /**
   * The frames to put on the bus now: `outgoing` with the faults applied, plus delayed frames now due
   * (in their delayed order). A delayed frame carries the time it actually reaches the bus.
   */
  process(outgoing: readonly OutgoingFrame[], simTime: number): CanFrame[] {
    const out: CanFrame[] = [];
    if (this.delayed.length > 0) {
      const due = this.delayed.filter((d) => d.at <= simTime + 1e-9);
      if (due.length > 0) {
        this.delayed = this.delayed.filter((d) => d.at > simTime + 1e-9);
        for (const d of due) out.push(d.frame);
      }
    }
    if (this.faults.length === 0) {
      for (const o of outgoing) out.push(o.frame);
      return out;
    }
    for (const o of outgoing) {
      if (this.isSilent(o.node)) continue;
      let frame = o.frame;
      let copies = 1;
      let delayS = 0;
      let dropped = false;
      for (const { fault, message, signal, outOfRangeValue } of this.faults) {
        switch (fault.kind) {
          case 'drop':
            if (matches(fault, o) && this.options.rng.chance(fault.probability)) dropped = true;
            break;
          case 'delay':
            if (matches(fault, o)) delayS = Math.max(delayS, fault.delayMs / 1000);
            break;
          case 'burst':
            if (o.message === message) copies = Math.max(copies, fault.count);
            break;
          case 'outOfRange':
            if (o.message === message) frame = this.corrupt(frame, message, signal!, outOfRangeValue!);
            break;
          default:
            break;
        }
      }
      if (dropped) continue;
      for (let i = 0; i < copies; i++) {
        const copy = i === 0 ? frame : { ...frame, data: frame.data.slice() };
        if (delayS > 0) this.delayed.push({ at: simTime + delayS, frame: { ...copy, timestamp: copy.timestamp + delayS } });
        else out.push(copy);
      }
    }
    return out;
  }

  private corrupt(frame: CanFrame, message: DbcMessage, signal: DbcSignal, value: number): CanFrame {
    const codec = this.options.codec.codecFor(message);
    const values = codec.decode(frame.data);
    // A multiplexed signal is only in the frames its switch selects.
    if (!(signal.name in values)) return frame;
    values[signal.name] = value;
    return { ...frame, data: codec.encode(values) };
  }

  private compile(input: unknown, simTime: number): CompiledFault {
    if (typeof input !== 'object' || input === null || Array.isArray(input)) throw SimErrors.badFault('expected an object');
    const raw = input as Record<string, unknown>;
    const kind = raw.kind;
    if (typeof kind !== 'string' || !(FAULT_KINDS as readonly string[]).includes(kind)) {
      throw SimErrors.badFault(`kind ${JSON.stringify(kind)} is not one of ${FAULT_KINDS.join(', ')}`);
    }
    const k = kind as FaultKind;
    const allowed = new Set(['kind', 'durationS', 'id', ...KEYS[k].required, ...KEYS[k].optional]);
    for (const key of Object.keys(raw)) {
      if (!allowed.has(key)) throw SimErrors.badFault(`${k}: unknown field "${key}" (allowed: ${[...allowed].join(', ')})`);
    }
    for (const key of KEYS[k].required) {
      if (raw[key] === undefined) throw SimErrors.badFault(`${k}: missing "${key}"`);
    }
    const id = `f${this.nextId++}`;
    let until = Infinity;
    if (raw.durationS !== undefined) {
      const d = raw.durationS;
      if (typeof d !== 'number' || !(d > 0)) throw SimErrors.badFault(`${k}: durationS must be a positive number of seconds`);
      until = simTime + d;
    }
    const base = { id, since: simTime, ...(raw.durationS !== undefined ? { durationS: raw.durationS as number } : {}) };
    const node = (): string => {
      const ecu = raw.ecu;
      const found = typeof ecu === 'string' ? this.nodes.get(ecu.toUpperCase()) : undefined;
      if (!found) throw SimErrors.badFault(`${k}: ecu ${JSON.stringify(ecu)} is not one of ${[...this.nodes.values()].join(', ')}`);
      return found;
    };
    const message = (): DbcMessage => {
      const name = raw.message;
      const found = typeof name === 'string' ? this.messages.get(name) : undefined;
      if (!found) throw SimErrors.badFault(`${k}: message ${JSON.stringify(name)} is not a message the car transmits`);
      return found;
    };
    switch (k) {
      case 'silent':
      case 'reject':
        return { fault: { kind: k, ecu: node(), ...base }, until };
      case 'drop': {
        const p = raw.probability;
        if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw SimErrors.badFault('drop: probability must be a number in [0, 1]');
        const fault: ActiveFault = { kind: 'drop', probability: p, ...base };
        if (raw.ecu !== undefined) fault.ecu = node();
        if (raw.message !== undefined) fault.message = message().name;
        return { fault, until };
      }
      case 'delay': {
        const d = raw.delayMs;
        if (typeof d !== 'number' || !(d > 0 && d <= 60_000)) throw SimErrors.badFault('delay: delayMs must be a number in (0, 60000]');
        const fault: ActiveFault = { kind: 'delay', delayMs: d, ...base };
        if (raw.ecu !== undefined) fault.ecu = node();
        if (raw.message !== undefined) fault.message = message().name;
        return { fault, until };
      }
      case 'burst': {
        const m = message();
        const count = raw.count;
        if (typeof count !== 'number' || !Number.isInteger(count) || count < 2 || count > 100) {
          throw SimErrors.badFault('burst: count must be an integer in [2, 100]');
        }
        return { fault: { kind: 'burst', message: m.name, count, ...base }, until, message: m };
      }
      case 'outOfRange': {
        const m = message();
        const signal = m.signals.find((s) => s.name === raw.signal);
        if (!signal || signal.unusable || signal.isMultiplexer) {
          throw SimErrors.badFault(`outOfRange: ${m.name} has no usable signal ${JSON.stringify(raw.signal)}`);
        }
        let value: number;
        if (raw.value === undefined) {
          // All ones: the conventional "signal not available" pattern, outside the range of most signals.
          value = allOnes(signal) * signal.factor + signal.offset;
        } else if (typeof raw.value === 'number' && Number.isFinite(raw.value)) {
          value = raw.value;
          try {
            this.options.codec.codecFor(m).encode({ [signal.name]: value });
          } catch (err) {
            throw SimErrors.badFault(`outOfRange: ${(err as Error).message}`);
          }
        } else {
          throw SimErrors.badFault('outOfRange: value must be a finite number');
        }
        const fault: ActiveFault = { kind: 'outOfRange', message: m.name, signal: signal.name, ...base };
        if (raw.value !== undefined) fault.value = value;
        return { fault, until, message: m, signal, outOfRangeValue: value };
      }
    }
  }
}

function matches(fault: { ecu?: string; message?: string }, o: OutgoingFrame): boolean {
  return (fault.ecu === undefined || fault.ecu === o.node) && (fault.message === undefined || fault.message === o.message.name);
}

/** Largest raw value of a signal: all ones for an unsigned integer, the largest positive for a signed one or a float. */
function allOnes(signal: DbcSignal): number {
  if (signal.valueType === 'float32') return 3.4028234663852886e38;
  if (signal.valueType === 'float64') return Number.MAX_VALUE;
  return signal.signed ? 2 ** (signal.length - 1) - 1 : 2 ** signal.length - 1;
}
