import type { CanFrame, Dbc, DbcCodec, DbcMessage, DbcSignal, SignalValues } from '@auriga/common';
import { createDbcCodec } from '@auriga/common';
import { AdasEcu } from '../ecus/adas.js';
import { BodyEcu } from '../ecus/body.js';
import { ChassisEcu } from '../ecus/chassis.js';
import { ACK_RESULTS, isCounterSignal, type AckResult, type Ecu, type RequestOutcome } from '../ecus/ecu.js';
import { HvacEcu } from '../ecus/hvac.js';
import { InfotainmentEcu } from '../ecus/infotainment.js';
import { PowertrainEcu } from '../ecus/powertrain.js';
import { SeatEcu } from '../ecus/seats.js';
import { TpmsEcu } from '../ecus/tpms.js';
import { SimErrors } from '../errors.js';
import { Prng } from '../util/prng.js';
import type { DriverControls, DriverInputs } from './inputs.js';
import { CORNERS, createInitialState, type VehicleState } from './state.js';

export const ACK_MESSAGE = 'ECU_ActuationAck';

/** A frame an ECU puts on the bus, with who sent it (for the fault layer and logs). */
export interface OutgoingFrame {
  frame: CanFrame;
  /** DBC node that transmits it (message sender; for acks the ECU that answered). */
  node: string;
  message: DbcMessage;
}

/** What happened to one request frame received from the head unit. */
export interface RequestRecord {
  simTime: number;
  message: string;
  id: number;
  counter: number | undefined;
  /** DBC node that owns the request. */
  node: string;
  signals: SignalValues;
  outcome: RequestOutcome;
  /** False when the ECU is silent (fault): nothing happened and no ack is sent. */
  answered: boolean;
  /** The request frame as it appeared on the bus (stamped with the simulated time it was handled). */
  frame: CanFrame;
}

export interface VehicleEcus {
  powertrain: PowertrainEcu;
  chassis: ChassisEcu;
  hvac: HvacEcu;
  body: BodyEcu;
  seats: SeatEcu;
  tpms: TpmsEcu;
  infotainment: InfotainmentEcu;
  adas: AdasEcu;
}

interface Scheduled {
  message: DbcMessage;
  ecu: Ecu;
  periodMs: number;
  nextMs: number;
  signals: Map<string, DbcSignal>;
}

interface RequestRoute {
  message: DbcMessage;
  ecu: Ecu;
  node: string;
  counter?: DbcSignal;
}

export interface VehicleOptions {
  dbc: Dbc;
  /** Seed for sensor noise. */
  seed?: number;
  /** Starting state (defaults to createInitialState()). */
  state?: VehicleState;
}

/** Fields of DriverControls that are settings: applied only when they change, so requests can override them. */
const SETTING_KEYS = [
  'lowBeam', 'highBeam', 'wiperMode', 'turnSignal', 'seatBeltDriver', 'seatBeltPassenger', 'passengerPresent', 'cruise',
  'climate',
] as const;

/**
 * The simulated car without I/O: ECUs, the physics step, the cyclic transmit schedule (each message
 * at its GenMsgCycleTime) and routing of head-unit requests to their ECU with an ECU_ActuationAck.
 */
export class Vehicle {
  readonly state: VehicleState;
  readonly ecus: VehicleEcus;
  readonly codec: DbcCodec;
  private readonly schedule: Scheduled[] = [];
  private readonly routes = new Map<DbcMessage, RequestRoute>();
  private readonly ackMessage: DbcMessage;
  private readonly ackResultRaw = new Map<AckResult, number>();
  private readonly stepOrder: Array<{ ecu: Ecu; rng: Prng }>;
  private lastSettings: Record<string, unknown> = {};
  private lastDoors: Partial<Record<string, boolean>> = {};

  constructor(options: VehicleOptions) {
    this.state = options.state ?? createInitialState();
    this.codec = createDbcCodec(options.dbc);
    const s = this.state;
    const powertrain = new PowertrainEcu(s);
    this.ecus = {
      powertrain,
      chassis: new ChassisEcu(s, powertrain),
      hvac: new HvacEcu(s),
      body: new BodyEcu(s),
      seats: new SeatEcu(s),
      tpms: new TpmsEcu(s),
      infotainment: new InfotainmentEcu(s),
      adas: new AdasEcu(s),
    };
    const seed = new Prng(options.seed ?? 1);
    // Step order matters: the powertrain sets the speed that the chassis and the rest derive from.
    this.stepOrder = (Object.values(this.ecus) as Ecu[]).map((ecu) => ({ ecu, rng: seed.fork() }));

    const ack = this.codec.messageByName(ACK_MESSAGE);
    if (!ack) throw SimErrors.dbcMismatch(`message ${ACK_MESSAGE}`);
    for (const name of ['Ack_RequestId', 'Ack_Counter', 'Ack_Result']) {
      if (!ack.signals.some((sig) => sig.name === name)) throw SimErrors.dbcMismatch(`signal ${ACK_MESSAGE}.${name}`);
    }
    this.ackMessage = ack;
    const resultSignal = ack.signals.find((sig) => sig.name === 'Ack_Result')!;
    ACK_RESULTS.forEach((label, index) => {
      const raw = [...(resultSignal.choices ?? new Map<number, string>())].find(([, l]) => l === label)?.[0];
      this.ackResultRaw.set(label, raw ?? index);
    });

    let k = 0;
    for (const ecu of Object.values(this.ecus) as Ecu[]) {
      for (const name of ecu.transmits) {
        const message = this.codec.messageByName(name);
        if (!message) throw SimErrors.dbcMismatch(`message ${name} (transmitted by the ${ecu.name} ECU)`);
        const periodMs = message.cycleTimeMs && message.cycleTimeMs > 0 ? message.cycleTimeMs : 1000;
        // Spread the first transmissions over the period so the bus load is even (first step at 10 ms).
        const nextMs = 10 + ((k++ * 10) % periodMs);
        const entry: Scheduled = { message, ecu, periodMs, nextMs, signals: new Map(message.signals.map((sig) => [sig.name, sig])) };
        try {
          this.encodeMessage(entry, 0);
        } catch (err) {
          throw SimErrors.dbcMismatch(`message ${name}: ${(err as Error).message}`, { cause: err });
        }
        this.schedule.push(entry);
      }
      for (const name of ecu.requestMessages) {
        const message = this.codec.messageByName(name);
        if (!message) throw SimErrors.dbcMismatch(`request message ${name} (served by the ${ecu.name} ECU)`);
        const first = message.signals.find((sig) => !isCounterSignal(sig) && sig.receivers.length > 0);
        const node = first?.receivers[0] ?? message.signals[0]?.receivers[0] ?? ecu.name.toUpperCase();
        const route: RequestRoute = { message, ecu, node };
        const counter = message.signals.find(isCounterSignal);
        if (counter) route.counter = counter;
        this.routes.set(message, route);
      }
    }
  }

  /** The DBC nodes that transmit something here (valid targets for ECU faults). */
  get nodes(): string[] {
    const nodes = new Set<string>();
    for (const s of this.schedule) nodes.add(s.message.sender);
    for (const r of this.routes.values()) nodes.add(r.node);
    return [...nodes].sort();
  }

  /** DBC messages this car transmits. */
  get transmittedMessages(): DbcMessage[] {
    return this.schedule.map((s) => s.message);
  }

  /** The node that answers requests of this message, or undefined when no ECU serves it. */
  requestNode(message: DbcMessage): string | undefined {
    return this.routes.get(message)?.node;
  }

  /** Advances the physics: powertrain first (speed), then chassis (derived dynamics), then the rest. */
  step(dt: number, simTime: number, inputs: DriverInputs, controls: DriverControls): void {
    this.state.simTime = simTime;
    this.state.ignition = inputs.ignition;
    const changed = this.changedControls(controls);
    for (const { ecu, rng } of this.stepOrder) ecu.step(dt, { inputs, controls: changed, rng });
  }

  /** Frames whose cycle is due at `simTime` (s), stamped `timestamp` (s since the epoch). */
  due(simTime: number, timestamp: number): OutgoingFrame[] {
    const nowMs = Math.round(simTime * 1000);
    const out: OutgoingFrame[] = [];
    for (const entry of this.schedule) {
      if (nowMs < entry.nextMs) continue;
      entry.nextMs += entry.periodMs;
      // Fell behind (a coarse step): send once and resume the cadence from now.
      if (entry.nextMs <= nowMs) entry.nextMs = nowMs + entry.periodMs;
      for (const data of this.encodeMessage(entry, timestamp)) {
        out.push({ frame: data, node: entry.message.sender, message: entry.message });
      }
    }
    return out;
  }

  /**
   * Handles one frame from the head unit. Returns undefined for frames that are not requests this car
   * serves (unknown ids, status messages). `reject` forces RejectedFault (fault injection).
   */
  handleRequestFrame(
    frame: CanFrame,
    simTime: number,
    timestamp: number,
    faults: { silent?: (node: string) => boolean; reject?: (node: string) => boolean } = {},
  ): RequestRecord | undefined {
    const message = this.codec.messageById(frame.id, frame.extended);
    if (!message) return undefined;
    const route = this.routes.get(message);
    if (!route) return undefined;
    const signals = this.codec.codecFor(message).decode(frame.data);
    const counter = route.counter ? signals[route.counter.name] : undefined;
    const onBus: CanFrame = { ...frame, timestamp };
    let outcome: RequestOutcome;
    if (faults.silent?.(route.node)) {
      // A dead ECU neither acts nor answers.
      return { simTime, message: message.name, id: message.id, counter, node: route.node, signals, answered: false, frame: onBus,
        outcome: { result: 'RejectedFault', reason: `${route.node} is silent` } };
    }
    if (frame.data.length < message.length) {
      outcome = { result: 'RejectedRange', reason: `${message.name} has ${frame.data.length} bytes, expected ${message.length}` };
    } else if (faults.reject?.(route.node)) {
      outcome = { result: 'RejectedFault', reason: `${route.node} fault injected` };
    } else {
      outcome = route.ecu.handleRequest(message, signals);
    }
    return { simTime, message: message.name, id: message.id, counter, node: route.node, signals, outcome, answered: true, frame: onBus };
  }

  /** The ECU_ActuationAck frame answering a request. */
  ackFrame(record: RequestRecord, timestamp: number): OutgoingFrame {
    const frame = this.codec.encodeFrame(
      ACK_MESSAGE,
      {
        Ack_RequestId: record.id,
        Ack_Counter: record.counter ?? 0,
        Ack_Result: this.ackResultRaw.get(record.outcome.result)!,
      },
      timestamp,
    );
    return { frame, node: record.node, message: this.ackMessage };
  }

  private encodeMessage(entry: Scheduled, timestamp: number): CanFrame[] {
    const values = entry.ecu.encode(entry.message.name);
    const codec = this.codec.codecFor(entry.message);
    const toFrame = (set: SignalValues): CanFrame => {
      for (const name in set) {
        const signal = entry.signals.get(name);
        const value = set[name]!;
        // Physics can overshoot a signal's range (a cold night below -50 °C...): send the limit, as a sensor saturates.
        if (signal && Number.isFinite(value)) {
          if (value > signal.maximum) set[name] = signal.maximum;
          else if (value < signal.minimum) set[name] = signal.minimum;
        }
      }
      return { timestamp, id: entry.message.id, extended: entry.message.extended, data: codec.encode(set) };
    };
    return Array.isArray(values) ? values.map(toFrame) : [toFrame(values)];
  }

  private changedControls(controls: DriverControls): DriverControls {
    const out: DriverControls = { laneDrift: controls.laneDrift ?? false, leadGapS: controls.leadGapS ?? Infinity };
    const last = this.lastSettings;
    for (const key of SETTING_KEYS) {
      const value = controls[key];
      if (value === undefined || sameSetting(last[key], value)) continue;
      last[key] = typeof value === 'object' ? { ...value } : value;
      (out as Record<string, unknown>)[key] = value;
    }
    if (controls.doorsOpen) {
      for (const c of CORNERS) {
        const open = controls.doorsOpen[c];
        if (open === undefined || this.lastDoors[c] === open) continue;
        this.lastDoors[c] = open;
        (out.doorsOpen ??= {})[c] = open;
      }
    }
    return out;
  }

  /** Forgets which driver settings were applied, so the next step applies the scenario's settings again. */
  resetControls(): void {
    this.lastSettings = {};
    this.lastDoors = {};
  }
}

/** Settings are primitives or flat objects of primitives (cruise, climate). */
function sameSetting(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  for (const k in rb) if (ra[k] !== rb[k]) return false;
  for (const k in ra) if (!(k in rb)) return false;
  return true;
}
