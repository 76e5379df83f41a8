import { describe, expect, it } from 'vitest';
import { alignSeries, appendPoint, extent } from './series.js';

describe('chart series', () => {
  it('aligns two histories per second with gaps as null, last sample per bucket', () => {
    const speed = [
      { value: 10, timestamp: 1_000 },
      { value: 11, timestamp: 1_900 },
      { value: 20, timestamp: 3_100 },
    ];
    const cons = [
      { value: 6.5, timestamp: 1_500 },
      { value: 7, timestamp: 2_200 },
      { value: 'x', timestamp: 3_000 },
    ];
    expect(alignSeries(speed, cons)).toEqual([
      [1, 2, 3],
      [11, null, 20],
      [6.5, 7, null],
    ]);
  });

  it('appends live points in time order and keeps at most max points', () => {
    let d = alignSeries([{ value: 1, timestamp: 1000 }], []);
    d = appendPoint(d, 2, 2, 5, 2);
    d = appendPoint(d, 2, 9, 9, 2); // not newer: ignored
    d = appendPoint(d, 3, 3, null, 2);
    expect(d).toEqual([
      [2, 3],
      [2, 3],
      [5, null],
    ]);
  });

  it('finds the extent ignoring gaps', () => {
    expect(extent([null, 3, -1, null, 8])).toEqual([-1, 8]);
    expect(extent([null])).toBeUndefined();
  });
});
