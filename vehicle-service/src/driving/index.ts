/** Driving context: trips, situation (ONNX model + rules), events, notifications, grounded summaries. */
export { DrivingContext, type ContextSnapshot, type DrivingContextOptions } from './driving-context.js';
export { EventDetector, DEFAULT_THRESHOLDS, type EventThresholds, type EventPhase } from './events.js';
export { TripTracker } from './trips.js';
export { Notifier, DEFAULT_MIN_INTERVAL_MS, type NotifierOptions, type NotificationDraft } from './notifications.js';
export { MemoryDrivingStore, isDrivingStore, type DrivingStore } from './store.js';
export { summarizeTrip, summarizeCar, notificationSummary, PRIORITY, type CarSnapshot } from './summary/summarize.js';
export { fact, numbersIn, ungroundedNumbers, DERIVED } from './facts.js';
export { SituationModel, DEFAULT_MODEL_PATH, type ModelOutput } from './situation/model.js';
export { FeatureWindow, readSample, FEATURE_NAMES, FEATURE_COUNT, SAMPLE_HZ, WINDOW_SAMPLES, type RawSample } from './situation/features.js';
export { classifyByRules } from './situation/rules.js';
export { SituationFusion } from './situation/fusion.js';
export { DrivingModelError, TripNotFoundError, NoCurrentTripError } from './errors.js';
export * from './types.js';
