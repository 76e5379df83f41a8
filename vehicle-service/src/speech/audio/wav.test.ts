import { describe, expect, it } from 'vitest';
import { isAurigaError } from '@auriga/common';
import { downmix, encodeWav16, parseWav } from './wav.js';
import { resample } from './resample.js';
import { maxFrameEnergy, mixAtSnr } from './mix.js';
import { wavTo16kMono } from './index.js';

/** A hand-made WAV: a 'fmt ' chunk from its fields, then the given data bytes. */
function wav(opts: { format?: number; channels?: number; rate?: number; bits?: number; data: Uint8Array; extensible?: boolean; dataSize?: number }): Buffer {
  const channels = opts.channels ?? 1;
  const bits = opts.bits ?? 16;
  const rate = opts.rate ?? 16000;
  const blockAlign = (channels * bits) / 8;
  const fmtSize = opts.extensible ? 40 : 16;
  const buf = Buffer.alloc(12 + 8 + fmtSize + 8 + opts.data.length);
  buf.write('RIFF', 0, 'ascii');
  buf.writeUInt32LE(buf.length - 8, 4);
  buf.write('WAVE', 8, 'ascii');
  buf.write('fmt ', 12, 'ascii');
  buf.writeUInt32LE(fmtSize, 16);
  buf.writeUInt16LE(opts.extensible ? 0xfffe : (opts.format ?? 1), 20);
  buf.writeUInt16LE(channels, 22);
  buf.writeUInt32LE(rate, 24);
  buf.writeUInt32LE(rate * blockAlign, 28);
  buf.writeUInt16LE(blockAlign, 32);
  buf.writeUInt16LE(bits, 34);
  let at = 36;
  if (opts.extensible) {
    buf.writeUInt16LE(22, 36);
    buf.writeUInt16LE(bits, 38);
    buf.writeUInt32LE(0, 40);
    buf.writeUInt16LE(opts.format ?? 1, 44); // SubFormat GUID starts with the format tag
    at = 60;
  }
  buf.write('data', at, 'ascii');
  buf.writeUInt32LE(opts.dataSize ?? opts.data.length, at + 4);
  Buffer.from(opts.data).copy(buf, at + 8);
  return buf;
}

const int16 = (...v: number[]): Uint8Array => {
  const b = Buffer.alloc(v.length * 2);
  v.forEach((x, i) => b.writeInt16LE(x, i * 2));
  return b;
};

function expectAudioError(fn: () => unknown, code: string, message: RegExp): void {
  try {
    fn();
  } catch (err) {
    expect(isAurigaError(err, code), `${String(err)}`).toBe(true);
    expect((err as Error).message).toMatch(message);
    return;
  }
  throw new Error(`expected ${code}`);
}

describe('parseWav: formats', () => {
  it('reads 16-bit mono PCM sample values exactly', () => {
    const w = parseWav(wav({ data: int16(0, 16384, -32768, 32767) }));
    expect(w.sampleRate).toBe(16000);
    expect(w.channels).toBe(1);
    expect([...w.channelData[0]!]).toEqual([0, 0.5, -1, 32767 / 32768]);
    expect(w.durationSec).toBeCloseTo(4 / 16000);
  });

  it('splits interleaved stereo and downmixes by averaging', () => {
    const w = parseWav(wav({ channels: 2, data: int16(16384, 0, -16384, 8192) }));
    expect([...w.channelData[0]!]).toEqual([0.5, -0.5]);
    expect([...w.channelData[1]!]).toEqual([0, 0.25]);
    expect([...downmix(w.channelData)]).toEqual([0.25, -0.125]);
  });

  it('reads 8-bit unsigned, 24-bit, 32-bit float and WAVE_FORMAT_EXTENSIBLE', () => {
    expect([...parseWav(wav({ bits: 8, data: Uint8Array.from([128, 192, 0]) })).channelData[0]!]).toEqual([0, 0.5, -1]);
    expect([...parseWav(wav({ bits: 24, data: Uint8Array.from([0, 0, 0x40, 0, 0, 0xc0]) })).channelData[0]!]).toEqual([0.5, -0.5]);
    const f = Buffer.alloc(8);
    f.writeFloatLE(0.25, 0);
    f.writeFloatLE(-0.75, 4);
    expect([...parseWav(wav({ format: 3, bits: 32, data: f })).channelData[0]!]).toEqual([0.25, -0.75]);
    expect([...parseWav(wav({ extensible: true, data: int16(16384) })).channelData[0]!]).toEqual([0.5]);
  });

  it('skips unknown chunks (LIST) before the data and word-aligns odd sizes', () => {
    const base = wav({ data: int16(16384) });
    const list = Buffer.concat([Buffer.from('LIST'), Buffer.from([3, 0, 0, 0]), Buffer.from('abc'), Buffer.from([0])]);
    const withList = Buffer.concat([base.subarray(0, 36), list, base.subarray(36)]);
    expect([...parseWav(withList).channelData[0]!]).toEqual([0.5]);
  });

  it('round-trips encodeWav16', () => {
    const x = Float32Array.from([0, 0.5, -0.5, 0.25]);
    const w = parseWav(encodeWav16([x, x], 8000));
    expect(w.sampleRate).toBe(8000);
    expect(w.channels).toBe(2);
    expect(w.channelData[1]![1]).toBeCloseTo(0.5, 4);
  });
});

describe('parseWav: errors say what and where', () => {
  it('empty body', () => expectAudioError(() => parseWav(new Uint8Array(0)), 'AURIGA_ERR_AUDIO_EMPTY', /0 bytes/));
  it('not RIFF', () => expectAudioError(() => parseWav(Buffer.from('ID3\x03 this is an mp3 file')), 'AURIGA_ERR_AUDIO_FORMAT', /expected 'RIFF' at byte 0/));
  it('RIFF but not WAVE', () => expectAudioError(() => parseWav(Buffer.from('RIFF\x04\x00\x00\x00AVI LIST')), 'AURIGA_ERR_AUDIO_FORMAT', /'WAVE' at byte 8, found 'AVI '/));
  it('header shorter than 12 bytes', () => expectAudioError(() => parseWav(Buffer.from('RIFF\x00')), 'AURIGA_ERR_AUDIO_CORRUPT', /truncated: 5 bytes/));
  it("truncated 'fmt ' chunk", () =>
    expectAudioError(() => parseWav(wav({ data: int16(1, 2) }).subarray(0, 30)), 'AURIGA_ERR_AUDIO_CORRUPT', /chunk 'fmt ' truncated at byte 30/));
  it("truncated 'data' chunk", () =>
    expectAudioError(() => parseWav(wav({ data: int16(1, 2, 3, 4) }).subarray(0, 48)), 'AURIGA_ERR_AUDIO_CORRUPT', /chunk 'data' truncated at byte 48 \(declares 8 bytes from byte 44, 4 present\)/));
  it('no data chunk', () => expectAudioError(() => parseWav(wav({ data: int16(1) }).subarray(0, 36)), 'AURIGA_ERR_AUDIO_CORRUPT', /no 'data' chunk/));
  it('garbage chunk id', () => {
    const b = wav({ data: int16(1) });
    b.write('\x00\x01\x02\x03', 36, 'latin1');
    expectAudioError(() => parseWav(b), 'AURIGA_ERR_AUDIO_CORRUPT', /bad chunk id 0x00010203 at byte 36/);
  });
  it('data chunk with no samples', () => expectAudioError(() => parseWav(wav({ data: new Uint8Array(0) })), 'AURIGA_ERR_AUDIO_EMPTY', /'data' at byte 36 holds no samples/));
  it('A-law', () => expectAudioError(() => parseWav(wav({ format: 6, bits: 8, data: Uint8Array.from([1]) })), 'AURIGA_ERR_AUDIO_UNSUPPORTED', /A-law/));
  it('12-bit PCM', () => expectAudioError(() => parseWav(wav({ bits: 12, data: int16(1) })), 'AURIGA_ERR_AUDIO_UNSUPPORTED', /12-bit PCM/));
  it('block align that does not match', () => {
    const b = wav({ data: int16(1) });
    b.writeUInt16LE(3, 32);
    expectAudioError(() => parseWav(b), 'AURIGA_ERR_AUDIO_CORRUPT', /block align 3/);
  });
  it('too long', () => expectAudioError(() => parseWav(wav({ rate: 1000, data: new Uint8Array(2 * 1000 * 3) }), { maxDurationSec: 2 }), 'AURIGA_ERR_AUDIO_TOO_LONG', /3\.00 s, the limit is 2 s/));
  it('too many bytes', () => expectAudioError(() => parseWav(wav({ data: int16(1, 2, 3) }), { maxBytes: 20 }), 'AURIGA_ERR_AUDIO_TOO_LONG', /the limit is 20/));
});

describe('resampling', () => {
  const tone = (freq: number, rate: number, seconds: number): Float32Array =>
    Float32Array.from({ length: Math.round(rate * seconds) }, (_, i) => Math.sin((2 * Math.PI * freq * i) / rate));
  /** Amplitude of `freq` in x (correlation with a complex exponential). */
  const amplitude = (x: Float32Array, freq: number, rate: number): number => {
    let re = 0;
    let im = 0;
    for (let i = 0; i < x.length; i++) {
      re += x[i]! * Math.cos((2 * Math.PI * freq * i) / rate);
      im += x[i]! * Math.sin((2 * Math.PI * freq * i) / rate);
    }
    return (2 * Math.hypot(re, im)) / x.length;
  };

  it('keeps a 1 kHz tone from 44.1 kHz to 16 kHz (length, amplitude)', () => {
    const y = resample(tone(1000, 44100, 0.5), 44100, 16000);
    expect(y.length).toBe(8000);
    expect(amplitude(y.subarray(200, 7800), 1000, 16000)).toBeCloseTo(1, 1);
  });

  it('removes a 10 kHz tone above the new Nyquist instead of aliasing it to 6 kHz', () => {
    const y = resample(tone(10000, 48000, 0.5), 48000, 16000);
    expect(amplitude(y.subarray(200, 7800), 6000, 16000)).toBeLessThan(0.01);
  });

  it('upsamples 8 kHz to 16 kHz', () => {
    const y = resample(tone(500, 8000, 0.25), 8000, 16000);
    expect(y.length).toBe(4000);
    expect(amplitude(y.subarray(200, 3800), 500, 16000)).toBeCloseTo(1, 1);
  });

  it('wavTo16kMono: stereo 22.05 kHz file in, 16 kHz mono out', () => {
    const left = tone(440, 22050, 0.2);
    const out = wavTo16kMono(encodeWav16([left, left], 22050));
    expect(out.channels).toBe(2);
    expect(out.sourceRate).toBe(22050);
    expect(out.samples.length).toBe(3200);
  });
});

describe('noise mixing (benchmark rule)', () => {
  it('scales the noise so the max frame energies differ by the SNR', () => {
    const speech = Float32Array.from({ length: 8192 }, (_, i) => (i < 2048 ? 0.5 : 0.05) * Math.sin(i / 3));
    const noise = Float32Array.from({ length: 4096 }, (_, i) => Math.sin(i * 1.7));
    const mixed = mixAtSnr(speech, noise, 6);
    const added = mixed.map((v, i) => v - speech[i]!);
    expect(10 * Math.log10(maxFrameEnergy(speech) / maxFrameEnergy(added))).toBeCloseTo(6, 3);
  });
});
