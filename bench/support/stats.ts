/** Latency statistics every bench prints the same way (ms, rounded to microseconds). */
export interface LatencyStats {
  n: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  mean: number;
  max: number;
}

export function latencyStats(samples: readonly number[]): LatencyStats {
  const s = [...samples].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)]!;
  const r = (x: number) => Math.round(x * 1000) / 1000;
  return {
    n: s.length,
    p50: r(q(0.5)),
    p90: r(q(0.9)),
    p95: r(q(0.95)),
    p99: r(q(0.99)),
    mean: r(s.reduce((a, b) => a + b, 0) / s.length),
    max: r(s[s.length - 1]!),
  };
}
