import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyPluginAsync } from 'fastify';
import { TypeBoxValidatorCompiler, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type Static } from '@sinclair/typebox';
import { isAurigaError } from '@auriga/common';
import type { Assistant, AssistantResponse } from '../../assistant/assistant.js';
import { MAX_TEXT_CHARS } from '../../assistant/assistant.js';
import { ANSWER_LANGS, SEATS } from '../../assistant/types.js';
import type { VehicleStore } from '../../store/types.js';

/** Dependencies of the assistant routes (passed as plugin options). */
export interface AssistantRoutesOptions {
  assistant: Pick<Assistant, 'handleText'>;
  /** For GET /v1/assistant/turns. */
  store: Pick<VehicleStore, 'turns'>;
}

const TextBody = Type.Object(
  {
    text: Type.String({ minLength: 1, maxLength: MAX_TEXT_CHARS, description: 'What the user typed.' }),
    lang: Type.Optional(Type.Union(ANSWER_LANGS.map((l) => Type.Literal(l)), { description: 'Answer language (default en-US).' })),
    seat: Type.Optional(Type.Union(SEATS.map((s) => Type.Literal(s)), { description: 'Who asked (default driver): picks the window or zone.' })),
    sessionId: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'Conversation id for follow-ups (default: one per seat).' })),
    speak: Type.Optional(Type.Boolean({ description: 'Also return the spoken answer as base64 WAV (when a TTS engine is present).' })),
  },
  { additionalProperties: false },
);
type TextBodyDto = Static<typeof TextBody>;

const ActionSchema = Type.Object({
  path: Type.String(),
  value: Type.Union([Type.Number(), Type.Boolean(), Type.String()]),
  status: Type.Union([Type.Literal('confirmed'), Type.Literal('refused'), Type.Literal('failed'), Type.Literal('timeout')]),
  reason: Type.Optional(Type.String()),
  ruleId: Type.Optional(Type.String()),
});

export const AssistantResponseSchema = Type.Object({
  turnId: Type.String(),
  sessionId: Type.String(),
  isUnderstood: Type.Boolean(),
  intent: Type.Union([Type.String(), Type.Null()]),
  resolvedIntent: Type.Union([Type.String(), Type.Null()]),
  slots: Type.Record(Type.String(), Type.String()),
  actions: Type.Array(ActionSchema),
  answer: Type.Object({
    text: Type.String(),
    lang: Type.String(),
    key: Type.String(),
    audio: Type.Optional(Type.Object({ format: Type.Literal('wav'), engine: Type.String(), base64: Type.String() })),
  }),
  expectsReply: Type.Boolean(),
  timings: Type.Object({
    understandMs: Type.Number(),
    planMs: Type.Number(),
    actMs: Type.Number(),
    answerMs: Type.Number(),
    ttsMs: Type.Optional(Type.Number()),
    totalMs: Type.Number(),
  }),
});

const TurnSchema = Type.Object({
  id: Type.String(),
  timestamp: Type.Number(),
  sessionId: Type.String(),
  seat: Type.String(),
  lang: Type.String(),
  source: Type.String(),
  audioDurationMs: Type.Optional(Type.Number()),
  input: Type.String(),
  isUnderstood: Type.Boolean(),
  intent: Type.Optional(Type.String()),
  slots: Type.Record(Type.String(), Type.String()),
  actions: Type.Array(Type.Object({ path: Type.String(), value: Type.Unknown(), status: Type.String(), reason: Type.Optional(Type.String()) })),
  answer: Type.String(),
  answerKey: Type.String(),
  timings: Type.Record(Type.String(), Type.Number()),
});

const TurnsQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  sessionId: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
});

const ErrorSchema = Type.Object({ statusCode: Type.Integer(), code: Type.String(), error: Type.String(), message: Type.String() });

/** The response as JSON: the spoken answer (if any) inlined as base64 WAV. */
export function responseDto(r: AssistantResponse): Static<typeof AssistantResponseSchema> {
  const { audio, ...rest } = r;
  return {
    ...rest,
    answer: { ...r.answer, ...(audio ? { audio: { format: 'wav' as const, engine: audio.engine, base64: audio.wav.toString('base64') } } : {}) },
  };
}

/**
 * POST /v1/text (a typed command through the same path as speech) and GET /v1/assistant/turns.
 * Self-contained: validates with TypeBox and answers errors in the API's `{statusCode, code, error, message}` shape.
 */
export const assistantRoutes: FastifyPluginAsync<AssistantRoutesOptions> = async (fastify, opts) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.setValidatorCompiler(TypeBoxValidatorCompiler);
  app.setErrorHandler((err: FastifyError, req, reply) => {
    const status = err.validation ? 400 : isAurigaError(err) ? err.statusCode : typeof err.statusCode === 'number' && err.statusCode < 500 ? err.statusCode : 500;
    const code = err.validation ? 'AURIGA_ERR_API_VALIDATION' : isAurigaError(err) ? err.code : status < 500 ? 'AURIGA_ERR_API_BAD_REQUEST' : 'AURIGA_ERR_API_INTERNAL';
    if (status >= 500) req.log.error({ err }, 'assistant request failed');
    const message = status >= 500 && !isAurigaError(err) ? 'internal error' : err.message;
    return reply.code(status).send({ statusCode: status, code, error: STATUS_CODES[status] ?? 'Error', message });
  });

  app.post(
    '/v1/text',
    {
      schema: {
        tags: ['assistant'],
        summary: 'Run a typed command through the assistant (same path as speech)',
        body: TextBody,
        response: { 200: AssistantResponseSchema, 400: ErrorSchema, 503: ErrorSchema },
      },
    },
    async (req) => {
      const body: TextBodyDto = req.body;
      const r = await opts.assistant.handleText(body.text, {
        ...(body.lang ? { lang: body.lang } : {}),
        ...(body.seat ? { seat: body.seat } : {}),
        ...(body.sessionId ? { sessionId: body.sessionId } : {}),
        ...(body.speak ? { speak: true } : {}),
        source: 'text',
      });
      return responseDto(r);
    },
  );

  app.get(
    '/v1/assistant/turns',
    {
      schema: {
        tags: ['assistant'],
        summary: 'Stored assistant turns, newest first',
        querystring: TurnsQuery,
        response: { 200: Type.Array(TurnSchema), 400: ErrorSchema, 503: ErrorSchema },
      },
    },
    async (req) => opts.store.turns({ ...(req.query.limit ? { limit: req.query.limit } : {}), ...(req.query.sessionId ? { sessionId: req.query.sessionId } : {}) }),
  );
};
