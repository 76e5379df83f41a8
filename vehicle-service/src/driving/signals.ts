/** The VSS signals the driving context reads (see common/src/catalog/signals.ts). */
export const P = {
  ignition: 'Vehicle.LowVoltageSystemState',
  speed: 'Vehicle.Speed',
  odometer: 'Vehicle.TraveledDistance',
  accelLong: 'Vehicle.Acceleration.Longitudinal',
  accelLat: 'Vehicle.Acceleration.Lateral',
  steering: 'Vehicle.Chassis.SteeringWheel.Angle',
  accelPedal: 'Vehicle.Chassis.Accelerator.PedalPosition',
  brakePedal: 'Vehicle.Chassis.Brake.PedalPosition',
  gear: 'Vehicle.Powertrain.Transmission.SelectedGear',
  wipers: 'Vehicle.Body.Windshield.Front.Wiping.Mode',
  lowBeam: 'Vehicle.Body.Lights.Beam.Low.IsOn',
  cruise: 'Vehicle.ADAS.CruiseControl.IsActive',
  indicatorLeft: 'Vehicle.Body.Lights.DirectionIndicator.Left.IsSignaling',
  indicatorRight: 'Vehicle.Body.Lights.DirectionIndicator.Right.IsSignaling',
  fuelLevel: 'Vehicle.Powertrain.FuelSystem.RelativeLevel',
  fuelRange: 'Vehicle.Powertrain.FuelSystem.Range',
  fuelLow: 'Vehicle.Powertrain.FuelSystem.IsFuelLevelLow',
  consumption: 'Vehicle.Powertrain.FuelSystem.InstantConsumption',
  tankCapacity: 'Vehicle.Powertrain.FuelSystem.TankCapacity',
  mil: 'Vehicle.OBD.Status.IsMILOn',
  dtcCount: 'Vehicle.OBD.Status.DTCCount',
  laneDeparture: 'Vehicle.ADAS.LaneDepartureDetection.IsWarning',
  obstacle: 'Vehicle.ADAS.ObstacleDetection.IsWarning',
  absError: 'Vehicle.ADAS.ABS.IsError',
  escError: 'Vehicle.ADAS.ESC.IsError',
} as const;

/** VSS SelectedGear: 126 = Park, 127 = Drive, 0 = Neutral, -1 = Reverse. */
export const GEAR_PARK = 126;

export type Wheel = 'FL' | 'FR' | 'RL' | 'RR';
export const WHEELS: readonly Wheel[] = ['FL', 'FR', 'RL', 'RR'];
const WHEEL_BRANCH: Record<Wheel, string> = {
  FL: 'Vehicle.Chassis.Axle.Row1.Wheel.Left',
  FR: 'Vehicle.Chassis.Axle.Row1.Wheel.Right',
  RL: 'Vehicle.Chassis.Axle.Row2.Wheel.Left',
  RR: 'Vehicle.Chassis.Axle.Row2.Wheel.Right',
};
export const tyrePressurePath = (w: Wheel): string => `${WHEEL_BRANCH[w]}.Tire.Pressure`;
export const tyreLowPath = (w: Wheel): string => `${WHEEL_BRANCH[w]}.Tire.IsPressureLow`;

export type Door = 'FL' | 'FR' | 'RL' | 'RR';
const DOOR_BRANCH: Record<Door, string> = {
  FL: 'Vehicle.Cabin.Door.Row1.DriverSide',
  FR: 'Vehicle.Cabin.Door.Row1.PassengerSide',
  RL: 'Vehicle.Cabin.Door.Row2.DriverSide',
  RR: 'Vehicle.Cabin.Door.Row2.PassengerSide',
};
export const doorOpenPath = (d: Door): string => `${DOOR_BRANCH[d]}.IsOpen`;
/** Openings that must be shut while moving (doors, trunk, hood). */
export const OPENING_PATHS: readonly string[] = [
  ...(['FL', 'FR', 'RL', 'RR'] as const).map(doorOpenPath),
  'Vehicle.Body.Trunk.Rear.IsOpen',
  'Vehicle.Body.Hood.IsOpen',
];

/** Warnings whose rising edge is a "new warning" (notified: they cannot wait). */
export const NOTIFIED_WARNINGS: readonly string[] = [P.mil, P.absError, P.escError];
/** Driver-assistance alerts: counted for the summary, not notified (the car already chimed). */
export const ADAS_ALERTS: readonly string[] = [P.laneDeparture, P.obstacle];

/** Ignition states that count as "on" for trip segmentation. */
export function isIgnitionOn(value: unknown): boolean {
  return value === 'ON' || value === 'START';
}
