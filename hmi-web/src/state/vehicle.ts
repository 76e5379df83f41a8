/**
 * What the Vehicle screen derives from raw VSS signals: the gear letter, which energy gauge to
 * show, and the active warnings. Pure, so it is tested without a browser.
 */
import type { MessageKey } from '../i18n/index.js';
import type { SignalStore } from './signals.js';

export const P = {
  speed: 'Vehicle.Speed',
  isMoving: 'Vehicle.IsMoving',
  odometer: 'Vehicle.TraveledDistance',
  sinceStart: 'Vehicle.TraveledDistanceSinceStart',
  tripMeter: 'Vehicle.TripMeterReading',
  currentGear: 'Vehicle.Powertrain.Transmission.CurrentGear',
  selectedGear: 'Vehicle.Powertrain.Transmission.SelectedGear',
  fuelLevel: 'Vehicle.Powertrain.FuelSystem.RelativeLevel',
  fuelRange: 'Vehicle.Powertrain.FuelSystem.Range',
  fuelLow: 'Vehicle.Powertrain.FuelSystem.IsFuelLevelLow',
  instantConsumption: 'Vehicle.Powertrain.FuelSystem.InstantConsumption',
  avgConsumption: 'Vehicle.Powertrain.FuelSystem.AverageConsumption',
  soc: 'Vehicle.Powertrain.TractionBattery.StateOfCharge.Displayed',
  cabinTemp: 'Vehicle.Cabin.HVAC.AmbientAirTemperature',
  outsideTemp: 'Vehicle.Exterior.AirTemperature',
  ac: 'Vehicle.Cabin.HVAC.IsAirConditioningActive',
  recirc: 'Vehicle.Cabin.HVAC.IsRecirculationActive',
  defrostFront: 'Vehicle.Cabin.HVAC.IsFrontDefrosterActive',
  defrostRear: 'Vehicle.Cabin.HVAC.IsRearDefrosterActive',
  trunkOpen: 'Vehicle.Body.Trunk.Rear.IsOpen',
  trunkLocked: 'Vehicle.Body.Trunk.Rear.IsLocked',
  mil: 'Vehicle.OBD.Status.IsMILOn',
  dtc: 'Vehicle.OBD.Status.DTCCount',
  absError: 'Vehicle.ADAS.ABS.IsError',
  escError: 'Vehicle.ADAS.ESC.IsError',
  washerLow: 'Vehicle.Body.Windshield.Front.WasherFluid.IsLevelLow',
  laneWarning: 'Vehicle.ADAS.LaneDepartureDetection.IsWarning',
  obstacleWarning: 'Vehicle.ADAS.ObstacleDetection.IsWarning',
  battery: 'Vehicle.LowVoltageBattery.CurrentVoltage',
} as const;

export type Position = 'frontLeft' | 'frontRight' | 'rearLeft' | 'rearRight';
export const POSITIONS: readonly Position[] = ['frontLeft', 'frontRight', 'rearLeft', 'rearRight'];

const DOOR: Record<Position, string> = {
  frontLeft: 'Vehicle.Cabin.Door.Row1.DriverSide',
  frontRight: 'Vehicle.Cabin.Door.Row1.PassengerSide',
  rearLeft: 'Vehicle.Cabin.Door.Row2.DriverSide',
  rearRight: 'Vehicle.Cabin.Door.Row2.PassengerSide',
};
const WHEEL: Record<Position, string> = {
  frontLeft: 'Vehicle.Chassis.Axle.Row1.Wheel.Left',
  frontRight: 'Vehicle.Chassis.Axle.Row1.Wheel.Right',
  rearLeft: 'Vehicle.Chassis.Axle.Row2.Wheel.Left',
  rearRight: 'Vehicle.Chassis.Axle.Row2.Wheel.Right',
};

export const doorPath = (pos: Position, leaf: 'IsOpen' | 'IsLocked' | 'Window.Position') => `${DOOR[pos]}.${leaf}`;
export const tyrePath = (pos: Position, leaf: 'Pressure' | 'IsPressureLow') => `${WHEEL[pos]}.Tire.${leaf}`;

export type Zone = 'Driver' | 'Passenger';
export const ZONES: readonly Zone[] = ['Driver', 'Passenger'];
export const hvacPath = (zone: Zone, leaf: 'Temperature' | 'FanSpeed' | 'AirDistribution') => `Vehicle.Cabin.HVAC.Station.Row1.${zone}.${leaf}`;
export const seatHeatPath = (zone: Zone) => `Vehicle.Cabin.Seat.Row1.${zone === 'Driver' ? 'DriverSide' : 'PassengerSide'}.Heating`;

export const positionKey = (pos: Position): MessageKey => `vehicle.pos.${pos}`;

/**
 * The gear as the cluster shows it: P, R, N, or D with the engaged gear (D3). SelectedGear uses
 * VSS codes 126 = Park, 127 = Drive, -1 = Reverse, 0 = Neutral.
 */
export function gearLabel(selected: number | undefined, current: number | undefined): string {
  if (selected === 126) return 'P';
  if (selected === -1 || (selected === undefined && current === -1)) return 'R';
  if (selected === 0) return 'N';
  if (selected === 127 || (selected !== undefined && selected > 0)) return current !== undefined && current > 0 ? `D${current}` : 'D';
  if (current === undefined) return '—';
  return current === 0 ? 'N' : `${current}`;
}

/** Fuel unless the car reports a live state of charge (electric and hybrid variants). */
export function energySource(signals: SignalStore): 'fuel' | 'charge' {
  return !signals.isStale(P.soc) && signals.isStale(P.fuelLevel) ? 'charge' : 'fuel';
}

export interface Warning {
  id: string;
  key: MessageKey;
  vars?: Record<string, string | number>;
  severity: 'warning' | 'critical';
}

/** Active warnings from the live signals (a stale signal raises nothing: the banner covers it). */
export function activeWarnings(s: SignalStore, positionName: (pos: Position) => string): Warning[] {
  const on = (path: string) => !s.isStale(path) && s.boolean(path) === true;
  const out: Warning[] = [];
  if (on(P.obstacleWarning)) out.push({ id: 'obstacle', key: 'warning.obstacle', severity: 'critical' });
  const moving = on(P.isMoving) || (s.number(P.speed) ?? 0) > 3;
  for (const pos of POSITIONS) {
    if (moving && on(doorPath(pos, 'IsOpen'))) out.push({ id: `door-${pos}`, key: 'warning.doorOpenMoving', vars: { pos: positionName(pos) }, severity: 'critical' });
  }
  if (on(P.absError)) out.push({ id: 'abs', key: 'warning.abs', severity: 'critical' });
  if (on(P.escError)) out.push({ id: 'esc', key: 'warning.esc', severity: 'critical' });
  for (const pos of POSITIONS) {
    if (on(tyrePath(pos, 'IsPressureLow'))) out.push({ id: `tyre-${pos}`, key: 'warning.tyreLow', vars: { pos: positionName(pos) }, severity: 'warning' });
  }
  if (on(P.laneWarning)) out.push({ id: 'lane', key: 'warning.laneDeparture', severity: 'warning' });
  if (on(P.mil)) out.push({ id: 'mil', key: 'warning.mil', severity: 'warning' });
  const dtc = s.isStale(P.dtc) ? undefined : s.number(P.dtc);
  if (dtc !== undefined && dtc > 0) out.push({ id: 'dtc', key: 'warning.dtc', vars: { n: dtc }, severity: 'warning' });
  if (on(P.fuelLow)) out.push({ id: 'fuel', key: 'warning.fuelLow', severity: 'warning' });
  const volts = s.isStale(P.battery) ? undefined : s.number(P.battery);
  if (volts !== undefined && volts > 0 && volts < 11.8) out.push({ id: 'battery', key: 'warning.battery', vars: { v: volts.toFixed(1) }, severity: 'warning' });
  if (on(P.washerLow)) out.push({ id: 'washer', key: 'warning.washer', severity: 'warning' });
  return out;
}

/** Next set point for a stepper, snapped to the step and clamped to the catalog's range. */
export function stepValue(current: number | undefined, delta: number, min: number, max: number, fallback: number): number {
  const base = current ?? fallback;
  const step = Math.abs(delta);
  const next = Math.round((base + delta) / step) * step;
  return Math.min(max, Math.max(min, Number(next.toFixed(3))));
}
