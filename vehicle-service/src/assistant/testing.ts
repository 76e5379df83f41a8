/**
 * TESTS ONLY: a hand-built vehicle state and a fake actuation that stands in for the CAN round
 * trip (request frame -> ECU ack -> status reaches the target). It applies the real vehicle policy
 * to the hand-set speed, so refusals come from the same rules and reasons as in the car.
 */
import { catalog, type SignalValue } from '@auriga/common';
import type { ActuationResult } from '../actuation/actuation-service.js';
import { evaluatePolicy, type PolicySettings } from '../policy/policy.js';
import type { ActuationStatus } from '../store/types.js';
import type { StateView } from './car.js';

export const TEST_POLICY: PolicySettings = { walkingSpeedKmh: 5, highwaySpeedKmh: 80, highwayMaxOpeningPercent: 20 };

/** A plausible parked car: driver 21 °C, passenger 20 °C, windows closed, doors locked. */
export function parkedCar(): Record<string, SignalValue> {
  return {
    'Vehicle.Speed': 0,
    'Vehicle.Cabin.HVAC.Station.Row1.Driver.Temperature': 21,
    'Vehicle.Cabin.HVAC.Station.Row1.Passenger.Temperature': 20,
    'Vehicle.Cabin.HVAC.Station.Row1.Driver.FanSpeed': 43,
    'Vehicle.Cabin.HVAC.Station.Row1.Passenger.FanSpeed': 43,
    'Vehicle.Cabin.Door.Row1.DriverSide.Window.Position': 0,
    'Vehicle.Cabin.Door.Row1.PassengerSide.Window.Position': 0,
    'Vehicle.Cabin.Door.Row2.DriverSide.Window.Position': 0,
    'Vehicle.Cabin.Door.Row2.PassengerSide.Window.Position': 0,
    'Vehicle.Cabin.Door.Row1.DriverSide.IsLocked': true,
    'Vehicle.Cabin.Door.Row1.PassengerSide.IsLocked': true,
    'Vehicle.Cabin.Door.Row2.DriverSide.IsLocked': true,
    'Vehicle.Cabin.Door.Row2.PassengerSide.IsLocked': true,
    'Vehicle.Body.Trunk.Rear.IsLocked': true,
    'Vehicle.Body.Trunk.Rear.IsOpen': false,
    'Vehicle.Cabin.Sunroof.Position': 0,
    'Vehicle.Cabin.Seat.Row1.DriverSide.Heating': 0,
    'Vehicle.Cabin.Seat.Row1.PassengerSide.Heating': 0,
    'Vehicle.Cabin.Infotainment.Media.Volume': 40,
    'Vehicle.Powertrain.FuelSystem.RelativeLevel': 23,
    'Vehicle.Powertrain.FuelSystem.Range': 140_000,
    'Vehicle.Powertrain.FuelSystem.IsFuelLevelLow': false,
    'Vehicle.Chassis.Axle.Row1.Wheel.Left.Tire.Pressure': 230,
    'Vehicle.Chassis.Axle.Row1.Wheel.Right.Tire.Pressure': 231,
    'Vehicle.Chassis.Axle.Row2.Wheel.Left.Tire.Pressure': 180,
    'Vehicle.Chassis.Axle.Row2.Wheel.Right.Tire.Pressure': 229,
    'Vehicle.Chassis.Axle.Row2.Wheel.Left.Tire.IsPressureLow': true,
    'Vehicle.OBD.Status.IsMILOn': false,
  };
}

export class FakeState implements StateView {
  readonly values = new Map<string, SignalValue>();
  constructor(initial: Record<string, SignalValue> = parkedCar()) {
    for (const [k, v] of Object.entries(initial)) this.values.set(k, v);
  }
  freshValue(path: string): SignalValue | undefined {
    return this.values.get(path);
  }
  set(path: string, value: SignalValue): void {
    this.values.set(path, value);
  }
}

/** The fake car: applies the policy, then moves the actuator (or fails as told for that path). */
export class FakeActuation {
  readonly requests: Array<{ path: string; value: SignalValue; source: string }> = [];
  /** Paths that will not reach their target (e.g. a blocked window): the outcome to report. */
  readonly failing = new Map<string, { status: ActuationStatus; reason: string }>();

  constructor(
    private readonly state: FakeState,
    private readonly policy: PolicySettings = TEST_POLICY,
  ) {}

  async request(path: string, value: SignalValue, options: { source: string }): Promise<ActuationResult> {
    this.requests.push({ path, value, source: options.source });
    const invalid = catalog.checkValue(path, value);
    if (invalid) throw new Error(`invalid value for ${path}: ${invalid}`);
    const speed = this.state.freshValue('Vehicle.Speed');
    const decision = evaluatePolicy({ path, value }, { speedKmh: typeof speed === 'number' ? speed : undefined, ownerEcu: 'BCM', ecuStatusStale: false }, this.policy);
    const base = { id: String(this.requests.length), path, value, ms: 1 };
    if (!decision.allowed) return { ...base, status: 'refused', reason: decision.reason, ruleId: decision.ruleId };
    const failure = this.failing.get(path);
    if (failure) return { ...base, ...failure };
    this.state.set(path, value);
    return { ...base, status: 'confirmed' };
  }
}
