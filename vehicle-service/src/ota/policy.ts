import type { VehicleState } from '../vehicle/state.js';

/**
 * When an install (and the switch) may happen for one model kind: `anytime` for models that hot-swap
 * without the driver noticing, `parked` only while the car stands in Park. With `askDriver`, the agent
 * also waits for the driver's consent (POST /v1/ota/consent). Downloads run in the background regardless.
 */
export interface InstallPolicy {
  when: 'anytime' | 'parked';
  askDriver?: boolean;
}

export type PolicyWait = 'parked' | 'consent';

/** VSS SelectedGear value for Park. */
export const GEAR_PARK = 126;

/**
 * Parked = fresh Vehicle.Speed of 0 and fresh SelectedGear in Park. Stale or unknown signals count as
 * not parked: without evidence that the car stands still, the install waits.
 */
export function parkedFromVehicleState(state: VehicleState): () => boolean {
  return () => {
    const speed = state.freshValue('Vehicle.Speed');
    const gear = state.freshValue('Vehicle.Powertrain.Transmission.SelectedGear');
    return typeof speed === 'number' && Math.abs(speed) < 0.5 && gear === GEAR_PARK;
  };
}

/** What the install still waits for under `policy`, or undefined when it may go ahead now. */
export function installBlockedBy(policy: InstallPolicy, parked: boolean, consent: 'granted' | 'declined' | undefined): PolicyWait | undefined {
  if (policy.when === 'parked' && !parked) return 'parked';
  if (policy.askDriver && consent !== 'granted') return 'consent';
  return undefined;
}
