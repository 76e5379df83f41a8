import { describe, expect, it } from 'vitest';
import { PcmChunker } from './chunker.js';
import { meterPosition, rms, smoothLevel, toDbfs } from './level.js';

describe('level meter', () => {
  it('measures RMS and dBFS', () => {
    expect(rms(Float32Array.from([0.5, -0.5, 0.5, -0.5]))).toBeCloseTo(0.5, 9);
    expect(toDbfs(1)).toBe(0);
    expect(toDbfs(0.1)).toBeCloseTo(-20, 9);
    expect(toDbfs(0)).toBe(-Infinity);
    expect(rms(new Float32Array(0))).toBe(0);
  });

  it('places -60..0 dBFS linearly on the bar, clamped', () => {
    expect(meterPosition(-Infinity)).toBe(0);
    expect(meterPosition(-70)).toBe(0);
    expect(meterPosition(-30)).toBeCloseTo(0.5, 9);
    expect(meterPosition(0)).toBe(1);
    expect(meterPosition(6)).toBe(1);
  });

  it('rises faster than it falls', () => {
    const up = smoothLevel(0, 1, 10);
    const down = 1 - smoothLevel(1, 0, 10);
    expect(up).toBeGreaterThan(0.3);
    expect(down).toBeLessThan(0.05);
    expect(smoothLevel(0.4, 0.4, 10)).toBe(0.4);
  });
});

describe('PcmChunker', () => {
  it('cuts any block sizes into fixed frames and returns the rest at the end', () => {
    const c = new PcmChunker(4);
    expect(c.push(Int16Array.from([1, 2, 3]))).toEqual([]);
    const frames = c.push(Int16Array.from([4, 5, 6, 7, 8, 9]));
    expect(frames.map((f) => [...f])).toEqual([[1, 2, 3, 4], [5, 6, 7, 8]]);
    expect([...c.flush()!]).toEqual([9]);
    expect(c.flush()).toBeUndefined();
  });
  it('rejects a frame size that is not a positive integer', () => {
    expect(() => new PcmChunker(0)).toThrow(RangeError);
  });
});
