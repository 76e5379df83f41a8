/**
 * One voice WebSocket (`/v1/voice/stream`), transport-free: the route feeds it the socket's messages
 * and gives it `send`/`close`. Protocol (hmi-web/README.md):
 *   -> {"type":"start","lang","seat","sessionId","speak","sampleRate":16000,"encoding":"pcm_s16le","channels":1,"mode"}
 *   -> binary frames of 16 kHz mono signed 16-bit little-endian PCM
 *   -> {"type":"end"} (push-to-talk) or, with mode "hands-free", the server's endpointer ends the utterance
 *   -> {"type":"cancel"} drops the utterance (answered {"type":"cancelled"})
 *   <- {"type":"result", ...the POST /v1/text answer} | {"type":"error","code","message"}
 * Several utterances may follow one another on one socket. A bad message is answered with an error
 * and drops the utterance in progress; it never throws.
 */
import { isAurigaError } from '@auriga/common';
import { ANSWER_LANGS, SEATS, type AnswerLang, type Seat } from '../../assistant/types.js';
import { MODEL_SAMPLE_RATE } from '../audio/index.js';
import { AudioEmptyError, AudioTooLongError, VoiceStreamIdleError, VoiceStreamProtocolError } from '../errors.js';

export type VoiceStreamMode = 'push-to-talk' | 'hands-free';

export interface VoiceStreamStart {
  lang?: AnswerLang;
  seat?: Seat;
  sessionId?: string;
  speak?: boolean;
  mode: VoiceStreamMode;
}

/** Decides when a hands-free utterance is over (e.g. Silero VAD: enough silence after speech). */
export interface Endpointer {
  /** Feeds 16 kHz samples; true once the utterance has ended. */
  push(samples: Float32Array): Promise<boolean> | boolean;
  close?(): void;
}

export interface VoiceStreamSessionOptions {
  /** Runs one finished utterance; resolves with the fields sent after `type: "result"`. */
  utterance(start: VoiceStreamStart, samples: Float32Array): Promise<Record<string, unknown>>;
  send(message: Record<string, unknown>): void;
  close(code: number, reason: string): void;
  /** Longest utterance accepted, seconds (default 15). */
  maxAudioSec?: number;
  /** Close the socket after this long without a message while not answering (ms, default 10 000). */
  idleTimeoutMs?: number;
  /** For hands-free mode; absent = a hands-free start is refused with a protocol error. */
  createEndpointer?: () => Endpointer | Promise<Endpointer>;
  setTimeout?: (fn: () => void, ms: number) => unknown;
  clearTimeout?: (handle: unknown) => void;
  /** Unexpected failures (bugs, engine errors): logged by the caller. */
  onError?: (err: unknown) => void;
}

type Phase = 'idle' | 'listening' | 'answering' | 'closed';

const MAX_SESSION_ID = 128;

export class VoiceStreamSession {
  private phase: Phase = 'idle';
  private start: VoiceStreamStart | undefined;
  private chunks: Float32Array[] = [];
  private samples = 0;
  private timer: unknown;
  private endpointer: Promise<Endpointer> | undefined;
  /** Serializes the endpointer's (asynchronous) work in arrival order. */
  private vadChain: Promise<unknown> = Promise.resolve();
  /** Bumped whenever the utterance in progress is dropped or finished: late async work checks it. */
  private generation = 0;
  /** The mode of the last utterance started (its trailing frames are ignored after a hands-free one). */
  private lastMode: VoiceStreamMode | undefined;
  private readonly maxSamples: number;
  private readonly idleTimeoutMs: number;

  constructor(private readonly opts: VoiceStreamSessionOptions) {
    this.maxSamples = Math.round((opts.maxAudioSec ?? 15) * MODEL_SAMPLE_RATE);
    this.idleTimeoutMs = opts.idleTimeoutMs ?? 10_000;
    this.armIdle();
  }

  get state(): Phase {
    return this.phase;
  }

  /** Seconds of audio received for the utterance in progress. */
  get secondsReceived(): number {
    return this.samples / MODEL_SAMPLE_RATE;
  }

  onText(text: string): void {
    if (this.phase === 'closed') return;
    this.armIdle();
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      return this.fail(VoiceStreamProtocolError('a text message is not JSON'));
    }
    const type = typeof msg === 'object' && msg !== null ? (msg as { type?: unknown }).type : undefined;
    if (type === 'start') return this.onStart(msg as Record<string, unknown>);
    if (type === 'end') {
      if (this.phase !== 'listening') return this.fail(VoiceStreamProtocolError(`"end" without a "start"`), false);
      return void this.finish();
    }
    if (type === 'cancel') {
      this.lastMode = undefined;
      this.dropUtterance();
      this.opts.send({ type: 'cancelled' });
      return;
    }
    this.fail(VoiceStreamProtocolError(`unknown message type ${JSON.stringify(type ?? null)}; expected start, end or cancel`));
  }

  onBinary(data: Uint8Array): void {
    if (this.phase === 'closed') return;
    this.armIdle();
    // Frames after the end of a hands-free utterance, while it is answered and until the next "start": a
    // continuously streaming microphone cannot stop at the endpoint, so they are ignored, not errors.
    if (this.phase === 'answering' || (this.phase === 'idle' && this.lastMode === 'hands-free')) return;
    if (this.phase !== 'listening') return this.fail(VoiceStreamProtocolError('audio before "start"'), false);
    if (data.byteLength % 2 !== 0) return this.fail(VoiceStreamProtocolError(`an audio frame of ${data.byteLength} bytes: 16-bit samples need an even count`));
    const n = data.byteLength / 2;
    if (n === 0) return;
    if (this.samples + n > this.maxSamples) {
      return this.fail(AudioTooLongError(`more than ${this.maxSamples / MODEL_SAMPLE_RATE} s of audio in one utterance`));
    }
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    const frame = new Float32Array(n);
    for (let i = 0; i < n; i++) frame[i] = view.getInt16(i * 2, true) / 32768;
    this.chunks.push(frame);
    this.samples += n;
    if (this.endpointer) {
      const gen = this.generation;
      const ep = this.endpointer;
      const upTo = this.samples;
      this.vadChain = this.vadChain
        .then(async () => {
          if (gen !== this.generation || this.phase !== 'listening') return;
          const ended = await (await ep).push(frame);
          // The utterance is what the endpointer heard up to its end; later frames are not part of it.
          if (ended && gen === this.generation && this.phase === 'listening') await this.finish(upTo);
        })
        .catch((err: unknown) => {
          if (gen !== this.generation) return;
          this.opts.onError?.(err);
          this.fail(err);
        });
    }
  }

  /** The socket closed: drop everything, send nothing more. Idempotent. */
  destroy(): void {
    if (this.phase === 'closed') return;
    this.dropUtterance();
    this.phase = 'closed';
    this.clearIdle();
  }

  private onStart(msg: Record<string, unknown>): void {
    if (this.phase === 'listening' || this.phase === 'answering') {
      return this.fail(VoiceStreamProtocolError(`"start" while an utterance is ${this.phase === 'listening' ? 'in progress' : 'being answered'}`), this.phase === 'listening');
    }
    const problem = checkStart(msg);
    if (problem) return this.fail(VoiceStreamProtocolError(problem), false);
    const mode: VoiceStreamMode = msg.mode === 'hands-free' ? 'hands-free' : 'push-to-talk';
    if (mode === 'hands-free' && !this.opts.createEndpointer) return this.fail(VoiceStreamProtocolError('hands-free mode is not available: send "end" (push-to-talk)'), false);
    this.lastMode = mode;
    this.start = {
      mode,
      ...(typeof msg.lang === 'string' ? { lang: msg.lang as AnswerLang } : {}),
      ...(typeof msg.seat === 'string' ? { seat: msg.seat as Seat } : {}),
      ...(typeof msg.sessionId === 'string' ? { sessionId: msg.sessionId } : {}),
      ...(msg.speak === true ? { speak: true } : {}),
    };
    this.chunks = [];
    this.samples = 0;
    this.generation++;
    this.phase = 'listening';
    if (mode === 'hands-free') {
      const created = Promise.resolve().then(() => this.opts.createEndpointer!());
      created.catch(() => undefined); // reported when the first frame uses it
      this.endpointer = created;
    }
  }

  /** Answers the utterance: its first `upTo` samples (default all received). */
  private async finish(upTo = this.samples): Promise<void> {
    const start = this.start!;
    const audio = concat(this.chunks, Math.min(upTo, this.samples));
    this.dropUtterance();
    if (audio.length === 0) {
      this.sendError(AudioEmptyError('no audio frames between "start" and "end"'));
      return;
    }
    this.phase = 'answering';
    this.clearIdle();
    try {
      const result = await this.opts.utterance(start, audio);
      if (this.isClosed()) return;
      this.opts.send({ type: 'result', ...result });
    } catch (err) {
      if (this.isClosed()) return;
      if (!isAurigaError(err) || err.statusCode >= 500) this.opts.onError?.(err);
      this.sendError(err);
    }
    if (this.phase === 'answering') {
      this.phase = 'idle';
      this.armIdle();
    }
  }

  /** A method, so the compiler does not narrow the phase across awaits. */
  private isClosed(): boolean {
    return this.phase === 'closed';
  }

  /** Answers an error; drops the utterance in progress unless `drop` is false. */
  private fail(err: unknown, drop = true): void {
    if (this.phase === 'closed') return;
    if (drop && this.phase === 'listening') {
      this.dropUtterance();
      this.phase = 'idle';
    }
    this.sendError(err);
  }

  private sendError(err: unknown): void {
    if (isAurigaError(err)) this.opts.send({ type: 'error', code: err.code, message: err.message });
    else this.opts.send({ type: 'error', code: 'AURIGA_ERR_API_INTERNAL', message: 'internal error while answering the voice command' });
  }

  private dropUtterance(): void {
    this.generation++;
    this.chunks = [];
    this.samples = 0;
    if (this.phase === 'listening') this.phase = 'idle';
    const ep = this.endpointer;
    this.endpointer = undefined;
    void ep?.then((e) => e.close?.()).catch(() => undefined);
  }

  private armIdle(): void {
    this.clearIdle();
    if (this.phase === 'closed' || this.phase === 'answering') return;
    const st = this.opts.setTimeout ?? ((fn, ms) => setTimeout(fn, ms));
    this.timer = st(() => {
      this.timer = undefined;
      if (this.phase === 'closed' || this.phase === 'answering') return;
      this.dropUtterance();
      this.sendError(VoiceStreamIdleError(this.idleTimeoutMs));
      this.phase = 'closed';
      this.opts.close(1000, 'idle');
    }, this.idleTimeoutMs);
  }

  private clearIdle(): void {
    if (this.timer === undefined) return;
    (this.opts.clearTimeout ?? ((h) => clearTimeout(h as NodeJS.Timeout)))(this.timer);
    this.timer = undefined;
  }
}

/** What is wrong with a start message, or undefined. */
function checkStart(msg: Record<string, unknown>): string | undefined {
  if (msg.sampleRate !== undefined && msg.sampleRate !== MODEL_SAMPLE_RATE) return `sampleRate ${JSON.stringify(msg.sampleRate)}: send ${MODEL_SAMPLE_RATE} Hz audio`;
  if (msg.encoding !== undefined && msg.encoding !== 'pcm_s16le') return `encoding ${JSON.stringify(msg.encoding)}: send pcm_s16le`;
  if (msg.channels !== undefined && msg.channels !== 1) return `channels ${JSON.stringify(msg.channels)}: send mono audio`;
  if (msg.lang !== undefined && !(ANSWER_LANGS as readonly unknown[]).includes(msg.lang)) return `lang ${JSON.stringify(msg.lang)}: one of ${ANSWER_LANGS.join(', ')}`;
  if (msg.seat !== undefined && !(SEATS as readonly unknown[]).includes(msg.seat)) return `seat ${JSON.stringify(msg.seat)}: one of ${SEATS.join(', ')}`;
  if (msg.sessionId !== undefined && (typeof msg.sessionId !== 'string' || msg.sessionId.length < 1 || msg.sessionId.length > MAX_SESSION_ID)) {
    return `sessionId must be a string of 1 to ${MAX_SESSION_ID} characters`;
  }
  if (msg.speak !== undefined && typeof msg.speak !== 'boolean') return 'speak must be true or false';
  if (msg.mode !== undefined && msg.mode !== 'push-to-talk' && msg.mode !== 'hands-free') return `mode ${JSON.stringify(msg.mode)}: push-to-talk or hands-free`;
  return undefined;
}

function concat(chunks: Float32Array[], total: number): Float32Array {
  const out = new Float32Array(total);
  let at = 0;
  for (const c of chunks) {
    if (at >= total) break;
    const part = c.length <= total - at ? c : c.subarray(0, total - at);
    out.set(part, at);
    at += part.length;
  }
  return out;
}
