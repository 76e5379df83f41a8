import { Type, type Static } from '@sinclair/typebox';

/**
 * Every schema of the HTTP and WebSocket API. Timestamps are milliseconds since the Unix epoch
 * (the service's clock when the value was received).
 */

export const VssPath = Type.String({
  pattern: '^[A-Za-z][A-Za-z0-9_]*(\\.[A-Za-z0-9_]+)*$',
  maxLength: 256,
  description: 'VSS path, e.g. Vehicle.Cabin.HVAC.Station.Row1.Driver.Temperature',
});
export const VssPrefix = Type.String({
  pattern: '^[A-Za-z][A-Za-z0-9_]*(\\.[A-Za-z0-9_]+)*\\.?$',
  maxLength: 256,
  description: 'VSS branch, e.g. Vehicle.Cabin (matches Vehicle.Cabin and everything below it)',
});
export const EpochMs = Type.Integer({ minimum: 0, description: 'milliseconds since the Unix epoch' });

export const SignalValueSchema = Type.Union([Type.Number(), Type.Boolean(), Type.String({ maxLength: 256 })], {
  description: 'number, boolean or string, depending on the signal datatype',
});
export const NullableSignalValue = Type.Union([Type.Number(), Type.Boolean(), Type.String(), Type.Null()]);

export const SignalSnapshotSchema = Type.Object(
  {
    path: Type.String(),
    value: Type.Union([Type.Number(), Type.Boolean(), Type.String(), Type.Null()], { description: 'null until first received' }),
    unit: Type.Union([Type.String(), Type.Null()]),
    timestamp: Type.Union([Type.Number(), Type.Null()], { description: 'when last received (ms since epoch); null before' }),
    stale: Type.Boolean({ description: 'true when the value is not current (message missing, broker down, not available, never received)' }),
  },
  { additionalProperties: false },
);
export type SignalSnapshotDto = Static<typeof SignalSnapshotSchema>;
export const SignalListSchema = Type.Array(SignalSnapshotSchema);

export const ErrorSchema = Type.Object(
  {
    statusCode: Type.Integer(),
    code: Type.String({ description: 'stable error code AURIGA_ERR_<AREA>_<WHAT>' }),
    error: Type.String({ description: 'HTTP status text' }),
    message: Type.String({ description: 'what is wrong, in plain English' }),
  },
  {},
);
export type ErrorDto = Static<typeof ErrorSchema>;

export const PathParams = Type.Object({ path: VssPath });
export const PrefixQuery = Type.Object({ prefix: Type.Optional(VssPrefix) }, { additionalProperties: false });

export const HistoryQuery = Type.Object(
  {
    from: Type.Optional(EpochMs),
    to: Type.Optional(EpochMs),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, default: 1000 })),
  },
  { additionalProperties: false },
);
export const HistorySampleSchema = Type.Object({ value: SignalValueSchema, timestamp: Type.Number() }, { additionalProperties: false });
export const HistorySchema = Type.Array(HistorySampleSchema);

export const SetSignalBody = Type.Object({ value: SignalValueSchema }, { additionalProperties: false });
export type SetSignalBodyDto = Static<typeof SetSignalBody>;

export const ActuationStatusSchema = Type.Union([
  Type.Literal('confirmed'),
  Type.Literal('refused'),
  Type.Literal('failed'),
  Type.Literal('timeout'),
]);
export const ActuationResultSchema = Type.Object(
  {
    id: Type.String({ description: 'request id (see GET /v1/actuations)' }),
    path: Type.String(),
    value: SignalValueSchema,
    status: ActuationStatusSchema,
    reason: Type.Optional(Type.String({ description: 'why it was refused, failed or timed out' })),
    ruleId: Type.Optional(Type.String({ description: 'the policy rule that refused' })),
    ms: Type.Number({ description: 'time from request to outcome' }),
  },
  { additionalProperties: false },
);

export const ActuationLogQuery = Type.Object(
  { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })), path: Type.Optional(VssPath) },
  { additionalProperties: false },
);
export const ActuationRecordSchema = Type.Object({
  id: Type.String(),
  path: Type.String(),
  value: Type.Unknown(),
  source: Type.String(),
  status: ActuationStatusSchema,
  reason: Type.Optional(Type.String()),
  requestedAt: Type.Number(),
  completedAt: Type.Number(),
});

export const SeveritySchema = Type.Union([Type.Literal('info'), Type.Literal('warning'), Type.Literal('critical')]);
export const EventQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    type: Type.Optional(Type.String({ maxLength: 100 })),
    path: Type.Optional(VssPath),
    severity: Type.Optional(SeveritySchema),
    from: Type.Optional(EpochMs),
    to: Type.Optional(EpochMs),
  },
  { additionalProperties: false },
);
export const EventRecordSchema = Type.Object({
  id: Type.Optional(Type.Number()),
  type: Type.String(),
  path: Type.Optional(Type.String()),
  severity: SeveritySchema,
  message: Type.String(),
  data: Type.Optional(Type.Unknown()),
  timestamp: Type.Number(),
});

export const SignalSpecSchema = Type.Object({
  path: Type.String(),
  kind: Type.Union([Type.Literal('sensor'), Type.Literal('actuator'), Type.Literal('attribute')]),
  datatype: Type.String(),
  unit: Type.Optional(Type.String()),
  min: Type.Optional(Type.Number()),
  max: Type.Optional(Type.Number()),
  allowed: Type.Optional(Type.Array(Type.String())),
  description: Type.String(),
});
export const CatalogSchema = Type.Array(SignalSpecSchema);

export const HealthSchema = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('degraded'), Type.Literal('failing')], {
    description: 'ok: all good; degraded: running but no current car data (MQTT down or car silent), HTTP 200; failing: HTTP 503',
  }),
  uptimeS: Type.Number(),
  mqtt: Type.Object({ connected: Type.Boolean(), url: Type.String(), embeddedBroker: Type.Boolean() }),
  store: Type.Object({ ok: Type.Boolean(), detail: Type.Optional(Type.String()) }),
  vehicle: Type.Object({
    fresh: Type.Boolean({ description: 'a frame arrived recently' }),
    lastFrameAt: Type.Union([Type.Number(), Type.Null()]),
    signals: Type.Integer(),
    staleSignals: Type.Integer(),
    framesIngested: Type.Number(),
    decodeErrors: Type.Number(),
  }),
  closing: Type.Boolean(),
  microphone: Type.Optional(
    Type.Object(
      {
        device: Type.String(),
        listening: Type.Boolean({ description: 'arecord is running; false while it waits to be restarted after a failure' }),
        starts: Type.Integer({ description: 'times arecord was started' }),
        commands: Type.Integer({ description: 'utterances answered' }),
        lastError: Type.Optional(Type.Object({ code: Type.String(), message: Type.String(), at: Type.Number() })),
      },
      { description: 'present when SPEECH_MIC_DEVICE is set; a failing microphone does not change status (typed and HMI voice still work)' },
    ),
  ),
});
export type HealthDto = Static<typeof HealthSchema>;

// --- WebSocket /v1/stream ------------------------------------------------------------------------

/** Client -> server: restrict the stream to VSS branches (empty list or none = everything). Answered by a new snapshot. */
export const StreamSubscribeMessage = Type.Object(
  {
    type: Type.Literal('subscribe'),
    prefixes: Type.Array(VssPrefix, { maxItems: 100 }),
  },
  { additionalProperties: false },
);
export const StreamClientMessage = StreamSubscribeMessage;
export type StreamClientMessageDto = Static<typeof StreamClientMessage>;

export const StreamChangeSchema = Type.Object({
  path: Type.String(),
  value: NullableSignalValue,
  previous: NullableSignalValue,
  timestamp: Type.Number(),
  stale: Type.Boolean(),
});
export type StreamChangeDto = Static<typeof StreamChangeSchema>;

/** Server -> client: the current state (on connect and after every subscribe). */
export const StreamSnapshotMessage = Type.Object({
  type: Type.Literal('snapshot'),
  prefixes: Type.Array(Type.String()),
  signals: Type.Array(SignalSnapshotSchema),
});
/** Server -> client: what changed during the last batch interval (only the latest change per path). */
export const StreamChangesMessage = Type.Object({
  type: Type.Literal('changes'),
  changes: Type.Array(StreamChangeSchema),
});
export const StreamErrorMessage = Type.Object({
  type: Type.Literal('error'),
  code: Type.String(),
  message: Type.String(),
});
/** Server -> client: a proactive notification for the driver (low fuel, tyre pressure, a new warning); see GET /v1/notifications. */
export const StreamNotificationMessage = Type.Object({
  type: Type.Literal('notification'),
  notification: Type.Object(
    {
      id: Type.String(),
      kind: Type.String(),
      subject: Type.String(),
      severity: Type.Union([Type.Literal('info'), Type.Literal('warning'), Type.Literal('critical')]),
      text: Type.String(),
      lang: Type.String(),
      createdAt: Type.Number(),
      deliveredAt: Type.Number(),
    },
    { additionalProperties: true, description: 'as in GET /v1/notifications (with its facts)' },
  ),
});
export const StreamServerMessage = Type.Union([StreamSnapshotMessage, StreamChangesMessage, StreamErrorMessage, StreamNotificationMessage]);
export type StreamServerMessageDto = Static<typeof StreamServerMessage>;
