/**
 * The can-utils `candump -L` log format (also what `canplayer` replays and `log2asc` reads):
 *
 *   (1436509052.249713) vcan0 123#DEADBEEF        classic CAN, 11-bit id as 3 hex digits, 0..8 bytes
 *   (1436509052.249713) vcan0 12345678#0102       29-bit extended id as 8 hex digits
 *   (1436509052.249713) vcan0 123#R               remote (RTR) frame; an optional length digit follows R
 *   (1436509052.249713) vcan0 123##1DEADBEEF      CAN FD: a flags nibble (bit 0 = BRS, bit 1 = ESI), then 0..64 bytes
 *
 * Data bytes may be separated by dots (123#DE.AD.BE.EF) as cansend accepts; a classic frame may end
 * with `_<dlc>` (len8_dlc, a DLC above 8), which is read and dropped.
 */
import type { CanFrame } from '../dbc/types.js';
import { CandumpErrors, type AurigaError } from '../errors.js';

/** The error parseCandumpLine throws: code AURIGA_ERR_CANDUMP_SYNTAX, with the 1-based line. */
export type CandumpSyntaxError = AurigaError & { readonly line: number; readonly source: string };

const LINE = /^\s*\(\s*(\d+(?:\.\d*)?)\s*\)\s+(\S+)\s+(\S+)\s*$/;
const HEX = /^[0-9A-Fa-f]*$/;

function fail(source: string, line: number, what: string): never {
  throw Object.assign(CandumpErrors.syntax(source, line, what), { line, source }) as CandumpSyntaxError;
}

function parseHexBytes(hex: string, max: number, source: string, lineNo: number): Uint8Array {
  const digits = hex.replaceAll('.', '');
  if (!HEX.test(digits)) fail(source, lineNo, `data "${hex}" is not hex bytes`);
  if (digits.length % 2 !== 0) fail(source, lineNo, `data "${hex}" has an odd number of hex digits`);
  if (digits.length / 2 > max) fail(source, lineNo, `data has ${digits.length / 2} bytes; at most ${max} fit this frame type`);
  const data = new Uint8Array(digits.length / 2);
  for (let i = 0; i < data.length; i++) data[i] = parseInt(digits.slice(2 * i, 2 * i + 2), 16);
  return data;
}

/**
 * Parses one `candump -L` line. Throws AURIGA_ERR_CANDUMP_SYNTAX naming `source:lineNo` and what is
 * wrong. `source` (file name) only appears in error messages.
 */
export function parseCandumpLine(line: string, lineNo = 1, source = '<candump>'): CanFrame {
  const m = LINE.exec(line);
  if (!m) {
    fail(source, lineNo, `expected "(seconds.micros) interface id#data" but found ${JSON.stringify(line.length > 80 ? `${line.slice(0, 80)}...` : line)}`);
  }
  const [, time, bus, frameText] = m as unknown as [string, string, string, string];
  const hash = frameText.indexOf('#');
  if (hash < 0) fail(source, lineNo, `frame "${frameText}" has no "#" between id and data`);
  const idText = frameText.slice(0, hash);
  if (!HEX.test(idText) || (idText.length !== 3 && idText.length !== 8)) {
    fail(source, lineNo, `CAN id "${idText}" must be 3 hex digits (11-bit) or 8 hex digits (29-bit extended)`);
  }
  const extended = idText.length === 8;
  const id = parseInt(idText, 16);
  if (id > (extended ? 0x1fffffff : 0x7ff)) {
    fail(source, lineNo, extended
      ? `CAN id ${idText} has flag bits above the 29-bit id set (error frames are not supported)`
      : `CAN id ${idText} is over 7FF; write 29-bit ids with 8 hex digits`);
  }
  const frame: CanFrame = { timestamp: Number(time), id, extended, data: new Uint8Array(0), bus };
  const rest = frameText.slice(hash + 1);
  if (rest.startsWith('#')) {
    const flags = rest[1];
    if (flags === undefined || !/^[0-9A-Fa-f]$/.test(flags)) fail(source, lineNo, `CAN FD frame "${frameText}" needs a hex flags digit after "##"`);
    frame.fd = true;
    if (parseInt(flags, 16) & 1) frame.brs = true;
    frame.data = parseHexBytes(rest.slice(2), 64, source, lineNo);
  } else if (rest[0] === 'R' || rest[0] === 'r') {
    if (!/^[Rr][0-8]?$/.test(rest)) fail(source, lineNo, `remote frame "${frameText}" may only carry a length digit 0..8 after R`);
    frame.remote = true;
  } else {
    const dlcSuffix = /_[0-9A-Fa-f]$/.test(rest) ? 2 : 0;
    frame.data = parseHexBytes(rest.slice(0, rest.length - dlcSuffix), 8, source, lineNo);
  }
  return frame;
}

const hexByte = Array.from({ length: 256 }, (_, i) => i.toString(16).toUpperCase().padStart(2, '0'));

/** One `candump -L` line (without newline). Frames without `bus` are written on "can0". */
export function formatCandumpLine(frame: CanFrame): string {
  const id = frame.id.toString(16).toUpperCase().padStart(frame.extended ? 8 : 3, '0');
  let data = '';
  for (const b of frame.data) data += hexByte[b];
  const fd = frame.fd || frame.data.length > 8;
  const body = frame.remote && !fd ? 'R' : fd ? `#${frame.brs ? 1 : 0}${data}` : data;
  return `(${frame.timestamp.toFixed(6)}) ${frame.bus ?? 'can0'} ${id}#${body}`;
}

export interface ReadCandumpOptions {
  /** Name used in error messages (e.g. the file name); defaults to "<candump>". */
  source?: string;
}

/**
 * Frames of a `candump -L` log, read line by line from a stream (file, stdin, socket). Blank lines
 * are skipped; a malformed line throws AURIGA_ERR_CANDUMP_SYNTAX with its line number.
 */
export async function* readCandumpLog(input: NodeJS.ReadableStream, options: ReadCandumpOptions = {}): AsyncIterable<CanFrame> {
  const source = options.source ?? '<candump>';
  const decoder = new TextDecoder();
  let pending = '';
  let lineNo = 0;
  function* lines(text: string, final: boolean): Generator<CanFrame> {
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0 && !final) break;
      const end = nl < 0 ? text.length : nl;
      let line = text.slice(start, end);
      lineNo++;
      if (line.endsWith('\r')) line = line.slice(0, -1);
      if (line.trim() !== '') yield parseCandumpLine(line, lineNo, source);
      if (nl < 0) {
        start = text.length;
        break;
      }
      start = nl + 1;
    }
    pending = text.slice(start);
  }
  for await (const chunk of input as AsyncIterable<string | Uint8Array>) {
    const text = pending + (typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
    yield* lines(text, false);
  }
  const tail = pending + decoder.decode();
  if (tail !== '') yield* lines(tail, true);
}
