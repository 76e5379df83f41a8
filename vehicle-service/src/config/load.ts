import { readFileSync } from 'node:fs';
import { dirname, extname, isAbsolute, resolve } from 'node:path';
import { Value } from '@sinclair/typebox/value';
import { ValueErrorType } from '@sinclair/typebox/errors';
import { parse as parseYaml } from 'yaml';
import { ConfigFileError, ConfigInvalidError } from '../errors.js';
import { DEFAULT_CONFIG, VehicleServiceConfigSchema, type VehicleServiceConfig } from './schema.js';

type EnvType = 'string' | 'integer' | 'number' | 'boolean' | 'list';

export interface EnvVariable {
  readonly name: string;
  /** Where the value goes in the config object. */
  readonly path: readonly string[];
  readonly type: EnvType;
  readonly description: string;
}

/** Every environment variable the service reads (besides AURIGA_CONFIG, the optional config file). */
export const ENV_VARIABLES: readonly EnvVariable[] = [
  { name: 'PORT', path: ['http', 'port'], type: 'integer', description: 'HTTP port (default 8080)' },
  { name: 'HOST', path: ['http', 'host'], type: 'string', description: 'HTTP listen address (default 127.0.0.1)' },
  { name: 'MQTT_URL', path: ['mqtt', 'url'], type: 'string', description: 'external broker; unset = embedded broker' },
  { name: 'EMBEDDED_MQTT_PORT', path: ['mqtt', 'embeddedPort'], type: 'integer', description: 'embedded broker port (default 1883; a free one when busy)' },
  { name: 'MQTT_TOPIC_ROOT', path: ['mqtt', 'topicRoot'], type: 'string', description: 'topic root (default auriga/v1)' },
  { name: 'MQTT_CLIENT_ID', path: ['mqtt', 'clientId'], type: 'string', description: 'MQTT client id (default random)' },
  { name: 'CAN_BUS', path: ['can', 'bus'], type: 'string', description: 'bus the actuation requests go to (default can0)' },
  { name: 'DATA_DIR', path: ['dataDir'], type: 'string', description: 'directory of the SQLite database (default ./.data)' },
  { name: 'DBC_FILE', path: ['vehicle', 'dbcFile'], type: 'string', description: 'DBC file (default: the shipped one)' },
  { name: 'VSS_MAPPING_FILE', path: ['vehicle', 'mappingFile'], type: 'string', description: 'VSS mapping YAML (default: the shipped one)' },
  { name: 'LOG_LEVEL', path: ['logLevel'], type: 'string', description: 'fatal|error|warn|info|debug|trace|silent' },
  { name: 'POLICY_WALKING_SPEED_KMH', path: ['policy', 'walkingSpeedKmh'], type: 'number', description: 'doors/trunk open only up to this speed (default 5)' },
  { name: 'POLICY_HIGHWAY_SPEED_KMH', path: ['policy', 'highwaySpeedKmh'], type: 'number', description: 'window/sunroof limit applies from this speed (default 100)' },
  { name: 'POLICY_HIGHWAY_MAX_OPENING_PERCENT', path: ['policy', 'highwayMaxOpeningPercent'], type: 'number', description: 'max window/sunroof opening at highway speed (default 20)' },
  { name: 'ACTUATION_ACK_TIMEOUT_MS', path: ['actuation', 'ackTimeoutMs'], type: 'integer', description: 'time for the ECU to acknowledge (default 1000)' },
  { name: 'ACTUATION_CONFIRM_TIMEOUT_MS', path: ['actuation', 'confirmTimeoutMs'], type: 'integer', description: 'time for the state to reach the target, plus travel time (default 2000)' },
  { name: 'STALE_FACTOR', path: ['staleFactor'], type: 'number', description: 'stale after this many missed cycles (default 3)' },
  { name: 'HISTORY_SAMPLE_INTERVAL_MS', path: ['history', 'sampleIntervalMs'], type: 'integer', description: 'history sampling interval (default 1000)' },
  { name: 'HISTORY_RETENTION_DAYS', path: ['history', 'retentionDays'], type: 'number', description: 'history retention (default 7)' },
  { name: 'STREAM_BATCH_MS', path: ['stream', 'batchMs'], type: 'integer', description: 'WebSocket batching interval (default 50)' },
  { name: 'ASSISTANT_CONTEXT_FILE', path: ['assistant', 'contextFile'], type: 'string', description: 'voice context YAML (default: the shipped en-US car context)' },
  { name: 'ASSISTANT_TTS', path: ['assistant', 'tts'], type: 'boolean', description: 'speak answers with espeak-ng/flite when present (default true)' },
  { name: 'SPEECH_MODEL_DIR', path: ['speech', 'modelDir'], type: 'string', description: 'speech model directory (default: the shipped models/speech/artifacts); unusable = voice off, text still works' },
  { name: 'SPEECH_MIC_DEVICE', path: ['speech', 'micDevice'], type: 'string', description: 'listen hands-free on this ALSA capture device (arecord -l, e.g. hw:0,0); unset = off' },
  { name: 'SPEECH_MIC_COMMAND', path: ['speech', 'micCommand'], type: 'string', description: 'the arecord command for SPEECH_MIC_DEVICE (default arecord)' },
  { name: 'SPEECH_REJECT_MARGIN', path: ['speech', 'rejectMargin'], type: 'number', description: 'speech rejection margin, nats per frame (default: the tuned value; higher accepts more)' },
  { name: 'SPEECH_REJECT_REFERENCE', path: ['speech', 'rejectReference'], type: 'string', description: 'speech rejection reference: words (default) or phones' },
  { name: 'HMI_DIR', path: ['hmi', 'dir'], type: 'string', description: 'built HMI to serve at / (default hmi-web/dist)' },
  { name: 'OTA_SERVER_URL', path: ['ota', 'serverUrl'], type: 'string', description: 'fleet server; unset = OTA agent off' },
  { name: 'OTA_VEHICLE_ID', path: ['ota', 'vehicleId'], type: 'string', description: 'this car in the fleet' },
  { name: 'OTA_HARDWARE_ID', path: ['ota', 'hardwareId'], type: 'string', description: 'this head unit\'s hardware id (bundles name the hardware they support)' },
  { name: 'OTA_TOKEN_FILE', path: ['ota', 'tokenFile'], type: 'string', description: 'file holding the vehicle token' },
  { name: 'OTA_ROOT_FILE', path: ['ota', 'rootFile'], type: 'string', description: 'trusted root metadata shipped with the image' },
  { name: 'OTA_POLL_INTERVAL_S', path: ['ota', 'pollIntervalS'], type: 'integer', description: 'check-in interval (default 300)' },
  { name: 'OTA_MAX_BYTES_PER_S', path: ['ota', 'maxBytesPerS'], type: 'integer', description: 'download bandwidth limit (default unlimited)' },
  { name: 'OTA_MAX_BUNDLE_BYTES', path: ['ota', 'maxBundleBytes'], type: 'integer', description: 'largest bundle accepted (default 512 MiB)' },
  { name: 'OTA_MIN_FREE_BYTES', path: ['ota', 'minFreeBytes'], type: 'integer', description: 'disk space always left free (default 256 MiB)' },
  { name: 'OTA_PARKED_KINDS', path: ['ota', 'parkedKinds'], type: 'list', description: 'model kinds installed only when parked (comma list; default speech-model)' },
  { name: 'OTA_ASK_DRIVER_KINDS', path: ['ota', 'askDriverKinds'], type: 'list', description: 'model kinds that need the driver\'s consent (comma list; default none)' },
];

/** Paths in the config file that name files or directories: relative ones are resolved against the file's folder. */
const FILE_PATH_FIELDS: ReadonlyArray<readonly string[]> = [
  ['dataDir'], ['vehicle', 'dbcFile'], ['vehicle', 'mappingFile'], ['assistant', 'contextFile'], ['speech', 'modelDir'], ['hmi', 'dir'], ['ota', 'tokenFile'], ['ota', 'rootFile'],
];

export type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? (T[K] extends unknown[] ? T[K] : DeepPartial<T[K]>) : T[K] };

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Merges `from` into `into`, remembering which source set each leaf (for error messages). */
function merge(into: Json, from: Json, source: (pointer: string) => string, sources: Map<string, string>, prefix = ''): void {
  for (const [key, value] of Object.entries(from)) {
    if (value === undefined) continue;
    const pointer = `${prefix}/${key}`;
    // Records (travelTimeMs) replace the default wholesale so a file can drop default patterns.
    if (isObject(value) && isObject(into[key]) && pointer !== '/actuation/travelTimeMs') {
      merge(into[key] as Json, value, source, sources, pointer);
    } else {
      into[key] = isObject(value) ? structuredClone(value) : value;
      sources.set(pointer, source(pointer));
    }
  }
}

function setPath(obj: Json, path: readonly string[], value: unknown): void {
  let node = obj;
  for (const key of path.slice(0, -1)) {
    if (!isObject(node[key])) node[key] = {};
    node = node[key] as Json;
  }
  node[path[path.length - 1]!] = value;
}

function convertEnv(raw: string, type: EnvType): unknown {
  if (type === 'string') return raw;
  const trimmed = raw.trim();
  if (type === 'list') return trimmed === '' ? [] : trimmed.split(',').map((x) => x.trim());
  if (type === 'boolean') {
    if (/^(1|true|yes|on)$/i.test(trimmed)) return true;
    if (/^(0|false|no|off)$/i.test(trimmed)) return false;
    return raw;
  }
  // Strict: "12abc" or "" stay strings so validation reports them instead of silently truncating.
  if (type === 'integer' && /^-?\d+$/.test(trimmed)) return Number(trimmed);
  if (type === 'number' && /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(trimmed)) return Number(trimmed);
  return raw;
}

function readConfigFile(file: string): Json {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw ConfigFileError(file, (err as Error).message, { cause: err });
  }
  let parsed: unknown;
  try {
    parsed = extname(file).toLowerCase() === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw ConfigFileError(file, `not valid ${extname(file).toLowerCase() === '.json' ? 'JSON' : 'YAML'}: ${(err as Error).message}`, { cause: err });
  }
  if (parsed === null || parsed === undefined) return {};
  if (!isObject(parsed)) throw ConfigFileError(file, 'the top level must be an object (a mapping of settings)');
  const base = dirname(resolve(file));
  for (const path of FILE_PATH_FIELDS) {
    let node: unknown = parsed;
    for (const key of path.slice(0, -1)) node = isObject(node) ? node[key] : undefined;
    const leaf = path[path.length - 1]!;
    if (isObject(node) && typeof node[leaf] === 'string' && !isAbsolute(node[leaf])) node[leaf] = resolve(base, node[leaf]);
  }
  return parsed;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === undefined) return 'nothing';
  return JSON.stringify(value) ?? String(value);
}

/**
 * Builds the configuration: defaults < config file (AURIGA_CONFIG, JSON or YAML) < environment < overrides.
 * Throws AURIGA_ERR_CONFIG_INVALID listing every problem, each naming the variable or field at fault.
 * Empty environment variables count as unset.
 */
export function loadConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
  overrides: DeepPartial<VehicleServiceConfig> = {},
): VehicleServiceConfig {
  const config = structuredClone(DEFAULT_CONFIG) as unknown as Json;
  const sources = new Map<string, string>();

  const file = env.AURIGA_CONFIG?.trim();
  if (file) {
    const fromFile = readConfigFile(file);
    merge(config, fromFile, (p) => `config file ${file}, field ${p.slice(1).replaceAll('/', '.')}`, sources);
  }

  const fromEnv: Json = {};
  const envByPointer = new Map<string, string>();
  for (const v of ENV_VARIABLES) {
    const raw = env[v.name];
    if (raw === undefined || raw === '') continue;
    setPath(fromEnv, v.path, convertEnv(raw, v.type));
    envByPointer.set(`/${v.path.join('/')}`, v.name);
  }
  merge(config, fromEnv, (p) => `environment variable ${envByPointer.get(p) ?? p}`, sources);
  merge(config, overrides as Json, (p) => `option ${p.slice(1).replaceAll('/', '.')}`, sources);

  const problems: string[] = [];
  for (const error of Value.Errors(VehicleServiceConfigSchema, config)) {
    let pointer = error.path;
    let message = error.message;
    if (error.type === ValueErrorType.ObjectAdditionalProperties) {
      // TypeBox reports unknown keys at the key's own path in 0.34; keep it robust either way.
      message = 'unknown setting';
    }
    // Unions (logLevel) produce one error per member; report once with the allowed values.
    if (error.type === ValueErrorType.Union && pointer === '/logLevel') {
      message = `must be one of ${describeLevels()}`;
    }
    if (error.type === ValueErrorType.StringPattern && PATTERN_HINTS[pointer]) message = PATTERN_HINTS[pointer]!;
    const where = findSource(pointer, sources) ?? `field ${pointer.slice(1).replaceAll('/', '.') || '(root)'}`;
    const line = `${where}: ${message} (got ${describe(error.value)})`;
    if (!problems.includes(line)) problems.push(line);
  }
  const c = config as unknown as VehicleServiceConfig;
  if (problems.length === 0 && c.mqtt.reconnectMaxMs < c.mqtt.reconnectMinMs) {
    problems.push(`mqtt.reconnectMaxMs (${c.mqtt.reconnectMaxMs}) must not be below mqtt.reconnectMinMs (${c.mqtt.reconnectMinMs})`);
  }
  if (problems.length > 0) throw ConfigInvalidError(problems);
  return c;
}

const PATTERN_HINTS: Record<string, string> = {
  '/mqtt/url': 'must be a broker URL such as mqtt://127.0.0.1:1883',
  '/mqtt/topicRoot': 'must be a topic prefix such as auriga/v1 (no # or +, no trailing /)',
  '/can/bus': 'must be an interface name such as can0',
};

function describeLevels(): string {
  return 'fatal, error, warn, info, debug, trace, silent';
}

function findSource(pointer: string, sources: Map<string, string>): string | undefined {
  // The exact leaf, or the nearest ancestor a source replaced wholesale (e.g. a whole object from the file).
  for (let p = pointer; p; p = p.slice(0, p.lastIndexOf('/'))) {
    const s = sources.get(p);
    if (s) return p === pointer ? s : `${s}${pointer.slice(p.length).replaceAll('/', '.')}`;
  }
  return undefined;
}
