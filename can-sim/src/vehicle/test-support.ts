import type { CanFrame, SignalValues } from '@auriga/common';
import { loadSimDbc } from './dbc.js';
import type { DriverControls, DriverInputs } from './inputs.js';
import { Vehicle, type OutgoingFrame } from './vehicle.js';

/** Helpers for the package's own tests: a vehicle on the real DBC, stepped by hand. */
export function testVehicle(seed = 1): Vehicle {
  return new Vehicle({ dbc: loadSimDbc(), seed });
}

export const DRIVE: DriverInputs = { throttle: 0, brake: 0, steeringAngleDeg: 0, selector: 'D', ignition: 'on', parkingBrake: false };
export const PARK: DriverInputs = { throttle: 0, brake: 0, steeringAngleDeg: 0, selector: 'P', ignition: 'on', parkingBrake: true };

/** Steps the physics for `seconds` with fixed inputs; returns the new simulated time. */
export function run(
  vehicle: Vehicle,
  seconds: number,
  inputs: Partial<DriverInputs> = {},
  options: { dt?: number; controls?: DriverControls; onStep?: (t: number) => void } = {},
): number {
  const dt = options.dt ?? 0.01;
  const n = Math.round(seconds / dt);
  let t = vehicle.state.simTime;
  const all = { ...DRIVE, ...inputs };
  for (let i = 0; i < n; i++) {
    t = Math.round((t + dt) * 1e6) / 1e6;
    vehicle.step(dt, t, all, options.controls ?? {});
    options.onStep?.(t);
  }
  return t;
}

/** Decodes frames of one message name. */
export function decodeAll(vehicle: Vehicle, frames: readonly (CanFrame | OutgoingFrame)[], messageName: string): SignalValues[] {
  const out: SignalValues[] = [];
  for (const f of frames) {
    const frame = 'frame' in f ? f.frame : f;
    const decoded = vehicle.codec.decodeFrame(frame);
    if (decoded?.message.name === messageName) out.push(decoded.signals);
  }
  return out;
}

/** A head-unit request frame of `messageName` with the given physical values (the rest "no request"). */
export function requestFrame(vehicle: Vehicle, messageName: string, values: SignalValues, timestamp = 0): CanFrame {
  return vehicle.codec.encodeFrame(messageName, values, timestamp);
}
