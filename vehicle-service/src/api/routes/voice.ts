import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyPluginAsync } from 'fastify';
import { TypeBoxValidatorCompiler, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type Static } from '@sinclair/typebox';
import { isAurigaError } from '@auriga/common';
import type { CompiledContext } from '../../context/types.js';
import type { SpeechEngine } from '../../speech/engine.js';
import { AudioEmptyError, AudioMediaTypeError, AudioTooLongError } from '../../speech/errors.js';
import { WAV_DEFAULTS } from '../../speech/audio/wav.js';

/** Dependencies of the voice route (passed as plugin options). */
export interface VoiceRoutesOptions {
  engine: Pick<SpeechEngine, 'recognize'>;
  /** The context to decode against (a function, so the service can swap contexts at run time). */
  context: CompiledContext | (() => CompiledContext);
  /** Largest body accepted, bytes (default 16 MiB, the WAV parser's limit). */
  maxBytes?: number;
}

export const VoiceResponseSchema = Type.Object({
  isUnderstood: Type.Boolean(),
  intent: Type.Union([Type.String(), Type.Null()]),
  slots: Type.Record(Type.String(), Type.String()),
  numbers: Type.Record(Type.String(), Type.Number()),
  confidence: Type.Number({ minimum: 0, maximum: 1 }),
  timings: Type.Object({
    audioMs: Type.Number(),
    acousticMs: Type.Number(),
    decodeMs: Type.Number(),
    totalMs: Type.Number(),
    audioSec: Type.Number(),
    rtf: Type.Number(),
  }),
});
export type VoiceResponse = Static<typeof VoiceResponseSchema>;

const ErrorSchema = Type.Object({ statusCode: Type.Integer(), code: Type.String(), error: Type.String(), message: Type.String() });

const WAV_TYPES = ['audio/wav', 'audio/x-wav', 'audio/wave', 'audio/vnd.wave', 'application/octet-stream'];

/**
 * POST /v1/voice: a WAV file as the raw body (Content-Type audio/wav) -> the understood intent.
 * Bad audio answers 4xx with its AURIGA_ERR_AUDIO_* code; the service keeps running.
 */
export const voiceRoutes: FastifyPluginAsync<VoiceRoutesOptions> = async (fastify, opts) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const maxBytes = opts.maxBytes ?? WAV_DEFAULTS.maxBytes;
  app.setValidatorCompiler(TypeBoxValidatorCompiler);
  // Raw bytes for WAV bodies (this plugin's routes only: content type parsers are encapsulated).
  app.addContentTypeParser(WAV_TYPES, { parseAs: 'buffer', bodyLimit: maxBytes }, (_req, body, done) => done(null, body));
  app.setErrorHandler((err: FastifyError, req, reply) => {
    let status = err.validation ? 400 : isAurigaError(err) ? err.statusCode : typeof err.statusCode === 'number' && err.statusCode < 500 ? err.statusCode : 500;
    let code = err.validation ? 'AURIGA_ERR_API_VALIDATION' : isAurigaError(err) ? err.code : status < 500 ? 'AURIGA_ERR_API_BAD_REQUEST' : 'AURIGA_ERR_API_INTERNAL';
    let message = status >= 500 && !isAurigaError(err) ? 'internal error' : err.message;
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      const e = AudioTooLongError(`body larger than ${maxBytes} bytes`);
      [status, code, message] = [e.statusCode, e.code, e.message];
    } else if (err.code === 'FST_ERR_CTP_EMPTY_BODY') {
      const e = AudioEmptyError('the body has 0 bytes');
      [status, code, message] = [e.statusCode, e.code, e.message];
    } else if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      const e = AudioMediaTypeError(String(req.headers['content-type'] ?? ''));
      [status, code, message] = [e.statusCode, e.code, e.message];
    }
    if (status >= 500) req.log.error({ err }, 'voice request failed');
    return reply.code(status).send({ statusCode: status, code, error: STATUS_CODES[status] ?? 'Error', message });
  });

  app.post(
    '/v1/voice',
    {
      bodyLimit: maxBytes,
      schema: {
        tags: ['assistant'],
        summary: 'Understand a spoken command (16-bit PCM WAV, any rate and channel count, as the raw body)',
        consumes: ['audio/wav'],
        response: { 200: VoiceResponseSchema, 400: ErrorSchema, 413: ErrorSchema, 415: ErrorSchema, 503: ErrorSchema },
      },
    },
    async (req): Promise<VoiceResponse> => {
      const body = req.body;
      if (body !== undefined && body !== null && !Buffer.isBuffer(body)) throw AudioMediaTypeError(String(req.headers['content-type'] ?? ''));
      if (!body || body.length === 0) throw AudioEmptyError('the body has 0 bytes');
      const context = typeof opts.context === 'function' ? opts.context() : opts.context;
      const r = await opts.engine.recognize(new Uint8Array(body.buffer, body.byteOffset, body.byteLength), context);
      req.log.info({ intent: r.intent, isUnderstood: r.isUnderstood, confidence: r.confidence, ms: r.timings.totalMs }, 'voice command');
      return { isUnderstood: r.isUnderstood, intent: r.intent ?? null, slots: r.slots, numbers: r.numbers, confidence: r.confidence, timings: r.timings };
    },
  );
};
