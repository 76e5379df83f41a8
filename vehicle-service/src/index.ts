export { startVehicleService, type VehicleServiceHandle, type VehicleServiceOptions } from './service.js';
export { loadConfig, ENV_VARIABLES, type EnvVariable, type DeepPartial } from './config/load.js';
export { DEFAULT_CONFIG, VehicleServiceConfigSchema, LOG_LEVELS, type VehicleServiceConfig } from './config/schema.js';
export { startEmbeddedBroker, type EmbeddedBroker, type EmbeddedBrokerOptions } from './broker/embedded-broker.js';
export { MqttTransport, disableNagle, type MqttTransportOptions } from './mqtt/transport.js';
export { VehicleState, SignalSlot, matchesPrefix, type SignalChange, type SignalSnapshot } from './vehicle/state.js';
export { Ingest, type IngestOptions, type MessageListener } from './vehicle/ingest.js';
export { HistoryRecorder } from './vehicle/history-recorder.js';
export { loadVehicleDefinition, type VehicleDefinition } from './vehicle/definition.js';
export {
  ActuationService,
  ACK_MESSAGE,
  findCounterSignal,
  type ActuationResult,
  type ActuationRequestOptions,
  type ActuationServiceOptions,
  type FrameSender,
} from './actuation/actuation-service.js';
export { evaluatePolicy, POLICY_RULES, isOpeningPath, isWindowPath, type PolicyContext, type PolicyDecision, type PolicyRequest, type PolicyRule, type PolicySettings } from './policy/policy.js';
export { buildApi, type Api, type ApiDeps } from './api/server.js';
export * as apiSchemas from './api/schemas.js';
export { createServiceMetrics, type ServiceMetrics, type MetricsSources } from './metrics/metrics.js';
export { systemClock, ManualClock, type Clock } from './util/timers.js';
export * from './store/index.js';
export * from './errors.js';
export * from './context/index.js';
export * from './assistant/index.js';
export { assistantRoutes, responseDto as assistantResponseDto, AssistantResponseSchema, type AssistantRoutesOptions } from './api/routes/assistant.js';
export * as driving from './driving/index.js';
export { DrivingContext, SituationModel, MemoryDrivingStore, isDrivingStore, type DrivingContextOptions, type DrivingStore } from './driving/index.js';
export { drivingRoutes, type DrivingRoutesOptions } from './api/routes/driving.js';
