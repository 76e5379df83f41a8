import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type Static } from '@sinclair/typebox';
import type { OtaAgent } from '../../ota/agent.js';
import { ErrorSchema } from '../schemas.js';

const SlotSchema = Type.Union([Type.Literal('A'), Type.Literal('B'), Type.Literal('factory')]);
const StepSchema = Type.Union(['downloading', 'verified', 'installing', 'installed', 'acceptance', 'switched'].map((s) => Type.Literal(s)));
const FinalSchema = Type.Union(['active', 'rolled_back', 'failed'].map((s) => Type.Literal(s)));

export const OtaStatusSchema = Type.Object({
  vehicleId: Type.String(),
  phase: Type.Union(['starting', 'idle', 'checking', 'downloading', 'waiting', 'installing', 'acceptance', 'health', 'closed'].map((s) => Type.Literal(s)), {
    description: 'what the agent does now',
  }),
  models: Type.Array(Type.Object({
    kind: Type.String({ description: 'voice-context, speech-model, driving-context-model' }),
    name: Type.String(),
    version: Type.String(),
    slot: SlotSchema,
    previous: Type.Optional(Type.Object({ name: Type.String(), version: Type.String(), slot: SlotSchema }, { description: 'kept for rollback' })),
  }), { description: 'the model running for each kind' }),
  update: Type.Union([Type.Null(), Type.Object({
    assignmentId: Type.Integer(),
    target: Type.String(),
    kind: Type.String(),
    name: Type.String(),
    version: Type.String(),
    action: Type.Union([Type.Literal('install'), Type.Literal('rollback')]),
    step: StepSchema,
    bytesReceived: Type.Optional(Type.Integer()),
    bytesTotal: Type.Integer(),
    waitingFor: Type.Optional(Type.Union([Type.Literal('parked'), Type.Literal('consent')], { description: 'the install policy holds the update until the car is parked or the driver agrees' })),
    consent: Type.Optional(Type.Union([Type.Literal('granted'), Type.Literal('declined')])),
  })], { description: 'the update in progress, if any' }),
  lastResult: Type.Union([Type.Null(), Type.Object({
    assignmentId: Type.Integer(), step: FinalSchema, name: Type.String(), version: Type.String(), reason: Type.Optional(Type.String()), at: Type.Integer(),
  })]),
  lastError: Type.Union([Type.Null(), Type.Object({ at: Type.Integer(), reason: Type.String() })]),
  lastCheckAt: Type.Union([Type.Null(), Type.Integer()]),
  nextCheckAt: Type.Union([Type.Null(), Type.Integer()]),
});
export type OtaStatusDto = Static<typeof OtaStatusSchema>;

export const OtaConsentBody = Type.Object({
  assignmentId: Type.Integer({ minimum: 1, description: 'the update the driver answers for (update.assignmentId of GET /v1/ota/status)' }),
  accept: Type.Boolean(),
}, { additionalProperties: false });

export interface OtaRoutesOptions {
  agent: Pick<OtaAgent, 'status' | 'consent'>;
}

/**
 * GET /v1/ota/status and POST /v1/ota/consent. Registered by the API server:
 * `await app.register(otaRoutes, { agent })`. Errors are AurigaErrors, sent by the server's error handler.
 */
export const otaRoutes: FastifyPluginAsync<OtaRoutesOptions> = async (fastify, opts) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.get('/v1/ota/status', {
    schema: {
      tags: ['ota'],
      summary: 'Installed models (version and slot per kind), the update in progress with its step, the last result and error',
      response: { 200: OtaStatusSchema },
    },
  }, async () => opts.agent.status());

  app.post('/v1/ota/consent', {
    schema: {
      tags: ['ota'],
      summary: "The driver's answer when the install policy asks before installing an update",
      description: '200 with the new status; 409 when no update with that assignment waits for consent.',
      body: OtaConsentBody,
      response: { 200: OtaStatusSchema, 400: ErrorSchema, 409: ErrorSchema },
    },
  }, async (req) => opts.agent.consent(req.body.assignmentId, req.body.accept));
};
