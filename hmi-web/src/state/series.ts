import type { HistorySample } from '../api/types.js';

/** Chart data: x in seconds since the epoch (uPlot's default time scale), one y list per series. */
export type AlignedSeries = [number[], Array<number | null>, Array<number | null>];

/**
 * Puts two signals' histories on one time axis, one point per `bucketMs` (the last sample in each
 * bucket wins); a bucket where a signal has no sample gets null (a gap in its line, not a zero).
 */
export function alignSeries(a: readonly HistorySample[], b: readonly HistorySample[], bucketMs = 1000): AlignedSeries {
  const buckets = new Map<number, [number | null, number | null]>();
  const put = (samples: readonly HistorySample[], index: 0 | 1) => {
    for (const s of samples) {
      if (typeof s.value !== 'number' || !Number.isFinite(s.value)) continue;
      const key = Math.floor(s.timestamp / bucketMs);
      const slot = buckets.get(key) ?? [null, null];
      slot[index] = s.value;
      buckets.set(key, slot);
    }
  };
  put(a, 0);
  put(b, 1);
  const keys = [...buckets.keys()].sort((x, y) => x - y);
  return [keys.map((k) => (k * bucketMs) / 1000), keys.map((k) => buckets.get(k)![0]), keys.map((k) => buckets.get(k)![1])];
}

/** Appends one live point (seconds), dropping the oldest beyond `max` points. Returns a new value. */
export function appendPoint(data: AlignedSeries, xSec: number, y1: number | null, y2: number | null, max: number): AlignedSeries {
  const [xs, a, b] = data;
  const last = xs[xs.length - 1];
  if (last !== undefined && xSec <= last) return data;
  const drop = Math.max(0, xs.length + 1 - max);
  return [[...xs.slice(drop), xSec], [...a.slice(drop), y1], [...b.slice(drop), y2]];
}

/** Min and max of a series, ignoring gaps; undefined when it has no value. */
export function extent(values: ReadonlyArray<number | null>): [number, number] | undefined {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v === null) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : undefined;
}
