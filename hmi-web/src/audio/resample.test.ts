import { describe, expect, it } from 'vitest';
import { downmix, floatToInt16, resample, StreamingResampler } from './resample.js';

function tone(freq: number, rate: number, seconds: number, amplitude = 0.5): Float32Array {
  const out = new Float32Array(Math.round(rate * seconds));
  for (let i = 0; i < out.length; i++) out[i] = amplitude * Math.sin((2 * Math.PI * freq * i) / rate);
  return out;
}

/** Amplitude of `freq` in `x` (single-bin DFT over whole periods of the middle part, away from the edges). */
function amplitudeAt(x: Float32Array, freq: number, rate: number): number {
  const skip = Math.floor(x.length / 4);
  const n = x.length - 2 * skip;
  let re = 0;
  let im = 0;
  for (let i = 0; i < n; i++) {
    const ph = (2 * Math.PI * freq * (i + skip)) / rate;
    re += x[i + skip]! * Math.cos(ph);
    im += x[i + skip]! * Math.sin(ph);
  }
  return (2 * Math.hypot(re, im)) / n;
}

describe('floatToInt16', () => {
  it('maps full scale to the int16 limits and clips beyond', () => {
    expect([...floatToInt16(Float32Array.from([0, 1, -1, 0.5, -0.5, 2, -3]))]).toEqual([0, 32767, -32768, 16384, -16384, 32767, -32768]);
  });
});

describe('downmix', () => {
  it('averages channels sample by sample', () => {
    expect([...downmix([Float32Array.from([1, 0, 0.5]), Float32Array.from([0, 0, -0.5])])]).toEqual([0.5, 0, 0]);
  });
  it('returns the only channel as is, and nothing for no channel', () => {
    const mono = Float32Array.from([0.25]);
    expect(downmix([mono])).toBe(mono);
    expect(downmix([]).length).toBe(0);
  });
});

describe('StreamingResampler', () => {
  it('makes ceil(n * 16000 / rate) samples from common microphone rates', () => {
    for (const rate of [48_000, 44_100, 32_000, 22_050, 8_000]) {
      const n = 12_345;
      expect(resample(new Float32Array(n), rate).length, `${rate} Hz`).toBe(Math.ceil((n * 16_000) / rate));
    }
  });

  it('keeps DC at gain 1 (steady input gives the same steady output)', () => {
    const out = resample(new Float32Array(48_000).fill(0.3), 48_000);
    // Away from the edges, where the kernel reaches past the recording.
    for (const v of out.subarray(100, out.length - 100)) expect(v).toBeCloseTo(0.3, 5);
  });

  it('keeps a 1 kHz tone at its frequency and level (48 kHz and 44.1 kHz in)', () => {
    for (const rate of [48_000, 44_100]) {
      const out = resample(tone(1000, rate, 0.5), rate);
      expect(amplitudeAt(out, 1000, 16_000), `${rate} Hz`).toBeCloseTo(0.5, 2);
      expect(amplitudeAt(out, 1500, 16_000)).toBeLessThan(0.01);
    }
  });

  it('removes content above 8 kHz instead of folding it into the speech band', () => {
    // 12 kHz at 48 kHz would alias to 4 kHz with plain decimation.
    const out = resample(tone(12_000, 48_000, 0.5), 48_000);
    expect(amplitudeAt(out, 4000, 16_000)).toBeLessThan(0.5 * 10 ** (-50 / 20));
    const naive = tone(12_000, 48_000, 0.5).filter((_, i) => i % 3 === 0);
    expect(amplitudeAt(naive, 4000, 16_000)).toBeGreaterThan(0.4); // what the filter prevents
  });

  it('gives the same samples whether the input arrives in one block or in audio-callback chunks', () => {
    const input = tone(440, 44_100, 0.3);
    const whole = resample(input, 44_100);
    const r = new StreamingResampler(44_100);
    const parts: number[] = [];
    for (let i = 0; i < input.length; i += 128) parts.push(...r.push(input.subarray(i, i + 128)));
    parts.push(...r.flush());
    expect(parts.length).toBe(whole.length);
    for (let i = 0; i < whole.length; i++) expect(parts[i]).toBeCloseTo(whole[i]!, 6);
  });

  it('starts a fresh recording after flush', () => {
    const r = new StreamingResampler(48_000);
    r.push(new Float32Array(4800).fill(1));
    r.flush();
    const again = [...r.push(new Float32Array(4800)), ...r.flush()];
    expect(again.length).toBe(1600);
    expect(Math.max(...again.map(Math.abs))).toBe(0);
  });

  it('passes 16 kHz through untouched', () => {
    const input = tone(300, 16_000, 0.01);
    expect([...resample(input, 16_000)]).toEqual([...input]);
  });

  it('rejects impossible rates', () => {
    expect(() => new StreamingResampler(0)).toThrow(RangeError);
    expect(() => new StreamingResampler(Number.NaN)).toThrow(RangeError);
  });
});
