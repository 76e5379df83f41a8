export { createScenario, describeScenarios, isScenarioName } from './catalog.js';
export { SCENARIO_NAMES, type Scenario, type ScenarioName, type ScenarioStep } from './types.js';
export { SpeedController } from './speed-controller.js';
