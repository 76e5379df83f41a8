/**
 * Hands-free listening on a continuous microphone: the glue between a PCM source (ArecordMicrophone)
 * and the voice-stream session (stream/session.ts) with Silero VAD endpointing. The listener plays the
 * client side of the `/v1/voice/stream` protocol: a hands-free "start", the audio, a new "start" after
 * each answer. Each endpointed utterance goes to `utterance` (the engine, or the assistant turn of
 * POST /v1/voice) and its result to `onResult`.
 *
 * What a socket client does not need and a microphone does:
 * - Nothing is lost between utterances: audio that arrives while an utterance is answered, or that the
 *   session dropped because it came after the endpoint, is replayed into the next utterance.
 * - Silence does not pile up: while no speech has been heard, the utterance is restarted every
 *   `rollAfterSec` with the last `preRollSec` kept, so an utterance starts shortly before its speech
 *   (the engine was tuned with up to 2 s of padding) and the 15 s limit is about speech only.
 * - drain() answers an utterance cut off by the end of the input (max-seconds, Ctrl+C, the mic stopping).
 */
import { AurigaError, isAurigaError } from '@auriga/common';
import type { ArecordMicrophone } from './audio/microphone.js';
import { MODEL_SAMPLE_RATE } from './audio/index.js';
import { VoiceStreamIdleError } from './errors.js';
import { VoiceStreamSession, type Endpointer, type VoiceStreamStart } from './stream/session.js';

/** An endpointer that can tell whether it has heard speech yet (SileroEndpointer: `detector.speechStarted`). */
export type MicEndpointer = Endpointer & { readonly detector?: { readonly speechStarted: boolean }; readonly speechStarted?: boolean };

export interface MicListenerOptions<R extends object> {
  /** Runs one endpointed utterance (16 kHz mono samples in [-1, 1)). */
  utterance(samples: Float32Array, start: VoiceStreamStart): Promise<R>;
  /** A fresh endpointer per utterance, e.g. `() => vad.endpointer()`. */
  createEndpointer(): MicEndpointer | Promise<MicEndpointer>;
  onResult(result: R): void;
  /** An utterance that failed (AURIGA_ERR_AUDIO_TOO_LONG, AURIGA_ERR_SPEECH_UNAVAILABLE, an engine error...). */
  onError?(err: AurigaError): void;
  /** Sent with every hands-free start (answer language, seat, conversation). */
  start?: Omit<VoiceStreamStart, 'mode'>;
  /** Longest utterance (s, default 15, as on the WebSocket). */
  maxAudioSec?: number;
  /** Restart an utterance in which no speech was heard after this long (s, default 1.5). */
  rollAfterSec?: number;
  /** Audio kept from before such a restart (s, default 0.5). */
  preRollSec?: number;
}

/** Endpointer wrapper: counts what it has consumed and where the utterance ended. */
class Tracked implements Endpointer {
  consumed = 0;
  endedAt: number | undefined;

  constructor(
    private readonly inner: MicEndpointer,
    private readonly onProgress: () => void,
  ) {}

  get speechStarted(): boolean {
    return this.inner.detector?.speechStarted ?? this.inner.speechStarted ?? false;
  }

  async push(samples: Float32Array): Promise<boolean> {
    try {
      const ended = await this.inner.push(samples);
      this.consumed += samples.length;
      if (ended && this.endedAt === undefined) this.endedAt = this.consumed;
      return ended;
    } finally {
      queueMicrotask(this.onProgress);
    }
  }

  close(): void {
    this.inner.close?.();
  }
}

interface Utterance {
  /** Int16 chunks forwarded to the session for this utterance, in order. */
  readonly chunks: Int16Array[];
  forwarded: number;
  ep: Tracked | undefined;
}

export class MicListener<R extends object> {
  private session: VoiceStreamSession | undefined;
  /** Received, not yet forwarded. */
  private queue: Int16Array[] = [];
  private utt: Utterance | undefined;
  private closed = false;
  private waiters: Array<() => void> = [];
  private lastResult: R | undefined;
  private lastError: unknown;
  private inflight: Promise<unknown> = Promise.resolve();
  private readonly rollAfter: number;
  private readonly preRoll: number;
  /** Utterances answered (results and errors). */
  answered = 0;

  constructor(private readonly opts: MicListenerOptions<R>) {
    this.rollAfter = Math.round((opts.rollAfterSec ?? 1.5) * MODEL_SAMPLE_RATE);
    this.preRoll = Math.round((opts.preRollSec ?? 0.5) * MODEL_SAMPLE_RATE);
  }

  /** Feeds microphone audio (16 kHz mono Int16). */
  push(pcm: Int16Array): void {
    if (this.closed || pcm.length === 0) return;
    this.queue.push(pcm);
    this.maybeRoll();
    this.pump();
  }

  /** Listens to a microphone's `pcm` events; returns the function that stops listening. */
  attach(mic: Pick<ArecordMicrophone, 'on' | 'off'>): () => void {
    const onPcm = (pcm: Int16Array) => this.push(pcm);
    mic.on('pcm', onPcm);
    return () => mic.off('pcm', onPcm);
  }

  /** Drops the utterance being heard and what is queued (the audio stream broke, e.g. the mic restarts). */
  reset(): void {
    if (this.closed) return;
    this.queue = [];
    if (this.session?.state === 'listening') this.session.onText('{"type":"cancel"}');
    if (this.session?.state !== 'answering') this.utt = undefined;
  }

  /**
   * No more input: lets the endpointer catch up with what was received, answers every utterance in it
   * (one cut off by the end of the input too, if speech was heard), then closes.
   */
  async drain(): Promise<void> {
    while (!this.closed) {
      await this.settled();
      const s = this.session;
      if (!this.closed && s?.state === 'listening' && this.utt?.ep?.speechStarted) {
        s.onText('{"type":"end"}');
        await this.settled();
        continue;
      }
      break;
    }
    await this.close();
  }

  /** Drops everything; resolves when an utterance being answered has settled. Idempotent. */
  async close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.queue = [];
      this.session?.destroy();
      this.session = undefined;
      this.notify();
    }
    await this.inflight.catch(() => undefined);
  }

  private ensureSession(): VoiceStreamSession {
    if (this.session && this.session.state !== 'closed') return this.session;
    const session: VoiceStreamSession = new VoiceStreamSession({
      utterance: (start, samples) => {
        const run = this.opts.utterance(samples, start).then(
          (r) => {
            this.lastResult = r;
            return r as unknown as Record<string, unknown>;
          },
          (err: unknown) => {
            this.lastError = err;
            throw err;
          },
        );
        this.inflight = run;
        return run;
      },
      send: (msg) => this.onMessage(session, msg),
      close: () => {
        // Only the idle timeout closes a session (no audio for a long time): a new one starts with the next audio.
        if (this.session === session) this.session = undefined;
        this.utt = undefined;
      },
      // The microphone sends continuously; a stall is the microphone's problem, reported by it.
      idleTimeoutMs: 24 * 3600 * 1000,
      ...(this.opts.maxAudioSec !== undefined ? { maxAudioSec: this.opts.maxAudioSec } : {}),
      createEndpointer: async () => {
        const u = this.utt;
        const ep = new Tracked(await this.opts.createEndpointer(), () => {
          this.maybeRoll();
          this.notify();
        });
        if (u && u === this.utt) u.ep = ep;
        return ep;
      },
    });
    this.session = session;
    return session;
  }

  private onMessage(session: VoiceStreamSession, msg: Record<string, unknown>): void {
    if (session !== this.session || msg.type === 'cancelled') return;
    const u = this.utt;
    if (msg.type === 'result') {
      const r = this.lastResult!;
      this.lastResult = undefined;
      this.answered++;
      this.opts.onResult(r);
    } else if (msg.type === 'error') {
      if (msg.code === VoiceStreamIdleError.code) return;
      const err = this.lastError;
      this.lastError = undefined;
      this.answered++;
      this.opts.onError?.(isAurigaError(err) ? err : new AurigaError(String(msg.code), String(msg.message), 500, err === undefined ? undefined : { cause: err }));
    }
    // What came after the endpoint (the session dropped it) starts the next utterance.
    if (u && u === this.utt) {
      const from = msg.type === 'result' && u.ep?.endedAt !== undefined ? u.ep.endedAt : u.forwarded;
      this.queue.unshift(...sliceFrom(u.chunks, from));
      this.utt = undefined;
    }
    // The session leaves "answering" right after this returns.
    queueMicrotask(() => {
      this.pump();
      this.notify();
    });
  }

  private pump(): void {
    if (this.closed) return;
    while (this.queue.length > 0) {
      const s = this.ensureSession();
      if (s.state === 'answering') return;
      if (s.state === 'idle') this.begin(s);
      if (s.state !== 'listening') return;
      const u = (this.utt ??= { chunks: [], forwarded: 0, ep: undefined });
      const chunk = this.queue.shift()!;
      u.chunks.push(chunk);
      u.forwarded += chunk.length;
      s.onBinary(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    }
  }

  private begin(s: VoiceStreamSession): void {
    this.utt = { chunks: [], forwarded: 0, ep: undefined };
    s.onText(JSON.stringify({ type: 'start', ...this.opts.start, mode: 'hands-free', sampleRate: MODEL_SAMPLE_RATE, encoding: 'pcm_s16le', channels: 1 }));
  }

  /** No speech for rollAfterSec: restart the utterance with its last preRollSec (and all the endpointer has not seen yet). */
  private maybeRoll(): void {
    const u = this.utt;
    const s = this.session;
    if (this.closed || !u?.ep || s?.state !== 'listening' || u.ep.speechStarted || u.ep.consumed < this.rollAfter) return;
    const keep = sliceFrom(u.chunks, Math.max(0, u.ep.consumed - this.preRoll));
    s.onText('{"type":"cancel"}');
    this.utt = undefined;
    this.queue.unshift(...keep);
    this.pump();
  }

  /** Nothing queued, nothing being answered, and the endpointer has seen all it was given. */
  private isSettled(): boolean {
    if (this.closed) return true;
    if (this.queue.length > 0) return false;
    const s = this.session;
    if (!s || s.state === 'idle' || s.state === 'closed') return true;
    if (s.state === 'answering') return false;
    const u = this.utt;
    return !u || u.forwarded === 0 || (u.ep !== undefined && u.ep.consumed >= u.forwarded);
  }

  private settled(): Promise<void> {
    return new Promise((resolve) => {
      const check = () => (this.isSettled() ? resolve() : this.waiters.push(check));
      check();
    });
  }

  private notify(): void {
    const waiting = this.waiters;
    this.waiters = [];
    for (const w of waiting) w();
  }
}

/** The chunks' samples from sample `from` on (chunks are not copied, only the first one is cut). */
function sliceFrom(chunks: readonly Int16Array[], from: number): Int16Array[] {
  const out: Int16Array[] = [];
  let at = 0;
  for (const c of chunks) {
    const end = at + c.length;
    if (end > from) out.push(at >= from ? c : c.subarray(from - at));
    at = end;
  }
  return out;
}
