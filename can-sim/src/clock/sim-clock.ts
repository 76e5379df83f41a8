import { realTimers, type Timers } from './timers.js';

/**
 * How fast simulated time runs: a factor of wall-clock time (1 = real time, 20 = twenty times faster),
 * or 'max' to step as fast as the CPU allows (for tests and batch runs).
 */
export type TimeScale = number | 'max';

export interface SimClockOptions {
  /** Fixed physics step in simulated seconds (default 0.01). */
  dt?: number;
  timeScale?: TimeScale;
  timers?: Timers;
  /** Wall-clock milliseconds between loop iterations in scaled mode (default 10). */
  tickMs?: number;
  /**
   * Most physics steps per loop iteration. When the machine cannot keep up (a stall, a time scale the CPU
   * cannot sustain) the clock skips ahead instead of trying to catch up forever. Default 2000.
   */
  maxStepsPerTick?: number;
  /** Called once per physics step with the simulated time at the END of the step. */
  onStep: (simTime: number, dt: number) => void;
  /** Called once per loop iteration after its steps (flush batched output here). */
  onTick?: (simTime: number) => void;
  /** Called when the loop had to drop simulated time to keep up. */
  onLag?: (droppedSeconds: number) => void;
}

export function validateTimeScale(value: unknown): TimeScale {
  if (value === 'max') return 'max';
  if (typeof value === 'number' && Number.isFinite(value) && value > 0 && value <= 10_000) return value;
  throw new RangeError(`time scale must be a number in (0, 10000] or "max", got ${JSON.stringify(value)}`);
}

/**
 * Drives a fixed-step simulation. Simulated time is `steps * dt` (an integer count, so no drift).
 * Three ways to run it:
 *  - start(): a loop on injected timers that keeps simulated time at `timeScale` x wall time
 *    (or as fast as possible with 'max'),
 *  - advance(seconds) / step(): synchronous stepping for unit tests, no timers at all.
 */
export class SimClock {
  readonly dt: number;
  private readonly timers: Timers;
  private readonly tickMs: number;
  private readonly maxStepsPerTick: number;
  private readonly onStep: SimClockOptions['onStep'];
  private readonly onTick: SimClockOptions['onTick'];
  private readonly onLag: SimClockOptions['onLag'];
  private scale: TimeScale;
  private steps = 0;
  private running = false;
  private paused = false;
  private handle: unknown = undefined;
  private anchorWallMs = 0;
  private anchorSteps = 0;
  private droppedSeconds = 0;

  constructor(options: SimClockOptions) {
    this.dt = options.dt ?? 0.01;
    if (!(this.dt > 0 && this.dt <= 1)) throw new RangeError(`dt must be in (0, 1] s, got ${this.dt}`);
    this.scale = validateTimeScale(options.timeScale ?? 1);
    this.timers = options.timers ?? realTimers;
    this.tickMs = options.tickMs ?? 10;
    this.maxStepsPerTick = options.maxStepsPerTick ?? 2000;
    this.onStep = options.onStep;
    this.onTick = options.onTick;
    this.onLag = options.onLag;
  }

  get simTime(): number {
    return this.steps * this.dt;
  }

  get stepCount(): number {
    return this.steps;
  }

  get timeScale(): TimeScale {
    return this.scale;
  }

  get isRunning(): boolean {
    return this.running;
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /** Simulated seconds skipped so far because the loop could not keep up. */
  get laggedSeconds(): number {
    return this.droppedSeconds;
  }

  /** One physics step, synchronously. */
  step(): void {
    this.steps++;
    this.onStep(this.simTime, this.dt);
  }

  /** Steps synchronously until `seconds` more simulated time has passed (rounded to whole steps), then ticks once. */
  advance(seconds: number): void {
    const n = Math.round(seconds / this.dt);
    for (let i = 0; i < n; i++) this.step();
    this.onTick?.(this.simTime);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.paused = false;
    this.reanchor();
    this.schedule(0);
  }

  pause(): void {
    if (!this.running || this.paused) return;
    this.paused = true;
    this.cancel();
  }

  resume(): void {
    if (!this.running || !this.paused) return;
    this.paused = false;
    this.reanchor();
    this.schedule(0);
  }

  setTimeScale(scale: TimeScale): void {
    this.scale = validateTimeScale(scale);
    this.reanchor();
  }

  /** Idempotent. */
  stop(): void {
    this.running = false;
    this.paused = false;
    this.cancel();
  }

  private reanchor(): void {
    this.anchorWallMs = this.timers.now();
    this.anchorSteps = this.steps;
  }

  private cancel(): void {
    if (this.handle !== undefined) this.timers.clearTimeout(this.handle);
    this.handle = undefined;
  }

  private schedule(ms: number): void {
    this.handle = this.timers.setTimeout(() => this.loop(), ms);
  }

  private loop(): void {
    this.handle = undefined;
    if (!this.running || this.paused) return;
    if (this.scale === 'max') {
      // Run a bounded chunk, then yield to the event loop so MQTT I/O and control commands get through.
      const until = this.timers.now() + this.tickMs;
      let n = 0;
      do {
        this.step();
        n++;
      } while (n < this.maxStepsPerTick && this.timers.now() < until && this.running && !this.paused);
    } else {
      const elapsedWall = (this.timers.now() - this.anchorWallMs) / 1000;
      const targetSteps = this.anchorSteps + Math.floor((elapsedWall * this.scale) / this.dt + 1e-9);
      let due = targetSteps - this.steps;
      if (due > this.maxStepsPerTick) {
        const skipped = due - this.maxStepsPerTick;
        // Keep simulated time continuous and let the schedule slip instead of spiralling.
        this.anchorSteps -= skipped;
        this.droppedSeconds += skipped * this.dt;
        this.onLag?.(skipped * this.dt);
        due = this.maxStepsPerTick;
      }
      for (let i = 0; i < due && this.running && !this.paused; i++) this.step();
    }
    if (this.running) this.onTick?.(this.simTime);
    if (this.running && !this.paused) this.schedule(this.scale === 'max' ? 0 : this.tickMs);
  }
}
