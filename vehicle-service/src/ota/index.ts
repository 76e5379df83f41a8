/** The in-car OTA agent (issue 5): slots, resumable verified downloads, acceptance tests, atomic switch, rollback. */
export { OtaAgent, type AgentClock, type AgentPhase, type CrashPoint, type FactoryModel, type OtaAgentOptions, type OtaStatus } from './agent.js';
export { ModelHolder, type Lease, type ModelMeta, type RequestOutcome } from './model-holder.js';
export { ModelSlots } from './slots.js';
export { StateFile, JOB_STEPS, SLOT_NAMES, type AgentStateDoc, type Job, type JobStep, type KindState, type SlotName, type SlotRecord } from './state.js';
export { downloadTarget, TokenBucket, type DownloadLimits, type DownloadRequest, type DownloadResult, type FetchLike, type StatFs } from './download.js';
export { judge, p95, runAcceptance, type AcceptanceResult, type HealthResult, type ModelHandler, type ModelSource } from './acceptance.js';
export { VoiceContextHandler, VoiceGoldenSetSchema, type VoiceContextModel, type VoiceGoldenSet } from './handlers/voice-context.js';
export { SpeechModelHandler, SpeechGoldenSetSchema, speechModelDir, holderSpeechProvider, type SpeechModel, type SpeechGoldenSet } from './handlers/speech-model.js';
export { OnnxModelHandler, OnnxGoldenSetSchema, type OnnxModel, type OnnxGoldenSet } from './handlers/onnx-model.js';
export { installBlockedBy, parkedFromVehicleState, GEAR_PARK, type InstallPolicy, type PolicyWait } from './policy.js';
export { mqttNotifySource, type NotifySource } from './notify.js';
export { OtaAgentErrors } from './errors.js';
