import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyPluginAsync } from 'fastify';
import { TypeBoxValidatorCompiler, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type Static } from '@sinclair/typebox';
import type { WebSocket } from 'ws';
import { isAurigaError, type AurigaError } from '@auriga/common';
import type { Assistant } from '../../assistant/assistant.js';
import { ANSWER_LANGS, SEATS, type AnswerLang, type Seat } from '../../assistant/types.js';
import type { SpeechEngine, SpeechResult } from '../../speech/engine.js';
import { AudioEmptyError, AudioMediaTypeError, AudioTooLongError, SpeechUnavailableError } from '../../speech/errors.js';
import { MODEL_SAMPLE_RATE, WAV_DEFAULTS } from '../../speech/audio/index.js';
import { VoiceStreamSession, type Endpointer } from '../../speech/stream/session.js';
import { AssistantResponseSchema, responseDto } from './assistant.js';

/** What recognition needs from an engine. */
export type Recognizer = Pick<SpeechEngine, 'recognize'>;

/**
 * Where the voice routes get their engine, once per recognition: `use` runs `fn` on the engine current at
 * that moment, which stays usable until `fn` settles. With OTA on, the agent's holder stands behind it, so
 * a speech-model switch is atomic: in-flight recognitions finish on the old engine, new ones get the new one.
 */
export interface SpeechProvider {
  /** False when no engine is loaded (the routes answer 503). */
  available(): boolean;
  use<T>(fn: (engine: Recognizer) => Promise<T>): Promise<T>;
}

/** A provider over one engine loaded at start (OTA off); undefined, or a getter answering undefined, = voice off. */
export function singleEngineProvider(engine: Recognizer | undefined | (() => Recognizer | undefined)): SpeechProvider {
  const now = () => (typeof engine === 'function' ? engine() : engine);
  return {
    available: () => now() !== undefined,
    use: async (fn) => {
      const e = now();
      if (!e) throw SpeechUnavailableError('the speech engine is not loaded');
      return fn(e);
    },
  };
}

/** Dependencies of the voice routes (passed as plugin options). */
export interface VoiceRoutesOptions {
  /** The engine per request (takes precedence over `engine`). */
  speech?: SpeechProvider;
  /** One loaded engine; undefined (or a getter answering undefined) = voice is off and the routes answer 503. */
  engine?: Recognizer | undefined | (() => Recognizer | undefined);
  /** Why the engine is missing (shown in the 503). */
  unavailableReason?: string;
  /** Acts on the recognized intent; its current context (OTA may swap it) is the one decoded against. */
  assistant: Pick<Assistant, 'handleIntent' | 'context'>;
  /** Holds notifications back while a voice turn is in progress. */
  driving?: { setInteractionActive(active: boolean): void } | undefined;
  /** Largest WAV body accepted, bytes (default 16 MiB, the WAV parser's limit). */
  maxBytes?: number;
  /** WebSocket limits: longest utterance (s, default 15), idle timeout (ms, default 10 000). */
  stream?: { maxAudioSec?: number; idleTimeoutMs?: number };
  /** Hands-free endpointing for the stream (Silero VAD); absent = push-to-talk only. */
  createEndpointer?: () => Endpointer | Promise<Endpointer>;
}

/** The POST /v1/text answer plus what recognition found. */
export const VoiceResponseSchema = Type.Composite([
  Type.Omit(AssistantResponseSchema, ['timings']),
  Type.Object({
    confidence: Type.Number({ minimum: 0, maximum: 1, description: 'Recognition confidence.' }),
    audioDurationMs: Type.Number(),
    timings: Type.Object({
      audioMs: Type.Number({ description: 'WAV parsing and resampling' }),
      acousticMs: Type.Number(),
      decodeMs: Type.Number(),
      recognitionMs: Type.Number({ description: 'audioMs + acousticMs + decodeMs' }),
      rtf: Type.Number({ description: 'recognitionMs / audio duration' }),
      understandMs: Type.Number(),
      planMs: Type.Number(),
      actMs: Type.Number(),
      answerMs: Type.Number(),
      ttsMs: Type.Optional(Type.Number()),
      totalMs: Type.Number({ description: 'recognition + assistant turn' }),
    }),
  }),
]);
export type VoiceResponse = Static<typeof VoiceResponseSchema>;

const VoiceQuery = Type.Object(
  {
    lang: Type.Optional(Type.Union(ANSWER_LANGS.map((l) => Type.Literal(l)), { description: 'Answer language (default en-US).' })),
    seat: Type.Optional(Type.Union(SEATS.map((s) => Type.Literal(s)), { description: 'Who spoke (default driver).' })),
    sessionId: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    speak: Type.Optional(Type.Union([Type.Literal('1'), Type.Literal('0'), Type.Literal('true'), Type.Literal('false')], { description: '1: also return the spoken answer.' })),
  },
  { additionalProperties: false },
);

const ErrorSchema = Type.Object({ statusCode: Type.Integer(), code: Type.String(), error: Type.String(), message: Type.String() });

const WAV_TYPES = ['audio/wav', 'audio/x-wav', 'audio/wave', 'audio/vnd.wave', 'application/octet-stream'];

export interface VoiceTurnOptions {
  lang?: AnswerLang;
  seat?: Seat;
  sessionId?: string;
  speak?: boolean;
}

/** What a voice turn needs: the engine, the assistant, and who holds notifications back. */
export type VoiceTurnsOptions = Pick<VoiceRoutesOptions, 'speech' | 'engine' | 'unavailableReason' | 'assistant' | 'driving'>;

/** Recognition then the assistant turn, as POST /v1/voice, the voice stream and the hands-free microphone run it. */
export interface VoiceTurns {
  /** False when no engine is loaded. */
  available(): boolean;
  /** The AURIGA_ERR_SPEECH_UNAVAILABLE error to answer without an engine. */
  unavailable(): AurigaError;
  /** WAV bytes or 16 kHz samples -> the POST /v1/voice answer. Bad audio rejects with its AURIGA_ERR_AUDIO_* error. */
  run(audio: Uint8Array | Float32Array, options: VoiceTurnOptions): Promise<VoiceResponse>;
}

/** Voice turns in progress per notification holder, counted over every runner sharing it (routes, microphone). */
const activeTurnsOf = new WeakMap<object, number>();

export function createVoiceTurns(opts: VoiceTurnsOptions): VoiceTurns {
  const speech = opts.speech ?? singleEngineProvider(opts.engine);
  const unavailable = () => SpeechUnavailableError(opts.unavailableReason ?? 'the speech engine is not loaded');

  /**
   * One recognition on the provider's current engine (only recognition: the assistant turn runs after the
   * engine is handed back). Bad audio is the caller's fault, not the model's: it is answered outside the
   * provider so the OTA health window does not count it as a failed request of a new model.
   */
  const recognize = async (audio: Uint8Array | Float32Array): Promise<SpeechResult> => {
    const context = opts.assistant.context;
    const r = await speech.use(async (engine) => {
      try {
        return { recognized: await engine.recognize(audio, context) };
      } catch (err) {
        if (isAurigaError(err) && err.statusCode < 500) return { rejected: err };
        throw err;
      }
    });
    if ('rejected' in r) throw r.rejected;
    return r.recognized;
  };

  // Notifications wait while any voice turn is in progress (overlapping turns counted).
  const driving = opts.driving;
  const begin = () => {
    if (!driving) return;
    const n = activeTurnsOf.get(driving) ?? 0;
    activeTurnsOf.set(driving, n + 1);
    if (n === 0) driving.setInteractionActive(true);
  };
  const end = () => {
    if (!driving) return;
    const n = Math.max(0, (activeTurnsOf.get(driving) ?? 1) - 1);
    activeTurnsOf.set(driving, n);
    if (n === 0) driving.setInteractionActive(false);
  };

  const run = async (audio: Uint8Array | Float32Array, options: VoiceTurnOptions): Promise<VoiceResponse> => {
    if (!speech.available()) throw unavailable();
    begin();
    try {
      const recognized: SpeechResult = await recognize(audio);
      const audioDurationMs = Math.round(recognized.timings.audioSec * 1000);
      const turn = await opts.assistant.handleIntent(recognized, { ...options, source: 'voice', audioDurationMs });
      const dto = responseDto(turn);
      const t = recognized.timings;
      return {
        ...dto,
        confidence: recognized.confidence,
        audioDurationMs,
        timings: {
          audioMs: t.audioMs,
          acousticMs: t.acousticMs,
          decodeMs: t.decodeMs,
          recognitionMs: t.totalMs,
          rtf: t.rtf,
          ...dto.timings,
          totalMs: Math.round((t.totalMs + dto.timings.totalMs) * 100) / 100,
        },
      };
    } finally {
      end();
    }
  };
  return { available: () => speech.available(), unavailable, run };
}

/**
 * POST /v1/voice (a WAV file as the raw body) and WebSocket /v1/voice/stream (16 kHz PCM frames):
 * recognition against the assistant's current context, then the same turn as POST /v1/text.
 * Bad audio answers 4xx with its AURIGA_ERR_AUDIO_* code; without an engine, 503; the service keeps running.
 */
export const voiceRoutes: FastifyPluginAsync<VoiceRoutesOptions> = async (fastify, opts) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const maxBytes = opts.maxBytes ?? WAV_DEFAULTS.maxBytes;
  const turns = createVoiceTurns(opts);
  const engineNow = () => turns.available();
  const unavailable = () => turns.unavailable();
  const runTurn = turns.run;
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
    if (status >= 500 && status !== 503) req.log.error({ err }, 'voice request failed');
    return reply.code(status).send({ statusCode: status, code, error: STATUS_CODES[status] ?? 'Error', message });
  });

  app.post(
    '/v1/voice',
    {
      bodyLimit: maxBytes,
      schema: {
        tags: ['assistant'],
        summary: 'Run a spoken command (16-bit PCM WAV, any rate and channel count, as the raw body) through the assistant',
        description:
          'The same answer as POST /v1/text plus the recognition confidence and timings. ?lang=zh-CN answers in Chinese, ' +
          '?seat=passenger picks the zone, ?sessionId= continues a conversation, ?speak=1 adds the spoken answer. ' +
          '400/413/415 for bad audio (AURIGA_ERR_AUDIO_*), 503 AURIGA_ERR_SPEECH_UNAVAILABLE when the speech model did not load.',
        consumes: ['audio/wav'],
        querystring: VoiceQuery,
        response: { 200: VoiceResponseSchema, 400: ErrorSchema, 413: ErrorSchema, 415: ErrorSchema, 503: ErrorSchema },
      },
    },
    async (req): Promise<VoiceResponse> => {
      const body = req.body;
      if (body !== undefined && body !== null && !Buffer.isBuffer(body)) throw AudioMediaTypeError(String(req.headers['content-type'] ?? ''));
      if (!engineNow()) throw unavailable();
      if (!body || body.length === 0) throw AudioEmptyError('the body has 0 bytes');
      const q = req.query;
      const r = await runTurn(new Uint8Array(body.buffer, body.byteOffset, body.byteLength), {
        ...(q.lang ? { lang: q.lang } : {}),
        ...(q.seat ? { seat: q.seat } : {}),
        ...(q.sessionId ? { sessionId: q.sessionId } : {}),
        ...(q.speak === '1' || q.speak === 'true' ? { speak: true } : {}),
      });
      req.log.info({ intent: r.intent, isUnderstood: r.isUnderstood, confidence: r.confidence, recognitionMs: r.timings.recognitionMs, audioMs: r.audioDurationMs }, 'voice command');
      return r;
    },
  );

  // wsHandler (not `websocket: true`) keeps the route in the OpenAPI document; a plain GET gets a 426.
  app.route({
    method: 'GET',
    url: '/v1/voice/stream',
    schema: {
      tags: ['assistant'],
      summary: 'WebSocket: stream a spoken command as 16 kHz mono Int16 LE PCM and get the assistant\'s answer',
      description:
        `Client: {"type":"start","lang","seat","sessionId","speak","sampleRate":${MODEL_SAMPLE_RATE},"encoding":"pcm_s16le","channels":1,"mode":"push-to-talk"|"hands-free"}, ` +
        'binary PCM frames, then {"type":"end"} (hands-free: the server ends the utterance after about 700 ms of silence) or {"type":"cancel"}. ' +
        'Server: {"type":"result", ...the POST /v1/voice answer} or {"type":"error","code","message"}; {"type":"cancelled"} after a cancel. ' +
        'At most 15 s of audio per utterance; an idle socket is closed after 10 s. A plain GET answers 426; 503 when the speech model did not load.',
      response: { 426: ErrorSchema, 503: ErrorSchema },
    },
    // Refuses the upgrade itself (HTTP 503) without an engine, so the HMI's probe sees voice as unavailable.
    preValidation: async () => {
      if (!engineNow()) throw unavailable();
    },
    handler: async (_req, reply) => {
      if (!engineNow()) throw unavailable();
      return reply
        .code(426)
        .header('upgrade', 'websocket')
        .send({ statusCode: 426, code: 'AURIGA_ERR_API_UPGRADE_REQUIRED', error: STATUS_CODES[426]!, message: 'this endpoint is a WebSocket: connect with an Upgrade: websocket request' });
    },
    wsHandler: (raw, req) => {
      const socket = raw as unknown as WebSocket;
      const send = (msg: Record<string, unknown>) => {
        if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(msg));
      };
      if (!engineNow()) {
        const e = unavailable();
        send({ type: 'error', code: e.code, message: e.message });
        socket.close(1011, 'voice unavailable');
        return;
      }
      const session = new VoiceStreamSession({
        utterance: async (start, samples) => {
          const r = await runTurn(samples, start);
          req.log.info({ intent: r.intent, isUnderstood: r.isUnderstood, confidence: r.confidence, recognitionMs: r.timings.recognitionMs, audioMs: r.audioDurationMs, mode: start.mode }, 'streamed voice command');
          return r as unknown as Record<string, unknown>;
        },
        send,
        close: (code, reason) => socket.close(code, reason),
        ...(opts.stream?.maxAudioSec !== undefined ? { maxAudioSec: opts.stream.maxAudioSec } : {}),
        ...(opts.stream?.idleTimeoutMs !== undefined ? { idleTimeoutMs: opts.stream.idleTimeoutMs } : {}),
        ...(opts.createEndpointer ? { createEndpointer: opts.createEndpointer } : {}),
        onError: (err) => req.log.error({ err }, 'voice stream failed'),
      });
      socket.on('message', (data, isBinary) => {
        try {
          const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
          if (isBinary) session.onBinary(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength));
          else session.onText(buf.toString('utf8'));
        } catch (err) {
          req.log.error({ err }, 'voice stream message failed');
        }
      });
      socket.on('close', () => session.destroy());
      socket.on('error', () => session.destroy());
    },
  });
};
