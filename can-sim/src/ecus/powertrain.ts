import type { SignalValues } from '@auriga/common';
import type { DriverInputs } from '../vehicle/inputs.js';
import { GEAR_SELECTORS, type VehicleState } from '../vehicle/state.js';
import { Ecu, bit, type StepContext } from './ecu.js';
import { AIR_DENSITY, CAR, G, clamp, engineRpmAt, gripMu, lag, maxTorqueAt } from './physics.js';

const MIN_SHIFT_INTERVAL_S = 0.8;
const FUEL_LOW_LITERS = 7;

export function isIgnitionOn(state: VehicleState): boolean {
  return state.ignition === 'on' || state.ignition === 'start';
}

/**
 * Engine (ECM), automatic gearbox (TCM) and the distance counters the cluster (IC) shows:
 * longitudinal dynamics with drag and rolling resistance, torque-converter launch, automatic shifting,
 * fuel use proportional to engine power, range from fuel level and average consumption.
 */
export class PowertrainEcu extends Ecu {
  readonly name = 'powertrain';
  readonly transmits = [
    'ECM_EngineData', 'TCM_GearStatus', 'ECM_EngineStatus', 'ECM_FuelConsumption', 'ECM_FuelLevel', 'IC_Odometer',
  ] as const;
  /** Deceleration the driver asked for with the brake pedal in the last step (m/s^2), before the grip limit. */
  brakeDemandMs2 = 0;
  /** Drive force the engine asked the tyres for in the last step (N), before the grip limit. */
  driveForceDemandN = 0;
  private sinceShiftS = 10;
  private wasOn = false;

  constructor(state: VehicleState) {
    super(state);
  }

  step(dt: number, ctx: StepContext): void {
    const { inputs } = ctx;
    const p = this.state.powertrain;
    const on = isIgnitionOn(this.state);
    if (on && !this.wasOn) p.sinceStartKm = 0;
    this.wasOn = on;
    if (!on || p.fuelLiters <= 0) p.engineRunning = false;
    else p.engineRunning = true;

    const pedal = clamp(inputs.throttle, 0, 1);
    const throttle = p.engineRunning ? pedal : 0;
    const brake = clamp(inputs.brake, 0, 1);
    let v = p.speedKmh / 3.6;

    this.shiftSelector(inputs, v);
    this.selectGear(dt, throttle, v);

    const ratio = p.gear > 0 ? CAR.gearRatios[p.gear - 1]! : p.gear < 0 ? CAR.reverseRatio : 0;
    let torque = 0;
    let driveForce = 0;
    if (p.engineRunning && ratio > 0) {
      const rpm = Math.max(p.rpm, CAR.idleRpm);
      torque = throttle * maxTorqueAt(rpm);
      driveForce = (torque * ratio * CAR.finalDrive * CAR.drivetrainEfficiency) / CAR.wheelRadiusM;
      // Above the torque plateau the engine is power-limited.
      driveForce = Math.min(driveForce, (throttle * CAR.maxPowerKw * 1000 * CAR.drivetrainEfficiency) / Math.max(v, 1));
    }
    const mu = gripMu(this.state.environment.roadWet);
    this.driveForceDemandN = driveForce;
    // Traction control: the tyres cannot pass more than the grip.
    driveForce = Math.min(driveForce, mu * G * CAR.massKg * 0.5);
    this.brakeDemandMs2 = brake * CAR.maxBrakeDecelMs2;
    // ABS keeps the deceleration at the grip limit.
    const brakeDecel = Math.min(this.brakeDemandMs2, mu * G);
    const held = p.selector === 'P' || inputs.parkingBrake;
    const aero = 0.5 * AIR_DENSITY * CAR.dragCoefficient * CAR.frontalAreaM2 * v * v;
    const rolling = v > 0.01 ? CAR.rollingResistance * CAR.massKg * G : 0;
    // Engine braking when the driver lifts off in gear.
    const engineBrakeN = p.engineRunning && ratio > 0 && throttle === 0 && v > 2 ? 150 + 0.06 * p.rpm : 0;

    const before = v;
    v += ((driveForce - aero - rolling - engineBrakeN - brakeDecel * CAR.massKg) / CAR.massKg) * dt;
    if (held) v = Math.min(v, Math.max(0, before - 3 * dt));
    // Creep: an automatic in D or R rolls at walking pace off the brake.
    if (p.engineRunning && ratio !== 0 && !held && brake < 0.05 && throttle === 0 && v < 1.7) {
      v = Math.min(1.7, v + 0.6 * dt);
    }
    if (v < 0) v = 0;
    p.accelerationMs2 = (v - before) / dt;
    p.speedKmh = v * 3.6;
    p.pedalPct = pedal * 100;
    p.throttlePct = p.engineRunning ? Math.max(throttle * 100, 2.4) : 0;
    p.engineTorqueNm = p.engineRunning ? (engineBrakeN > 0 ? -20 - 0.01 * p.rpm : Math.max(torque, 12)) : 0;

    this.updateRpm(dt, throttle, v, ratio);
    this.updateFuel(dt, driveForce, v, throttle);
    const km = (v * dt) / 1000;
    p.odometerKm += km;
    p.tripKm += km;
    p.sinceStartKm += km;
    if (p.engineRunning) p.engineHours += dt / 3600;
    this.updateTemperatures(dt, throttle);
  }

  private shiftSelector(inputs: DriverInputs, v: number): void {
    const p = this.state.powertrain;
    if (inputs.selector === p.selector) return;
    // The shift interlock allows P and R, or leaving them, only near standstill.
    const involvesPR = inputs.selector === 'P' || inputs.selector === 'R' || p.selector === 'P' || p.selector === 'R';
    if (!involvesPR || v < 1) p.selector = inputs.selector;
  }

  private selectGear(dt: number, throttle: number, v: number): void {
    const p = this.state.powertrain;
    this.sinceShiftS += dt;
    if (!p.engineRunning || p.selector === 'P' || p.selector === 'N') {
      p.gear = 0;
      return;
    }
    if (p.selector === 'R') {
      p.gear = -1;
      return;
    }
    if (p.gear <= 0) {
      p.gear = 1;
      this.sinceShiftS = 0;
      return;
    }
    if (this.sinceShiftS < MIN_SHIFT_INTERVAL_S) return;
    const rpmNow = engineRpmAt(v, CAR.gearRatios[p.gear - 1]!);
    // Shift points move up with the pedal: early upshifts when cruising, late ones under load, kickdown.
    const upshiftRpm = 1900 + throttle * 3800;
    const downshiftRpm = 1050 + throttle * 1900;
    if (p.gear < CAR.gearRatios.length && rpmNow > upshiftRpm) {
      const rpmAfter = engineRpmAt(v, CAR.gearRatios[p.gear]!);
      if (rpmAfter > downshiftRpm + 100) {
        p.gear++;
        this.sinceShiftS = 0;
      }
    } else if (p.gear > 1 && rpmNow < downshiftRpm) {
      p.gear--;
      this.sinceShiftS = 0;
    }
  }

  private updateRpm(dt: number, throttle: number, v: number, ratio: number): void {
    const p = this.state.powertrain;
    if (!p.engineRunning) {
      p.rpm = p.rpm < 5 ? 0 : lag(p.rpm, 0, 0.3, dt);
      return;
    }
    let target = CAR.idleRpm + throttle * 3000;
    if (ratio !== 0) {
      // Torque-converter slip keeps the engine above idle, and flares it under load, at low road speed.
      const wheelRpm = engineRpmAt(v, ratio);
      const flare = throttle * 1600 * Math.max(0, 1 - wheelRpm / 2500);
      target = Math.max(wheelRpm, CAR.idleRpm + flare);
    }
    p.rpm = clamp(lag(p.rpm, target, 0.15, dt), 0, CAR.redlineRpm);
  }

  private updateFuel(dt: number, driveForce: number, v: number, throttle: number): void {
    const p = this.state.powertrain;
    if (!p.engineRunning) {
      p.powerKw = 0;
      p.fuelRateLph = 0;
    } else {
      p.powerKw = (driveForce * v) / CAR.drivetrainEfficiency / 1000;
      // Deceleration fuel cut-off when coasting in gear above idle.
      const overrun = throttle === 0 && p.gear > 0 && p.rpm > 1200;
      p.fuelRateLph = overrun ? 0 : CAR.idleFuelLph + p.powerKw * CAR.litresPerKwh;
    }
    p.fuelLiters = Math.max(0, p.fuelLiters - (p.fuelRateLph * dt) / 3600);
    const kmh = v * 3.6;
    if (kmh > 10) {
      const instantL100 = (p.fuelRateLph / kmh) * 100;
      // Average over roughly the last 30 km, like a trip computer's range estimate.
      p.avgConsumptionL100 += (instantL100 - p.avgConsumptionL100) * ((v * dt) / 1000 / 30);
    }
    p.rangeKm = (p.fuelLiters / Math.max(p.avgConsumptionL100, 1)) * 100;
  }

  private updateTemperatures(dt: number, throttle: number): void {
    const p = this.state.powertrain;
    const outside = this.state.environment.outsideTempC;
    if (p.engineRunning) {
      p.coolantTempC = lag(p.coolantTempC, 90 + throttle * 6, 200 - throttle * 80, dt);
      p.oilTempC = lag(p.oilTempC, 95 + throttle * 15, 420, dt);
      p.transOilTempC = lag(p.transOilTempC, 80 + throttle * 10, 600, dt);
    } else {
      p.coolantTempC = lag(p.coolantTempC, outside, 1800, dt);
      p.oilTempC = lag(p.oilTempC, outside, 2400, dt);
      p.transOilTempC = lag(p.transOilTempC, outside, 2400, dt);
    }
  }

  /** Instantaneous consumption shown by the cluster: 0 at a standstill, capped as trip computers do. */
  instantConsumptionL100(): number {
    const p = this.state.powertrain;
    if (p.speedKmh < 3) return 0;
    return Math.min(99.9, (p.fuelRateLph / p.speedKmh) * 100);
  }

  encode(messageName: string): SignalValues {
    const p = this.state.powertrain;
    switch (messageName) {
      case 'ECM_EngineData':
        return {
          ECM_EngineSpeed: p.rpm,
          ECM_ThrottlePosition: p.throttlePct,
          ECM_AccelPedalPosition: p.pedalPct,
          ECM_EngineTorque: p.engineTorqueNm,
          ECM_EngineRunning: bit(p.engineRunning),
        };
      case 'TCM_GearStatus':
        return {
          TCM_GearLever: GEAR_SELECTORS.indexOf(p.selector),
          TCM_CurrentGear: p.gear,
          TCM_TransOilTemp: p.transOilTempC,
        };
      case 'ECM_EngineStatus':
        return {
          ECM_CoolantTemp: p.coolantTempC,
          ECM_OilTemp: p.oilTempC,
          ECM_OilPressure: p.engineRunning ? 150 + (p.rpm / CAR.redlineRpm) * 350 : 0,
          ECM_MIL_On: bit(p.mil),
          ECM_DTC_Count: p.dtcCount,
          ECM_EngineHours: p.engineHours,
        };
      case 'ECM_FuelConsumption':
        return { ECM_InstantConsumption: this.instantConsumptionL100(), ECM_AverageConsumption: p.avgConsumptionL100 };
      case 'ECM_FuelLevel':
        return {
          ECM_FuelLevelPct: (p.fuelLiters / p.fuelCapacityLiters) * 100,
          ECM_FuelRange: p.rangeKm,
          ECM_FuelLow: bit(p.fuelLiters < FUEL_LOW_LITERS),
        };
      case 'IC_Odometer':
        return { IC_Odometer: p.odometerKm, IC_TripMeter: p.tripKm, IC_DistanceSinceStart: p.sinceStartKm };
      default:
        throw new Error(`${this.name} does not transmit ${messageName}`);
    }
  }
}
