import { defineError } from '@auriga/common';

/** Every error the vehicle service raises on purpose (code, HTTP status, message). */

// Start-up
/** OTA is switched on (OTA_SERVER_URL) but the rest of its settings cannot be used. */
export const OtaConfigError = defineError('AURIGA_ERR_CONFIG_OTA', 500, (what: string) => `OTA configuration: ${what}`);

export const ConfigInvalidError = defineError(
  'AURIGA_ERR_CONFIG_INVALID',
  500,
  (problems: readonly string[]) => `invalid configuration:\n  - ${problems.join('\n  - ')}`,
);
export const ConfigFileError = defineError(
  'AURIGA_ERR_CONFIG_FILE',
  500,
  (file: string, what: string) => `cannot use config file ${file} (AURIGA_CONFIG): ${what}`,
);
export const VehicleDefinitionError = defineError(
  'AURIGA_ERR_VEHICLE_DEFINITION',
  500,
  (what: string) => `cannot load the vehicle definition: ${what}`,
);
export const BrokerListenError = defineError(
  'AURIGA_ERR_BROKER_LISTEN',
  500,
  (host: string, port: number, what: string) => `embedded MQTT broker cannot listen on ${host}:${port}: ${what}`,
);

// Signals and actuation
export const UnknownSignalError = defineError(
  'AURIGA_ERR_SIGNAL_UNKNOWN',
  404,
  (path: string) => `unknown signal "${path}" (see GET /v1/catalog for the signals this car has)`,
);
export const NotActuatorError = defineError(
  'AURIGA_ERR_SIGNAL_NOT_ACTUATOR',
  405,
  (path: string, kind: string) => `signal "${path}" is a ${kind} and cannot be set; only actuators can`,
);
export const InvalidValueError = defineError(
  'AURIGA_ERR_SIGNAL_INVALID_VALUE',
  400,
  (path: string, reason: string) => `invalid value for "${path}": ${reason}`,
);
export const ServiceClosingError = defineError(
  'AURIGA_ERR_SERVICE_CLOSING',
  503,
  () => 'the vehicle service is shutting down',
);

// API
export const ApiValidationError = defineError('AURIGA_ERR_API_VALIDATION', 400, (what: string) => what);
export const ApiBadRequestError = defineError('AURIGA_ERR_API_BAD_REQUEST', 400, (what: string) => what);
export const ApiNotFoundError = defineError(
  'AURIGA_ERR_API_NOT_FOUND',
  404,
  (method: string, url: string) => `no route ${method} ${url}`,
);
export const ApiInternalError = defineError(
  'AURIGA_ERR_API_INTERNAL',
  500,
  () => 'internal error (details are in the service log)',
);
export const StoreUnavailableError = defineError(
  'AURIGA_ERR_STORE_UNAVAILABLE',
  503,
  (what: string) => `the history store is not available: ${what}`,
);

// Store (SQLite persistence, src/store/)
export const StoreFullError = defineError(
  'AURIGA_ERR_STORE_FULL',
  507,
  (file: string, action: string) =>
    `cannot ${action}: the storage of ${file} is full (disk full or the store's size cap reached)`,
);
export const StoreCorruptError = defineError(
  'AURIGA_ERR_STORE_CORRUPT',
  500,
  (file: string, what: string) =>
    `the history database ${file} is corrupt (${what}); move it aside and start with a fresh one`,
);
export const StoreIoError = defineError(
  'AURIGA_ERR_STORE_IO',
  500,
  (file: string, action: string, what: string) => `cannot ${action} in ${file}: ${what}`,
);
export const StoreClosedError = defineError(
  'AURIGA_ERR_STORE_CLOSED',
  503,
  (action: string) => `cannot ${action}: the history store is closed`,
);
export const StoreInvalidRecordError = defineError(
  'AURIGA_ERR_STORE_INVALID_RECORD',
  400,
  (what: string, why: string) => `cannot store ${what}: ${why}`,
);
