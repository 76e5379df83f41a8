import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';
import pino, { type Logger } from 'pino';
import { isAurigaError } from '@auriga/common';
import { CampaignService } from '../campaign/service.js';
import { OtaErrors } from '../errors.js';
import type { DirectorCustom, TargetFile } from '../metadata/types.js';
import { VEHICLE_STEPS, type AssignmentStatus, type OtaStore, type VehicleRecord } from '../store/types.js';
import type { BundleStore } from './bundle-store.js';
import { DASHBOARD_HTML } from './dashboard.js';
import type { AssignmentNotifier } from './notify.js';
import { parseRangeHeader } from './range.js';
import { RepositoryService, type OnlineKeys } from './repository-service.js';
import { bearerToken, hashToken, matchesAnyToken, newVehicleToken } from './tokens.js';

export interface OtaServerOptions {
  store: OtaStore;
  bundles: BundleStore;
  onlineKeys: OnlineKeys;
  /** sha256 hex of each accepted operator token (never the tokens themselves). */
  operatorTokenHashes: string[];
  logger?: Logger;
  now?: () => number;
  /** How often cars should check in; returned to them. */
  pollIntervalS?: number;
  /** Campaign engine tick; 0 disables the timer (tests tick by hand). */
  campaignTickMs?: number;
  metadataCacheMs?: number;
  maxBundleBytes?: number;
  expiryS?: { timestamp: number; snapshot: number; director: number };
  /** Close keep-alive and in-flight connections on close (tests); default drains idle ones only. */
  forceCloseConnections?: boolean;
  setInterval?: typeof setInterval;
  clearInterval?: typeof clearInterval;
  /**
   * Push "check in now" to cars when their assignment is created or changed (see `mqttAssignmentNotifier`).
   * Absent: cars find their work at their next poll. Closed with the server.
   */
  notifier?: AssignmentNotifier;
}

export interface OtaServer {
  app: FastifyInstance<any, any, any, any, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- the TypeBox-typed instance
  repository: RepositoryService;
  campaigns: CampaignService;
  close(): Promise<void>;
}

declare module 'fastify' {
  interface FastifyRequest {
    vehicle: VehicleRecord | null;
  }
}

const STEP_RANK: Record<string, number> = { assigned: 0, downloading: 1, verified: 2, installed: 3, active: 4 };

/** Whether a car's report may move its assignment from `from` to `to` (forward only; failures from anywhere). */
export function allowedTransition(from: AssignmentStatus, to: AssignmentStatus): boolean {
  if (from === 'cancelled' || from === 'failed' || from === 'rolled_back') return false;
  if (to === 'failed' || to === 'rolled_back') return true;
  return (STEP_RANK[to] ?? -1) >= (STEP_RANK[from] ?? 99);
}

const ErrorReply = Type.Object({ error: Type.String(), message: Type.String() });

export async function createOtaServer(opts: OtaServerOptions): Promise<OtaServer> {
  const log = opts.logger ?? pino({ level: 'info' });
  const now = opts.now ?? Date.now;
  const repository = new RepositoryService(opts.store, opts.bundles, opts.onlineKeys, log, now, opts.expiryS, opts.metadataCacheMs ?? 1000);
  const campaigns = new CampaignService(opts.store, log, now, opts.notifier);
  const app = Fastify({
    loggerInstance: log,
    logController: new Fastify.LogController({ disableRequestLogging: true }),
    bodyLimit: 8 * 1024 * 1024,
    forceCloseConnections: opts.forceCloseConnections ?? 'idle',
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.decorateRequest('vehicle', null);
  app.addContentTypeParser('application/octet-stream', (_req, payload, done) => done(null, payload));

  app.setErrorHandler((err: unknown, req, reply) => {
    if (isAurigaError(err)) return reply.code(err.statusCode).send({ error: err.code, message: err.message });
    const e = err as { validation?: unknown; statusCode?: number; message?: string; code?: string };
    if (e.validation) return reply.code(400).send({ error: OtaErrors.badRequest.code, message: e.message ?? 'invalid request' });
    if (e.statusCode && e.statusCode < 500) return reply.code(e.statusCode).send({ error: e.code ?? 'AURIGA_ERR_OTA_REQUEST', message: e.message ?? '' });
    req.log.error({ err }, 'request failed');
    return reply.code(500).send({ error: 'AURIGA_ERR_OTA_INTERNAL', message: 'internal error' });
  });

  const requireOperator = async (req: FastifyRequest) => {
    const token = bearerToken(req.headers.authorization);
    if (!token || !matchesAnyToken(token, opts.operatorTokenHashes)) throw OtaErrors.unauthorized('operator token required');
  };
  const requireVehicle = async (req: FastifyRequest) => {
    const token = bearerToken(req.headers.authorization);
    const vehicle = token ? await opts.store.getVehicleByTokenHash(hashToken(token)) : undefined;
    if (!vehicle) throw OtaErrors.unauthorized('vehicle token required');
    req.vehicle = vehicle;
  };

  // ---- operator API ----------------------------------------------------------------------------
  await app.register(async (scope) => {
    const op = scope.withTypeProvider<TypeBoxTypeProvider>();
    op.addHook('onRequest', requireOperator);

    op.post('/vehicles', {
      schema: { body: Type.Object({ id: Type.String({ pattern: '^[A-Za-z0-9._-]{1,64}$' }), group: Type.String({ minLength: 1, maxLength: 64 }), hardwareId: Type.String({ pattern: '^[A-Za-z0-9._-]{1,64}$' }) }) },
    }, async (req, reply) => {
      if (await opts.store.getVehicle(req.body.id)) throw OtaErrors.conflict(`vehicle ${req.body.id} exists; rotate its token instead`);
      const token = newVehicleToken();
      await opts.store.addVehicle({ ...req.body, tokenHash: hashToken(token), createdAt: now() });
      return reply.code(201).send({ id: req.body.id, token });
    });

    op.post('/vehicles/:id/token', { schema: { params: Type.Object({ id: Type.String() }) } }, async (req) => {
      const token = newVehicleToken();
      if (!(await opts.store.setVehicleToken(req.params.id, hashToken(token)))) throw OtaErrors.notFound(`vehicle ${req.params.id}`);
      return { id: req.params.id, token };
    });

    op.get('/vehicles', {
      schema: { querystring: Type.Object({ group: Type.Optional(Type.String()), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000 })), offset: Type.Optional(Type.Integer({ minimum: 0 })) }) },
    }, async (req) => (await opts.store.listVehicles(req.query)).map(publicVehicle));

    op.get('/vehicles/:id', { schema: { params: Type.Object({ id: Type.String() }) } }, async (req) => {
      const v = await opts.store.getVehicle(req.params.id);
      if (!v) throw OtaErrors.notFound(`vehicle ${req.params.id}`);
      return { ...publicVehicle(v), assignment: (await opts.store.currentAssignment(v.id)) ?? null, reports: await opts.store.listReports(v.id, 50) };
    });

    op.get('/metadata/:role', { schema: { params: Type.Object({ role: Type.Union(['root', 'targets', 'snapshot', 'timestamp'].map((r) => Type.Literal(r))) }) } }, async (req, reply) => {
      const rec = await opts.store.latestMetadata(req.params.role);
      if (!rec) throw OtaErrors.notFound(`${req.params.role} metadata`);
      return reply.type('application/json').send(rec.body);
    });

    op.put('/metadata/root', { schema: { body: Type.Object({ signed: Type.Unknown(), signatures: Type.Array(Type.Unknown()) }) } }, async (req) => {
      const root = await repository.publishRoot(JSON.stringify(req.body));
      return { version: root.version };
    });

    op.put('/metadata/targets', { schema: { body: Type.Object({ signed: Type.Unknown(), signatures: Type.Array(Type.Unknown()) }) } }, async (req) => {
      const added = await repository.publishTargets(JSON.stringify(req.body));
      return { releases: added };
    });

    op.put('/bundles', async (req, reply) => {
      if (!req.headers['content-type']?.startsWith('application/octet-stream')) throw OtaErrors.badRequest('send the bundle as application/octet-stream');
      const stored = await opts.bundles.put(req.body as Readable, opts.maxBundleBytes ?? 4 * 1024 ** 3);
      return reply.code(201).send(stored);
    });

    op.get('/releases', async () => opts.store.listReleases());

    const Stage = Type.Object({ percent: Type.Number({ exclusiveMinimum: 0, maximum: 100 }), failureThreshold: Type.Number({ minimum: 0, maximum: 1 }) });
    op.post('/campaigns', {
      schema: {
        body: Type.Object({
          name: Type.String({ minLength: 1, maxLength: 200 }),
          releaseId: Type.String(),
          previousReleaseId: Type.Optional(Type.String()),
          selector: Type.Union([Type.Object({ group: Type.String() }), Type.Object({ vehicles: Type.Array(Type.String(), { minItems: 1 }) })]),
          stages: Type.Array(Stage, { minItems: 1, maxItems: 20 }),
          schedule: Type.Optional(Type.Object({
            startsAt: Type.Optional(Type.Integer()),
            endsAt: Type.Optional(Type.Integer()),
            daily: Type.Optional(Type.Object({ fromMinute: Type.Integer({ minimum: 0, maximum: 1439 }), toMinute: Type.Integer({ minimum: 0, maximum: 1440 }) })),
            stageTimeoutS: Type.Optional(Type.Integer({ minimum: 1 })),
          })),
        }),
      },
    }, async (req, reply) => reply.code(201).send(await campaigns.create(req.body)));

    op.get('/campaigns', async () => opts.store.listCampaigns());
    op.get('/campaigns/:id', { schema: { params: Type.Object({ id: Type.String() }) } }, async (req) => campaigns.progress(req.params.id));
    op.post('/campaigns/:id/:action', {
      schema: { params: Type.Object({ id: Type.String(), action: Type.Union(['pause', 'resume', 'abort', 'rollback'].map((a) => Type.Literal(a))) }) },
    }, async (req) => {
      const { id, action } = req.params;
      if (action === 'pause') return { campaign: await campaigns.pause(id) };
      if (action === 'resume') return { campaign: await campaigns.resume(id) };
      if (action === 'abort') return { campaign: await campaigns.abort(id) };
      return campaigns.rollback(id);
    });

    op.get('/dashboard', async () => {
      const [releases, list, vehicles] = await Promise.all([opts.store.listReleases(), opts.store.listCampaigns(), opts.store.listVehicles({ limit: 200 })]);
      const progress = await Promise.all(list.slice(0, 20).map((c) => campaigns.progress(c.id)));
      return { releases, campaigns: progress, vehicles: vehicles.map(publicVehicle) };
    });
  }, { prefix: '/api/v1' });

  // ---- vehicle API: a car only ever sees its own assignment --------------------------------------
  await app.register(async (scope) => {
    const car = scope.withTypeProvider<TypeBoxTypeProvider>();
    car.addHook('onRequest', requireVehicle);

    car.post('/check-in', {
      schema: {
        body: Type.Object({
          serviceVersion: Type.String({ minLength: 1, maxLength: 64 }),
          rootVersion: Type.Integer({ minimum: 1 }),
          installed: Type.Optional(Type.Record(Type.String(), Type.Object({ version: Type.String(), sha256: Type.Optional(Type.String()) }))),
        }),
      },
    }, async (req) => {
      const vehicle = req.vehicle!;
      await opts.store.recordCheckIn(vehicle.id, now(), req.body.serviceVersion, req.body.installed ?? null);
      const meta = await repository.current();
      const roots = meta.rootVersion > req.body.rootVersion ? await repository.rootsAfter(req.body.rootVersion) : [];
      const a = await opts.store.currentAssignment(vehicle.id);
      const c = a ? await opts.store.getCampaign(a.campaignId) : undefined;
      const release = a && campaigns.deliverable(a, c) ? await opts.store.getRelease(a.releaseId) : undefined;
      const targets: Record<string, TargetFile> = {};
      if (a && release) {
        const custom: DirectorCustom = { vehicleId: vehicle.id, hardwareId: vehicle.hardwareId, action: a.action, assignmentId: a.id, campaignId: a.campaignId };
        targets[release.id] = { length: release.length, hashes: { sha256: release.sha256 }, custom: { ...custom } };
      }
      const director = await repository.directorFor(vehicle, targets);
      return {
        roots,
        timestamp: meta.timestamp,
        snapshot: meta.snapshot,
        targets: meta.targets,
        director,
        assignment: a && release ? { id: a.id, targetPath: release.id, action: a.action, length: release.length, sha256: release.sha256, campaignId: a.campaignId } : null,
        pollIntervalS: opts.pollIntervalS ?? 3600,
      };
    });

    car.get('/bundles/:target', { schema: { params: Type.Object({ target: Type.String() }) } }, async (req, reply) => {
      const vehicle = req.vehicle!;
      const a = await opts.store.currentAssignment(vehicle.id);
      const c = a ? await opts.store.getCampaign(a.campaignId) : undefined;
      if (!a || a.releaseId !== req.params.target || !campaigns.deliverable(a, c)) {
        throw OtaErrors.forbidden(`${req.params.target} is not assigned to ${vehicle.id}`);
      }
      const release = await opts.store.getRelease(a.releaseId);
      if (!release) throw OtaErrors.notFound(`release ${a.releaseId}`);
      return sendBundle(req, reply, opts.bundles, release.sha256, release.length);
    });

    car.post('/reports', {
      schema: {
        body: Type.Object({
          assignmentId: Type.Optional(Type.Integer({ minimum: 1 })),
          step: Type.Union(VEHICLE_STEPS.map((s) => Type.Literal(s))),
          reason: Type.Optional(Type.String({ maxLength: 2000 })),
          detail: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
        }),
        response: { 202: Type.Object({ accepted: Type.Boolean() }), 409: ErrorReply },
      },
    }, async (req, reply) => {
      const vehicle = req.vehicle!;
      const at = now();
      const { assignmentId, step, reason, detail } = req.body;
      if ((step === 'failed' || step === 'rolled_back') && !reason) throw OtaErrors.badRequest(`a ${step} report needs a reason`);
      let a;
      if (assignmentId !== undefined) {
        a = await opts.store.getAssignment(assignmentId);
        // Not "forbidden": whether another car's assignment id exists is none of this car's business.
        if (!a || a.vehicleId !== vehicle.id) throw OtaErrors.notFound(`assignment ${assignmentId}`);
      }
      await opts.store.addReport({ vehicleId: vehicle.id, assignmentId: assignmentId ?? null, step, reason: reason ?? null, detail: detail ?? null, at });
      await opts.store.setVehicleStatus(vehicle.id, step, reason ?? null, at);
      if (a) {
        if (!allowedTransition(a.status, step)) {
          return reply.code(409).send({ error: OtaErrors.conflict.code, message: `assignment ${a.id} is ${a.status}; cannot move to ${step}` });
        }
        await opts.store.updateAssignment(a.id, step, reason ?? null, at);
        await campaigns.tick(a.campaignId);
      }
      return reply.code(202).send({ accepted: true });
    });
  }, { prefix: '/api/v1/vehicle' });

  app.get('/dashboard', async (_req, reply) => reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(DASHBOARD_HTML));
  app.get('/healthz', async () => ({ ok: true }));

  const setI = opts.setInterval ?? setInterval;
  const clearI = opts.clearInterval ?? clearInterval;
  const tickMs = opts.campaignTickMs ?? 10_000;
  let ticking = false;
  const timer = tickMs > 0 ? setI(() => {
    if (ticking) return;
    ticking = true;
    campaigns.tickAll().catch((err: unknown) => log.error({ err }, 'campaign ticks failed')).finally(() => { ticking = false; });
  }, tickMs) : undefined;
  let closed = false;
  return {
    app,
    repository,
    campaigns,
    close: async () => {
      if (closed) return;
      closed = true;
      if (timer) clearI(timer);
      await app.close();
      await opts.notifier?.close();
    },
  };
}

function publicVehicle(v: VehicleRecord) {
  const { director: _d, directorVersion: _dv, ...rest } = v;
  return rest;
}

async function sendBundle(req: FastifyRequest, reply: FastifyReply, bundles: BundleStore, sha256: string, length: number) {
  const etag = `"${sha256}"`;
  reply.header('accept-ranges', 'bytes').header('etag', etag).type('application/octet-stream');
  const ifRange = req.headers['if-range'];
  const range = ifRange && ifRange !== etag ? { kind: 'full' as const } : parseRangeHeader(req.headers.range, length);
  if (range.kind === 'unsatisfiable') {
    reply.header('content-range', `bytes */${length}`);
    throw OtaErrors.rangeNotSatisfiable(req.headers.range ?? '', length);
  }
  if (range.kind === 'partial') {
    reply.code(206).header('content-range', `bytes ${range.start}-${range.end}/${length}`).header('content-length', range.end - range.start + 1);
    return reply.send(bundles.read(sha256, range));
  }
  reply.header('content-length', length);
  return reply.send(bundles.read(sha256));
}
