import { AIR_DENSITY, CAR, G, clamp, maxTorqueAt } from '../ecus/physics.js';
import type { VehicleState } from '../vehicle/state.js';

export interface PedalCommand {
  throttle: number;
  brake: number;
}

/**
 * A human-like speed follower: asks for a comfortable acceleration toward the target speed and
 * turns it into pedal positions with a feed-forward of the road load (drag + rolling resistance)
 * plus a small integral term, so cruising settles on the target without hunting.
 */
export class SpeedController {
  private integral = 0;

  constructor(
    /** Comfortable acceleration (m/s^2). */
    private readonly accel = 1.6,
    /** Comfortable deceleration (m/s^2). */
    private readonly decel = 2.2,
  ) {}

  reset(): void {
    this.integral = 0;
  }

  command(state: VehicleState, targetKmh: number, dt: number, overrides: { accel?: number | undefined; decel?: number | undefined } = {}): PedalCommand {
    const p = state.powertrain;
    const v = p.speedKmh / 3.6;
    const target = Math.max(0, targetKmh) / 3.6;
    const accelMax = overrides.accel ?? this.accel;
    const decelMax = overrides.decel ?? this.decel;
    if (target < 0.3 && v < 0.6) {
      // Hold the car at a stop with the brake (an automatic creeps otherwise).
      this.integral = 0;
      return { throttle: 0, brake: 0.35 };
    }
    const error = target - v;
    this.integral = clamp(this.integral + error * dt, -20, 20);
    const wantedAccel = clamp(0.6 * error + 0.03 * this.integral, -decelMax, accelMax);
    const roadLoad = 0.5 * AIR_DENSITY * CAR.dragCoefficient * CAR.frontalAreaM2 * v * v + CAR.rollingResistance * CAR.massKg * G;
    const force = CAR.massKg * wantedAccel + roadLoad;
    if (force > 0) {
      const gear = Math.max(1, p.gear);
      const ratio = CAR.gearRatios[gear - 1]!;
      const available = Math.min(
        (maxTorqueAt(Math.max(p.rpm, CAR.idleRpm)) * ratio * CAR.finalDrive * CAR.drivetrainEfficiency) / CAR.wheelRadiusM,
        (CAR.maxPowerKw * 1000 * CAR.drivetrainEfficiency) / Math.max(v, 1),
      );
      return { throttle: clamp(force / available, 0, 1), brake: 0 };
    }
    // Lifting off already decelerates (drag, rolling, engine braking); brake for the rest.
    const coastDecel = roadLoad / CAR.massKg + 0.15;
    const brakeDecel = -wantedAccel - coastDecel;
    return { throttle: 0, brake: brakeDecel > 0.05 ? clamp(brakeDecel / CAR.maxBrakeDecelMs2, 0, 1) : 0 };
  }
}
