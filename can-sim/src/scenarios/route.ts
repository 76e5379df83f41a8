import { CAR } from '../ecus/physics.js';
import type { Prng } from '../util/prng.js';
import type { DriverControls, DriverInputs } from '../vehicle/inputs.js';
import type { IgnitionState, Situation, VehicleState } from '../vehicle/state.js';
import { SpeedController } from './speed-controller.js';
import type { ScenarioStep } from './types.js';

/** One stretch of a drive with a single ground-truth situation. Times are seconds into the segment. */
export interface Segment {
  label: Situation;
  durationS: number;
  /** Target speed (km/h) at time t. */
  targetKmh(t: number): number;
  /** Steering wheel angle (deg, positive = left) at time t and speed. */
  steering?(t: number, speedKmh: number): number;
  /** Hand controls and surroundings at time t (indicator, drift, lead vehicle gap, cruise...). */
  controls?(t: number): DriverControls;
  /** Parked: selector P and parking brake once stopped. */
  park?: boolean;
  /** Key position at time t while parked (default 'on'). */
  ignition?(t: number): IgnitionState;
  accel?: number;
  decel?: number;
}

/** An endless source of segments. */
export type SegmentSource = () => Segment;

/** Steering wheel angle that follows a path of radius `radiusM` (positive = left). */
export function steeringForRadius(radiusM: number): number {
  return (Math.atan(CAR.wheelbaseM / radiusM) * 180 * CAR.steeringRatio) / Math.PI;
}

/** Smooth 0 -> 1 -> 0 bump over [start, start + length]. */
export function bump(t: number, start: number, length: number): number {
  if (t < start || t > start + length) return 0;
  return Math.sin((Math.PI * (t - start)) / length);
}

/** Key sequence of getting in and starting the engine: ACC, ON, START (cranking), ON. */
export function startupIgnition(t: number): IgnitionState {
  if (t < 0.5) return 'acc';
  if (t < 1.0) return 'on';
  if (t < 1.8) return 'start';
  return 'on';
}

/**
 * A driver following an endless route of segments: a speed controller on the pedals, the segment's
 * steering and hand controls, selector D while driving, P plus parking brake when parked.
 */
export class RouteDriver {
  private readonly speed = new SpeedController();
  private segment: Segment;
  private segmentStart = 0;

  constructor(
    private readonly next: SegmentSource,
    /** Settings applied at every step (lights, wipers for the weather); the vehicle applies them on change. */
    private readonly baseControls: (t: number) => DriverControls = () => ({}),
  ) {
    this.segment = next();
  }

  get currentSegment(): Segment {
    return this.segment;
  }

  step(t: number, dt: number, state: VehicleState): ScenarioStep {
    while (t - this.segmentStart >= this.segment.durationS) {
      this.segmentStart += this.segment.durationS;
      this.segment = this.next();
      this.speed.reset();
    }
    const seg = this.segment;
    const st = t - this.segmentStart;
    const speedKmh = state.powertrain.speedKmh;
    const base = this.baseControls(t);
    const own = seg.controls?.(st);
    const controls: DriverControls = own ? Object.assign({}, base, own) : base;
    const steering = seg.steering?.(st, speedKmh) ?? 0;
    let inputs: DriverInputs;
    if (seg.park && speedKmh < 0.5) {
      inputs = { throttle: 0, brake: 0, steeringAngleDeg: 0, selector: 'P', ignition: seg.ignition?.(st) ?? 'on', parkingBrake: true };
    } else {
      // A park segment reached while moving (a scenario switch at speed): stop first, then park.
      const target = seg.park ? 0 : seg.targetKmh(st);
      const pedals = this.speed.command(state, target, dt, seg);
      inputs = { ...pedals, steeringAngleDeg: steering, selector: 'D', ignition: 'on', parkingBrake: false };
    }
    return { inputs, controls, label: seg.park ? 'parked' : seg.label };
  }
}

/** Piecewise-constant schedule: pairs of [duration, value], looked up by time. */
export function schedule(parts: ReadonlyArray<readonly [number, number]>): (t: number) => number {
  return (t) => {
    let acc = 0;
    for (const [d, v] of parts) {
      acc += d;
      if (t < acc) return v;
    }
    return parts[parts.length - 1]?.[1] ?? 0;
  };
}

export function total(parts: ReadonlyArray<readonly [number, number]>): number {
  return parts.reduce((s, [d]) => s + d, 0);
}

/** Random gentle wander of the wheel (lane keeping), as a sum of two slow sinusoids. */
export function wander(rng: Prng, amplitudeDeg: number): (t: number) => number {
  const f1 = rng.range(0.05, 0.12);
  const f2 = rng.range(0.15, 0.3);
  const p1 = rng.range(0, 2 * Math.PI);
  const p2 = rng.range(0, 2 * Math.PI);
  return (t) => amplitudeDeg * (0.7 * Math.sin(2 * Math.PI * f1 * t + p1) + 0.3 * Math.sin(2 * Math.PI * f2 * t + p2));
}
