import type { DriverControls, DriverInputs } from '../vehicle/inputs.js';
import type { Situation, VehicleState } from '../vehicle/state.js';

export const SCENARIO_NAMES = ['idle', 'parked', 'city', 'highway', 'night-rain', 'long-highway-leak'] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

/** What the scenario makes happen in one step: the driver's actions and the ground-truth situation. */
export interface ScenarioStep {
  inputs: DriverInputs;
  controls: DriverControls;
  label: Situation;
}

/**
 * A drive: the environment, the car's starting conditions for it, and a driver model producing
 * pedal/steering/selector/key targets over time (seeded, so the same seed gives the same drive).
 */
export interface Scenario {
  readonly name: ScenarioName;
  readonly description: string;
  readonly seed: number;
  /** Called once when the scenario starts (at sim start or when switched to): environment, leaks, fuel. */
  setup(state: VehicleState): void;
  /** The driver's actions for the step that ends at `simTime` (seconds since the scenario started). */
  step(scenarioTime: number, dt: number, state: VehicleState): ScenarioStep;
}

