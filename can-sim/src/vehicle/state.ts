/**
 * The ground truth of the simulated car, in physical units. The ECUs own and update their slices;
 * what goes on the bus is derived from it. Exposed as `sim.state` for tests (read it; change it through
 * `sim.set(...)` so invariants hold).
 */

/** BCM_IgnitionState: LOCK, OFF, ACC, ON, START. */
export type IgnitionState = 'lock' | 'off' | 'acc' | 'on' | 'start';
export const IGNITION_STATES: readonly IgnitionState[] = ['lock', 'off', 'acc', 'on', 'start'];
/** TCM_GearLever. */
export type GearSelector = 'P' | 'R' | 'N' | 'D';
export const GEAR_SELECTORS: readonly GearSelector[] = ['P', 'R', 'N', 'D'];
/** Ground-truth driving situation (not on the bus; a model is trained to recognise it). */
export type Situation = 'parked' | 'stop_and_go' | 'city' | 'rural' | 'highway';
export const SITUATIONS: readonly Situation[] = ['parked', 'stop_and_go', 'city', 'rural', 'highway'];

export type Corner = 'FL' | 'FR' | 'RL' | 'RR';
export const CORNERS: readonly Corner[] = ['FL', 'FR', 'RL', 'RR'];

/** BCM_WiperMode / WiperReq_Mode, in DBC order. */
export type WiperMode = 'OFF' | 'SLOW' | 'MEDIUM' | 'FAST' | 'INTERVAL' | 'RAINSENSOR';
export const WIPER_MODES: readonly WiperMode[] = ['OFF', 'SLOW', 'MEDIUM', 'FAST', 'INTERVAL', 'RAINSENSOR'];
/** HVAC_AirDist*: where the air goes. */
export type AirDistribution = 'UP' | 'MIDDLE' | 'DOWN';
export const AIR_DISTRIBUTIONS: readonly AirDistribution[] = ['UP', 'MIDDLE', 'DOWN'];
/** INFO_MediaSource (the VSS Media.Played.Source values), in DBC order. */
export const MEDIA_SOURCES = [
  'UNKNOWN', 'SIRIUS_XM', 'AM', 'FM', 'DAB', 'TV', 'CD', 'DVD', 'AUX', 'USB', 'DISK', 'BLUETOOTH', 'INTERNET', 'VOICE', 'BEEP',
] as const;
export type MediaSource = (typeof MEDIA_SOURCES)[number];
/** INFO_MediaAction (VSS Media.Action), in DBC order. */
export const MEDIA_ACTIONS = [
  'UNKNOWN', 'STOP', 'PLAY', 'FAST_FORWARD', 'FAST_BACKWARD', 'SKIP_FORWARD', 'SKIP_BACKWARD',
] as const;
export type MediaAction = (typeof MEDIA_ACTIONS)[number];

export interface Environment {
  outsideTempC: number;
  outsideHumidityPct: number;
  /** 0 = dry, 1 = heavy rain. */
  rainIntensity: number;
  night: boolean;
  /** Wet road: lower grip. */
  roadWet: boolean;
}

export interface PowertrainState {
  engineRunning: boolean;
  speedKmh: number;
  /** Longitudinal acceleration in m/s^2 (positive = speeding up). */
  accelerationMs2: number;
  rpm: number;
  selector: GearSelector;
  /** Engaged gear: 0 = none (P/N), -1 = reverse, 1..6 forward. */
  gear: number;
  /** Accelerator pedal 0..100 %. */
  pedalPct: number;
  /** Throttle valve 0..100 % (idle air keeps it above 0 while running). */
  throttlePct: number;
  engineTorqueNm: number;
  /** Engine output power in kW (0 when coasting). */
  powerKw: number;
  fuelLiters: number;
  fuelCapacityLiters: number;
  /** Instantaneous fuel flow in l/h. */
  fuelRateLph: number;
  /** Long-running average consumption in l/100 km, used for the range estimate. */
  avgConsumptionL100: number;
  rangeKm: number;
  odometerKm: number;
  tripKm: number;
  /** Distance since the ignition was last switched on. */
  sinceStartKm: number;
  engineHours: number;
  coolantTempC: number;
  oilTempC: number;
  transOilTempC: number;
  mil: boolean;
  dtcCount: number;
}

export interface ChassisState {
  /** Brake pedal 0..100 %. */
  brakePedalPct: number;
  steeringAngleDeg: number;
  steeringSpeedDegS: number;
  lateralAccelMs2: number;
  longitudinalAccelMs2: number;
  verticalAccelMs2: number;
  yawRateDegS: number;
  wheelSpeedsKmh: Record<Corner, number>;
  absActive: boolean;
  escActive: boolean;
  tcsActive: boolean;
  parkingBrake: boolean;
}

export interface HvacZoneState {
  setpointC: number;
  /** Blower 0..100 % (0 = off). */
  fanPct: number;
  airDistribution: AirDistribution;
}

export interface HvacState {
  cabinTempC: number;
  cabinHumidityPct: number;
  driver: HvacZoneState;
  passenger: HvacZoneState;
  acOn: boolean;
  recirculation: boolean;
  defrostFront: boolean;
  defrostRear: boolean;
}

/** Something that moves to a target position at a fixed rate (windows, sunroof). */
export interface Travel {
  position: number;
  target: number;
}

export interface BodyState {
  /** 0 = closed, 100 = fully open. */
  windows: Record<Corner, Travel>;
  /** 0 = closed, 100 = fully open (sliding), -100 = fully tilted. */
  sunroof: Travel;
  doorsOpen: Record<Corner, boolean>;
  doorsLocked: Record<Corner, boolean>;
  trunkOpen: boolean;
  trunkLocked: boolean;
  hoodOpen: boolean;
  lowBeam: boolean;
  highBeam: boolean;
  fogFront: boolean;
  fogRear: boolean;
  hazard: boolean;
  turnLeft: boolean;
  turnRight: boolean;
  parkingLights: boolean;
  domeLight: boolean;
  wiperMode: WiperMode;
  windshieldHeating: boolean;
  /** Rain sensor reading 0..100 %. */
  rainSensorPct: number;
  washerFluidLow: boolean;
  /** Ambient light sensor 0..100 %. */
  lightIntensityPct: number;
  batteryVoltage: number;
  /** Positive = charging. */
  batteryCurrentA: number;
}

export interface SeatState {
  /** Seat heating 0..100 % per front seat. */
  heatDriverPct: number;
  heatPassengerPct: number;
}

export interface TyreState {
  pressureKpa: number;
  temperatureC: number;
  /** Pressure at 20 °C: what a leak lowers. */
  coldPressureKpa: number;
  /** Leak in kPa per minute of cold pressure (0 = none). */
  leakKpaPerMin: number;
  lowPressureWarning: boolean;
}

export interface TpmsState {
  /** Recommended cold pressure. */
  nominalKpa: number;
  tyres: Record<Corner, TyreState>;
}

export interface InfotainmentState {
  volumePct: number;
  source: MediaSource;
  /** The last transport action applied (what INFO_MediaAction reports). */
  action: MediaAction;
  trackNumber: number;
}

export interface AdasState {
  seatBeltDriver: boolean;
  seatBeltPassenger: boolean;
  seatBeltRearLeft: boolean;
  seatBeltRearRight: boolean;
  passengerPresent: boolean;
  laneDepartureEnabled: boolean;
  laneDepartureWarning: boolean;
  obstacleDetectionEnabled: boolean;
  forwardCollisionWarning: boolean;
  cruiseActive: boolean;
  cruiseSetSpeedKmh: number;
}

export interface VehicleState {
  /** Simulated seconds since the simulator started. */
  simTime: number;
  ignition: IgnitionState;
  environment: Environment;
  powertrain: PowertrainState;
  chassis: ChassisState;
  hvac: HvacState;
  body: BodyState;
  seats: SeatState;
  tpms: TpmsState;
  infotainment: InfotainmentState;
  adas: AdasState;
}

const travel = (position = 0): Travel => ({ position, target: position });
const corners = <T>(make: () => T): Record<Corner, T> => ({ FL: make(), FR: make(), RL: make(), RR: make() });

/** A car parked in a mild climate, locked-off, with 70 % fuel. */
export function createInitialState(): VehicleState {
  const tyre = (): TyreState => ({
    pressureKpa: 240,
    temperatureC: 18,
    coldPressureKpa: 240,
    leakKpaPerMin: 0,
    lowPressureWarning: false,
  });
  const fuel = 35;
  return {
    simTime: 0,
    ignition: 'off',
    environment: { outsideTempC: 18, outsideHumidityPct: 60, rainIntensity: 0, night: false, roadWet: false },
    powertrain: {
      engineRunning: false,
      speedKmh: 0,
      accelerationMs2: 0,
      rpm: 0,
      selector: 'P',
      gear: 0,
      pedalPct: 0,
      throttlePct: 0,
      engineTorqueNm: 0,
      powerKw: 0,
      fuelLiters: fuel,
      fuelCapacityLiters: 50,
      fuelRateLph: 0,
      avgConsumptionL100: 6.5,
      rangeKm: (fuel / 6.5) * 100,
      odometerKm: 12_345,
      tripKm: 0,
      sinceStartKm: 0,
      engineHours: 312.4,
      coolantTempC: 18,
      oilTempC: 18,
      transOilTempC: 18,
      mil: false,
      dtcCount: 0,
    },
    chassis: {
      brakePedalPct: 0,
      steeringAngleDeg: 0,
      steeringSpeedDegS: 0,
      lateralAccelMs2: 0,
      longitudinalAccelMs2: 0,
      verticalAccelMs2: 0,
      yawRateDegS: 0,
      wheelSpeedsKmh: corners(() => 0),
      absActive: false,
      escActive: false,
      tcsActive: false,
      parkingBrake: true,
    },
    hvac: {
      cabinTempC: 18,
      cabinHumidityPct: 45,
      driver: { setpointC: 21, fanPct: 0, airDistribution: 'MIDDLE' },
      passenger: { setpointC: 21, fanPct: 0, airDistribution: 'MIDDLE' },
      acOn: false,
      recirculation: false,
      defrostFront: false,
      defrostRear: false,
    },
    body: {
      windows: corners(() => travel()),
      sunroof: travel(),
      doorsOpen: corners(() => false),
      doorsLocked: corners(() => false),
      trunkOpen: false,
      trunkLocked: false,
      hoodOpen: false,
      lowBeam: false,
      highBeam: false,
      fogFront: false,
      fogRear: false,
      hazard: false,
      turnLeft: false,
      turnRight: false,
      parkingLights: false,
      domeLight: false,
      wiperMode: 'OFF',
      windshieldHeating: false,
      rainSensorPct: 0,
      washerFluidLow: false,
      lightIntensityPct: 80,
      batteryVoltage: 12.6,
      batteryCurrentA: -1,
    },
    seats: { heatDriverPct: 0, heatPassengerPct: 0 },
    tpms: { nominalKpa: 240, tyres: corners(tyre) },
    infotainment: { volumePct: 20, source: 'FM', action: 'PLAY', trackNumber: 1 },
    adas: {
      seatBeltDriver: false,
      seatBeltPassenger: false,
      seatBeltRearLeft: false,
      seatBeltRearRight: false,
      passengerPresent: false,
      laneDepartureEnabled: true,
      laneDepartureWarning: false,
      obstacleDetectionEnabled: true,
      forwardCollisionWarning: false,
      cruiseActive: false,
      cruiseSetSpeedKmh: 0,
    },
  };
}
