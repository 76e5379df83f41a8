import type { CanFrame, Dbc } from '@auriga/common';
import { pino, type Logger } from 'pino';
import { SimClock, validateTimeScale, type TimeScale } from './clock/sim-clock.js';
import { realTimers, type Timers } from './clock/timers.js';
import { parseControlCommand, type ControlCommand, type SimSetCommand } from './control/commands.js';
import { SimErrors } from './errors.js';
import { FaultLayer, type ActiveFault, type FaultSpec } from './faults/faults.js';
import { createScenario } from './scenarios/catalog.js';
import { ManualDriver } from './scenarios/manual.js';
import type { Scenario, ScenarioName, ScenarioStep } from './scenarios/types.js';
import { Prng } from './util/prng.js';
import { TypedEmitter } from '@auriga/common';
import { loadSimDbc } from './vehicle/dbc.js';
import { CORNERS, type Situation, type VehicleState } from './vehicle/state.js';
import { Vehicle, type OutgoingFrame, type RequestRecord } from './vehicle/vehicle.js';

export interface CarSimulatorOptions {
  /** The car's DBC (default: common/data/auriga.dbc). */
  dbc?: Dbc;
  /** Scenario name (default 'parked'). */
  scenario?: string;
  /** Seed of the scenario's driver and of random faults (default 1). */
  seed?: number;
  /** Simulated time per wall-clock time (default 1), or 'max'. */
  timeScale?: TimeScale;
  /** Physics step in simulated seconds (default 0.01). */
  dt?: number;
  timers?: Timers;
  /** Frame timestamps are `epoch + simTime` seconds (default: the wall clock when the simulator is created). */
  epoch?: number;
  /** Faults active from the start. */
  faults?: FaultSpec[];
  /** Wall-clock interval of the periodic 'status' event while running (default 1000 ms). */
  statusIntervalMs?: number;
  logger?: Logger;
}

export interface SimStatus {
  state: 'running' | 'paused' | 'stopped';
  scenario: ScenarioName;
  /** 'manual' after a `set` of speed/ignition/selector, until the next scenario. */
  driver: 'scenario' | 'manual';
  timeScale: TimeScale;
  simTime: number;
  seed: number;
  faults: ActiveFault[];
  /** Ground-truth situation now (not on the bus). */
  situation: Situation;
  /** Result of the last sim/control command. */
  lastControl?: { cmd: string; ok: boolean; error?: string; result?: unknown };
}

/** A run of simulated time with one ground-truth situation. */
export interface LabelSegment {
  from: number;
  to: number;
  label: Situation;
}

export interface SimEvents {
  /** Frames put on the bus during one loop iteration (one 10 ms tick at 1x), in bus order. */
  frames: [frames: CanFrame[]];
  /** A request frame from the head unit was handled (or ignored by a silent ECU). */
  request: [record: RequestRecord];
  status: [status: SimStatus];
  /** The ground-truth situation changed. */
  label: [label: Situation, simTime: number];
  fault: [change: 'added' | 'removed' | 'expired', fault: ActiveFault];
  /** A problem that did not stop the simulator (a bad control command, a transport error). */
  warning: [error: Error];
  stopped: [];
}

const MAX_LABEL_SEGMENTS = 10_000;

/**
 * The simulated car: a vehicle (ECUs + physics + transmit schedule), a scenario driving it, a fault
 * layer in front of the bus, on a fixed-step clock. No I/O of its own: frames leave through the
 * 'frames' event and requests come in through `receive()`; `startSimulator` wires it to MQTT.
 */
export class CarSimulator extends TypedEmitter<SimEvents> {
  readonly vehicle: Vehicle;
  readonly clock: SimClock;
  readonly epoch: number;
  private readonly faultLayer: FaultLayer;
  private readonly logger: Logger;
  private readonly timers: Timers;
  private readonly statusIntervalMs: number;
  private scenarioImpl: Scenario;
  private scenarioStart = 0;
  private seedValue: number;
  private manual: ManualDriver | undefined;
  private label: Situation = 'parked';
  private labels: LabelSegment[] = [];
  private inbox: CanFrame[] = [];
  private batch: CanFrame[] = [];
  private lastControl: SimStatus['lastControl'];
  private stopped = false;
  private statusTimer: unknown;
  private readonly closers: Array<() => Promise<void> | void> = [];
  private stopping: Promise<void> | undefined;

  constructor(options: CarSimulatorOptions = {}) {
    super();
    this.logger = options.logger ?? pino({ level: 'silent' });
    this.timers = options.timers ?? realTimers;
    this.statusIntervalMs = options.statusIntervalMs ?? 1000;
    this.seedValue = options.seed ?? 1;
    if (!Number.isInteger(this.seedValue) || this.seedValue < 0) throw SimErrors.badOption('seed', `must be a non-negative integer, got ${options.seed}`);
    const timeScale = options.timeScale ?? 1;
    try {
      validateTimeScale(timeScale);
    } catch (err) {
      throw SimErrors.badOption('timeScale', (err as Error).message);
    }
    this.scenarioImpl = createScenario(options.scenario ?? 'parked', this.seedValue);
    this.vehicle = new Vehicle({ dbc: options.dbc ?? loadSimDbc(), seed: this.seedValue });
    this.epoch = options.epoch ?? Date.now() / 1000;
    this.faultLayer = new FaultLayer({
      codec: this.vehicle.codec,
      nodes: this.vehicle.nodes,
      messages: this.vehicle.transmittedMessages,
      rng: new Prng(this.seedValue ^ 0x5eed),
    });
    for (const f of options.faults ?? []) this.faultLayer.add(f, 0);
    this.clock = new SimClock({
      dt: options.dt ?? 0.01,
      timeScale,
      timers: this.timers,
      onStep: (t, dt) => this.onStep(t, dt),
      onTick: () => this.flush(),
      onLag: (s) => this.logger.warn({ droppedSeconds: s }, 'simulation cannot keep up with the time scale; skipping ahead'),
    });
    this.scenarioImpl.setup(this.vehicle.state);
    this.label = this.scenarioImpl.step(0, 0, this.vehicle.state).label;
    this.labels.push({ from: 0, to: 0, label: this.label });
  }

  /** Ground truth of the car (read only; change it with `set`). */
  get state(): VehicleState {
    return this.vehicle.state;
  }

  get scenario(): ScenarioName {
    return this.scenarioImpl.name;
  }

  get seed(): number {
    return this.seedValue;
  }

  get simTime(): number {
    return this.clock.simTime;
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  /** The ground-truth situation of the last step (parked, stop_and_go, city, rural, highway). */
  groundTruthLabel(): Situation {
    return this.label;
  }

  /** Ground truth over time, as runs of one situation (the last one still open, ending now). */
  labelHistory(): LabelSegment[] {
    return this.labels.map((s) => ({ ...s }));
  }

  get faults(): ActiveFault[] {
    return this.faultLayer.list();
  }

  /** DBC nodes that faults can target (ECM, TCM, ESP, BCM, HVAC, ...). */
  get ecuNodes(): string[] {
    return this.vehicle.nodes;
  }

  status(): SimStatus {
    const s: SimStatus = {
      state: this.stopped ? 'stopped' : this.clock.isPaused ? 'paused' : 'running',
      scenario: this.scenarioImpl.name,
      driver: this.manual ? 'manual' : 'scenario',
      timeScale: this.clock.timeScale,
      simTime: Math.round(this.clock.simTime * 1000) / 1000,
      seed: this.seedValue,
      faults: this.faultLayer.list(),
      situation: this.label,
    };
    if (this.lastControl) s.lastControl = this.lastControl;
    return s;
  }

  /** Starts the real-time (or scaled) loop. */
  start(): void {
    this.assertRunning('start');
    this.clock.start();
    this.scheduleStatus();
    this.emitStatus();
  }

  pause(): void {
    this.clock.pause();
    this.emitStatus();
  }

  resume(): void {
    this.clock.resume();
    this.emitStatus();
  }

  setTimeScale(scale: TimeScale): void {
    this.clock.setTimeScale(scale);
    this.emitStatus();
  }

  /** Steps synchronously (no timers): for tests and batch runs. Frames are emitted once at the end. */
  advance(seconds: number): void {
    this.assertRunning('advance');
    this.clock.advance(seconds);
  }

  /** Request frames from the head unit; handled at the start of the next step. */
  receive(frames: readonly CanFrame[]): void {
    if (this.stopped) return;
    this.inbox.push(...frames);
  }

  /** Switches to a scenario (the car keeps its current state; the environment changes). */
  setScenario(name: string, seed: number = this.seedValue): void {
    const next = createScenario(name, seed);
    this.scenarioImpl = next;
    this.seedValue = seed;
    this.scenarioStart = this.clock.simTime;
    this.manual = undefined;
    next.setup(this.vehicle.state);
    this.vehicle.resetControls();
    this.logger.info({ scenario: name, seed }, 'scenario started');
    this.emitStatus();
  }

  /** Adds a fault (see FaultSpec); AURIGA_ERR_SIM_BAD_FAULT when it is not valid. */
  setFault(spec: FaultSpec | Record<string, unknown>): ActiveFault {
    const fault = this.faultLayer.add(spec, this.clock.simTime);
    this.logger.info({ fault }, 'fault injected');
    this.emit('fault', 'added', fault);
    this.emitStatus();
    return fault;
  }

  clearFault(id: string): boolean {
    const fault = this.faultLayer.list().find((f) => f.id === id);
    const removed = this.faultLayer.remove(id);
    if (fault) this.emit('fault', 'removed', fault);
    if (removed) this.emitStatus();
    return removed;
  }

  clearFaults(): void {
    for (const f of this.faultLayer.list()) this.emit('fault', 'removed', f);
    this.faultLayer.clear();
    this.emitStatus();
  }

  /** Direct state changes for test setups (see SimSetCommand). */
  set(cmd: SimSetCommand): void {
    const s = this.vehicle.state;
    if (cmd.speedKmh !== undefined || cmd.ignition !== undefined || cmd.selector !== undefined) {
      const hold = this.manual?.hold ?? {
        speedKmh: s.powertrain.speedKmh,
        ignition: s.ignition === 'start' ? 'on' : s.ignition,
      };
      if (cmd.speedKmh !== undefined) {
        hold.speedKmh = cmd.speedKmh;
        s.powertrain.speedKmh = cmd.speedKmh;
        if (cmd.speedKmh > 0 && cmd.ignition === undefined) hold.ignition = 'on';
        if (cmd.speedKmh > 0) {
          s.powertrain.selector = cmd.selector ?? 'D';
          s.chassis.parkingBrake = false;
        }
      }
      if (cmd.ignition !== undefined) hold.ignition = cmd.ignition;
      if (cmd.selector !== undefined) hold.selector = cmd.selector;
      if (this.manual) this.manual.hold = hold;
      else this.manual = new ManualDriver(hold);
    }
    const env = s.environment;
    if (cmd.fuelPct !== undefined) s.powertrain.fuelLiters = (cmd.fuelPct / 100) * s.powertrain.fuelCapacityLiters;
    if (cmd.outsideTempC !== undefined) env.outsideTempC = cmd.outsideTempC;
    if (cmd.cabinTempC !== undefined) s.hvac.cabinTempC = cmd.cabinTempC;
    if (cmd.rain !== undefined) {
      env.rainIntensity = cmd.rain;
      env.roadWet = cmd.rain > 0;
    }
    if (cmd.night !== undefined) env.night = cmd.night;
    for (const c of CORNERS) {
      const open = cmd.doorsOpen?.[c];
      if (open !== undefined) s.body.doorsOpen[c] = open;
      const locked = cmd.doorsLocked?.[c];
      if (locked !== undefined) s.body.doorsLocked[c] = locked;
      const win = cmd.windows?.[c];
      if (win !== undefined) s.body.windows[c] = { position: win, target: win };
      const kpa = cmd.tyrePressureKpa?.[c];
      if (kpa !== undefined) s.tpms.tyres[c].coldPressureKpa = kpa;
      const leak = cmd.tyreLeakKpaPerMin?.[c];
      if (leak !== undefined) s.tpms.tyres[c].leakKpaPerMin = leak;
    }
    if (cmd.trunkOpen !== undefined) s.body.trunkOpen = cmd.trunkOpen;
    if (cmd.trunkLocked !== undefined) s.body.trunkLocked = cmd.trunkLocked;
    if (cmd.mil !== undefined) s.powertrain.mil = cmd.mil;
    if (cmd.seatBeltDriver !== undefined) s.adas.seatBeltDriver = cmd.seatBeltDriver;
    if (cmd.seatBeltPassenger !== undefined) s.adas.seatBeltPassenger = cmd.seatBeltPassenger;
    this.emitStatus();
  }

  /**
   * Applies one sim/control command (JSON text, bytes or object). Never throws: the outcome is
   * returned, kept as `lastControl` in the status, and a failure is also emitted as 'warning'.
   */
  control(payload: string | Uint8Array | Record<string, unknown>): { ok: boolean; error?: string; result?: unknown } {
    let name = 'unknown';
    try {
      const cmd = parseControlCommand(payload);
      name = cmd.cmd;
      const result = this.apply(cmd);
      this.lastControl = { cmd: name, ok: true, ...(result !== undefined ? { result } : {}) };
      this.emitStatus();
      return { ok: true, ...(result !== undefined ? { result } : {}) };
    } catch (err) {
      const error = (err as Error).message;
      this.lastControl = { cmd: name, ok: false, error };
      this.logger.warn({ err, cmd: name }, 'sim/control command refused');
      this.emit('warning', err as Error);
      this.emitStatus();
      return { ok: false, error };
    }
  }

  private apply(cmd: ControlCommand): unknown {
    switch (cmd.cmd) {
      case 'scenario':
        this.setScenario(cmd.name, cmd.seed ?? this.seedValue);
        return undefined;
      case 'fault':
        return this.setFault(cmd.fault);
      case 'clearFault':
        if (!this.clearFault(cmd.id)) throw SimErrors.badControl(`clearFault: no fault with id ${cmd.id}`);
        return undefined;
      case 'clearFaults':
        this.clearFaults();
        return undefined;
      case 'pause':
        this.pause();
        return undefined;
      case 'resume':
        this.resume();
        return undefined;
      case 'timeScale':
        this.setTimeScale(cmd.value);
        return undefined;
      case 'set':
        this.set(cmd.set);
        return undefined;
    }
  }

  /** Registers something to close when the simulator stops (transport, recorder). */
  onStop(close: () => Promise<void> | void): void {
    this.closers.push(close);
  }

  /** Stops the loop and closes what was attached. Idempotent; resolves when everything is closed. */
  stop(): Promise<void> {
    if (this.stopping) return this.stopping;
    this.stopping = (async () => {
      this.clock.stop();
      this.flush();
      this.stopped = true;
      if (this.statusTimer !== undefined) this.timers.clearTimeout(this.statusTimer);
      this.statusTimer = undefined;
      for (const close of this.closers.splice(0).reverse()) {
        try {
          await close();
        } catch (err) {
          this.logger.warn({ err }, 'error while stopping');
        }
      }
      this.emit('stopped');
    })();
    return this.stopping;
  }

  private assertRunning(what: string): void {
    if (this.stopped || this.stopping) throw SimErrors.stopped(what);
  }

  private onStep(simTime: number, dt: number): void {
    const timestamp = this.epoch + simTime;
    const state = this.vehicle.state;
    const outgoing: OutgoingFrame[] = [];
    if (this.inbox.length > 0) {
      const frames = this.inbox;
      this.inbox = [];
      for (const frame of frames) {
        const record = this.vehicle.handleRequestFrame(frame, simTime, timestamp, {
          silent: (n) => this.faultLayer.isSilent(n),
          reject: (n) => this.faultLayer.rejects(n),
        });
        if (!record) {
          this.logger.debug({ id: frame.id }, 'frame on tx is not a request this car serves; ignored');
          continue;
        }
        if (record.answered) outgoing.push(this.vehicle.ackFrame(record, timestamp));
        this.logger.debug({ request: record.message, counter: record.counter, outcome: record.outcome }, 'request handled');
        this.emit('request', record);
      }
    }
    const step: ScenarioStep = this.manual
      ? this.manual.step(dt, state)
      : this.scenarioImpl.step(simTime - this.scenarioStart, dt, state);
    this.vehicle.step(dt, simTime, step.inputs, step.controls);
    this.track(step.label, simTime);
    outgoing.push(...this.vehicle.due(simTime, timestamp));
    for (const f of this.faultLayer.expire(simTime)) {
      this.emit('fault', 'expired', f);
      this.emitStatus();
    }
    const frames = this.faultLayer.process(outgoing, simTime);
    for (const f of frames) this.batch.push(f);
  }

  private track(label: Situation, simTime: number): void {
    const last = this.labels[this.labels.length - 1]!;
    last.to = simTime;
    if (label === this.label) return;
    this.label = label;
    this.labels.push({ from: simTime, to: simTime, label });
    if (this.labels.length > MAX_LABEL_SEGMENTS) this.labels.splice(0, this.labels.length - MAX_LABEL_SEGMENTS);
    this.emit('label', label, simTime);
  }

  private flush(): void {
    if (this.batch.length === 0) return;
    const frames = this.batch;
    this.batch = [];
    this.emit('frames', frames);
  }

  private scheduleStatus(): void {
    if (this.stopped || this.statusIntervalMs <= 0) return;
    this.statusTimer = this.timers.setTimeout(() => {
      this.statusTimer = undefined;
      if (this.stopped) return;
      this.emitStatus();
      this.scheduleStatus();
    }, this.statusIntervalMs);
  }

  private emitStatus(): void {
    this.emit('status', this.status());
  }
}
