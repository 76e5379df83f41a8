import type { SignalCatalog, SignalValue } from '@auriga/common';
import type { ClimateZone, DefrostTarget, LightId, Seat, TyreId } from './types.js';

/**
 * Where each part of the car lives in VSS, and the read side the planners use. Kept in one place
 * so a car with other seats or zones changes this file, not the planners.
 */

const HVAC = 'Vehicle.Cabin.HVAC';
const SEAT_DOOR: Record<Seat, string> = {
  driver: 'Vehicle.Cabin.Door.Row1.DriverSide',
  passenger: 'Vehicle.Cabin.Door.Row1.PassengerSide',
  rearLeft: 'Vehicle.Cabin.Door.Row2.DriverSide',
  rearRight: 'Vehicle.Cabin.Door.Row2.PassengerSide',
};
const ZONE_STATION: Record<ClimateZone, string> = { driver: `${HVAC}.Station.Row1.Driver`, passenger: `${HVAC}.Station.Row1.Passenger` };
const ZONE_SEAT: Record<ClimateZone, string> = { driver: 'Vehicle.Cabin.Seat.Row1.DriverSide', passenger: 'Vehicle.Cabin.Seat.Row1.PassengerSide' };

export const PATHS = {
  speed: 'Vehicle.Speed',
  temperature: (z: ClimateZone) => `${ZONE_STATION[z]}.Temperature`,
  fan: (z: ClimateZone) => `${ZONE_STATION[z]}.FanSpeed`,
  seatHeating: (z: ClimateZone) => `${ZONE_SEAT[z]}.Heating`,
  window: (s: Seat) => `${SEAT_DOOR[s]}.Window.Position`,
  doorLock: (s: Seat) => `${SEAT_DOOR[s]}.IsLocked`,
  sunroof: 'Vehicle.Cabin.Sunroof.Position',
  trunk: 'Vehicle.Body.Trunk.Rear.IsOpen',
  trunkLock: 'Vehicle.Body.Trunk.Rear.IsLocked',
  airConditioning: `${HVAC}.IsAirConditioningActive`,
  defrost: (t: DefrostTarget) => (t === 'front' ? `${HVAC}.IsFrontDefrosterActive` : `${HVAC}.IsRearDefrosterActive`),
  light: (l: LightId) =>
    ({
      headlights: 'Vehicle.Body.Lights.Beam.Low.IsOn',
      fogLights: 'Vehicle.Body.Lights.Fog.Front.IsOn',
      hazards: 'Vehicle.Body.Lights.Hazard.IsSignaling',
      interior: 'Vehicle.Cabin.Light.IsDomeOn',
    })[l],
  volume: 'Vehicle.Cabin.Infotainment.Media.Volume',
  mediaAction: 'Vehicle.Cabin.Infotainment.Media.Action',
  mediaSource: 'Vehicle.Cabin.Infotainment.Media.Played.Source',
  fuelLevel: 'Vehicle.Powertrain.FuelSystem.RelativeLevel',
  fuelRange: 'Vehicle.Powertrain.FuelSystem.Range',
  fuelLow: 'Vehicle.Powertrain.FuelSystem.IsFuelLevelLow',
  distanceSinceStart: 'Vehicle.TraveledDistanceSinceStart',
  tyrePressure: (t: TyreId) => `${TYRE_WHEEL[t]}.Tire.Pressure`,
  tyreLow: (t: TyreId) => `${TYRE_WHEEL[t]}.Tire.IsPressureLow`,
  checkEngine: 'Vehicle.OBD.Status.IsMILOn',
  dtcCount: 'Vehicle.OBD.Status.DTCCount',
  washerFluidLow: 'Vehicle.Body.Windshield.Front.WasherFluid.IsLevelLow',
  absError: 'Vehicle.ADAS.ABS.IsError',
  escError: 'Vehicle.ADAS.ESC.IsError',
} as const;

export const TYRES: readonly TyreId[] = ['frontLeft', 'frontRight', 'rearLeft', 'rearRight'];
const TYRE_WHEEL: Record<TyreId, string> = {
  frontLeft: 'Vehicle.Chassis.Axle.Row1.Wheel.Left',
  frontRight: 'Vehicle.Chassis.Axle.Row1.Wheel.Right',
  rearLeft: 'Vehicle.Chassis.Axle.Row2.Wheel.Left',
  rearRight: 'Vehicle.Chassis.Axle.Row2.Wheel.Right',
};

export const ALL_SEATS: readonly Seat[] = ['driver', 'passenger', 'rearLeft', 'rearRight'];
export const ALL_ZONES: readonly ClimateZone[] = ['driver', 'passenger'];

/** The read side of the live vehicle state: current values, undefined when unknown or stale. */
export interface StateView {
  freshValue(path: string): SignalValue | undefined;
}

/** Helpers the planners share: typed reads and clamping to the catalog's ranges. */
export class CarModel {
  constructor(
    readonly state: StateView,
    readonly catalog: SignalCatalog,
  ) {}

  number(path: string): number | undefined {
    const v = this.state.freshValue(path);
    return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
  }

  boolean(path: string): boolean | undefined {
    const v = this.state.freshValue(path);
    return typeof v === 'boolean' ? v : undefined;
  }

  value(path: string): SignalValue | undefined {
    return this.state.freshValue(path);
  }

  /** Clamps to the catalog's [min, max] for the path (values outside would be rejected as invalid). */
  clamp(path: string, value: number): number {
    const spec = this.catalog.get(path);
    let v = value;
    if (spec?.min !== undefined) v = Math.max(spec.min, v);
    if (spec?.max !== undefined) v = Math.min(spec.max, v);
    if (spec && spec.datatype !== 'float' && spec.datatype !== 'double') v = Math.round(v);
    return v;
  }

  range(path: string): { min: number | undefined; max: number | undefined } {
    const spec = this.catalog.get(path);
    return { min: spec?.min, max: spec?.max };
  }

  /** True when the car has this path as an actuator (another car may lack the sunroof). */
  canActuate(path: string): boolean {
    return this.catalog.get(path)?.kind === 'actuator';
  }
}

/** Slot values of the context (`zone`, `window`, `door`) -> seats. */
export function seatsFor(value: string | undefined, requester: Seat): Seat[] | undefined {
  switch (value) {
    case undefined:
      return [requester];
    case 'driver':
      return ['driver'];
    case 'passenger':
      return ['passenger'];
    case 'rear left':
      return ['rearLeft'];
    case 'rear right':
      return ['rearRight'];
    case 'rear':
      return ['rearLeft', 'rearRight'];
    case 'front':
      return ['driver', 'passenger'];
    case 'all':
      return [...ALL_SEATS];
    default:
      return undefined;
  }
}

/**
 * Slot value `zone` -> climate zones. Without a zone the requester's own zone; rear seats (no rear
 * climate zone on this car) get both front zones. An explicit rear zone is undefined: not available.
 */
export function zonesFor(value: string | undefined, requester: Seat): ClimateZone[] | undefined {
  switch (value) {
    case undefined:
      return requester === 'driver' ? ['driver'] : requester === 'passenger' ? ['passenger'] : [...ALL_ZONES];
    case 'driver':
      return ['driver'];
    case 'passenger':
      return ['passenger'];
    case 'front':
    case 'all':
      return [...ALL_ZONES];
    default:
      return undefined;
  }
}
