/**
 * TESTS AND BENCHES: a stand-in for the car's ECUs on the request side. It decodes request frames
 * like the simulator would and answers with ECU_ActuationAck and (optionally) the status frame
 * carrying the new value, so actuation can be tested without can-sim.
 */
import type { CanFrame, DbcCodec, DbcMessage, MappingEntry, SignalValue, SignalValues, VssMapping } from '@auriga/common';

export type EcuBehaviour =
  /** Ack 0 and report the requested value in the status message. */
  | { kind: 'obey' }
  /** Ack with this result and change nothing. */
  | { kind: 'reject'; result: number }
  /** Ack 0 but never move. */
  | { kind: 'stuck' }
  /** Say nothing. */
  | { kind: 'silent' };

export interface DecodedRequest {
  entry: MappingEntry;
  value: number;
  counter: number | undefined;
  frame: CanFrame;
}

export class FakeEcu {
  behaviour: EcuBehaviour = { kind: 'obey' };
  readonly requests: DecodedRequest[] = [];
  /** Current status values by VSS path, as the ECU would report them (physical DBC values). */
  private readonly statusValues = new Map<string, SignalValues>();

  constructor(
    private readonly codec: DbcCodec,
    private readonly mapping: VssMapping,
    /** Where answers go (e.g. ingest.applyFrame, or an MQTT publish). */
    private readonly reply: (frames: CanFrame[]) => void,
  ) {}

  /** Handles the frames the service sent; returns the answers it also passed to `reply`. */
  handle(frames: readonly CanFrame[]): CanFrame[] {
    const out: CanFrame[] = [];
    for (const frame of frames) {
      const decoded = this.codec.decodeFrame(frame);
      if (!decoded) continue;
      const { message, signals } = decoded;
      const counterName = `${message.name}_Counter`;
      const counter = signals[counterName] ?? Object.entries(signals).find(([k]) => k.endsWith('_Counter'))?.[1];
      // The one request signal that differs from its "no request" start value.
      const entry = this.mapping.entries.find((e) => {
        if (!e.write || e.write.message.name !== message.name) return false;
        const sig = e.write.signal;
        const noRequest = sig.startValue !== undefined ? sig.startValue * sig.factor + sig.offset : undefined;
        const v = signals[sig.name];
        return v !== undefined && (noRequest === undefined ? true : Math.abs(v - noRequest) > 1e-9);
      });
      if (!entry?.write) continue;
      const value = signals[entry.write.signal.name]!;
      this.requests.push({ entry, value, counter, frame });
      const b = this.behaviour;
      if (b.kind === 'silent') continue;
      const result = b.kind === 'reject' ? b.result : 0;
      out.push(this.codec.encodeFrame('ECU_ActuationAck', { Ack_RequestId: message.id, Ack_Counter: counter ?? 0, Ack_Result: result }, frame.timestamp));
      if (b.kind === 'obey' && entry.read) out.push(this.statusFrame(entry, this.readValueFor(entry, value), frame.timestamp));
    }
    if (out.length > 0) this.reply(out);
    return out;
  }

  /** A status frame of `entry`'s read message with its signal at `physical` (other signals keep earlier values). */
  statusFrame(entry: MappingEntry, physical: number, timestamp = Date.now() / 1000): CanFrame {
    const read = entry.read!;
    const values = { ...(this.statusValues.get(read.message.name) ?? {}), [read.signal.name]: physical };
    this.statusValues.set(read.message.name, values);
    return this.codec.encodeFrame(read.message.name, values, timestamp);
  }

  /** Sets signals of a status message (physical values) for the next status frames. */
  setStatus(messageName: string, values: SignalValues): void {
    this.statusValues.set(messageName, { ...(this.statusValues.get(messageName) ?? {}), ...values });
  }

  /** One frame of each given message with the values known so far (the rest at their start values). */
  cyclicFrames(messages: readonly DbcMessage[], timestamp = Date.now() / 1000): CanFrame[] {
    return messages.map((m) => this.codec.encodeFrame(m.name, this.statusValues.get(m.name) ?? {}, timestamp));
  }

  /** Status frame for a VSS value of `path` (uses the read transform backwards by search). */
  statusFrameFor(path: string, vss: SignalValue, timestamp?: number): CanFrame {
    const entry = this.mapping.byPath.get(path);
    if (!entry?.read) throw new Error(`${path} has no status signal`);
    return this.statusFrame(entry, this.physicalForVss(entry, vss), timestamp);
  }

  /** Request value (physical) -> status value (physical); for booleans the request may be a 0..3 command. */
  private readValueFor(entry: MappingEntry, requestPhysical: number): number {
    // Map through VSS: the request's VSS meaning, then the status encoding of that meaning.
    const vss = this.vssOfRequest(entry, requestPhysical);
    return vss === undefined ? requestPhysical : this.physicalForVss(entry, vss);
  }

  private vssOfRequest(entry: MappingEntry, physical: number): SignalValue | undefined {
    const spec = entry.spec;
    const candidates: SignalValue[] =
      spec.datatype === 'boolean' ? [true, false] : spec.allowed ? [...spec.allowed] : [];
    for (const c of candidates) {
      try {
        if (entry.write!.toDbc(c) === physical) return c;
      } catch {
        /* not representable */
      }
    }
    return candidates.length === 0 ? physical : undefined;
  }

  private physicalForVss(entry: MappingEntry, vss: SignalValue): number {
    const sig = entry.read!.signal;
    if (typeof vss === 'number' && entry.read!.toVss(vss) === vss) return vss;
    // Search the raw range for the value whose VSS reading is `vss` (small signals only).
    const maxRaw = Math.min(2 ** sig.length - 1, 4095);
    for (let raw = 0; raw <= maxRaw; raw++) {
      const physical = raw * sig.factor + sig.offset;
      if (entry.read!.toVss(physical) === vss) return physical;
    }
    if (typeof vss === 'number') return vss;
    throw new Error(`no status encoding of ${JSON.stringify(vss)} for ${entry.path}`);
  }
}
