export interface BackoffOptions {
  /** First retry delay (ms). */
  initialMs: number;
  /** Longest delay (ms). */
  maxMs: number;
  /** Growth per failed attempt. */
  factor: number;
  /** 0..1: the delay is spread over [d * (1 - jitter), d] so many head units do not retry in step. */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 10_000, factor: 2, jitter: 0.25 };

/**
 * Delay before reconnect attempt `attempt` (1 = the first retry): exponential, capped, jittered.
 * `random` returns [0, 1).
 */
export function backoffDelay(attempt: number, options: BackoffOptions = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const n = Math.max(1, Math.floor(attempt));
  const base = Math.min(options.maxMs, options.initialMs * options.factor ** (n - 1));
  const jitter = Math.min(1, Math.max(0, options.jitter));
  return Math.round(base * (1 - jitter * random()));
}
