/**
 * Spoken car commands for the speech benches: espeak-ng (`--stdout`; flite when espeak-ng is missing)
 * speaks each command, the service's own resampler takes it to 16 kHz mono, and the speech is placed
 * in a clip of about 3 s (a short lead-in, silence after it) with a faint seeded dither so the
 * "silence" is not digital zero. The sample where the speech ends is known exactly (TTS trimmed).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MODEL_SAMPLE_RATE, wavTo16kMono } from '../../vehicle-service/src/speech/index.js';

/** Commands of the car context (models/contexts/en-US/car.yaml) with the intent each must give. */
export const CAR_COMMANDS: ReadonlyArray<{ readonly text: string; readonly intent: string }> = [
  { text: 'set the temperature to twenty one degrees', intent: 'setTemperature' },
  { text: 'open the driver window halfway', intent: 'openWindow' },
  { text: 'turn on the air conditioning', intent: 'setAirConditioning' },
  { text: 'set the fan speed to four', intent: 'setFanSpeed' },
  { text: 'make it a little warmer', intent: 'changeTemperature' },
];

export interface CommandClip {
  readonly text: string;
  readonly intent: string;
  /** 16 kHz mono in [-1, 1]: lead-in, speech, silence up to `seconds`. */
  readonly samples: Float32Array;
  readonly seconds: number;
  /** First sample after the speech (the end of speech). */
  readonly speechEndSample: number;
  readonly speechSec: number;
  readonly tts: string;
}

export type Tts = 'espeak-ng' | 'flite';

export function availableTts(): Tts | undefined {
  if (spawnSync('espeak-ng', ['--version']).status === 0) return 'espeak-ng';
  if (spawnSync('flite', ['--version']).status === 0) return 'flite';
  return undefined;
}

/** espeak-ng --stdout writes a streaming header (sizes 0x7ffff000): set the RIFF and data sizes to what came. */
function fixStreamedWav(wav: Buffer): Buffer {
  const data = wav.indexOf('data', 12, 'latin1');
  if (wav.toString('latin1', 0, 4) !== 'RIFF' || data < 0) throw new Error('espeak-ng --stdout did not write a WAV file');
  wav.writeUInt32LE(wav.length - 8, 4);
  wav.writeUInt32LE(wav.length - data - 8, data + 4);
  return wav;
}

/** The command spoken by the TTS at 16 kHz, untrimmed. */
export function speak(text: string, tts: Tts, wordsPerMinute = 140): Float32Array {
  let wav: Buffer;
  if (tts === 'espeak-ng') {
    wav = fixStreamedWav(execFileSync('espeak-ng', ['-v', 'en-us', '-s', String(wordsPerMinute), '--stdout', text], { maxBuffer: 1 << 26 }));
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'auriga-bench-flite-'));
    try {
      execFileSync('flite', ['-t', text, '-o', join(dir, 'a.wav')]);
      wav = readFileSync(join(dir, 'a.wav'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return wavTo16kMono(new Uint8Array(wav.buffer, wav.byteOffset, wav.byteLength)).samples;
}

/** Mulberry32: a small seeded PRNG, so every run hears the same dither. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A clip of at least `seconds`: `leadSec` of dither, the trimmed speech, then dither up to `seconds`
 * (at least `minTailSec` after the speech). Dither: uniform noise at about -70 dBFS.
 */
export function commandClip(text: string, intent: string, tts: Tts, options: { seconds?: number; leadSec?: number; minTailSec?: number; seed?: number } = {}): CommandClip {
  const raw = speak(text, tts);
  let peak = 0;
  for (const x of raw) peak = Math.max(peak, Math.abs(x));
  const threshold = peak * 0.01;
  let first = 0;
  while (first < raw.length && Math.abs(raw[first]!) < threshold) first++;
  let last = raw.length - 1;
  while (last > first && Math.abs(raw[last]!) < threshold) last--;
  const speech = raw.subarray(first, last + 1);
  const lead = Math.round((options.leadSec ?? 0.25) * MODEL_SAMPLE_RATE);
  const minTail = Math.round((options.minTailSec ?? 0.1) * MODEL_SAMPLE_RATE);
  const total = Math.max(Math.round((options.seconds ?? 3) * MODEL_SAMPLE_RATE), lead + speech.length + minTail);
  const samples = ditherSilence(total, options.seed ?? 1);
  for (let i = 0; i < speech.length; i++) samples[lead + i] = speech[i]! + samples[lead + i]!;
  return { text, intent, samples, seconds: total / MODEL_SAMPLE_RATE, speechEndSample: lead + speech.length, speechSec: speech.length / MODEL_SAMPLE_RATE, tts };
}

/** `n` samples of faint uniform noise (about -70 dBFS). */
export function ditherSilence(n: number, seed: number): Float32Array {
  const next = rng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (next() - 0.5) * 0.001;
  return out;
}

/** 16-bit little-endian PCM, as the voice WebSocket carries it. */
export function toPcm16(samples: Float32Array): Uint8Array {
  const out = new Uint8Array(samples.length * 2);
  const view = new DataView(out.buffer);
  for (let i = 0; i < samples.length; i++) view.setInt16(i * 2, Math.max(-32768, Math.min(32767, Math.round(samples[i]! * 32767))), true);
  return out;
}
