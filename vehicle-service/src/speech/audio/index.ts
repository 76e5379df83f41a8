export { parseWav, downmix, encodeWav16, WAV_DEFAULTS, type WavAudio, type WavParseOptions } from './wav.js';
export { resample } from './resample.js';
export { maxFrameEnergy, mixAtSnr } from './mix.js';

import { parseWav, downmix, type WavParseOptions } from './wav.js';
import { resample } from './resample.js';

/** The model's input rate. */
export const MODEL_SAMPLE_RATE = 16_000;

/** WAV bytes -> 16 kHz mono float samples, with what the file was. */
export function wavTo16kMono(input: Uint8Array, options?: WavParseOptions): { samples: Float32Array; sourceRate: number; channels: number; durationSec: number } {
  const wav = parseWav(input, options);
  const mono = downmix(wav.channelData);
  return { samples: resample(mono, wav.sampleRate, MODEL_SAMPLE_RATE), sourceRate: wav.sampleRate, channels: wav.channels, durationSec: wav.durationSec };
}
