import { SimErrors } from '../errors.js';
import { Prng } from '../util/prng.js';
import type { DriverControls } from '../vehicle/inputs.js';
import { CORNERS, type Corner, type Environment, type VehicleState } from '../vehicle/state.js';
import { RouteDriver, type Segment, type SegmentSource } from './route.js';
import {
  cityBlock, cityTurn, highwayCruise, highwaySlow, onRamp, parked, ruralRoad, startup, stopAndGo, trafficLight,
} from './segments.js';
import { SCENARIO_NAMES, type Scenario, type ScenarioName, type ScenarioStep } from './types.js';

/** A queue of segments refilled by a plan function whenever it runs dry. */
function route(rng: Prng, first: Segment[], plan: (rng: Prng) => Segment[]): SegmentSource {
  const queue = [...first];
  return () => {
    while (queue.length === 0) queue.push(...plan(rng));
    return queue.shift()!;
  };
}

function cityPlan(rng: Prng, scale = 1): Segment[] {
  if (rng.chance(0.15)) return [stopAndGo(rng)];
  const out = [cityBlock(rng, scale)];
  if (rng.chance(0.35)) out.push(cityTurn(rng));
  if (rng.chance(0.55)) out.push(trafficLight(rng));
  return out;
}

interface Definition {
  description: string;
  environment: Environment;
  /** Extra conditions of the drive (fuel, leaks); applied when the scenario starts. */
  prepare?(state: VehicleState): void;
  /** Settings the driver keeps (lights, wipers), applied when they change. */
  settings?: DriverControls;
  source(rng: Prng): SegmentSource;
}

const DAY: Environment = { outsideTempC: 21, outsideHumidityPct: 55, rainIntensity: 0, night: false, roadWet: false };
const DAY_SETTINGS: DriverControls = { lowBeam: false, wiperMode: 'OFF' };

const DEFINITIONS: Record<ScenarioName, Definition> = {
  idle: {
    description: 'Parked with the ignition off; nothing moves.',
    environment: { ...DAY, outsideTempC: 16 },
    source: () => () => parked(Infinity, 'off'),
  },
  parked: {
    description: 'Parked in P with the engine idling (driver waiting in the car).',
    environment: DAY,
    source: () => () => parked(Infinity, 'on'),
  },
  city: {
    description: 'Urban stop-and-go: 30-50 km/h blocks, junction turns, red lights, queues.',
    environment: { ...DAY, outsideTempC: 24 },
    settings: DAY_SETTINGS,
    source: (rng) => route(rng, [startup(rng)], (r) => cityPlan(r)),
  },
  highway: {
    description: 'A few city blocks, then the motorway at 110-130 km/h with lane changes and cruise control.',
    environment: { ...DAY, outsideTempC: 18 },
    settings: DAY_SETTINGS,
    source: (rng) =>
      route(rng, [startup(rng), cityBlock(rng), trafficLight(rng), cityBlock(rng), onRamp(rng)], (r) => {
        const pick = r.next();
        if (pick < 0.06) return [stopAndGo(r)];
        if (pick < 0.2) return [highwaySlow(r)];
        return [highwayCruise(r)];
      }),
  },
  'night-rain': {
    description: 'Night, rain and a wet road: low beams and rain-sensing wipers on, country roads and villages, lower speeds.',
    environment: { outsideTempC: 9, outsideHumidityPct: 95, rainIntensity: 0.6, night: true, roadWet: true },
    settings: { lowBeam: true, wiperMode: 'RAINSENSOR' },
    source: (rng) =>
      route(rng, [startup(rng), cityBlock(rng, 0.85)], (r) => (r.chance(0.6) ? [ruralRoad(r, 0.85)] : cityPlan(r, 0.85))),
  },
  'long-highway-leak': {
    description: 'A long motorway drive with a slow leak in the rear-left tyre and the fuel running low.',
    environment: { ...DAY, outsideTempC: 15 },
    settings: DAY_SETTINGS,
    prepare: (state) => {
      state.tpms.tyres.RL.leakKpaPerMin = 1.5;
      state.powertrain.fuelLiters = Math.min(state.powertrain.fuelLiters, 16);
    },
    source: (rng) =>
      route(rng, [startup(rng), cityBlock(rng), onRamp(rng)], (r) => [r.chance(0.15) ? highwaySlow(r) : highwayCruise(r, { cutInChance: 0.05 })]),
  },
};

class DrivingScenario implements Scenario {
  private readonly driver: RouteDriver;

  constructor(
    readonly name: ScenarioName,
    readonly seed: number,
    private readonly definition: Definition,
  ) {
    const settings = definition.settings ?? {};
    this.driver = new RouteDriver(definition.source(new Prng(seed)), () => settings);
  }

  get description(): string {
    return this.definition.description;
  }

  setup(state: VehicleState): void {
    state.environment = { ...this.definition.environment };
    for (const c of CORNERS as readonly Corner[]) state.tpms.tyres[c].leakKpaPerMin = 0;
    this.definition.prepare?.(state);
  }

  step(scenarioTime: number, dt: number, state: VehicleState): ScenarioStep {
    return this.driver.step(scenarioTime, dt, state);
  }
}

export function isScenarioName(name: string): name is ScenarioName {
  return (SCENARIO_NAMES as readonly string[]).includes(name);
}

/** Creates a scenario by name; AURIGA_ERR_SIM_UNKNOWN_SCENARIO for a name that is not one. */
export function createScenario(name: string, seed = 1): Scenario {
  if (!isScenarioName(name)) throw SimErrors.unknownScenario(name, SCENARIO_NAMES);
  return new DrivingScenario(name, seed, DEFINITIONS[name]);
}

export function describeScenarios(): Array<{ name: ScenarioName; description: string }> {
  return SCENARIO_NAMES.map((name) => ({ name, description: DEFINITIONS[name].description }));
}
