/**
 * RIFF/WAVE parsing into float samples in [-1, 1]. Accepts PCM 8/16/24/32-bit and IEEE float 32/64
 * (plain or WAVE_FORMAT_EXTENSIBLE), any channel count; everything else gets a coded error that
 * says what is wrong and at which byte.
 */
import { AudioCorruptError, AudioEmptyError, AudioFormatError, AudioTooLongError, AudioUnsupportedError } from '../errors.js';

export interface WavAudio {
  readonly sampleRate: number;
  readonly channels: number;
  readonly bitsPerSample: number;
  /** 'pcm' (integer) or 'float'. */
  readonly encoding: 'pcm' | 'float';
  /** One Float32Array per channel, values in [-1, 1]. */
  readonly channelData: readonly Float32Array[];
  readonly durationSec: number;
}

export interface WavParseOptions {
  /** Longest audio accepted, seconds (default 30). */
  readonly maxDurationSec?: number;
  /** Largest file accepted, bytes (default 16 MiB). */
  readonly maxBytes?: number;
}

export const WAV_DEFAULTS = Object.freeze({ maxDurationSec: 30, maxBytes: 16 * 1024 * 1024 });

const FORMAT_PCM = 1;
const FORMAT_FLOAT = 3;
const FORMAT_EXTENSIBLE = 0xfffe;
const FORMAT_NAMES: Record<number, string> = { 2: 'MS ADPCM', 6: 'A-law', 7: 'mu-law', 0x11: 'IMA ADPCM', 0x55: 'MP3' };

function fourcc(buf: Uint8Array, at: number): string {
  return String.fromCharCode(buf[at]!, buf[at + 1]!, buf[at + 2]!, buf[at + 3]!);
}

function printable(tag: string): string {
  return /^[\x20-\x7e]{4}$/.test(tag) ? `'${tag}'` : `0x${[...tag].map((c) => c.charCodeAt(0).toString(16).padStart(2, '0')).join('')}`;
}

interface Fmt {
  format: number;
  channels: number;
  sampleRate: number;
  blockAlign: number;
  bits: number;
}

function parseFmt(view: DataView, at: number, size: number): Fmt {
  if (size < 16) throw AudioCorruptError(`chunk 'fmt ' at byte ${at - 8} is ${size} bytes, needs at least 16`);
  let format = view.getUint16(at, true);
  const channels = view.getUint16(at + 2, true);
  const sampleRate = view.getUint32(at + 4, true);
  const blockAlign = view.getUint16(at + 12, true);
  const bits = view.getUint16(at + 14, true);
  if (format === FORMAT_EXTENSIBLE) {
    if (size < 40) throw AudioCorruptError(`chunk 'fmt ' at byte ${at - 8} is WAVE_FORMAT_EXTENSIBLE but only ${size} bytes (needs 40)`);
    format = view.getUint16(at + 24, true); // first two bytes of the SubFormat GUID
  }
  if (format !== FORMAT_PCM && format !== FORMAT_FLOAT) {
    const name = FORMAT_NAMES[format] ?? `format tag ${format}`;
    throw AudioUnsupportedError(`${name} (chunk 'fmt ' at byte ${at - 8}); use 16-bit PCM`);
  }
  if (channels < 1) throw AudioCorruptError(`chunk 'fmt ' at byte ${at - 8} says 0 channels`);
  if (sampleRate < 1000 || sampleRate > 384_000) throw AudioUnsupportedError(`sample rate ${sampleRate} Hz (chunk 'fmt ' at byte ${at - 8}); expected 1000-384000 Hz`);
  const okBits = format === FORMAT_PCM ? [8, 16, 24, 32] : [32, 64];
  if (!okBits.includes(bits)) {
    throw AudioUnsupportedError(`${bits}-bit ${format === FORMAT_PCM ? 'PCM' : 'float'} (chunk 'fmt ' at byte ${at - 8}); use 16-bit PCM`);
  }
  if (blockAlign !== (channels * bits) / 8) {
    throw AudioCorruptError(`chunk 'fmt ' at byte ${at - 8}: block align ${blockAlign} does not match ${channels} channel(s) x ${bits} bits`);
  }
  return { format, channels, sampleRate, blockAlign, bits };
}

/** Parse a WAV file held in memory. Throws AURIGA_ERR_AUDIO_* errors. */
export function parseWav(input: Uint8Array, options: WavParseOptions = {}): WavAudio {
  const maxBytes = options.maxBytes ?? WAV_DEFAULTS.maxBytes;
  const maxDurationSec = options.maxDurationSec ?? WAV_DEFAULTS.maxDurationSec;
  if (input.byteLength === 0) throw AudioEmptyError('the body has 0 bytes');
  if (input.byteLength > maxBytes) throw AudioTooLongError(`${input.byteLength} bytes, the limit is ${maxBytes}`);
  if (input.byteLength < 12) throw AudioCorruptError(`RIFF header truncated: ${input.byteLength} bytes, needs 12`);
  if (fourcc(input, 0) !== 'RIFF') {
    const tag = fourcc(input, 0);
    const hint = tag === 'RIFX' ? ' (big-endian RIFX is not supported)' : tag === 'RF64' ? ' (RF64 is not supported)' : '';
    throw AudioFormatError(`expected 'RIFF' at byte 0, found ${printable(tag)}${hint}`);
  }
  if (fourcc(input, 8) !== 'WAVE') throw AudioFormatError(`expected 'WAVE' at byte 8, found ${printable(fourcc(input, 8))}`);
  const view = new DataView(input.buffer, input.byteOffset, input.byteLength);

  let fmt: Fmt | undefined;
  let data: { at: number; size: number } | undefined;
  let at = 12;
  while (at + 8 <= input.byteLength && !data) {
    const id = fourcc(input, at);
    const size = view.getUint32(at + 4, true);
    const body = at + 8;
    if (id === 'fmt ') {
      if (body + size > input.byteLength) throw AudioCorruptError(`chunk 'fmt ' truncated at byte ${input.byteLength} (declares ${size} bytes from byte ${body})`);
      fmt = parseFmt(view, body, size);
    } else if (id === 'data') {
      if (!fmt) throw AudioCorruptError(`chunk 'data' at byte ${at} comes before any 'fmt ' chunk`);
      // A data chunk cut short (streamed writers leave 0 or 0xffffffff) is read up to the end of the file.
      const available = input.byteLength - body;
      const declared = size === 0 || size === 0xffffffff ? available : size;
      if (declared > available && size !== 0 && size !== 0xffffffff) {
        throw AudioCorruptError(`chunk 'data' truncated at byte ${input.byteLength} (declares ${size} bytes from byte ${body}, ${available} present)`);
      }
      data = { at: body, size: Math.min(declared, available) };
      break;
    } else if (!/^[\x20-\x7e]{4}$/.test(id)) {
      throw AudioCorruptError(`bad chunk id ${printable(id)} at byte ${at}`);
    }
    at = body + size + (size & 1); // chunks are word aligned
  }
  if (!fmt) throw AudioCorruptError(at + 8 > input.byteLength && at < input.byteLength ? `chunk header truncated at byte ${at}` : "no 'fmt ' chunk");
  if (!data) throw AudioCorruptError(at < input.byteLength ? `chunk header truncated at byte ${at}` : `no 'data' chunk (file ends at byte ${input.byteLength})`);

  const frames = Math.floor(data.size / fmt.blockAlign);
  if (frames === 0) throw AudioEmptyError(`chunk 'data' at byte ${data.at - 8} holds no samples`);
  const durationSec = frames / fmt.sampleRate;
  if (durationSec > maxDurationSec) throw AudioTooLongError(`${durationSec.toFixed(2)} s, the limit is ${maxDurationSec} s`);

  const channelData = Array.from({ length: fmt.channels }, () => new Float32Array(frames));
  const bytes = fmt.bits / 8;
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < fmt.channels; c++) {
      const p = data.at + i * fmt.blockAlign + c * bytes;
      let v: number;
      if (fmt.format === FORMAT_FLOAT) v = fmt.bits === 32 ? view.getFloat32(p, true) : view.getFloat64(p, true);
      else if (fmt.bits === 16) v = view.getInt16(p, true) / 32768;
      else if (fmt.bits === 8) v = (input[p]! - 128) / 128;
      else if (fmt.bits === 24) v = ((input[p]! | (input[p + 1]! << 8) | (input[p + 2]! << 16)) << 8 >> 8) / 8388608;
      else v = view.getInt32(p, true) / 2147483648;
      channelData[c]![i] = Number.isFinite(v) ? Math.max(-1, Math.min(1, v)) : 0;
    }
  }
  return { sampleRate: fmt.sampleRate, channels: fmt.channels, bitsPerSample: fmt.bits, encoding: fmt.format === FORMAT_FLOAT ? 'float' : 'pcm', channelData, durationSec };
}

/** Average the channels into one. */
export function downmix(channelData: readonly Float32Array[]): Float32Array {
  if (channelData.length === 1) return channelData[0]!;
  const n = channelData[0]!.length;
  const out = new Float32Array(n);
  for (const ch of channelData) for (let i = 0; i < n; i++) out[i]! += ch[i]!;
  const k = 1 / channelData.length;
  for (let i = 0; i < n; i++) out[i]! *= k;
  return out;
}

/** Encode mono float samples as a 16-bit PCM WAV (tests, tools). */
export function encodeWav16(samples: Float32Array | readonly Float32Array[], sampleRate: number): Buffer {
  const channels = samples instanceof Float32Array ? [samples] : samples;
  const n = channels[0]!.length;
  const blockAlign = channels.length * 2;
  const buf = Buffer.alloc(44 + n * blockAlign);
  buf.write('RIFF', 0, 'ascii');
  buf.writeUInt32LE(36 + n * blockAlign, 4);
  buf.write('WAVEfmt ', 8, 'ascii');
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(1, 20);
  buf.writeUInt16LE(channels.length, 22);
  buf.writeUInt32LE(sampleRate, 24);
  buf.writeUInt32LE(sampleRate * blockAlign, 28);
  buf.writeUInt16LE(blockAlign, 32);
  buf.writeUInt16LE(16, 34);
  buf.write('data', 36, 'ascii');
  buf.writeUInt32LE(n * blockAlign, 40);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < channels.length; c++) {
      const v = Math.max(-1, Math.min(1, channels[c]![i]!));
      buf.writeInt16LE(Math.round(v < 0 ? v * 32768 : v * 32767), 44 + i * blockAlign + c * 2);
    }
  }
  return buf;
}
