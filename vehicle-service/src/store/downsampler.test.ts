import { describe, expect, it } from 'vitest';
import { Downsampler, type Sample } from './downsampler.js';

const T0 = 1_700_000_000_000; // a multiple of 1000: intervals start at T0 + k * 1000

function feed(d: Downsampler, samples: Array<[string, Sample['value'], number]>): Sample[] {
  const out: Sample[] = [];
  for (const [path, value, ts] of samples) out.push(...d.offer(path, value, ts));
  return out;
}

describe('Downsampler', () => {
  it('keeps the latest numeric sample of each interval', () => {
    const d = new Downsampler(1000);
    const input: Array<[string, number, number]> = [];
    for (let i = 0; i < 50; i++) input.push(['Vehicle.Speed', i, T0 + i * 100]); // 10 Hz for 5 s
    const emitted = feed(d, input);
    // Intervals 0..3 closed by the next interval's first sample; interval 4 still open.
    expect(emitted.map((s) => [s.value, s.ts - T0])).toEqual([
      [9, 900],
      [19, 1900],
      [29, 2900],
      [39, 3900],
    ]);
    expect(d.pendingCount).toBe(1);
    expect(d.drain(T0 + 4999)).toEqual([]); // interval 4 not over yet
    expect(d.drain(T0 + 5000)).toEqual([{ path: 'Vehicle.Speed', value: 49, ts: T0 + 4900 }]);
    expect(d.skipped).toBe(45);
  });

  it('keeps every change of a boolean inside one interval, and the value the interval ended with', () => {
    const d = new Downsampler(1000);
    const door = 'Vehicle.Cabin.Door.Row1.DriverSide.IsOpen';
    const emitted = feed(d, [
      [door, false, T0],
      [door, true, T0 + 100], // opens ...
      [door, false, T0 + 200], // ... and closes again within the same second
      [door, false, T0 + 300],
      [door, false, T0 + 900],
    ]);
    expect(emitted).toEqual([
      { path: door, value: false, ts: T0 },
      { path: door, value: true, ts: T0 + 100 },
      { path: door, value: false, ts: T0 + 200 },
    ]);
    expect(d.drain(T0 + 1000)).toEqual([{ path: door, value: false, ts: T0 + 900 }]);
  });

  it('treats string changes like boolean ones and keeps paths apart', () => {
    const d = new Downsampler(1000);
    const emitted = feed(d, [
      ['Gear', 'P', T0],
      ['Speed', 1, T0 + 10],
      ['Gear', 'D', T0 + 20],
      ['Speed', 2, T0 + 30],
      ['Gear', 'D', T0 + 40],
    ]);
    expect(emitted.map((s) => `${s.path}=${String(s.value)}`)).toEqual(['Gear=P', 'Gear=D']);
    expect(d.drain(0, true).map((s) => `${s.path}=${String(s.value)}@${s.ts - T0}`).sort()).toEqual([
      'Gear=D@40',
      'Speed=2@30',
    ]);
    expect(d.pendingCount).toBe(0);
  });

  it('closes the current interval when the clock jumps back', () => {
    const d = new Downsampler(1000);
    feed(d, [['Speed', 10, T0 + 5000]]);
    expect(d.offer('Speed', 11, T0)).toEqual([{ path: 'Speed', value: 10, ts: T0 + 5000 }]);
  });

  it('rejects a non-positive interval', () => {
    expect(() => new Downsampler(0)).toThrow(RangeError);
  });
});
