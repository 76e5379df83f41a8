import { Type, type Static } from '@sinclair/typebox';

const Port = Type.Integer({ minimum: 0, maximum: 65535 });
const PositiveMs = Type.Integer({ minimum: 1 });
const strict = { additionalProperties: false } as const;

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** The whole configuration of the vehicle service, validated once at start-up. */
export const VehicleServiceConfigSchema = Type.Object(
  {
    http: Type.Object(
      {
        host: Type.String({ minLength: 1 }),
        /** 0 = any free port (tests). */
        port: Port,
      },
      strict,
    ),
    mqtt: Type.Object(
      {
        /** External broker; absent = start the embedded aedes broker in-process. */
        url: Type.Optional(Type.String({ pattern: '^(mqtt|mqtts|tcp|ws|wss)://.+', description: 'mqtt://host:port' })),
        /** Port of the embedded broker; when busy a free port is picked (and logged). 0 = any free port. */
        embeddedPort: Port,
        embeddedHost: Type.String({ minLength: 1 }),
        /** Topic root with its version, e.g. auriga/v1. */
        topicRoot: Type.String({ minLength: 1, pattern: '^[^#+]*[^#+/]$' }),
        clientId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
        reconnectMinMs: PositiveMs,
        reconnectMaxMs: PositiveMs,
        keepaliveS: Type.Integer({ minimum: 1, maximum: 3600 }),
      },
      strict,
    ),
    can: Type.Object({ bus: Type.String({ pattern: '^[A-Za-z0-9_.-]+$' }) }, strict),
    /** Where the SQLite database lives. */
    dataDir: Type.String({ minLength: 1 }),
    vehicle: Type.Object(
      {
        /** Absent = the DBC shipped with @auriga/common. */
        dbcFile: Type.Optional(Type.String({ minLength: 1 })),
        /** Absent = the VSS mapping shipped with @auriga/common. */
        mappingFile: Type.Optional(Type.String({ minLength: 1 })),
      },
      strict,
    ),
    logLevel: Type.Union(LOG_LEVELS.map((l) => Type.Literal(l))),
    policy: Type.Object(
      {
        /** Doors and trunks may only be opened at or below this speed. */
        walkingSpeedKmh: Type.Number({ minimum: 0, maximum: 50 }),
        /** At or above this speed windows and the sunroof may open at most `highwayMaxOpeningPercent`. */
        highwaySpeedKmh: Type.Number({ minimum: 0, maximum: 300 }),
        highwayMaxOpeningPercent: Type.Number({ minimum: 0, maximum: 100 }),
      },
      strict,
    ),
    actuation: Type.Object(
      {
        /** How long the ECU has to acknowledge a request. */
        ackTimeoutMs: PositiveMs,
        /** How long the status signal has, after the ack, to reach the target (plus the travel allowance). */
        confirmTimeoutMs: PositiveMs,
        /**
         * Extra time for actuators that move, by path pattern (`*` = one path segment), e.g.
         * {"Vehicle.Cabin.Door.*.*.Window.Position": 8000}. The first matching pattern wins.
         */
        travelTimeMs: Type.Record(Type.String({ minLength: 1 }), Type.Integer({ minimum: 0 })),
      },
      strict,
    ),
    /** A cyclic signal is stale when its message is missing for staleFactor x its cycle time. */
    staleFactor: Type.Number({ minimum: 1, maximum: 100 }),
    history: Type.Object(
      {
        /** One stored sample per signal per interval. */
        sampleIntervalMs: Type.Integer({ minimum: 100 }),
        retentionDays: Type.Number({ exclusiveMinimum: 0 }),
      },
      strict,
    ),
    stream: Type.Object(
      {
        /** WebSocket changes are batched over this interval. */
        batchMs: Type.Integer({ minimum: 1, maximum: 10_000 }),
      },
      strict,
    ),
    assistant: Type.Object(
      {
        /** Absent = the shipped en-US car context (models/contexts/en-US/car.yaml). */
        contextFile: Type.Optional(Type.String({ minLength: 1 })),
        /** Speak answers through espeak-ng / flite when one is installed. */
        tts: Type.Boolean(),
      },
      strict,
    ),
    speech: Type.Object(
      {
        /** Speech model directory (manifest.json, ONNX model, lexicon). Absent = the shipped models/speech/artifacts. */
        modelDir: Type.Optional(Type.String({ minLength: 1 })),
        /**
         * Hands-free listening on this ALSA capture device (`arecord -l`: hw:CARD,DEV, plughw:..., default), each
         * command handed to the assistant as POST /v1/voice does. Absent = off (the HMI's browser captures the microphone).
         */
        micDevice: Type.Optional(Type.String({ minLength: 1 })),
        /** The arecord command for micDevice, a name on PATH or a path (absent = arecord). */
        micCommand: Type.Optional(Type.String({ minLength: 1 })),
        /**
         * Rejection margin in nats per frame (absent = the tuned default, speech/engine.ts DEFAULT_DECODER_CONFIG):
         * higher accepts more commands and more out-of-context speech; lower rejects more of both.
         */
        rejectMargin: Type.Optional(Type.Number({ minimum: -5, maximum: 5 })),
        /** What the rejection compares the grammar with: a loop of lexicon words (default) or a free phone loop. */
        rejectReference: Type.Optional(Type.Union([Type.Literal('words'), Type.Literal('phones')])),
      },
      strict,
    ),
    hmi: Type.Object(
      {
        /** Absent = hmi-web/dist of this checkout. */
        dir: Type.Optional(Type.String({ minLength: 1 })),
      },
      strict,
    ),
    ota: Type.Object(
      {
        /** The fleet server; absent = the in-car OTA agent is off. */
        serverUrl: Type.Optional(Type.String({ pattern: '^https?://.+', description: 'http(s)://host:port' })),
        vehicleId: Type.Optional(Type.String({ minLength: 1 })),
        hardwareId: Type.Optional(Type.String({ minLength: 1 })),
        tokenFile: Type.Optional(Type.String({ minLength: 1 })),
        rootFile: Type.Optional(Type.String({ minLength: 1 })),
        pollIntervalS: Type.Integer({ minimum: 5, maximum: 86_400 }),
        maxBytesPerS: Type.Optional(Type.Integer({ minimum: 1024 })),
        maxBundleBytes: Type.Integer({ minimum: 1024 }),
        minFreeBytes: Type.Integer({ minimum: 0 }),
        /** Kinds installed only when the car is parked; the others hot-swap any time. */
        parkedKinds: Type.Array(Type.String({ minLength: 1 })),
        /** Kinds that wait for the driver's consent on the HMI. */
        askDriverKinds: Type.Array(Type.String({ minLength: 1 })),
      },
      strict,
    ),
  },
  strict,
);

export type VehicleServiceConfig = Static<typeof VehicleServiceConfigSchema>;

export const DEFAULT_CONFIG: VehicleServiceConfig = {
  http: { host: '127.0.0.1', port: 8080 },
  mqtt: {
    embeddedPort: 1883,
    embeddedHost: '127.0.0.1',
    topicRoot: 'auriga/v1',
    reconnectMinMs: 250,
    reconnectMaxMs: 10_000,
    keepaliveS: 10,
  },
  can: { bus: 'can0' },
  dataDir: './.data',
  vehicle: {},
  logLevel: 'info',
  policy: { walkingSpeedKmh: 5, highwaySpeedKmh: 100, highwayMaxOpeningPercent: 20 },
  actuation: {
    ackTimeoutMs: 1000,
    confirmTimeoutMs: 2000,
    travelTimeMs: {
      'Vehicle.Cabin.Door.*.*.Window.Position': 8000,
      'Vehicle.Cabin.Sunroof.Position': 10_000,
      'Vehicle.Body.Trunk.*.IsOpen': 6000,
    },
  },
  staleFactor: 3,
  history: { sampleIntervalMs: 1000, retentionDays: 7 },
  stream: { batchMs: 50 },
  assistant: { tts: true },
  speech: {},
  hmi: {},
  ota: {
    pollIntervalS: 300,
    maxBundleBytes: 512 * 1024 * 1024,
    minFreeBytes: 256 * 1024 * 1024,
    parkedKinds: ['speech-model'],
    askDriverKinds: [],
  },
};
