/** A raw CAN or CAN FD frame as it travels on a bus, in a candump log or over MQTT. */
export interface CanFrame {
  /** Seconds since the Unix epoch (or since the start of a log), microsecond precision. */
  timestamp: number;
  /** 11-bit standard or 29-bit extended identifier, without flag bits. */
  id: number;
  extended: boolean;
  /** 0..8 bytes for classic CAN, up to 64 for CAN FD. */
  data: Uint8Array;
  fd?: boolean;
  brs?: boolean;
  /** Classic CAN remote (RTR) frame: no data. */
  remote?: boolean;
  /** Interface name (e.g. can0); absent when unknown. */
  bus?: string;
}

export type ByteOrder = 'little_endian' | 'big_endian';
/** How the raw bits are interpreted: integer (signed or not), IEEE float32 or float64 (SIG_VALTYPE_). */
export type RawValueType = 'integer' | 'float32' | 'float64';

export interface DbcSignal {
  name: string;
  /** Start bit exactly as written in the DBC (for big-endian: the MSB's position in Vector's sawtooth numbering). */
  startBit: number;
  length: number;
  byteOrder: ByteOrder;
  signed: boolean;
  valueType: RawValueType;
  factor: number;
  offset: number;
  minimum: number;
  maximum: number;
  unit: string;
  receivers: string[];
  /** True for the multiplexer switch signal (`M`). */
  isMultiplexer: boolean;
  /** For a multiplexed signal (`mN`): the multiplexer value that selects it. */
  multiplexValue?: number;
  /** For extended multiplexing (SG_MUL_VAL_) or `mNM`: the switch signal's name; defaults to the message's multiplexer. */
  multiplexerName?: string;
  /**
   * Extended multiplexing (SG_MUL_VAL_): the inclusive ranges of switch values that select the signal.
   * When present it replaces `multiplexValue` (which then holds the first range's low end).
   */
  multiplexRanges?: Array<[number, number]>;
  /** VAL_ table: raw value -> label. */
  choices?: Map<number, string>;
  comment?: string;
  /** Raw start (initial / "no request") value from the GenSigStartValue attribute, when the file defines it. */
  startValue?: number;
  /** Set when the signal does not fit its message: it is kept for reference but never decoded or encoded. */
  unusable?: string;
}

export interface DbcMessage {
  /** Identifier without the extended flag bit. */
  id: number;
  extended: boolean;
  name: string;
  /** Payload length in bytes (0..64). */
  length: number;
  /** Sent as a CAN FD frame: length over 8, or a VFrameFormat attribute saying CAN FD. */
  fd?: boolean;
  sender: string;
  signals: DbcSignal[];
  /** From the GenMsgCycleTime attribute; undefined for event-driven messages. */
  cycleTimeMs?: number;
  comment?: string;
  /** The multiplexer switch signal, when the message is multiplexed. */
  multiplexer?: DbcSignal;
}

export interface DbcWarning {
  line: number;
  message: string;
}

export interface Dbc {
  version: string;
  nodes: string[];
  messages: DbcMessage[];
  warnings: DbcWarning[];
}

/** Decoded physical values by signal name. Enumerated signals decode to their raw numbers. */
export type SignalValues = Record<string, number>;
