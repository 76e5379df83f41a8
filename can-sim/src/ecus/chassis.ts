import type { SignalValues } from '@auriga/common';
import { CORNERS, type VehicleState } from '../vehicle/state.js';
import { Ecu, bit, type StepContext } from './ecu.js';
import { CAR, G, clamp, curvatureFor, gripMu, lag } from './physics.js';
import type { PowertrainEcu } from './powertrain.js';

/**
 * Brakes and stability (ESP) and steering (EPS): accelerations from the speed change and the path
 * curvature, yaw rate, per-wheel speeds (outer wheels faster in a bend, slip under ABS), ABS when
 * the pedal asks for more than the grip, ESC when the bend asks for more than the grip.
 * Runs after the powertrain in each step.
 */
export class ChassisEcu extends Ecu {
  readonly name = 'chassis';
  readonly transmits = ['ESP_WheelSpeeds', 'ESP_VehicleDynamics', 'ESP_Status', 'EPS_SteeringAngle'] as const;
  private absPhase = 0;

  constructor(
    state: VehicleState,
    private readonly powertrain: PowertrainEcu,
  ) {
    super(state);
  }

  step(dt: number, ctx: StepContext): void {
    const c = this.state.chassis;
    const p = this.state.powertrain;
    const { inputs, rng } = ctx;
    const v = p.speedKmh / 3.6;
    const mu = gripMu(this.state.environment.roadWet);

    c.brakePedalPct = clamp(inputs.brake, 0, 1) * 100;
    c.parkingBrake = inputs.parkingBrake;
    const angle = clamp(inputs.steeringAngleDeg, -CAR.maxSteeringWheelDeg, CAR.maxSteeringWheelDeg);
    // The EPS rack has a finite speed: about 720 deg/s at the wheel.
    const target = angle;
    const maxMove = 720 * dt;
    const next = c.steeringAngleDeg + clamp(target - c.steeringAngleDeg, -maxMove, maxMove);
    c.steeringSpeedDegS = (next - c.steeringAngleDeg) / dt;
    c.steeringAngleDeg = next;

    const curvature = curvatureFor(c.steeringAngleDeg) * (p.gear < 0 ? -1 : 1);
    const demandLat = v * v * curvature;
    const latLimit = mu * G * 0.95;
    c.escActive = v > 3 && Math.abs(demandLat) > latLimit * 0.85;
    const lat = clamp(demandLat, -latLimit, latLimit);
    // Accelerometers: filtered a little, as the ESP's own signal processing does.
    c.lateralAccelMs2 = lag(c.lateralAccelMs2, lat, 0.05, dt);
    c.longitudinalAccelMs2 = lag(c.longitudinalAccelMs2, p.accelerationMs2, 0.05, dt);
    const roughness = (this.state.environment.roadWet ? 0.25 : 0.15) * Math.min(1, v / 15);
    c.verticalAccelMs2 = (rng.next() - 0.5) * 2 * roughness;
    // Yaw rate = v * curvature = lateral acceleration / v.
    c.yawRateDegS = v > 0.05 ? ((lat / v) * 180) / Math.PI : 0;

    c.absActive = v > 1.5 && this.powertrain.brakeDemandMs2 > mu * G;
    c.tcsActive = v < 30 && this.powertrain.driveForceDemandN > mu * G * CAR.massKg * 0.5;

    // Wheel speeds: a bend makes the outer wheels run faster; ABS lets the wheels slip and recover.
    const halfTrack = CAR.trackWidthM / 2;
    const k = v > 0.05 ? lat / Math.max(v * v, 1e-6) : 0;
    this.absPhase += dt * 2 * Math.PI * 8;
    for (const corner of CORNERS) {
      const left = corner === 'FL' || corner === 'RL';
      let w = v * (1 + (left ? -1 : 1) * k * halfTrack);
      if (c.absActive) w *= 0.88 + 0.08 * Math.sin(this.absPhase + (corner === 'FL' || corner === 'RR' ? 0 : Math.PI));
      c.wheelSpeedsKmh[corner] = Math.max(0, w * 3.6);
    }
  }

  encode(messageName: string): SignalValues {
    const c = this.state.chassis;
    const p = this.state.powertrain;
    switch (messageName) {
      case 'ESP_WheelSpeeds':
        return {
          ESP_WheelSpeed_FL: c.wheelSpeedsKmh.FL,
          ESP_WheelSpeed_FR: c.wheelSpeedsKmh.FR,
          ESP_WheelSpeed_RL: c.wheelSpeedsKmh.RL,
          ESP_WheelSpeed_RR: c.wheelSpeedsKmh.RR,
        };
      case 'ESP_VehicleDynamics':
        return {
          ESP_LongAccel: c.longitudinalAccelMs2,
          ESP_LatAccel: c.lateralAccelMs2,
          ESP_VertAccel: c.verticalAccelMs2,
          ESP_YawRate: c.yawRateDegS,
        };
      case 'ESP_Status':
        return {
          ESP_VehicleSpeed: p.speedKmh,
          ESP_BrakePedalPosition: c.brakePedalPct,
          ESP_ABS_Active: bit(c.absActive),
          ESP_ESC_Active: bit(c.escActive),
          ESP_TCS_Active: bit(c.tcsActive),
          ESP_ABS_Fault: 0,
          ESP_ESC_Fault: 0,
          ESP_VehicleStandstill: bit(Math.max(...Object.values(c.wheelSpeedsKmh)) < 0.5),
          ESP_ParkingBrake: bit(c.parkingBrake),
          ESP_BrakeLightOn: bit(c.brakePedalPct > 3 || c.absActive),
        };
      case 'EPS_SteeringAngle':
        return { EPS_SteeringWheelAngle: c.steeringAngleDeg, EPS_SteeringWheelSpeed: c.steeringSpeedDegS };
      default:
        throw new Error(`${this.name} does not transmit ${messageName}`);
    }
  }
}
