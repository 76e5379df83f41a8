import type { CanFrame, DbcCodec, DbcMessage, MappingEntry, MessageCodec, SignalValue, SignalValues, VssMapping } from '@auriga/common';
import type { SignalSlot, VehicleState } from './state.js';

/** Called with the decoded physical values of a message (e.g. ECU_ActuationAck for the actuation service). */
export type MessageListener = (signals: SignalValues, receivedAt: number) => void;

interface EntryPlan {
  readonly signalName: string;
  readonly toVss: (physical: number) => SignalValue | undefined;
  readonly slot: SignalSlot;
}

/** Everything needed to apply one message id, prepared once. */
interface MessagePlan {
  readonly message: DbcMessage;
  readonly codec: MessageCodec;
  readonly entries: readonly EntryPlan[];
  /** Stale after this long without the message; undefined for event-driven messages. */
  readonly staleAfterMs: number | undefined;
  lastSeen: number;
  stale: boolean;
  listeners: MessageListener[];
}

export interface IngestOptions {
  codec: DbcCodec;
  mapping: VssMapping;
  state: VehicleState;
  /** A cyclic message is stale after staleFactor x its cycle time. */
  staleFactor: number;
  now: () => number;
}

// Frame batch layout (see @auriga/common frame-batch.ts; the batch test cross-checks it with
// decodeFrameBatch): float64 timestamp, uint32 id (+EFF flag), uint8 flags, uint8 length, data.
const EFF_FLAG = 0x80000000;
const ID_OFFSET = 8;
const LENGTH_OFFSET = 13;
const HEADER = 14;
/** Map key for a CAN id: extended ids get bit 29 so they never collide with standard ones. */
const keyOf = (id: number, extended: boolean): number => (extended ? id + 0x20000000 : id);

/**
 * Decodes raw CAN frames with the DBC and applies the mapped VSS values to the state.
 * Hot path: one Map lookup and one codec decode per frame, no logging, counters as plain numbers.
 */
export class Ingest {
  /** Frames seen (known or not). */
  framesIngested = 0;
  /** Frames whose id the DBC does not know (ignored). */
  unknownFrames = 0;
  /** Frames or batches that could not be decoded. */
  decodeErrors = 0;
  /** When the last frame arrived (ms), undefined before the first. */
  lastFrameAt: number | undefined = undefined;

  private readonly plans = new Map<number, MessagePlan>();
  private readonly byName = new Map<string, MessagePlan>();
  private readonly state: VehicleState;
  private readonly codec: DbcCodec;
  private readonly staleFactor: number;
  private readonly now: () => number;

  constructor(opts: IngestOptions) {
    this.state = opts.state;
    this.codec = opts.codec;
    this.staleFactor = opts.staleFactor;
    this.now = opts.now;
    for (const [messageName, entries] of opts.mapping.byMessage) {
      const message = opts.codec.messageByName(messageName);
      if (!message) continue;
      this.planFor(message, entries);
    }
  }

  private planFor(message: DbcMessage, entries: readonly MappingEntry[] = []): MessagePlan {
    const entryPlans: EntryPlan[] = [];
    for (const e of entries) {
      const slot = this.state.slot(e.path);
      if (!slot || !e.read || e.read.message.name !== message.name) continue;
      entryPlans.push({ signalName: e.read.signal.name, toVss: e.read.toVss, slot });
    }
    const plan: MessagePlan = {
      message,
      codec: this.codec.codecFor(message),
      entries: entryPlans,
      staleAfterMs: message.cycleTimeMs && message.cycleTimeMs > 0 ? message.cycleTimeMs * this.staleFactor : undefined,
      lastSeen: -Infinity,
      stale: true,
      listeners: [],
    };
    this.plans.set(keyOf(message.id, message.extended), plan);
    this.byName.set(message.name, plan);
    return plan;
  }

  /**
   * Subscribes to the decoded values of a DBC message, e.g. the actuation acks.
   * The message need not feed any VSS signal.
   */
  onMessage(message: DbcMessage, listener: MessageListener): () => void {
    const plan = this.byName.get(message.name) ?? this.planFor(message);
    plan.listeners.push(listener);
    return () => {
      const i = plan.listeners.indexOf(listener);
      if (i >= 0) plan.listeners.splice(i, 1);
    };
  }

  /** True when the message has not arrived within its stale window (or never arrived). */
  isMessageStale(messageName: string): boolean {
    const plan = this.byName.get(messageName);
    return plan === undefined || plan.stale;
  }

  /** Applies one MQTT frame batch payload (see @auriga/common frame-batch) without building CanFrame objects. */
  applyBatch(payload: Buffer): number {
    const now = this.now();
    const len = payload.length;
    if (len < 1 || payload[0] !== 1) {
      this.decodeErrors++;
      return 0;
    }
    let o = 1;
    let n = 0;
    while (o < len) {
      if (o + HEADER > len) {
        this.decodeErrors++;
        break;
      }
      const dlc = payload[o + LENGTH_OFFSET]!;
      const end = o + HEADER + dlc;
      if (dlc > 64 || end > len) {
        this.decodeErrors++;
        break;
      }
      const rawId = payload.readUInt32BE(o + ID_OFFSET);
      const extended = (rawId & EFF_FLAG) !== 0;
      this.applyData(extended ? rawId & 0x1fffffff : rawId & 0x7ff, extended, payload.subarray(o + HEADER, end), now);
      n++;
      o = end;
    }
    return n;
  }

  /** Applies one frame (e.g. from a candump log). */
  applyFrame(frame: CanFrame): void {
    this.applyData(frame.id, frame.extended, frame.data, this.now());
  }

  private applyData(id: number, extended: boolean, data: Uint8Array, now: number): void {
    this.framesIngested++;
    this.lastFrameAt = now;
    const plan = this.plans.get(keyOf(id, extended));
    if (plan === undefined) {
      this.unknownFrames++;
      return;
    }
    plan.lastSeen = now;
    plan.stale = false;
    const entries = plan.entries;
    const listeners = plan.listeners;
    if (entries.length === 0 && listeners.length === 0) return;
    let values: SignalValues;
    try {
      values = plan.codec.decode(data);
    } catch {
      this.decodeErrors++;
      return;
    }
    const state = this.state;
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i]!;
      const physical = values[e.signalName];
      // Absent: a multiplexed signal not selected in this frame.
      if (physical === undefined) continue;
      const v = e.toVss(physical);
      // undefined = "signal not available" on the bus: keep the last value but stop vouching for it.
      if (v === undefined) state.markStale(e.slot, now);
      else state.update(e.slot, v, now);
    }
    for (let i = 0; i < listeners.length; i++) listeners[i]!(values, now);
  }

  /** Marks the signals of messages missing for longer than their stale window; call periodically. */
  checkStaleness(now: number = this.now()): number {
    let newlyStale = 0;
    for (const plan of this.plans.values()) {
      if (plan.stale || plan.staleAfterMs === undefined) continue;
      if (now - plan.lastSeen > plan.staleAfterMs) {
        plan.stale = true;
        newlyStale++;
        for (const e of plan.entries) this.state.markStale(e.slot, now);
      }
    }
    return newlyStale;
  }

  /** Everything stale at once, e.g. when the connection to the car is lost. The next frame of each message revives it. */
  markAllStale(now: number = this.now()): void {
    for (const plan of this.plans.values()) plan.stale = true;
    this.state.markAllStale(now);
  }

  /** The shortest stale window, to size the staleness check interval. */
  get shortestStaleWindowMs(): number | undefined {
    let min: number | undefined;
    for (const plan of this.plans.values()) if (plan.staleAfterMs !== undefined && (min === undefined || plan.staleAfterMs < min)) min = plan.staleAfterMs;
    return min;
  }
}
