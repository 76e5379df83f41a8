import type { SignalValues } from '@auriga/common';
import type { VehicleState } from '../vehicle/state.js';
import { Ecu, bit, type StepContext } from './ecu.js';

/** Lane departure warnings only above this speed (as most systems). */
const LDW_MIN_SPEED_KMH = 60;
const FCW_MIN_SPEED_KMH = 20;
/** Time gap to the vehicle ahead below which the forward collision warning sounds. */
const FCW_GAP_S = 1.2;

/**
 * Driver assistance (ADAS: lane departure, forward collision, cruise) and occupant restraints
 * (ACU: seat belts, passenger presence).
 */
export class AdasEcu extends Ecu {
  readonly name = 'adas';
  readonly transmits = ['ADAS_Warnings', 'ACU_OccupantStatus'] as const;

  constructor(state: VehicleState) {
    super(state);
  }

  step(_dt: number, ctx: StepContext): void {
    const a = this.state.adas;
    const { controls } = ctx;
    if (controls.seatBeltDriver !== undefined) a.seatBeltDriver = controls.seatBeltDriver;
    if (controls.seatBeltPassenger !== undefined) a.seatBeltPassenger = controls.seatBeltPassenger;
    if (controls.passengerPresent !== undefined) a.passengerPresent = controls.passengerPresent;
    if (controls.cruise !== undefined) {
      a.cruiseActive = controls.cruise.active;
      a.cruiseSetSpeedKmh = controls.cruise.active ? controls.cruise.setSpeedKmh : a.cruiseSetSpeedKmh;
    }
    const speed = this.state.powertrain.speedKmh;
    const body = this.state.body;
    const on = this.state.powertrain.engineRunning;
    // An indicated lane change is intentional: no warning.
    a.laneDepartureWarning =
      on && a.laneDepartureEnabled && speed > LDW_MIN_SPEED_KMH && !!controls.laneDrift && !body.turnLeft && !body.turnRight;
    a.forwardCollisionWarning =
      on && a.obstacleDetectionEnabled && speed > FCW_MIN_SPEED_KMH && (controls.leadGapS ?? Infinity) < FCW_GAP_S;
    if (a.cruiseActive && (this.state.chassis.brakePedalPct > 5 || !on)) a.cruiseActive = false;
  }

  encode(messageName: string): SignalValues {
    const a = this.state.adas;
    switch (messageName) {
      case 'ADAS_Warnings':
        return {
          ADAS_LaneDepartureWarning: bit(a.laneDepartureWarning),
          ADAS_LaneDepartureEnabled: bit(a.laneDepartureEnabled),
          ADAS_ForwardCollisionWarning: bit(a.forwardCollisionWarning),
          ADAS_ObstacleDetectionEnabled: bit(a.obstacleDetectionEnabled),
          ADAS_CruiseActive: bit(a.cruiseActive),
          ADAS_CruiseSetSpeed: a.cruiseSetSpeedKmh,
        };
      case 'ACU_OccupantStatus':
        return {
          ACU_BeltDriver: bit(a.seatBeltDriver),
          ACU_BeltPassenger: bit(a.seatBeltPassenger),
          ACU_BeltRearLeft: bit(a.seatBeltRearLeft),
          ACU_BeltRearRight: bit(a.seatBeltRearRight),
          ACU_OccupiedPassenger: bit(a.passengerPresent),
        };
      default:
        throw new Error(`${this.name} does not transmit ${messageName}`);
    }
  }
}
