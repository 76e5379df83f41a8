import type { SignalValues } from '@auriga/common';
import { AIR_DISTRIBUTIONS, CORNERS, type VehicleState } from '../vehicle/state.js';
import { Ecu, bit, type StepContext } from './ecu.js';
import { clamp, lag } from './physics.js';
import { isIgnitionOn } from './powertrain.js';

/** Cabin air exchange with outside through the body, with everything closed: time constant in s. */
const SEALED_LEAK_TAU_S = 1500;
/** Extra exchange per fully open window (or sunroof). */
const OPEN_WINDOW_LEAK_TAU_S = 240;
/** Closed-loop time constant at full blower; it grows as the blower slows. */
const FULL_FAN_TAU_S = 60;
const HEAT_CAPACITY_C_PER_S = 0.12;
const AC_CAPACITY_C_PER_S = 0.08;

/**
 * Dual-zone automatic climate control. The cabin air temperature follows a first-order lag toward
 * the mean of the zone set points, faster with more blower; without AC it can cool only toward the
 * outside air. The body always leaks heat toward the outside temperature (more with windows open).
 */
export class HvacEcu extends Ecu {
  readonly name = 'hvac';
  readonly transmits = ['HVAC_Status', 'HVAC_CabinClimate'] as const;

  constructor(state: VehicleState) {
    super(state);
    const h = this.state.hvac;
    const onOff = (set: (on: boolean) => void) => ({ apply: (v: number) => set(v === 1) });
    this.requestHandlers.HU_HVAC_Request = {
      HVACReq_TempDriver: { apply: (v) => (h.driver.setpointC = v) },
      HVACReq_TempPassenger: { apply: (v) => (h.passenger.setpointC = v) },
      HVACReq_FanSpeedDriver: { apply: (v) => (h.driver.fanPct = v) },
      HVACReq_FanSpeedPassenger: { apply: (v) => (h.passenger.fanPct = v) },
      HVACReq_AirDistDriver: { apply: (v) => (h.driver.airDistribution = AIR_DISTRIBUTIONS[v]!) },
      HVACReq_AirDistPassenger: { apply: (v) => (h.passenger.airDistribution = AIR_DISTRIBUTIONS[v]!) },
      HVACReq_AC: onOff((on) => (h.acOn = on)),
      HVACReq_Recirculation: onOff((on) => (h.recirculation = on)),
      HVACReq_FrontDefrost: onOff((on) => (h.defrostFront = on)),
      HVACReq_RearDefrost: onOff((on) => (h.defrostRear = on)),
    };
  }

  /** Whether the blower and the heat exchangers work (ignition on and some fan). */
  get active(): boolean {
    const h = this.state.hvac;
    return isIgnitionOn(this.state) && (h.driver.fanPct > 0 || h.passenger.fanPct > 0);
  }

  step(dt: number, ctx: StepContext): void {
    const h = this.state.hvac;
    const climate = ctx.controls.climate;
    if (climate) {
      h.driver.setpointC = h.passenger.setpointC = climate.setpointC;
      h.driver.fanPct = h.passenger.fanPct = climate.fanPct;
      h.acOn = climate.acOn;
    }
    const env = this.state.environment;
    const body = this.state.body;
    const outside = env.outsideTempC;
    let openness = 0;
    for (const c of CORNERS) openness += body.windows[c].position / 100;
    openness += Math.abs(body.sunroof.position) / 100;
    const leakRate = 1 / SEALED_LEAK_TAU_S + openness / OPEN_WINDOW_LEAK_TAU_S;
    const leak = (outside - h.cabinTempC) * leakRate * (h.recirculation ? 0.6 : 1);

    let hvacFlux = 0;
    if (this.active) {
      const fan = (h.driver.fanPct + h.passenger.fanPct) / 2 / 100;
      const target = (h.driver.setpointC + h.passenger.setpointC) / 2;
      const gain = fan / FULL_FAN_TAU_S;
      // The controller cancels the leak and closes the remaining gap with a first-order lag.
      const wanted = (target - h.cabinTempC) * gain - leak;
      const heatCap = HEAT_CAPACITY_C_PER_S * fan;
      // Without the compressor the blower can only bring the cabin toward the outside air.
      const coolCap = h.acOn
        ? AC_CAPACITY_C_PER_S * fan
        : h.recirculation
          ? 0
          : Math.max(0, (h.cabinTempC - outside) * gain);
      hvacFlux = clamp(wanted, -coolCap, heatCap);
    }
    h.cabinTempC += (leak + hvacFlux) * dt;

    const humidityTarget = this.active && h.acOn ? 35 : clamp(40 + env.rainIntensity * 20 + (h.recirculation ? 10 : 0), 0, 100);
    h.cabinHumidityPct = lag(h.cabinHumidityPct, humidityTarget, 600, dt);
  }

  encode(messageName: string): SignalValues {
    const h = this.state.hvac;
    switch (messageName) {
      case 'HVAC_Status':
        return {
          HVAC_TempSetDriver: h.driver.setpointC,
          HVAC_TempSetPassenger: h.passenger.setpointC,
          HVAC_FanSpeedDriver: h.driver.fanPct,
          HVAC_FanSpeedPassenger: h.passenger.fanPct,
          HVAC_ACActive: bit(h.acOn),
          HVAC_Recirculation: bit(h.recirculation),
          HVAC_AirDistDriver: AIR_DISTRIBUTIONS.indexOf(h.driver.airDistribution),
          HVAC_AirDistPassenger: AIR_DISTRIBUTIONS.indexOf(h.passenger.airDistribution),
          HVAC_FrontDefrost: bit(h.defrostFront),
          HVAC_RearDefrost: bit(h.defrostRear),
        };
      case 'HVAC_CabinClimate':
        return { HVAC_CabinTemp: h.cabinTempC, HVAC_CabinHumidity: h.cabinHumidityPct };
      default:
        throw new Error(`${this.name} does not transmit ${messageName}`);
    }
  }
}
