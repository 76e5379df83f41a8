import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { readCandumpLog, type CanFrame } from '@auriga/common';
import { realTimers, type Timers } from '../clock/timers.js';
import { SimErrors } from '../errors.js';

export interface ReplayOptions {
  /** Called with the frames due in one tick, grouped by bus (interface name, or `bus` when forced). */
  publish: (frames: CanFrame[], bus: string) => void;
  /** Replay speed: 1 = the original timing, 10 = ten times faster. Default 1. */
  timeScale?: number;
  /** Start again from the top at the end, forever (until stopped). */
  loop?: boolean;
  /** Publish every frame on this bus instead of the interface named in the log. */
  bus?: string;
  /**
   * Shift timestamps so the first frame is stamped "now" (intervals are kept). Default true:
   * consumers treat the replay as live data. False keeps the log's own timestamps.
   */
  rebaseTimestamps?: boolean;
  /** Frames closer together than this (ms of wall time) go out in one batch. Default 10. */
  tickMs?: number;
  timers?: Timers;
  /** Wall clock for rebasing (s since the epoch). */
  epochNow?: () => number;
  /** Aborts the replay. */
  signal?: AbortSignal;
  onProgress?: (info: { frames: number; logTime: number; loop: number }) => void;
}

export interface ReplayResult {
  frames: number;
  loops: number;
  /** Seconds of log time covered by one pass. */
  durationS: number;
  aborted: boolean;
}

/**
 * Replays a candump log with its original timing (time-scaled). Needs no DBC: frames are passed on
 * raw, so a drive recorded on a real car with its own DBC replays just as well.
 */
export async function replayCandump(file: string, options: ReplayOptions): Promise<ReplayResult> {
  try {
    await access(file);
  } catch (err) {
    throw SimErrors.replayInput(file, (err as Error).message, { cause: err });
  }
  const timers = options.timers ?? realTimers;
  const scale = options.timeScale ?? 1;
  if (!(scale > 0 && Number.isFinite(scale))) throw SimErrors.badOption('timeScale', `must be a positive number, got ${scale}`);
  const tickMs = options.tickMs ?? 10;
  const rebase = options.rebaseTimestamps ?? true;
  const epochNow = options.epochNow ?? (() => Date.now() / 1000);
  const signal = options.signal;
  let frames = 0;
  let loops = 0;
  let durationS = 0;
  // Log time -> output time offset; grows with every loop so timestamps keep increasing.
  let offset: number | undefined;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const handle = timers.setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        timers.clearTimeout(handle);
        resolve();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    });

  do {
    const wallStart = timers.now();
    let first: number | undefined;
    let last = 0;
    let pending = new Map<string, CanFrame[]>();
    const flush = () => {
      for (const [bus, list] of pending) options.publish(list, bus);
      pending = new Map();
    };
    const stream = createReadStream(file);
    try {
      for await (const frame of readCandumpLog(stream, { source: file })) {
        if (signal?.aborted) break;
        if (first === undefined) {
          first = frame.timestamp;
          if (offset === undefined) offset = rebase ? epochNow() - first : 0;
        }
        last = Math.max(last, frame.timestamp);
        const dueMs = ((frame.timestamp - first) * 1000) / scale;
        const waitMs = dueMs - (timers.now() - wallStart);
        if (waitMs > tickMs / 2) {
          flush();
          await sleep(waitMs);
          if (signal?.aborted) break;
        }
        const bus = options.bus ?? frame.bus ?? 'can0';
        const out: CanFrame = { ...frame, timestamp: frame.timestamp + offset!, bus };
        const list = pending.get(bus);
        if (list) list.push(out);
        else pending.set(bus, [out]);
        frames++;
      }
      if (!signal?.aborted) flush();
    } catch (err) {
      if ((err as { code?: string }).code === 'AURIGA_ERR_CANDUMP_SYNTAX') throw SimErrors.replayInput(file, (err as Error).message, { cause: err });
      throw err;
    } finally {
      stream.destroy();
    }
    if (first === undefined) throw SimErrors.replayInput(file, 'the log has no frames');
    durationS = last - first;
    loops++;
    options.onProgress?.({ frames, logTime: durationS, loop: loops });
    // The next pass continues right after this one (plus one typical frame gap).
    offset! += durationS + 0.01;
    if (options.loop && !signal?.aborted) {
      const elapsed = timers.now() - wallStart;
      const passMs = ((durationS + 0.01) * 1000) / scale;
      if (passMs > elapsed) await sleep(passMs - elapsed);
    }
  } while (options.loop && !signal?.aborted);
  return { frames, loops, durationS, aborted: signal?.aborted ?? false };
}
