import type { SignalValue } from '@auriga/common';

/**
 * Decides which signal samples are worth storing. Pure: no clock of its own, no I/O.
 *
 * Time is cut into intervals aligned on the epoch (`floor(ts / intervalMs)`), so the stored
 * samples of different paths line up. Per path and interval:
 * - the LATEST sample of the interval is kept (not the first): the stored row is the state the
 *   interval ended in, so when a signal stops changing (the car stops, a window reaches its end)
 *   the final value is stored rather than a value it passed through;
 * - for booleans and strings every CHANGE is kept as well, with its own timestamp, so a door that
 *   opens and closes again inside one interval still leaves both edges in the history.
 * So a path stores at most one row per interval plus one per change of a boolean/string.
 *
 * The latest sample of an interval is held back until the interval is over: either a sample of a
 * later interval arrives, or `drain(now)` sees that `now` is past its end. `drain(now, true)`
 * hands out everything (explicit flush, close); a sample arriving after that in the same
 * interval is stored too, so an explicit flush can add one row in that interval.
 */
export interface Sample {
  path: string;
  value: SignalValue;
  /** Integer milliseconds since the epoch. */
  ts: number;
}

interface PathState {
  interval: number;
  /** Latest sample of `interval` not handed out yet. */
  pending: Sample | undefined;
  /** Last value seen (not necessarily stored), to detect changes of booleans and strings. */
  lastValue: SignalValue | undefined;
}

export class Downsampler {
  private readonly paths = new Map<string, PathState>();
  /** Samples superseded inside their interval (not stored by design). */
  skipped = 0;

  constructor(readonly intervalMs: number) {
    if (!(intervalMs > 0) || !Number.isFinite(intervalMs)) {
      throw new RangeError(`sample interval must be a positive number of ms, got ${intervalMs}`);
    }
  }

  /** Takes one sample; returns the samples to store now (0, 1 or 2), oldest first. */
  offer(path: string, value: SignalValue, ts: number): Sample[] {
    const interval = Math.floor(ts / this.intervalMs);
    let state = this.paths.get(path);
    if (!state) {
      state = { interval, pending: undefined, lastValue: undefined };
      this.paths.set(path, state);
    }
    const out: Sample[] = [];
    // A different interval (normally the next one; earlier after a clock jump back) closes the current one.
    if (interval !== state.interval) {
      if (state.pending) out.push(state.pending);
      state.pending = undefined;
      state.interval = interval;
    }
    const isChange = typeof value !== 'number' && value !== state.lastValue;
    state.lastValue = value;
    if (state.pending) this.skipped++;
    if (isChange) {
      out.push({ path, value, ts });
      state.pending = undefined;
    } else {
      state.pending = { path, value, ts };
    }
    return out;
  }

  /** Hands out the held-back samples whose interval ended by `now` (all of them with `all`). */
  drain(now: number, all = false): Sample[] {
    const out: Sample[] = [];
    const currentInterval = Math.floor(now / this.intervalMs);
    for (const state of this.paths.values()) {
      if (state.pending && (all || state.interval < currentInterval)) {
        out.push(state.pending);
        state.pending = undefined;
      }
    }
    return out;
  }

  /** Number of samples held back, one at most per path. */
  get pendingCount(): number {
    let n = 0;
    for (const state of this.paths.values()) if (state.pending) n++;
    return n;
  }
}
