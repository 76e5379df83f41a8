import type { SignalValues } from '@auriga/common';
import { CORNERS, type VehicleState } from '../vehicle/state.js';
import { Ecu, bit, type StepContext } from './ecu.js';
import { lag } from './physics.js';

/** Reference temperature of the cold pressure. */
const COLD_REF_C = 20;
/** Tyres warm up by this much per km/h of road speed, with this time constant. */
const HEAT_PER_KMH_C = 0.15;
const TYRE_THERMAL_TAU_S = 600;
/** Warning below 80 % of the recommended pressure (the usual TPMS threshold is 20-25 % under). */
export const LOW_PRESSURE_RATIO = 0.8;

/**
 * Tyre pressure monitoring: four sensors, pressure following the tyre temperature (ideal gas, so a
 * hot tyre reads higher), an optional slow leak lowering the cold pressure, a low-pressure warning.
 * TPMS_Status is multiplexed by wheel: four frames per cycle.
 */
export class TpmsEcu extends Ecu {
  readonly name = 'tpms';
  readonly transmits = ['TPMS_Status'] as const;

  constructor(state: VehicleState) {
    super(state);
  }

  step(dt: number, _ctx: StepContext): void {
    const t = this.state.tpms;
    const env = this.state.environment;
    const speed = this.state.powertrain.speedKmh;
    for (const c of CORNERS) {
      const tyre = t.tyres[c];
      if (tyre.leakKpaPerMin > 0) tyre.coldPressureKpa = Math.max(0, tyre.coldPressureKpa - (tyre.leakKpaPerMin * dt) / 60);
      // A soft tyre flexes more and runs hotter.
      const underInflation = Math.max(0, 1 - tyre.coldPressureKpa / t.nominalKpa);
      const target = env.outsideTempC + speed * HEAT_PER_KMH_C * (1 + underInflation * 2);
      tyre.temperatureC = lag(tyre.temperatureC, target, TYRE_THERMAL_TAU_S, dt);
      tyre.pressureKpa = (tyre.coldPressureKpa * (tyre.temperatureC + 273.15)) / (COLD_REF_C + 273.15);
      tyre.lowPressureWarning = tyre.pressureKpa < t.nominalKpa * LOW_PRESSURE_RATIO;
    }
  }

  encode(messageName: string): SignalValues[] {
    if (messageName !== 'TPMS_Status') throw new Error(`${this.name} does not transmit ${messageName}`);
    return CORNERS.map((c, index) => {
      const tyre = this.state.tpms.tyres[c];
      return {
        TPMS_WheelIndex: index,
        [`TPMS_Pressure_${c}`]: tyre.pressureKpa,
        [`TPMS_Temp_${c}`]: tyre.temperatureC,
        [`TPMS_LowPressure_${c}`]: bit(tyre.lowPressureWarning),
      };
    });
  }
}
