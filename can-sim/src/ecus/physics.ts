/** Constants of the simulated car (a mid-size petrol hatchback with a 6-speed automatic). */
export const CAR = {
  massKg: 1500,
  dragCoefficient: 0.29,
  frontalAreaM2: 2.2,
  rollingResistance: 0.011,
  wheelRadiusM: 0.316,
  wheelbaseM: 2.7,
  trackWidthM: 1.55,
  steeringRatio: 15,
  maxSteeringWheelDeg: 540,
  gearRatios: [4.2, 2.5, 1.6, 1.2, 0.95, 0.78] as const,
  reverseRatio: 3.4,
  finalDrive: 3.5,
  drivetrainEfficiency: 0.9,
  maxPowerKw: 110,
  maxTorqueNm: 250,
  idleRpm: 750,
  redlineRpm: 6200,
  /** Brake system capability on a perfect surface, m/s^2. */
  maxBrakeDecelMs2: 10,
  /** Fuel per engine output energy: 250 g/kWh of petrol at 745 g/l. */
  litresPerKwh: 250 / 745,
  idleFuelLph: 0.7,
} as const;

export const AIR_DENSITY = 1.2;
export const G = 9.81;

/** Tyre-road friction coefficient. */
export function gripMu(roadWet: boolean): number {
  return roadWet ? 0.55 : 0.9;
}

/** First-order lag: moves `value` toward `target` with time constant `tauS`. Exact for any dt. */
export function lag(value: number, target: number, tauS: number, dt: number): number {
  if (tauS <= 0) return target;
  return target + (value - target) * Math.exp(-dt / tauS);
}

/** Moves `value` toward `target` by at most `rate * dt`. */
export function approach(value: number, target: number, rate: number, dt: number): number {
  const step = rate * dt;
  if (Math.abs(target - value) <= step) return target;
  return value + Math.sign(target - value) * step;
}

export function clamp(value: number, min: number, max: number): number {
  return value < min ? min : value > max ? max : value;
}

/** Path curvature (1/m) for a steering wheel angle, kinematic bicycle model. */
export function curvatureFor(steeringWheelDeg: number): number {
  const wheelRad = ((steeringWheelDeg / CAR.steeringRatio) * Math.PI) / 180;
  return Math.tan(wheelRad) / CAR.wheelbaseM;
}

/** Engine rpm for a road speed in a gear ratio (no slip). */
export function engineRpmAt(speedMs: number, ratio: number): number {
  return ((speedMs / CAR.wheelRadiusM) * ratio * CAR.finalDrive * 60) / (2 * Math.PI);
}

/** Full-load torque curve: rises to the plateau by 1800 rpm, power-limited above. */
export function maxTorqueAt(rpm: number): number {
  const r = Math.max(rpm, CAR.idleRpm);
  const plateau = CAR.maxTorqueNm * Math.min(1, 0.6 + (0.4 * (r - CAR.idleRpm)) / (1800 - CAR.idleRpm));
  const powerLimited = (CAR.maxPowerKw * 1000) / ((r * 2 * Math.PI) / 60);
  return Math.min(plateau, powerLimited);
}
