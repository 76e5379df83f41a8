import type { SignalSpec } from './types.js';

/**
 * The signals Auriga knows, named and typed as in COVESA VSS 4.0 (paths, datatypes, units and
 * allowed values follow the standard catalogue). Ranges are those of the Auriga simulated car.
 * `kind` is what Auriga may do with the signal on this car: a few VSS actuators (door IsOpen,
 * ADAS IsEnabled, SelectedGear, TripMeterReading) are read-only here and listed as sensors.
 */

const ENGINE = 'Vehicle.Powertrain.CombustionEngine';
const FUEL = 'Vehicle.Powertrain.FuelSystem';
const HVAC = 'Vehicle.Cabin.HVAC';

/** VSS door / seat positions of a two-row, four-door car (left-hand drive: DriverSide = left). */
const DOORS = [
  ['Row1', 'DriverSide', 'front left'],
  ['Row1', 'PassengerSide', 'front right'],
  ['Row2', 'DriverSide', 'rear left'],
  ['Row2', 'PassengerSide', 'rear right'],
] as const;

const WHEELS = [
  ['Row1', 'Left', 'front left'],
  ['Row1', 'Right', 'front right'],
  ['Row2', 'Left', 'rear left'],
  ['Row2', 'Right', 'rear right'],
] as const;

const HVAC_ZONES = [
  ['Driver', 'driver'],
  ['Passenger', 'front passenger'],
] as const;

const FRONT_SEATS = [
  ['DriverSide', 'driver'],
  ['PassengerSide', 'front passenger'],
] as const;

export const WIPING_MODES = ['OFF', 'SLOW', 'MEDIUM', 'FAST', 'INTERVAL', 'RAINSENSOR'] as const;
export const LOW_VOLTAGE_SYSTEM_STATES = ['UNDEFINED', 'LOCK', 'OFF', 'ACC', 'ON', 'START'] as const;
export const AIR_DISTRIBUTIONS = ['UP', 'MIDDLE', 'DOWN'] as const;
export const MEDIA_ACTIONS = [
  'UNKNOWN', 'STOP', 'PLAY', 'FAST_FORWARD', 'FAST_BACKWARD', 'SKIP_FORWARD', 'SKIP_BACKWARD',
] as const;
export const MEDIA_SOURCES = [
  'UNKNOWN', 'SIRIUS_XM', 'AM', 'FM', 'DAB', 'TV', 'CD', 'DVD', 'AUX', 'USB', 'DISK', 'BLUETOOTH',
  'INTERNET', 'VOICE', 'BEEP',
] as const;

const vehicle: SignalSpec[] = [
  {
    path: 'Vehicle.Speed', kind: 'sensor', datatype: 'float', unit: 'km/h', min: 0, max: 300,
    description: 'Vehicle speed.',
  },
  {
    path: 'Vehicle.IsMoving', kind: 'sensor', datatype: 'boolean',
    description: 'Indicates whether the vehicle is stationary or moving.',
  },
  {
    path: 'Vehicle.TraveledDistance', kind: 'sensor', datatype: 'float', unit: 'km', min: 0,
    description: 'Odometer reading, total distance traveled during the lifetime of the vehicle.',
  },
  {
    path: 'Vehicle.TraveledDistanceSinceStart', kind: 'sensor', datatype: 'float', unit: 'km', min: 0,
    description: 'Distance traveled since the start of the current trip (ignition on).',
  },
  {
    path: 'Vehicle.TripMeterReading', kind: 'sensor', datatype: 'float', unit: 'km', min: 0,
    description: 'Trip meter reading (reset by the driver on the cluster; read-only for Auriga).',
  },
  {
    path: 'Vehicle.LowVoltageSystemState', kind: 'sensor', datatype: 'string',
    allowed: LOW_VOLTAGE_SYSTEM_STATES,
    description: 'State of the supply voltage of the control units (usually 12V): the ignition state.',
  },
  {
    path: 'Vehicle.Acceleration.Longitudinal', kind: 'sensor', datatype: 'float', unit: 'm/s^2',
    min: -32, max: 32, description: 'Vehicle acceleration in X (longitudinal acceleration).',
  },
  {
    path: 'Vehicle.Acceleration.Lateral', kind: 'sensor', datatype: 'float', unit: 'm/s^2',
    min: -32, max: 32, description: 'Vehicle acceleration in Y (lateral acceleration).',
  },
  {
    path: 'Vehicle.Acceleration.Vertical', kind: 'sensor', datatype: 'float', unit: 'm/s^2',
    min: -32, max: 32, description: 'Vehicle acceleration in Z (vertical acceleration).',
  },
  {
    path: 'Vehicle.AngularVelocity.Yaw', kind: 'sensor', datatype: 'float', unit: 'degrees/s',
    min: -327, max: 327, description: 'Vehicle rotation rate along Z (yaw rate).',
  },
  {
    path: 'Vehicle.LowVoltageBattery.CurrentVoltage', kind: 'sensor', datatype: 'float', unit: 'V',
    min: 0, max: 20, description: 'Current voltage of the low voltage (12 V) battery.',
  },
  {
    path: 'Vehicle.LowVoltageBattery.CurrentCurrent', kind: 'sensor', datatype: 'float', unit: 'A',
    min: -1024, max: 1023.5,
    description: 'Current current flowing in/out of the low voltage battery. Positive = current flowing in (charging).',
  },
  {
    path: 'Vehicle.LowVoltageBattery.NominalVoltage', kind: 'attribute', datatype: 'uint16', unit: 'V',
    description: 'Nominal voltage of the low voltage battery.',
  },
  {
    path: 'Vehicle.Exterior.AirTemperature', kind: 'sensor', datatype: 'float', unit: 'celsius',
    min: -50, max: 80, description: 'Air temperature outside the vehicle.',
  },
  {
    path: 'Vehicle.Exterior.Humidity', kind: 'sensor', datatype: 'float', unit: 'percent',
    min: 0, max: 100, description: 'Relative humidity outside the vehicle. 0 = Dry, 100 = Air fully saturated.',
  },
  {
    path: 'Vehicle.Exterior.LightIntensity', kind: 'sensor', datatype: 'float', unit: 'percent',
    min: 0, max: 100,
    description: 'Light intensity outside the vehicle. 0 = No light detected, 100 = Fully lit.',
  },
  {
    path: 'Vehicle.VehicleIdentification.VIN', kind: 'attribute', datatype: 'string',
    description: '17-character Vehicle Identification Number (VIN) as defined by ISO 3779.',
  },
  {
    path: 'Vehicle.VehicleIdentification.Brand', kind: 'attribute', datatype: 'string',
    description: 'Vehicle brand or manufacturer.',
  },
  {
    path: 'Vehicle.VehicleIdentification.Model', kind: 'attribute', datatype: 'string',
    description: 'Vehicle model.',
  },
  {
    path: 'Vehicle.VehicleIdentification.Year', kind: 'attribute', datatype: 'uint16',
    description: 'Model year of the vehicle.',
  },
];

const powertrain: SignalSpec[] = [
  {
    path: 'Vehicle.Powertrain.Type', kind: 'attribute', datatype: 'string',
    allowed: ['COMBUSTION', 'HYBRID', 'ELECTRIC'],
    description: 'Defines the powertrain type of the vehicle.',
  },
  {
    path: `${ENGINE}.Speed`, kind: 'sensor', datatype: 'uint16', unit: 'rpm', min: 0, max: 16000,
    description: 'Engine speed measured as rotations per minute.',
  },
  {
    path: `${ENGINE}.Torque`, kind: 'sensor', datatype: 'int16', unit: 'Nm', min: -1024, max: 1023,
    description: 'Current engine torque. Negative while the engine is braking.',
  },
  {
    path: `${ENGINE}.IsRunning`, kind: 'sensor', datatype: 'boolean',
    description: 'Engine Running. True if engine is rotating (Speed > 0).',
  },
  {
    path: `${ENGINE}.ECT`, kind: 'sensor', datatype: 'int16', unit: 'celsius', min: -40, max: 215,
    description: 'Engine coolant temperature.',
  },
  {
    path: `${ENGINE}.EOT`, kind: 'sensor', datatype: 'int16', unit: 'celsius', min: -40, max: 215,
    description: 'Engine oil temperature.',
  },
  {
    path: `${ENGINE}.EOP`, kind: 'sensor', datatype: 'uint16', unit: 'kPa', min: 0, max: 1020,
    description: 'Engine oil pressure.',
  },
  {
    path: `${ENGINE}.EngineHours`, kind: 'sensor', datatype: 'float', unit: 'h', min: 0,
    description: 'Accumulated time during engine lifetime with engine speed above zero.',
  },
  {
    path: 'Vehicle.OBD.ThrottlePosition', kind: 'sensor', datatype: 'float', unit: 'percent',
    min: 0, max: 100, description: 'PID 11 - Throttle position - 0 = closed throttle, 100 = open throttle.',
  },
  {
    path: 'Vehicle.OBD.Status.IsMILOn', kind: 'sensor', datatype: 'boolean',
    description: 'Malfunction Indicator Light (MIL, "check engine") - False = Off, True = On.',
  },
  {
    path: 'Vehicle.OBD.Status.DTCCount', kind: 'sensor', datatype: 'uint8', min: 0, max: 127,
    description: 'Number of sensor Trouble Codes (DTC).',
  },
  {
    path: 'Vehicle.Powertrain.Transmission.SelectedGear', kind: 'sensor', datatype: 'int8',
    min: -1, max: 127,
    description: 'The selected gear: 0 = Neutral, 1/2/.. = Forward, -1 = Reverse, 126 = Park, 127 = Drive (read-only on this car).',
  },
  {
    path: 'Vehicle.Powertrain.Transmission.CurrentGear', kind: 'sensor', datatype: 'int8',
    min: -1, max: 7,
    description: 'The current gear: 0 = Neutral, 1/2/.. = Forward, -1 = Reverse.',
  },
  {
    path: 'Vehicle.Powertrain.Transmission.Temperature', kind: 'sensor', datatype: 'int16',
    unit: 'celsius', min: -40, max: 215, description: 'The current gearbox temperature.',
  },
  {
    path: `${FUEL}.RelativeLevel`, kind: 'sensor', datatype: 'uint8', unit: 'percent', min: 0, max: 100,
    description: 'Level in fuel tank as percent of capacity. 0 = empty. 100 = full.',
  },
  {
    path: `${FUEL}.Range`, kind: 'sensor', datatype: 'uint32', unit: 'm', min: 0, max: 4_095_000,
    description: 'Remaining range in meters using only liquid fuel.',
  },
  {
    path: `${FUEL}.InstantConsumption`, kind: 'sensor', datatype: 'float', unit: 'l/100km',
    min: 0, max: 409.5, description: 'Current fuel consumption in liters per 100 km.',
  },
  {
    path: `${FUEL}.AverageConsumption`, kind: 'sensor', datatype: 'float', unit: 'l/100km',
    min: 0, max: 409.5, description: 'Average consumption in liters per 100 km.',
  },
  {
    path: `${FUEL}.IsFuelLevelLow`, kind: 'sensor', datatype: 'boolean',
    description: 'Indicates that the fuel level is low (e.g. <50km range).',
  },
  {
    path: `${FUEL}.TankCapacity`, kind: 'attribute', datatype: 'float', unit: 'l',
    description: 'Capacity of the fuel tank in liters.',
  },
  {
    path: 'Vehicle.Powertrain.TractionBattery.StateOfCharge.Displayed', kind: 'sensor', datatype: 'float',
    unit: 'percent', min: 0, max: 100,
    description: 'State of charge displayed to the customer. Electric and hybrid variants only; the simulated (combustion) car does not deliver it.',
  },
];

const chassis: SignalSpec[] = [
  {
    path: 'Vehicle.Chassis.Accelerator.PedalPosition', kind: 'sensor', datatype: 'uint8', unit: 'percent',
    min: 0, max: 100, description: 'Accelerator pedal position as percent. 0 = Not depressed. 100 = Fully depressed.',
  },
  {
    path: 'Vehicle.Chassis.Brake.PedalPosition', kind: 'sensor', datatype: 'uint8', unit: 'percent',
    min: 0, max: 100, description: 'Brake pedal position as percent. 0 = Not depressed. 100 = Fully depressed.',
  },
  {
    path: 'Vehicle.Chassis.ParkingBrake.IsEngaged', kind: 'sensor', datatype: 'boolean',
    description: 'Parking brake status. True = Parking Brake is Engaged. False = Parking Brake is not Engaged.',
  },
  {
    path: 'Vehicle.Chassis.SteeringWheel.Angle', kind: 'sensor', datatype: 'int16', unit: 'degrees',
    min: -780, max: 780, description: 'Steering wheel angle. Positive = degrees to the left. Negative = degrees to the right.',
  },
  ...WHEELS.flatMap(([row, side, where]): SignalSpec[] => {
    const wheel = `Vehicle.Chassis.Axle.${row}.Wheel.${side}`;
    return [
      {
        path: `${wheel}.Speed`, kind: 'sensor', datatype: 'float', unit: 'km/h', min: 0, max: 655,
        description: `Linear speed of the ${where} wheel.`,
      },
      {
        path: `${wheel}.Tire.Pressure`, kind: 'sensor', datatype: 'uint16', unit: 'kPa', min: 0, max: 510,
        description: `Tire pressure of the ${where} wheel in kilo-Pascal.`,
      },
      {
        path: `${wheel}.Tire.Temperature`, kind: 'sensor', datatype: 'float', unit: 'celsius',
        min: -40, max: 215, description: `Tire temperature of the ${where} wheel.`,
      },
      {
        path: `${wheel}.Tire.IsPressureLow`, kind: 'sensor', datatype: 'boolean',
        description: `Tire pressure status of the ${where} wheel. True if the pressure is low.`,
      },
    ];
  }),
];

const adas: SignalSpec[] = [
  {
    path: 'Vehicle.ADAS.LaneDepartureDetection.IsWarning', kind: 'sensor', datatype: 'boolean',
    description: 'Indicates if lane departure detection registered a lane departure.',
  },
  {
    path: 'Vehicle.ADAS.LaneDepartureDetection.IsEnabled', kind: 'sensor', datatype: 'boolean',
    description: 'Indicates if lane departure detection is enabled (switched by the driver; read-only for Auriga).',
  },
  {
    path: 'Vehicle.ADAS.ObstacleDetection.IsWarning', kind: 'sensor', datatype: 'boolean',
    description: 'Indicates if the obstacle sensor system registered an obstacle (forward collision warning).',
  },
  {
    path: 'Vehicle.ADAS.ObstacleDetection.IsEnabled', kind: 'sensor', datatype: 'boolean',
    description: 'Indicates if obstacle detection is enabled (read-only for Auriga).',
  },
  {
    path: 'Vehicle.ADAS.CruiseControl.IsActive', kind: 'sensor', datatype: 'boolean',
    description: 'Indicates if cruise control system is active (i.e. actively controls speed).',
  },
  {
    path: 'Vehicle.ADAS.CruiseControl.SpeedSet', kind: 'sensor', datatype: 'float', unit: 'km/h',
    min: 0, max: 250, description: 'Set cruise control speed in kilometers per hour.',
  },
  {
    path: 'Vehicle.ADAS.ABS.IsEngaged', kind: 'sensor', datatype: 'boolean',
    description: 'Indicates if ABS is currently regulating brake pressure.',
  },
  {
    path: 'Vehicle.ADAS.ABS.IsError', kind: 'sensor', datatype: 'boolean',
    description: 'Indicates if ABS incurred an error condition.',
  },
  {
    path: 'Vehicle.ADAS.ESC.IsEngaged', kind: 'sensor', datatype: 'boolean',
    description: 'Indicates if ESC is currently regulating vehicle stability.',
  },
  {
    path: 'Vehicle.ADAS.ESC.IsError', kind: 'sensor', datatype: 'boolean',
    description: 'Indicates if ESC incurred an error condition.',
  },
  {
    path: 'Vehicle.ADAS.TCS.IsEngaged', kind: 'sensor', datatype: 'boolean',
    description: 'Indicates if TCS is currently regulating traction.',
  },
  ...DOORS.map(([row, side, where]): SignalSpec => ({
    path: `Vehicle.Cabin.Seat.${row}.${side}.IsBelted`, kind: 'sensor', datatype: 'boolean',
    description: `Is the belt of the ${where} seat engaged.`,
  })),
  {
    path: 'Vehicle.Cabin.Seat.Row1.PassengerSide.IsOccupied', kind: 'sensor', datatype: 'boolean',
    description: 'Does the front passenger seat have a passenger in it.',
  },
];

const body: SignalSpec[] = [
  {
    path: 'Vehicle.Body.Hood.IsOpen', kind: 'sensor', datatype: 'boolean',
    description: 'Hood open or closed. True = Open. False = Closed.',
  },
  {
    path: 'Vehicle.Body.Trunk.Rear.IsOpen', kind: 'actuator', datatype: 'boolean',
    description: 'Trunk open or closed. True = Open. False = Closed.',
  },
  {
    path: 'Vehicle.Body.Trunk.Rear.IsLocked', kind: 'actuator', datatype: 'boolean',
    description: 'Is trunk locked or unlocked. True = Locked. False = Unlocked.',
  },
  ...DOORS.flatMap(([row, side, where]): SignalSpec[] => {
    const door = `Vehicle.Cabin.Door.${row}.${side}`;
    return [
      {
        path: `${door}.IsOpen`, kind: 'sensor', datatype: 'boolean',
        description: `Is the ${where} door open or closed. True = Open. False = Closed.`,
      },
      {
        path: `${door}.IsLocked`, kind: 'actuator', datatype: 'boolean',
        description: `Is the ${where} door locked or unlocked. True = Locked. False = Unlocked.`,
      },
      {
        path: `${door}.Window.Position`, kind: 'actuator', datatype: 'uint8', unit: 'percent',
        min: 0, max: 100,
        description: `Position of the ${where} window. 0 = Fully closed, 100 = Fully opened.`,
      },
    ];
  }),
  {
    path: 'Vehicle.Cabin.Sunroof.Position', kind: 'actuator', datatype: 'int8', unit: 'percent',
    min: -100, max: 100,
    description: 'Sunroof position. 0 = Fully closed, 100 = Fully opened, -100 = Fully tilted.',
  },
  {
    path: 'Vehicle.Body.Lights.Beam.Low.IsOn', kind: 'actuator', datatype: 'boolean',
    description: 'Indicates if the low beam headlights are on. True = On. False = Off.',
  },
  {
    path: 'Vehicle.Body.Lights.Beam.High.IsOn', kind: 'sensor', datatype: 'boolean',
    description: 'Indicates if the high beam headlights are on. True = On. False = Off.',
  },
  {
    path: 'Vehicle.Body.Lights.Fog.Front.IsOn', kind: 'actuator', datatype: 'boolean',
    description: 'Indicates if the front fog lights are on. True = On. False = Off.',
  },
  {
    path: 'Vehicle.Body.Lights.Fog.Rear.IsOn', kind: 'sensor', datatype: 'boolean',
    description: 'Indicates if the rear fog light is on. True = On. False = Off.',
  },
  {
    path: 'Vehicle.Body.Lights.Hazard.IsSignaling', kind: 'actuator', datatype: 'boolean',
    description: 'Indicates if the hazard lights are signaling. True = Signaling. False = Off.',
  },
  {
    path: 'Vehicle.Body.Lights.DirectionIndicator.Left.IsSignaling', kind: 'sensor', datatype: 'boolean',
    description: 'Indicates if the left direction indicator is signaling.',
  },
  {
    path: 'Vehicle.Body.Lights.DirectionIndicator.Right.IsSignaling', kind: 'sensor', datatype: 'boolean',
    description: 'Indicates if the right direction indicator is signaling.',
  },
  {
    path: 'Vehicle.Body.Lights.Parking.IsOn', kind: 'sensor', datatype: 'boolean',
    description: 'Indicates if the parking (position) lights are on.',
  },
  {
    path: 'Vehicle.Body.Lights.Brake.IsActive', kind: 'sensor', datatype: 'string',
    allowed: ['INACTIVE', 'ACTIVE', 'ADAPTIVE'],
    description: 'Indicates if the brake lights are active. ADAPTIVE means flashing to warn following traffic.',
  },
  {
    path: 'Vehicle.Cabin.Light.IsDomeOn', kind: 'actuator', datatype: 'boolean',
    description: 'Is the central dome light on.',
  },
  {
    path: 'Vehicle.Body.Windshield.Front.Wiping.Mode', kind: 'actuator', datatype: 'string',
    allowed: WIPING_MODES, description: 'Wiper mode requested by the user or the rain sensor.',
  },
  {
    path: 'Vehicle.Body.Windshield.Front.IsHeatingOn', kind: 'actuator', datatype: 'boolean',
    description: 'Windshield heater (electric defrost) status. False = off, True = on.',
  },
  {
    path: 'Vehicle.Body.Windshield.Front.WasherFluid.IsLevelLow', kind: 'sensor', datatype: 'boolean',
    description: 'Low level indication for washer fluid. True = Level Low. False = Level OK.',
  },
  {
    path: 'Vehicle.Body.Raindetection.Intensity', kind: 'sensor', datatype: 'uint8', unit: 'percent',
    min: 0, max: 100, description: 'Rain intensity. 0 = Dry, No Rain. 100 = Covered.',
  },
  {
    path: 'Vehicle.Cabin.DoorCount', kind: 'attribute', datatype: 'uint8',
    description: 'Number of doors in vehicle.',
  },
];

const cabin: SignalSpec[] = [
  ...HVAC_ZONES.flatMap(([zone, who]): SignalSpec[] => {
    const station = `${HVAC}.Station.Row1.${zone}`;
    return [
      {
        path: `${station}.Temperature`, kind: 'actuator', datatype: 'float', unit: 'celsius',
        min: 15, max: 30, description: `Temperature set point of the ${who} climate zone (0.5 degree steps).`,
      },
      {
        path: `${station}.FanSpeed`, kind: 'actuator', datatype: 'uint8', unit: 'percent',
        min: 0, max: 100, description: `Fan speed of the ${who} climate zone. 0 = off. 100 = max.`,
      },
      {
        path: `${station}.AirDistribution`, kind: 'actuator', datatype: 'string',
        allowed: AIR_DISTRIBUTIONS, description: `Direction of airstream of the ${who} climate zone.`,
      },
    ];
  }),
  {
    path: `${HVAC}.IsAirConditioningActive`, kind: 'actuator', datatype: 'boolean',
    description: 'Is Air conditioning active.',
  },
  {
    path: `${HVAC}.IsRecirculationActive`, kind: 'actuator', datatype: 'boolean',
    description: 'Is recirculation active.',
  },
  {
    path: `${HVAC}.IsFrontDefrosterActive`, kind: 'actuator', datatype: 'boolean',
    description: 'Is front defroster (air to the windshield) active.',
  },
  {
    path: `${HVAC}.IsRearDefrosterActive`, kind: 'actuator', datatype: 'boolean',
    description: 'Is rear window defroster active.',
  },
  {
    path: `${HVAC}.AmbientAirTemperature`, kind: 'sensor', datatype: 'float', unit: 'celsius',
    min: -50, max: 100, description: 'Temperature of the air inside the cabin; moves toward the set points.',
  },
  ...FRONT_SEATS.map(([side, who]): SignalSpec => ({
    path: `Vehicle.Cabin.Seat.Row1.${side}.Heating`, kind: 'actuator', datatype: 'int8', unit: 'percent',
    min: 0, max: 100,
    description: `Seat heating of the ${who} seat. 0 = off, 100 = max heat (VSS allows -100 for cooling; this car only heats).`,
  })),
  {
    path: 'Vehicle.Cabin.Infotainment.Media.Volume', kind: 'actuator', datatype: 'uint8', unit: 'percent',
    min: 0, max: 100, description: 'Current media volume.',
  },
  {
    path: 'Vehicle.Cabin.Infotainment.Media.Action', kind: 'actuator', datatype: 'string',
    allowed: MEDIA_ACTIONS, description: 'Tells if the media was paused, stopped, playing or skipped.',
  },
  {
    path: 'Vehicle.Cabin.Infotainment.Media.Played.Source', kind: 'actuator', datatype: 'string',
    allowed: MEDIA_SOURCES, description: 'Media selected for playback.',
  },
];

export const SIGNALS: readonly SignalSpec[] = [...vehicle, ...powertrain, ...chassis, ...adas, ...body, ...cabin];
