/**
 * The shapes the HMI reads from vehicle-service. The signal, catalog, actuation, stream and health
 * shapes mirror vehicle-service/src/api/schemas.ts; the assistant, context, trip and OTA shapes are
 * the ones their issues document (routes that a service may not have yet: see routes.ts).
 */

export type SignalValue = number | boolean | string;

export interface SignalSnapshot {
  path: string;
  /** null until first received. */
  value: SignalValue | null;
  unit: string | null;
  /** When last received (ms since epoch); null before. */
  timestamp: number | null;
  /** The service says the value is not current (message missing, broker down, never received). */
  stale: boolean;
}

export interface SignalSpec {
  path: string;
  kind: 'sensor' | 'actuator' | 'attribute';
  datatype: string;
  unit?: string;
  min?: number;
  max?: number;
  allowed?: string[];
  description: string;
}

export interface HistorySample {
  value: SignalValue;
  timestamp: number;
}

export type ActuationStatus = 'confirmed' | 'refused' | 'failed' | 'timeout';

export interface ActuationResult {
  id: string;
  path: string;
  value: SignalValue;
  status: ActuationStatus;
  reason?: string;
  ruleId?: string;
  ms: number;
}

export interface Health {
  status: 'ok' | 'degraded' | 'failing';
  uptimeS: number;
  mqtt: { connected: boolean; url: string; embeddedBroker: boolean };
  store: { ok: boolean; detail?: string };
  vehicle: {
    fresh: boolean;
    lastFrameAt: number | null;
    signals: number;
    staleSignals: number;
    framesIngested: number;
    decodeErrors: number;
  };
  closing: boolean;
}

// --- WebSocket /v1/stream ---

export interface StreamChange {
  path: string;
  value: SignalValue | null;
  previous: SignalValue | null;
  timestamp: number;
  stale: boolean;
}

export type StreamServerMessage =
  | { type: 'snapshot'; prefixes: string[]; signals: SignalSnapshot[] }
  | { type: 'changes'; changes: StreamChange[] }
  | { type: 'error'; code: string; message: string };

// --- The assistant (POST /v1/text and the voice stream answer the same shape) ---

export type Lang = 'en-US' | 'zh-CN';

export interface AssistantAction {
  path: string;
  value: SignalValue;
  status: ActuationStatus;
  reason?: string;
}

export interface AssistantTurn {
  isUnderstood: boolean;
  intent: string | null;
  /** Slot name -> the phrase or value the engine reports. */
  slots: Record<string, unknown>;
  actions: AssistantAction[];
  answer: {
    text: string;
    lang: string;
    /** Spoken answer, when the service synthesized one: a URL the page can play (data: for inline WAV). */
    audioUrl?: string;
  };
  /** Stored turn and conversation ids (follow-ups send the sessionId back). */
  turnId?: string;
  sessionId?: string;
  /** The assistant asked something back (a missing slot, a confirmation). */
  expectsReply?: boolean;
}

/** A stored turn (GET /v1/assistant/turns). */
export interface StoredTurn {
  id: string;
  timestamp: number;
  source: string;
  audioDurationMs?: number;
  input: string;
  isUnderstood: boolean;
  intent?: string;
  slots: Record<string, string>;
  actions: AssistantAction[];
  answer: string;
  lang: string;
}

// --- Driving context and trips ---

export interface ContextEvent {
  /** harsh_braking, speeding, tyre_pressure, ... */
  kind: string;
  severity: 'info' | 'warning' | 'critical';
  /** Which tyre, door or warning; '' when the kind has one subject. */
  subject: string;
  path: string;
  value: SignalValue | null;
  unit: string;
  at: number;
}

export interface DrivingContext {
  /** parked | stop_and_go | city | rural | highway. */
  situation: string;
  /** Who decided the situation: rules or the model. */
  source: string;
  confidence?: number;
  /** Driving style score, 0 smooth .. 100 aggressive. */
  style?: number;
  events: ContextEvent[];
  tripId?: string;
}

export interface TripInfo {
  id: string;
  startedAt: number;
  endedAt: number | null;
  inProgress: boolean;
  /** Scalar statistics (distanceKm, durationS, avgSpeedKmh, maxSpeedKmh, fuelUsedL, avgConsumptionL100, ...). */
  stats: Record<string, number>;
  /** Seconds spent in each situation. */
  situations: Record<string, number>;
}

export interface SummaryFact {
  id: string;
  path: string;
  value: SignalValue | null;
  unit: string | null;
  at: number;
}

export interface TripSummary {
  text: string;
  lang: string;
  facts: SummaryFact[];
}

// --- Model updates (in-car OTA agent, GET /v1/ota/status) ---

export interface InstalledModel {
  /** voice-context, speech-model, driving-context-model */
  kind: string;
  name: string;
  version: string;
  /** A, B or factory. */
  slot: string;
  /** Kept for rollback. */
  previous?: { name: string; version: string; slot: string };
}

export interface UpdateInProgress {
  assignmentId: number;
  kind: string;
  name: string;
  version: string;
  action: string;
  /** downloading | verified | installing | installed | acceptance | switched */
  step: string;
  bytesReceived?: number;
  bytesTotal: number;
  /** The install policy holds the update until the car is parked or the driver agrees. */
  waitingFor?: 'parked' | 'consent';
  consent?: 'granted' | 'declined';
}

export interface OtaStatus {
  /** What the agent does now (idle, checking, downloading, waiting, installing, acceptance, health...). */
  phase: string;
  models: InstalledModel[];
  update: UpdateInProgress | null;
  lastResult: { step: string; name: string; version: string; reason?: string; at: number } | null;
  lastError: { at: number; reason: string } | null;
}

/** JSON error body of the service. */
export interface ErrorBody {
  statusCode: number;
  code: string;
  error: string;
  message: string;
}
