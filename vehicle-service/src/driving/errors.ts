import { defineError } from '@auriga/common';

/** Errors of the driving context (codes AURIGA_ERR_DRIVING_*). */
export const DrivingModelError = defineError(
  'AURIGA_ERR_DRIVING_MODEL',
  500,
  (path: string, what: string) => `driving-context model ${path}: ${what}`,
);
export const TripNotFoundError = defineError(
  'AURIGA_ERR_DRIVING_TRIP_NOT_FOUND',
  404,
  (id: string) => `no trip with id "${id}" (GET /v1/trips lists them; "current" is the trip in progress)`,
);
export const NoCurrentTripError = defineError(
  'AURIGA_ERR_DRIVING_NO_CURRENT_TRIP',
  404,
  () => 'no trip in progress (the ignition is off); GET /v1/trips lists past trips',
);
export const DrivingConfigError = defineError(
  'AURIGA_ERR_DRIVING_CONFIG',
  400,
  (what: string) => `invalid driving-context option: ${what}`,
);
