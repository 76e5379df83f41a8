import type { Timers } from './timers.js';

/** Manually driven timers for tests: time moves only when `tick(ms)` is called. */
export class FakeTimers implements Timers {
  private nowMs = 0;
  private nextId = 1;
  private readonly pending = new Map<number, { at: number; fn: () => void }>();

  now(): number {
    return this.nowMs;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.pending.set(id, { at: this.nowMs + Math.max(0, ms), fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  /** Fires the earliest pending timer only (moving time to it); false when none is pending. */
  runNext(): boolean {
    let nextId: number | undefined;
    let nextAt = Infinity;
    for (const [id, t] of this.pending) {
      if (t.at < nextAt) {
        nextAt = t.at;
        nextId = id;
      }
    }
    if (nextId === undefined) return false;
    const t = this.pending.get(nextId)!;
    this.pending.delete(nextId);
    this.nowMs = Math.max(this.nowMs, t.at);
    t.fn();
    return true;
  }

  /** Moves time forward by `ms`, firing due timers in order (including ones they schedule). */
  tick(ms: number): void {
    const end = this.nowMs + ms;
    for (;;) {
      let nextId: number | undefined;
      let nextAt = Infinity;
      for (const [id, t] of this.pending) {
        if (t.at < nextAt) {
          nextAt = t.at;
          nextId = id;
        }
      }
      if (nextId === undefined || nextAt > end) break;
      const t = this.pending.get(nextId)!;
      this.pending.delete(nextId);
      this.nowMs = Math.max(this.nowMs, t.at);
      t.fn();
    }
    this.nowMs = end;
  }
}
