/**
 * Microphone audio to what the speech engine takes: 16 kHz mono 16-bit PCM. Pure functions and a
 * streaming resampler (windowed-sinc low-pass, so 48 kHz speech does not fold noise above 8 kHz
 * back into the speech band as plain decimation or linear interpolation would).
 */

export const SPEECH_SAMPLE_RATE = 16_000;

/** Averages the channels of one block into mono. */
export function downmix(channels: readonly Float32Array[]): Float32Array {
  const first = channels[0];
  if (!first) return new Float32Array(0);
  if (channels.length === 1) return first;
  const out = new Float32Array(first.length);
  for (const ch of channels) for (let i = 0; i < out.length; i++) out[i]! += ch[i] ?? 0;
  for (let i = 0; i < out.length; i++) out[i]! /= channels.length;
  return out;
}

/** Float samples in [-1, 1] to signed 16-bit (clipped; -1 -> -32768, 1 -> 32767). */
export function floatToInt16(samples: Float32Array): Int16Array {
  const out = new Int16Array(samples.length);
  for (let i = 0; i < samples.length; i++) {
    const s = Math.max(-1, Math.min(1, samples[i]!));
    out[i] = s < 0 ? Math.round(s * 32768) : Math.round(s * 32767);
  }
  return out;
}

/** Blackman window at x in [-1, 1] (0 outside). */
function blackman(x: number): number {
  if (x <= -1 || x >= 1) return 0;
  const t = Math.PI * (x + 1); // 0..2π over the window
  return 0.42 - 0.5 * Math.cos(t) + 0.08 * Math.cos(2 * t);
}

function sinc(x: number): number {
  if (x === 0) return 1;
  const px = Math.PI * x;
  return Math.sin(px) / px;
}

/**
 * Streaming sample-rate converter for float audio. push() takes any block size and returns the
 * output samples that are complete; flush() returns the rest at the end of a recording. Chunked
 * input gives exactly the same output as one block. Output k is input instant k * inRate / outRate,
 * computed in integers so the kernel of each fractional phase is computed once and reused.
 */
export class StreamingResampler {
  readonly inRate: number;
  readonly outRate: number;
  /** Kernel half-width in input samples. */
  private readonly halfWidth: number;
  /** Low-pass cutoff in cycles per input sample. */
  private readonly cutoff: number;
  private readonly passthrough: boolean;
  private readonly kernels = new Map<number, Float32Array>();
  private buffer!: Float32Array;
  /** Index in `buffer` of input sample 0 (moves left as consumed input is dropped). */
  private origin!: number;
  /** Real input samples received since the start of the recording. */
  private received!: number;
  /** Outputs emitted since the start of the recording. */
  private emitted!: number;

  constructor(
    inRate: number,
    outRate: number = SPEECH_SAMPLE_RATE,
    /** Zero crossings of the sinc on each side (quality vs cost). */
    zeroCrossings = 12,
  ) {
    if (!(inRate > 0 && outRate > 0) || !Number.isFinite(inRate) || !Number.isFinite(outRate)) {
      throw new RangeError(`sample rates must be positive numbers (got ${inRate} -> ${outRate})`);
    }
    this.inRate = Math.round(inRate);
    this.outRate = Math.round(outRate);
    this.passthrough = this.inRate === this.outRate;
    // Pass band up to 90% of the lower Nyquist frequency; the window's transition band sits above it.
    this.cutoff = (0.9 * Math.min(this.inRate, this.outRate)) / 2 / this.inRate;
    this.halfWidth = Math.ceil(zeroCrossings / (2 * this.cutoff));
    this.reset();
  }

  /** Input samples per output sample. */
  get step(): number {
    return this.inRate / this.outRate;
  }

  push(input: Float32Array): Float32Array {
    if (this.passthrough) return input.slice();
    this.append(input);
    this.received += input.length;
    const out: number[] = [];
    // An output is complete when every input its kernel reaches has arrived.
    for (;;) {
      const center = this.centerOf(this.emitted);
      if (this.origin + center + this.halfWidth >= this.buffer.length) break;
      out.push(this.sample(this.emitted));
      this.emitted++;
    }
    this.compact();
    return Float32Array.from(out);
  }

  /** Emits what is left (the input ends in silence) and resets for a new recording. */
  flush(): Float32Array {
    if (this.passthrough) return new Float32Array(0);
    this.append(new Float32Array(this.halfWidth + 1));
    const out: number[] = [];
    // One output per output instant before the end of the real input: ceil(received * out / in) in all.
    while (this.emitted * this.inRate < this.received * this.outRate) {
      out.push(this.sample(this.emitted));
      this.emitted++;
    }
    this.reset();
    return Float32Array.from(out);
  }

  private reset(): void {
    // Leading zeros stand for the silence before the first sample, so output 0 is input 0.
    this.buffer = new Float32Array(this.halfWidth);
    this.origin = this.halfWidth;
    this.received = 0;
    this.emitted = 0;
  }

  private centerOf(k: number): number {
    return Math.floor((k * this.inRate) / this.outRate);
  }

  private append(input: Float32Array): void {
    const joined = new Float32Array(this.buffer.length + input.length);
    joined.set(this.buffer);
    joined.set(input, this.buffer.length);
    this.buffer = joined;
  }

  /** Drops input that no future output needs. */
  private compact(): void {
    const keepFrom = this.origin + this.centerOf(this.emitted) - this.halfWidth;
    if (keepFrom <= 0) return;
    this.buffer = this.buffer.slice(keepFrom);
    this.origin -= keepFrom;
  }

  private sample(k: number): number {
    const num = k * this.inRate;
    const center = Math.floor(num / this.outRate);
    const phase = num - center * this.outRate;
    const kernel = this.kernel(phase);
    const first = this.origin + center - this.halfWidth + 1;
    let acc = 0;
    for (let j = 0; j < kernel.length; j++) acc += kernel[j]! * (this.buffer[first + j] ?? 0);
    return acc;
  }

  /** Weights of inputs center-halfWidth+1 .. center+halfWidth for an output at center + phase/outRate. */
  private kernel(phase: number): Float32Array {
    const cached = this.kernels.get(phase);
    if (cached) return cached;
    const frac = phase / this.outRate;
    const fc2 = 2 * this.cutoff;
    const weights = new Float64Array(2 * this.halfWidth);
    let norm = 0;
    for (let j = 0; j < weights.length; j++) {
      const d = this.halfWidth - 1 - j + frac; // distance from the output instant to input j
      const w = fc2 * sinc(fc2 * d) * blackman(d / this.halfWidth);
      weights[j] = w;
      norm += w;
    }
    // Normalized so the DC gain is exactly 1 at every phase.
    const kernel = Float32Array.from(weights, (w) => w / norm);
    if (this.kernels.size < 4096) this.kernels.set(phase, kernel);
    return kernel;
  }
}

/** Resamples a whole recording in one go. */
export function resample(input: Float32Array, inRate: number, outRate: number = SPEECH_SAMPLE_RATE): Float32Array {
  const r = new StreamingResampler(inRate, outRate);
  const head = r.push(input);
  const tail = r.flush();
  const out = new Float32Array(head.length + tail.length);
  out.set(head);
  out.set(tail, head.length);
  return out;
}
