import type { Corner, GearSelector, IgnitionState, WiperMode } from './state.js';

/** What the driver does with the pedals, wheel, selector and key in one step. */
export interface DriverInputs {
  /** Accelerator pedal 0..1. */
  throttle: number;
  /** Brake pedal 0..1 (1 = full braking). */
  brake: number;
  /** Steering wheel angle in degrees, positive = left (counter-clockwise). */
  steeringAngleDeg: number;
  selector: GearSelector;
  ignition: IgnitionState;
  parkingBrake: boolean;
}

/**
 * What the people in the car do by hand (stalks, buckles, doors) and what happens around it.
 * Each field is applied only when present and only when it changes, so a scenario does not fight
 * the head unit's requests (the driver switched the low beams on once; the head unit may switch them off).
 */
export interface DriverControls {
  lowBeam?: boolean;
  highBeam?: boolean;
  wiperMode?: WiperMode;
  turnSignal?: 'none' | 'left' | 'right';
  seatBeltDriver?: boolean;
  seatBeltPassenger?: boolean;
  passengerPresent?: boolean;
  doorsOpen?: Partial<Record<Corner, boolean>>;
  /** The driver sets the climate control (both zones). */
  climate?: { setpointC: number; fanPct: number; acOn: boolean };
  /** Cruise control engaged at the given speed (km/h), or off. */
  cruise?: { active: boolean; setSpeedKmh: number };
  /** The car is drifting over a lane marking without the indicator. */
  laneDrift?: boolean;
  /** Time gap to the vehicle ahead in seconds (Infinity = free road). */
  leadGapS?: number;
}

export const PARKED_INPUTS: DriverInputs = {
  throttle: 0,
  brake: 0,
  steeringAngleDeg: 0,
  selector: 'P',
  ignition: 'off',
  parkingBrake: true,
};
