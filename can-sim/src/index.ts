/** @auriga/can-sim: the simulated car on MQTT (ECU models, scenarios, faults, candump record/replay). */
export { startSimulator, type StartSimulatorOptions } from './start.js';
export { CarSimulator, type CarSimulatorOptions, type LabelSegment, type SimEvents, type SimStatus } from './sim.js';
export { SimErrors } from './errors.js';

export { SimClock, validateTimeScale, realTimers, type SimClockOptions, type TimeScale, type Timers } from './clock/index.js';
export { FakeTimers } from './clock/fake-timers.js';
export { CONTROL_COMMANDS, parseControlCommand, type ControlCommand, type SimSetCommand } from './control/index.js';
export { FAULT_KINDS, FaultLayer, type ActiveFault, type FaultKind, type FaultSpec } from './faults/index.js';
export { SCENARIO_NAMES, createScenario, describeScenarios, isScenarioName, type Scenario, type ScenarioName, type ScenarioStep } from './scenarios/index.js';
export { CandumpRecorder, replayCandump, type CandumpRecorderOptions, type ReplayOptions, type ReplayResult } from './candump/index.js';
export { MqttTransport, OFFLINE_STATUS, type MqttTransportOptions } from './transport/index.js';

export { ACK_RESULTS, Ecu, type AckResult, type RequestOutcome, type StepContext } from './ecus/ecu.js';
export { PowertrainEcu } from './ecus/powertrain.js';
export { ChassisEcu } from './ecus/chassis.js';
export { HvacEcu } from './ecus/hvac.js';
export { BodyEcu, WINDOW_RATE_PCT_PER_S, SUNROOF_RATE_PCT_PER_S, MAX_OPEN_SPEED_KMH } from './ecus/body.js';
export { SeatEcu } from './ecus/seats.js';
export { TpmsEcu } from './ecus/tpms.js';
export { InfotainmentEcu } from './ecus/infotainment.js';
export { AdasEcu } from './ecus/adas.js';
export { Vehicle, ACK_MESSAGE, type OutgoingFrame, type RequestRecord, type VehicleOptions } from './vehicle/vehicle.js';
export { loadSimDbc, defaultDbcPath } from './vehicle/dbc.js';
export type { DriverControls, DriverInputs } from './vehicle/inputs.js';
export {
  createInitialState, SITUATIONS, CORNERS, type Corner, type IgnitionState, type GearSelector, type Situation, type VehicleState,
} from './vehicle/state.js';
export {
  CanBridge, BRIDGE_OFFLINE_STATUS, FrameBatcher, CandumpLineSplitter, CansendTxWriter, StreamTxWriter,
  candumpCommand, cansendFrameSpec, compileTxPolicy, createTxPolicy, describeTxPolicy, parseTxAllowList, spawnCandump,
  type AllowedId, type BridgeStats, type BridgeStatus, type CanBridgeEvents, type CanBridgeOptions, type CandumpLineHandlers,
  type CansendTxWriterOptions, type FrameBatcherOptions, type SpawnFn, type TxPolicy, type TxWriter,
} from './bridge/index.js';
