import type { GearSelector, IgnitionState, Situation, VehicleState } from '../vehicle/state.js';
import { SpeedController } from './speed-controller.js';
import type { ScenarioStep } from './types.js';

export interface ManualHold {
  /** Speed to hold (km/h); 0 = stop and park. */
  speedKmh: number;
  ignition: IgnitionState;
  selector?: GearSelector;
}

/**
 * The driver used after a `set` command for test setups: holds a speed (or stays parked) with the
 * given key position, until a scenario is started again. Its label follows the speed.
 */
export class ManualDriver {
  private readonly speed = new SpeedController();

  constructor(public hold: ManualHold) {}

  step(dt: number, state: VehicleState): ScenarioStep {
    const { speedKmh, ignition } = this.hold;
    const moving = state.powertrain.speedKmh > 0.5;
    const running = ignition === 'on' || ignition === 'start';
    const label = labelForSpeed(state.powertrain.speedKmh, state.powertrain.selector);
    if (speedKmh <= 0 && !moving) {
      const selector = this.hold.selector ?? 'P';
      return {
        inputs: { throttle: 0, brake: selector === 'P' ? 0 : 0.35, steeringAngleDeg: 0, selector, ignition, parkingBrake: selector === 'P' },
        controls: {},
        label,
      };
    }
    const pedals = running ? this.speed.command(state, speedKmh, dt) : { throttle: 0, brake: 0.3 };
    return {
      inputs: { ...pedals, steeringAngleDeg: 0, selector: this.hold.selector ?? 'D', ignition, parkingBrake: false },
      controls: {},
      label,
    };
  }
}

/** A rough situation for a speed, used while a test holds the car at a set speed. */
export function labelForSpeed(speedKmh: number, selector: GearSelector): Situation {
  if (speedKmh < 0.5 && selector === 'P') return 'parked';
  if (speedKmh >= 90) return 'highway';
  if (speedKmh >= 60) return 'rural';
  if (speedKmh >= 20) return 'city';
  return 'stop_and_go';
}
