import type { SignalSpec, SignalValue } from '@auriga/common';
import { TypedEmitter } from '@auriga/common';

/** What the service knows about one VSS signal. */
export interface SignalSnapshot {
  path: string;
  /** undefined until the first frame that carries the signal arrived. */
  value: SignalValue | undefined;
  unit: string | undefined;
  /** When the value was last received (ms since the Unix epoch, local clock); undefined before the first. */
  timestamp: number | undefined;
  /** True when the value cannot be trusted as current (message missing, MQTT down, not available, never received). */
  stale: boolean;
}

/** Emitted when a value changes or a signal turns stale or fresh. */
export interface SignalChange {
  path: string;
  value: SignalValue | undefined;
  previous: SignalValue | undefined;
  /** ms since the Unix epoch */
  timestamp: number;
  stale: boolean;
}

/** Internal mutable record of one signal; Ingest holds direct references for speed. */
export class SignalSlot {
  value: SignalValue | undefined = undefined;
  timestamp: number | undefined = undefined;
  stale = true;
  /** Attributes with a constant value from the mapping: never stale. */
  constant = false;
  /** Per-path watchers (pending actuations): called on every change of this slot. */
  watchers: Array<(change: SignalChange) => void> | undefined = undefined;

  constructor(
    readonly path: string,
    readonly spec: SignalSpec,
  ) {}

  snapshot(): SignalSnapshot {
    return { path: this.path, value: this.value, unit: this.spec.unit, timestamp: this.timestamp, stale: this.stale };
  }
}

interface StateEvents {
  change: [SignalChange];
}

/**
 * The current VSS state of the car (pure, no I/O). Values arrive through `update` (from Ingest);
 * staleness is set by Ingest (per message timing) and by the transport (MQTT down).
 */
export class VehicleState extends TypedEmitter<StateEvents> {
  private readonly slots = new Map<string, SignalSlot>();
  private readonly ordered: SignalSlot[];
  private lastUpdate: number | undefined;

  constructor(signals: readonly SignalSpec[]) {
    super();
    this.ordered = [...signals].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)).map((s) => new SignalSlot(s.path, s));
    for (const slot of this.ordered) this.slots.set(slot.path, slot);
  }

  slot(path: string): SignalSlot | undefined {
    return this.slots.get(path);
  }

  has(path: string): boolean {
    return this.slots.has(path);
  }

  get(path: string): SignalSnapshot | undefined {
    return this.slots.get(path)?.snapshot();
  }

  /** Current value, or undefined when unknown or stale. */
  freshValue(path: string): SignalValue | undefined {
    const s = this.slots.get(path);
    return s && !s.stale ? s.value : undefined;
  }

  /** All signals, or those under a VSS branch (`Vehicle.Cabin` matches `Vehicle.Cabin.*`, not `Vehicle.CabinX`), sorted by path. */
  list(prefix?: string): SignalSnapshot[] {
    const out: SignalSnapshot[] = [];
    for (const slot of this.ordered) if (prefix === undefined || matchesPrefix(slot.path, prefix)) out.push(slot.snapshot());
    return out;
  }

  /** When any signal was last received (ms), undefined before the first. */
  get lastUpdateAt(): number | undefined {
    return this.lastUpdate;
  }

  get staleCount(): number {
    let n = 0;
    for (const s of this.ordered) if (s.stale && !s.constant) n++;
    return n;
  }

  get size(): number {
    return this.ordered.length;
  }

  /** Hot path: a received value. Emits only when the value changed or the signal was stale. */
  update(slot: SignalSlot, value: SignalValue, now: number): void {
    slot.timestamp = now;
    this.lastUpdate = now;
    const previous = slot.value;
    if (previous === value && !slot.stale) return;
    slot.value = value;
    slot.stale = false;
    this.changed(slot, previous, now);
  }

  /** Sets an attribute the bus does not carry (VIN, tank capacity...): always fresh. */
  setConstant(path: string, value: SignalValue, now: number): void {
    const slot = this.slots.get(path);
    if (!slot) throw new RangeError(`unknown signal ${path}`);
    slot.constant = true;
    this.update(slot, value, now);
  }

  /** Marks one signal stale (keeps its last value). */
  markStale(slot: SignalSlot, now: number): void {
    if (slot.stale || slot.constant) return;
    slot.stale = true;
    this.changed(slot, slot.value, now);
  }

  /** Marks every signal stale, e.g. when the connection to the car is lost. */
  markAllStale(now: number): void {
    for (const slot of this.ordered) this.markStale(slot, now);
  }

  /** Calls `listener` on every change of `path` until the returned function is called. */
  watch(path: string, listener: (change: SignalChange) => void): () => void {
    const slot = this.slots.get(path);
    if (!slot) throw new RangeError(`unknown signal ${path}`);
    (slot.watchers ??= []).push(listener);
    return () => {
      const i = slot.watchers?.indexOf(listener) ?? -1;
      if (i >= 0) slot.watchers!.splice(i, 1);
    };
  }

  private changed(slot: SignalSlot, previous: SignalValue | undefined, now: number): void {
    const watchers = slot.watchers;
    const hasWatchers = watchers !== undefined && watchers.length > 0;
    if (!hasWatchers && this.listenerCount('change') === 0) return;
    const change: SignalChange = { path: slot.path, value: slot.value, previous, timestamp: now, stale: slot.stale };
    if (hasWatchers) for (const w of [...watchers]) w(change);
    this.emit('change', change);
  }
}

export function matchesPrefix(path: string, prefix: string): boolean {
  if (prefix === '' || path === prefix) return true;
  const p = prefix.endsWith('.') ? prefix : `${prefix}.`;
  return path.startsWith(p);
}
