import { DbcErrors } from '../errors.js';
import { compileMessageCodec, type MessageCodec } from './codec.js';
import type { CanFrame, Dbc, DbcMessage, SignalValues } from './types.js';

/** Codec for a whole DBC: finds the message of a frame and decodes or encodes it. */
export interface DbcCodec {
  readonly dbc: Dbc;
  /** The message with this identifier (without the extended flag bit) and frame format. */
  messageById(id: number, extended: boolean): DbcMessage | undefined;
  messageByName(name: string): DbcMessage | undefined;
  /** The message's codec, compiled on first use and cached. */
  codecFor(message: DbcMessage): MessageCodec;
  /** undefined when the DBC does not define the frame's id. */
  decodeFrame(frame: CanFrame): { message: DbcMessage; signals: SignalValues } | undefined;
  /**
   * A frame of the named message from physical values (see MessageCodec.encode).
   * `timestamp` defaults to now, in seconds. Throws AURIGA_ERR_DBC_UNKNOWN_MESSAGE for an unknown name.
   */
  encodeFrame(messageName: string, values: SignalValues, timestamp?: number): CanFrame;
}

interface Entry {
  message: DbcMessage;
  codec?: MessageCodec;
}

export function createDbcCodec(dbc: Dbc): DbcCodec {
  // 11-bit ids index a plain array (the hot path of decodeFrame); 29-bit ids use a Map.
  // The first definition of a repeated id wins.
  const standard: Array<Entry | undefined> = new Array<Entry | undefined>(0x800).fill(undefined);
  const extended = new Map<number, Entry>();
  // Ids over 0x7FF without the extended flag cannot be on a bus (the parser warns); still findable.
  const oversized = new Map<number, Entry>();
  const byName = new Map<string, Entry>();
  const byMessage = new Map<DbcMessage, Entry>();
  for (const message of dbc.messages) {
    const entry: Entry = { message };
    byMessage.set(message, entry);
    if (message.extended) {
      if (!extended.has(message.id)) extended.set(message.id, entry);
    } else if (message.id >= 0x800) {
      if (!oversized.has(message.id)) oversized.set(message.id, entry);
    } else if (!standard[message.id]) {
      standard[message.id] = entry;
    }
    if (!byName.has(message.name)) byName.set(message.name, entry);
  }
  const codecOf = (entry: Entry): MessageCodec => (entry.codec ??= compileMessageCodec(entry.message));

  return {
    dbc,
    messageById: (id, isExtended) => (isExtended ? extended.get(id) : (standard[id] ?? oversized.get(id)))?.message,
    messageByName: (name) => byName.get(name)?.message,
    codecFor(message) {
      let entry = byMessage.get(message);
      if (!entry) byMessage.set(message, (entry = { message }));
      return codecOf(entry);
    },
    decodeFrame(frame) {
      const entry = frame.extended ? extended.get(frame.id) : (standard[frame.id] ?? oversized.get(frame.id));
      if (!entry) return undefined;
      return { message: entry.message, signals: codecOf(entry).decode(frame.data) };
    },
    encodeFrame(messageName, values, timestamp = Date.now() / 1000) {
      const entry = byName.get(messageName);
      if (!entry) throw DbcErrors.unknownMessage(messageName);
      const { message } = entry;
      const frame: CanFrame = { timestamp, id: message.id, extended: message.extended, data: codecOf(entry).encode(values) };
      if (message.fd) frame.fd = true;
      return frame;
    },
  };
}
