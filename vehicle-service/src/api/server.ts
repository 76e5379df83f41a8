import { STATUS_CODES } from 'node:http';
import Fastify, { LogController, type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import fastifyWebsocket from '@fastify/websocket';
import { TypeBoxValidatorCompiler, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type Static } from '@sinclair/typebox';
import type { Logger } from 'pino';
import { isAurigaError, type SignalCatalog, type SignalSpec } from '@auriga/common';
import type { ActuationService } from '../actuation/actuation-service.js';
import {
  ApiBadRequestError,
  ApiInternalError,
  ApiNotFoundError,
  ApiValidationError,
  NotActuatorError,
  StoreUnavailableError,
  UnknownSignalError,
} from '../errors.js';
import type { ServiceMetrics } from '../metrics/metrics.js';
import type { VehicleStore } from '../store/types.js';
import type { Clock } from '../util/timers.js';
import type { VehicleState } from '../vehicle/state.js';
import {
  ActuationLogQuery,
  ActuationRecordSchema,
  ActuationResultSchema,
  CatalogSchema,
  ErrorSchema,
  EventQuery,
  EventRecordSchema,
  HealthSchema,
  HistoryQuery,
  HistorySchema,
  PathParams,
  PrefixQuery,
  SetSignalBody,
  SignalListSchema,
  SignalSnapshotSchema,
  SignalSpecSchema,
  type ErrorDto,
  type HealthDto,
} from './schemas.js';
import { snapshotDto, StreamHub } from './stream.js';
import { hmiStaticPlugin } from './hmi-static.js';
import { assistantRoutes } from './routes/assistant.js';
import { otaRoutes } from './routes/ota.js';
import { drivingRoutes, type DrivingRoutesOptions } from './routes/driving.js';
import { voiceRoutes, type VoiceRoutesOptions } from './routes/voice.js';
import type { Assistant } from '../assistant/assistant.js';
import type { OtaAgent } from '../ota/agent.js';

export interface ApiDeps {
  state: VehicleState;
  catalog: SignalCatalog;
  actuation: Pick<ActuationService, 'request'>;
  store: VehicleStore;
  metrics: ServiceMetrics;
  health(): Promise<HealthDto>;
  streamBatchMs: number;
  clock: Clock;
  logger: Logger;
  /** Shown in the OpenAPI document. */
  version?: string;
  /** POST /v1/text and the stored turns; absent = those routes answer 404. */
  assistant?: Assistant;
  /** GET /v1/context, /v1/trips..., /v1/notifications; setInteractionActive holds notifications during voice turns. */
  driving?: DrivingRoutesOptions['driving'] & Partial<Pick<import('../driving/index.js').DrivingContext, 'setInteractionActive'>>;
  /**
   * POST /v1/voice and WebSocket /v1/voice/stream (registered with the assistant). An absent engine
   * (the model did not load) makes them answer 503 AURIGA_ERR_SPEECH_UNAVAILABLE.
   */
  speech?: Pick<VoiceRoutesOptions, 'speech' | 'engine' | 'unavailableReason' | 'stream' | 'createEndpointer' | 'maxBytes'>;
  /** GET /v1/ota/status, POST /v1/ota/consent; absent when the OTA agent is off. */
  ota?: Pick<OtaAgent, 'status' | 'consent'>;
  /** Serve the HMI build from this folder at / (false = no HMI, e.g. API-only tests). */
  hmiDir?: string | false;
}

export type Api = FastifyInstance & { readonly streamHub: StreamHub };

const errorResponses = (...codes: number[]) => Object.fromEntries(codes.map((c) => [c, ErrorSchema]));

function errorBody(statusCode: number, code: string, message: string): ErrorDto {
  return { statusCode, code, error: STATUS_CODES[statusCode] ?? 'Error', message };
}

/**
 * The HTTP + WebSocket API. Error policy:
 * - 400 malformed request (body, query, params) or invalid value for the signal (out of range, wrong type);
 * - 404 unknown signal or route; 405 PUT on a signal that is not an actuator;
 * - 200 for every actuation that was processed, whatever the car answered: `status` is confirmed,
 *   refused (policy or ECU), failed or timeout, with a plain-English `reason`;
 * - 503 only when the service is shutting down or the store is broken (history).
 */
export async function buildApi(deps: ApiDeps): Promise<Api> {
  const app = Fastify({
    loggerInstance: deps.logger.child({ component: 'api' }),
    // One log line per request is too much on a head unit; the onResponse hook below logs at debug.
    logController: new LogController({ disableRequestLogging: true }),
    forceCloseConnections: 'idle',
    routerOptions: { maxParamLength: 256 },
    bodyLimit: 64 * 1024,
    frameworkErrors: (err, _req, reply) => {
      void (reply as unknown as FastifyReply).code(400).send(errorBody(400, ApiBadRequestError.code, err.message));
    },
  }).withTypeProvider<TypeBoxTypeProvider>();
  // TypeBox checks bodies strictly (no "22" -> 22 coercion) and converts query strings and params.
  app.setValidatorCompiler(TypeBoxValidatorCompiler);

  app.addHook('onResponse', async (req, reply) => {
    req.log.debug({ method: req.method, url: req.url, statusCode: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10 }, 'request');
  });

  app.setErrorHandler((err: FastifyError, req, reply) => sendError(err, req.log, reply));
  app.setNotFoundHandler((req, reply) => {
    void reply.code(404).send(errorBody(404, ApiNotFoundError.code, ApiNotFoundError(req.method, req.url.split('?')[0]!).message));
  });

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Auriga vehicle service',
        version: deps.version ?? '0.1.0',
        description:
          'Live VSS state of the car, signal history, actuation with policy checks, and a WebSocket stream of changes. ' +
          'Timestamps are milliseconds since the Unix epoch. PUT /v1/signals/{path} answers 200 for every processed request ' +
          '(status confirmed | refused | failed | timeout with a reason); 400 is for malformed requests and invalid values.',
      },
      tags: [
        { name: 'signals', description: 'VSS signals' },
        { name: 'logs', description: 'Stored actuations and events' },
        { name: 'service', description: 'Health and metrics' },
        { name: 'assistant', description: 'Typed and spoken commands, answers, stored turns' },
        { name: 'driving', description: 'Driving situation, trips, grounded summaries, notifications' },
        { name: 'ota', description: 'Model updates: installed models, update in progress, driver consent' },
      ],
    },
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });
  const hub = new StreamHub(deps.state, deps.streamBatchMs, deps.clock, deps.logger.child({ component: 'stream' }));
  await app.register(fastifyWebsocket, {
    options: { maxPayload: 64 * 1024 },
    // Close stream clients with 1001 "going away" (the plugin's default closes without a code).
    preClose(done) {
      hub.close();
      app.websocketServer.close(() => done());
    },
  });

  app.get(
    '/v1/signals',
    {
      schema: {
        tags: ['signals'],
        summary: 'Current value of every signal, or of a branch (?prefix=Vehicle.Cabin)',
        querystring: PrefixQuery,
        response: { 200: SignalListSchema, ...errorResponses(400) },
      },
    },
    async (req) => deps.state.list(req.query.prefix?.replace(/\.$/, '')).map(snapshotDto),
  );

  app.get(
    '/v1/signals/:path',
    {
      schema: {
        tags: ['signals'],
        summary: 'Current value of one signal',
        params: PathParams,
        response: { 200: SignalSnapshotSchema, ...errorResponses(400, 404) },
      },
    },
    async (req) => {
      const s = deps.state.get(req.params.path);
      if (!s) throw UnknownSignalError(req.params.path);
      return snapshotDto(s);
    },
  );

  app.get(
    '/v1/signals/:path/history',
    {
      schema: {
        tags: ['signals'],
        summary: 'Stored samples of one signal, oldest first (sampled about once a second)',
        params: PathParams,
        querystring: HistoryQuery,
        response: { 200: HistorySchema, ...errorResponses(400, 404, 503) },
      },
    },
    async (req) => {
      const { path } = req.params;
      if (!deps.state.has(path)) throw UnknownSignalError(path);
      const { from, to, limit } = req.query;
      if (from !== undefined && to !== undefined && from > to) throw ApiValidationError(`querystring/from (${from}) is after querystring/to (${to})`);
      try {
        return await deps.store.history(path, { from, to, limit: limit ?? 1000 });
      } catch (err) {
        throw StoreUnavailableError((err as Error).message, { cause: err });
      }
    },
  );

  app.put(
    '/v1/signals/:path',
    {
      schema: {
        tags: ['signals'],
        summary: 'Set an actuator; answers when the car confirmed, refused, failed or timed out',
        description:
          '200 with status confirmed | refused (policy or ECU) | failed | timeout and a reason. ' +
          '400 malformed body or invalid value (wrong type, out of range, not allowed); 404 unknown signal; 405 not an actuator.',
        params: PathParams,
        body: SetSignalBody,
        response: { 200: ActuationResultSchema, ...errorResponses(400, 404, 405, 503) },
      },
    },
    async (req) => deps.actuation.request(req.params.path, req.body.value, { source: 'api' }),
  );

  app.get(
    '/v1/catalog',
    {
      schema: {
        tags: ['signals'],
        summary: 'Specification of every signal (kind, datatype, unit, limits)',
        querystring: PrefixQuery,
        response: { 200: CatalogSchema, ...errorResponses(400) },
      },
    },
    async (req) => {
      const prefix = req.query.prefix?.replace(/\.$/, '');
      const specs = prefix ? deps.catalog.subtree(prefix) : deps.catalog.signals;
      return specs.map(specDto);
    },
  );

  app.get(
    '/v1/actuations',
    {
      schema: {
        tags: ['logs'],
        summary: 'Recent actuation requests and their outcomes, newest first',
        querystring: ActuationLogQuery,
        response: { 200: Type.Array(ActuationRecordSchema), ...errorResponses(400, 503) },
      },
    },
    async (req) => {
      try {
        return await deps.store.actuations({ limit: req.query.limit ?? 100, ...(req.query.path ? { path: req.query.path } : {}) });
      } catch (err) {
        throw StoreUnavailableError((err as Error).message, { cause: err });
      }
    },
  );

  app.get(
    '/v1/events',
    {
      schema: {
        tags: ['logs'],
        summary: 'Recent service and vehicle events, newest first',
        querystring: EventQuery,
        response: { 200: Type.Array(EventRecordSchema), ...errorResponses(400, 503) },
      },
    },
    async (req) => {
      try {
        return await deps.store.events({ ...req.query, limit: req.query.limit ?? 100 });
      } catch (err) {
        throw StoreUnavailableError((err as Error).message, { cause: err });
      }
    },
  );

  // wsHandler (not `websocket: true`) keeps the route in the OpenAPI document; a plain GET gets a 426.
  app.route({
    method: 'GET',
    url: '/v1/stream',
    schema: {
      tags: ['signals'],
      summary: 'WebSocket: a snapshot, then batched changes (JSON). Send {"type":"subscribe","prefixes":["Vehicle.Cabin"]} to filter.',
      description:
        'Upgrade to a WebSocket. Server messages: {type:"snapshot",prefixes,signals:[SignalSnapshot]}, ' +
        '{type:"changes",changes:[{path,value,previous,timestamp,stale}]}, {type:"error",code,message}. ' +
        'Changes are batched (about 50 ms); within a batch only the latest change per path is sent. A plain GET answers 426.',
      response: { 426: ErrorSchema },
    },
    handler: async (_req, reply) =>
      reply
        .code(426)
        .header('upgrade', 'websocket')
        .send(errorBody(426, 'AURIGA_ERR_API_UPGRADE_REQUIRED', 'this endpoint is a WebSocket: connect with an Upgrade: websocket request')),
    wsHandler: (socket) => hub.add(socket),
  });

  app.get(
    '/healthz',
    {
      schema: {
        tags: ['service'],
        summary: 'Health: 200 while the service works (status ok or degraded), 503 when shutting down or the store is broken',
        response: { 200: HealthSchema, 503: HealthSchema },
      },
    },
    async (_req, reply) => {
      const health = await deps.health();
      return health.status === 'failing' ? reply.code(503).send(health) : reply.code(200).send(health);
    },
  );

  app.get(
    '/metrics',
    {
      schema: {
        tags: ['service'],
        summary: 'Prometheus metrics',
        response: { 200: Type.String() },
      },
    },
    async (_req, reply) => {
      const text = await deps.metrics.registry.metrics();
      return reply.type(deps.metrics.registry.contentType).send(text);
    },
  );

  if (deps.assistant) await app.register(assistantRoutes, { assistant: deps.assistant, store: deps.store });
  if (deps.assistant) {
    // The driving context itself (called as a method): voice turns elsewhere (the hands-free microphone) count on the same object.
    const driving = deps.driving?.setInteractionActive ? (deps.driving as { setInteractionActive(active: boolean): void }) : undefined;
    await app.register(voiceRoutes, {
      ...(deps.speech?.speech ? { speech: deps.speech.speech } : {}),
      engine: deps.speech?.engine,
      unavailableReason: deps.speech?.unavailableReason ?? 'no speech engine is configured',
      assistant: deps.assistant,
      ...(driving ? { driving } : {}),
      ...(deps.speech?.stream ? { stream: deps.speech.stream } : {}),
      ...(deps.speech?.createEndpointer ? { createEndpointer: deps.speech.createEndpointer } : {}),
      ...(deps.speech?.maxBytes ? { maxBytes: deps.speech.maxBytes } : {}),
    });
  }
  if (deps.driving) await app.register(drivingRoutes, { driving: deps.driving });
  if (deps.ota) await app.register(otaRoutes, { agent: deps.ota });
  if (deps.hmiDir !== false) await app.register(hmiStaticPlugin(deps.hmiDir ? { root: deps.hmiDir } : {}));

  return Object.assign(app, { streamHub: hub }) as unknown as Api;
}

function specDto(spec: SignalSpec): Static<typeof SignalSpecSchema> {
  const { allowed, ...rest } = spec;
  return allowed ? { ...rest, allowed: [...allowed] } : rest;
}

function sendError(err: FastifyError, log: Logger | FastifyInstance['log'], reply: FastifyReply): FastifyReply {
  if (err.validation) {
    return reply.code(400).send(errorBody(400, ApiValidationError.code, err.message));
  }
  if (isAurigaError(err)) {
    if (err.statusCode >= 500 && err.statusCode !== 503) log.error({ err }, 'request failed');
    if (err.code === NotActuatorError.code) void reply.header('allow', 'GET');
    return reply.code(err.statusCode).send(errorBody(err.statusCode, err.code, err.message));
  }
  const status = typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
  if (status < 500) {
    // Fastify's own client errors (bad JSON, wrong content type, body too large...): keep their message.
    const code = status === 415 ? 'AURIGA_ERR_API_UNSUPPORTED_MEDIA_TYPE' : status === 413 ? 'AURIGA_ERR_API_BODY_TOO_LARGE' : ApiBadRequestError.code;
    return reply.code(status).send(errorBody(status, code, err.message));
  }
  log.error({ err }, 'unhandled error');
  return reply.code(500).send(errorBody(500, ApiInternalError.code, ApiInternalError().message));
}
