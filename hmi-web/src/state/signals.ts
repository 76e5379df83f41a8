import type { SignalSnapshot, SignalValue, StreamChange } from '../api/types.js';

export type Listener = () => void;

/** Runs listeners once per animation frame at most, however many batches arrived (injectable for tests). */
export type Scheduler = (flush: () => void) => void;

export const immediate: Scheduler = (flush) => flush();

export const animationFrame: Scheduler = (flush) => {
  if (typeof requestAnimationFrame === 'function') requestAnimationFrame(() => flush());
  else setTimeout(flush, 16);
};

/** A value that screens subscribe to. */
export class Observable<T> {
  private readonly listeners = new Set<Listener>();
  constructor(private current: T) {}

  get value(): T {
    return this.current;
  }

  set(next: T): void {
    if (Object.is(next, this.current)) return;
    this.current = next;
    for (const l of [...this.listeners]) l();
  }

  update(fn: (value: T) => T): void {
    this.set(fn(this.current));
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/**
 * The car's signals as the stream delivers them: a snapshot replaces everything, changes update
 * single paths. Listeners are told once per scheduled flush, and `version` counts the updates.
 */
export class SignalStore {
  private readonly map = new Map<string, SignalSnapshot>();
  private readonly listeners = new Set<Listener>();
  private scheduled = false;
  private versionCounter = 0;

  constructor(private readonly schedule: Scheduler = immediate) {}

  get version(): number {
    return this.versionCounter;
  }

  get size(): number {
    return this.map.size;
  }

  get(path: string): SignalSnapshot | undefined {
    return this.map.get(path);
  }

  /** The current value, undefined when never received. */
  value(path: string): SignalValue | undefined {
    const v = this.map.get(path)?.value;
    return v === null ? undefined : v;
  }

  number(path: string): number | undefined {
    const v = this.value(path);
    return typeof v === 'number' ? v : undefined;
  }

  boolean(path: string): boolean | undefined {
    const v = this.value(path);
    return typeof v === 'boolean' ? v : undefined;
  }

  isStale(path: string): boolean {
    const s = this.map.get(path);
    return !s || s.stale || s.value === null;
  }

  list(prefix?: string): SignalSnapshot[] {
    const all = [...this.map.values()];
    return prefix ? all.filter((s) => s.path === prefix || s.path.startsWith(`${prefix}.`)) : all;
  }

  applySnapshot(signals: readonly SignalSnapshot[]): void {
    this.map.clear();
    for (const s of signals) this.map.set(s.path, { ...s });
    this.changed();
  }

  applyChanges(changes: readonly StreamChange[]): void {
    if (changes.length === 0) return;
    for (const c of changes) {
      const before = this.map.get(c.path);
      this.map.set(c.path, { path: c.path, value: c.value, unit: before?.unit ?? null, timestamp: c.timestamp, stale: c.stale });
    }
    this.changed();
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    this.versionCounter++;
    if (this.scheduled) return;
    this.scheduled = true;
    this.schedule(() => {
      this.scheduled = false;
      for (const l of [...this.listeners]) l();
    });
  }
}
