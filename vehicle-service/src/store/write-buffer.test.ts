import { describe, expect, it } from 'vitest';
import { WriteBuffer, type EventRow, type SampleRow } from './write-buffer.js';

const sample = (ts: number): SampleRow => ({ path: 'p', kind: 0, value: ts, ts });
const event = (ts: number): EventRow => ({ ts, type: 't', path: null, severity: 'info', message: 'm', data: null });

describe('WriteBuffer', () => {
  it('drops the oldest samples first when over its bound, and counts them', () => {
    const b = new WriteBuffer(5);
    b.pushEvent(event(0));
    for (let i = 1; i <= 6; i++) b.pushSample(sample(i));
    expect(b.size).toBe(5);
    expect(b.droppedSamples).toBe(2);
    expect(b.droppedEvents).toBe(0);
    const batch = b.take(10);
    expect(batch.events.map((e) => e.ts)).toEqual([0]);
    expect(batch.samples.map((s) => s.ts)).toEqual([3, 4, 5, 6]);
  });

  it('drops events only when no sample is left', () => {
    const b = new WriteBuffer(2);
    for (let i = 0; i < 4; i++) b.pushEvent(event(i));
    expect(b.droppedEvents).toBe(2);
    expect(b.take(10).events.map((e) => e.ts)).toEqual([2, 3]);
  });

  it('puts a failed batch back ahead of newer rows, within the bound', () => {
    const b = new WriteBuffer(4);
    for (let i = 0; i < 3; i++) b.pushSample(sample(i));
    const batch = b.take(2);
    expect(batch.samples.map((s) => s.ts)).toEqual([0, 1]);
    b.pushSample(sample(3));
    b.pushSample(sample(4));
    b.restore(batch); // 0 1 2 3 4 -> over by one: 0 goes
    expect(b.droppedSamples).toBe(1);
    expect(b.take(10).samples.map((s) => s.ts)).toEqual([1, 2, 3, 4]);
    expect(b.size).toBe(0);
  });

  it('stays correct across many pushes and takes (head compaction)', () => {
    const b = new WriteBuffer(100_000);
    let next = 0;
    const taken: number[] = [];
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 3000; i++) b.pushSample(sample(next++));
      for (const s of b.take(2500).samples) taken.push(s.ts);
    }
    expect(taken).toEqual(Array.from({ length: 50 * 2500 }, (_, i) => i));
    expect(b.size).toBe(next - taken.length);
  });
});
