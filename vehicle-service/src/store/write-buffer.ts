/**
 * Rows waiting to be written, bounded. Pure (no I/O).
 *
 * When more than `maxRows` wait (the disk is full or failing and flushes keep failing), the OLDEST
 * signal samples go first: recent data matters more in a car, and samples are the bulk. Events go
 * only when no sample is left to drop. Every drop is counted. Actuations never pass through here:
 * they are written at once and their promise says whether they were.
 */
export interface SampleRow {
  path: string;
  /** 0 number, 1 boolean, 2 string (see migrations.ts). */
  kind: 0 | 1 | 2;
  value: number | string;
  ts: number;
}

export interface EventRow {
  ts: number;
  type: string;
  path: string | null;
  severity: string;
  message: string;
  /** JSON text. */
  data: string | null;
}

export interface Batch {
  samples: SampleRow[];
  events: EventRow[];
}

export class WriteBuffer {
  private readonly samples = new Fifo<SampleRow>();
  private readonly events = new Fifo<EventRow>();
  droppedSamples = 0;
  droppedEvents = 0;

  constructor(readonly maxRows: number) {
    if (!(maxRows >= 1)) throw new RangeError(`maxBufferedRows must be at least 1, got ${maxRows}`);
  }

  get sampleCount(): number {
    return this.samples.length;
  }

  get eventCount(): number {
    return this.events.length;
  }

  get size(): number {
    return this.samples.length + this.events.length;
  }

  pushSample(row: SampleRow): void {
    this.samples.push(row);
    this.enforceBound();
  }

  pushEvent(row: EventRow): void {
    this.events.push(row);
    this.enforceBound();
  }

  /** Removes up to `maxRows` rows, oldest first, events before samples. */
  take(maxRows: number): Batch {
    const events = this.events.shift(maxRows);
    const samples = this.samples.shift(maxRows - events.length);
    return { samples, events };
  }

  /** Puts back a batch that could not be written, ahead of newer rows; the bound applies again. */
  restore(batch: Batch): void {
    this.samples.unshiftAll(batch.samples);
    this.events.unshiftAll(batch.events);
    this.enforceBound();
  }

  private enforceBound(): void {
    let over = this.size - this.maxRows;
    if (over <= 0) return;
    const samples = this.samples.dropOldest(over);
    this.droppedSamples += samples;
    over -= samples;
    if (over > 0) this.droppedEvents += this.events.dropOldest(over);
  }
}

/** Array-backed queue with O(1) amortised removal at the head. */
class Fifo<T> {
  private items: T[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  shift(n: number): T[] {
    if (n <= 0) return [];
    const out = this.items.slice(this.head, this.head + n);
    this.head += out.length;
    this.compact();
    return out;
  }

  dropOldest(n: number): number {
    const dropped = Math.min(Math.max(0, n), this.length);
    this.head += dropped;
    this.compact();
    return dropped;
  }

  unshiftAll(rows: readonly T[]): void {
    if (rows.length === 0) return;
    this.items = [...rows, ...this.items.slice(this.head)];
    this.head = 0;
  }

  private compact(): void {
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}
