import { PcmChunker } from './chunker.js';
import { meterPosition, rms, smoothLevel, toDbfs } from './level.js';
import { downmix, floatToInt16, SPEECH_SAMPLE_RATE, StreamingResampler } from './resample.js';

/**
 * The capture worklet: hands each 128-frame render quantum of the microphone to the page. Kept as
 * source text (a Blob module) so it needs no separate build entry; everything else runs on the
 * page in tested TypeScript.
 */
const CAPTURE_WORKLET = `
class AurigaCapture extends AudioWorkletProcessor {
  process(inputs) {
    const input = inputs[0];
    if (input && input.length > 0 && input[0].length > 0) {
      this.port.postMessage(input.map((ch) => ch.slice(0)));
    }
    return true;
  }
}
registerProcessor('auriga-capture', AurigaCapture);
`;

export interface RecorderEvents {
  /** 16 kHz mono signed 16-bit PCM, in frames of `frameMs`. */
  pcm(frame: Int16Array): void;
  /** Meter position 0..1, a few dozen times a second. */
  level(position: number): void;
}

export interface MicrophoneRecorderOptions {
  /** Duration of each PCM frame handed to `pcm` (default 100 ms). */
  frameMs?: number;
}

/** Why recording could not start, for the screen to explain. */
export type MicrophoneProblem = 'unsupported' | 'denied' | 'no-device' | 'failed';

export class MicrophoneError extends Error {
  override readonly name = 'MicrophoneError';
  constructor(
    readonly problem: MicrophoneProblem,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Push-to-talk capture: getUserMedia -> AudioWorklet -> downmix -> 16 kHz -> Int16 frames.
 * start() and stop() may be called repeatedly; stop() delivers the last partial frame.
 */
export class MicrophoneRecorder {
  private context: AudioContext | undefined;
  private stream: MediaStream | undefined;
  private node: AudioWorkletNode | undefined;
  private source: MediaStreamAudioSourceNode | undefined;
  private resampler: StreamingResampler | undefined;
  private chunker: PcmChunker;
  private meter = 0;
  private sinceLevelMs = 0;
  private running = false;

  constructor(
    private readonly events: RecorderEvents,
    options: MicrophoneRecorderOptions = {},
  ) {
    this.chunker = new PcmChunker(Math.round(((options.frameMs ?? 100) * SPEECH_SAMPLE_RATE) / 1000));
  }

  get isRecording(): boolean {
    return this.running;
  }

  async start(): Promise<void> {
    if (this.running) return;
    if (!navigator.mediaDevices?.getUserMedia || typeof AudioWorkletNode === 'undefined') {
      throw new MicrophoneError('unsupported', 'this browser cannot record audio (needs getUserMedia and AudioWorklet on a secure origin)');
    }
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true, autoGainControl: true },
      });
    } catch (err) {
      const name = (err as DOMException).name;
      if (name === 'NotAllowedError' || name === 'SecurityError') throw new MicrophoneError('denied', 'microphone access was denied');
      if (name === 'NotFoundError' || name === 'OverconstrainedError') throw new MicrophoneError('no-device', 'no microphone found');
      throw new MicrophoneError('failed', `cannot open the microphone: ${(err as Error).message}`);
    }
    try {
      this.context ??= new AudioContext();
      const context = this.context;
      if (!this.node) {
        const url = URL.createObjectURL(new Blob([CAPTURE_WORKLET], { type: 'text/javascript' }));
        try {
          await context.audioWorklet.addModule(url);
        } finally {
          URL.revokeObjectURL(url);
        }
        this.node = new AudioWorkletNode(context, 'auriga-capture', { numberOfOutputs: 0 });
        this.node.port.onmessage = (ev: MessageEvent<Float32Array[]>) => this.onBlock(ev.data);
      }
      await context.resume();
      this.stream = stream;
      this.resampler = new StreamingResampler(context.sampleRate, SPEECH_SAMPLE_RATE);
      this.source = context.createMediaStreamSource(stream);
      this.source.connect(this.node);
      this.running = true;
    } catch (err) {
      for (const t of stream.getTracks()) t.stop();
      throw new MicrophoneError('failed', `cannot start audio capture: ${(err as Error).message}`);
    }
  }

  /** Stops capturing and delivers the rest of the recording. */
  stop(): void {
    if (!this.running) return;
    this.running = false;
    this.source?.disconnect();
    this.source = undefined;
    for (const t of this.stream?.getTracks() ?? []) t.stop();
    this.stream = undefined;
    const tail = this.resampler?.flush();
    if (tail && tail.length > 0) for (const f of this.chunker.push(floatToInt16(tail))) this.events.pcm(f);
    const last = this.chunker.flush();
    if (last) this.events.pcm(last);
    this.meter = 0;
    this.events.level(0);
  }

  /** Releases the audio device and context; idempotent. */
  async close(): Promise<void> {
    this.stop();
    this.node?.port.close();
    this.node = undefined;
    const ctx = this.context;
    this.context = undefined;
    if (ctx && ctx.state !== 'closed') await ctx.close();
  }

  private onBlock(channels: Float32Array[]): void {
    if (!this.running || !this.resampler || !this.context) return;
    const mono = downmix(channels);
    const dtMs = (mono.length / this.context.sampleRate) * 1000;
    this.meter = smoothLevel(this.meter, meterPosition(toDbfs(rms(mono))), dtMs);
    // The meter moves about 30 times a second, not once per 128-sample block.
    this.sinceLevelMs += dtMs;
    if (this.sinceLevelMs >= 33) {
      this.sinceLevelMs = 0;
      this.events.level(this.meter);
    }
    const pcm = floatToInt16(this.resampler.push(mono));
    for (const f of this.chunker.push(pcm)) this.events.pcm(f);
  }
}
