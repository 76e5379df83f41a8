import type { DbcMessage, DbcSignal } from '../dbc/types.js';
import type { SignalSpec, SignalValue } from '../catalog/types.js';

/**
 * A compiled DBC <-> VSS mapping (the mapping file is YAML, in the spirit of Eclipse Kuksa's
 * dbc2val: per VSS path a `dbc2vss` block saying which DBC signal feeds it and how to transform the
 * value, and for actuators a `vss2dbc` block saying which request signal to encode).
 */
export interface MappingEntry {
  readonly path: string;
  readonly spec: SignalSpec;
  /** How the value is read from the bus. Absent for signals with no DBC source. */
  readonly read?: {
    readonly message: DbcMessage;
    readonly signal: DbcSignal;
    /** Physical DBC value -> VSS value (enum number -> string, unit change, ...). undefined = not available (e.g. SNA). */
    toVss(physical: number): SignalValue | undefined;
  };
  /** Constant value of an attribute the bus does not carry (mapping `value:`), e.g. the VIN. */
  readonly value?: SignalValue;
  /** How an actuator is requested. Present only for actuators. */
  readonly write?: {
    readonly message: DbcMessage;
    readonly signal: DbcSignal;
    /** VSS value -> physical DBC value to encode. Throws a RangeError when the value has no DBC equivalent. */
    toDbc(value: SignalValue): number;
  };
}

export interface VssMapping {
  readonly entries: readonly MappingEntry[];
  readonly byPath: ReadonlyMap<string, MappingEntry>;
  /** Entries fed by each message (by message name), for fast decoding. */
  readonly byMessage: ReadonlyMap<string, readonly MappingEntry[]>;
}
