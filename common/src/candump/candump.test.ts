import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { isAurigaError } from '../errors.js';
import type { CanFrame } from '../dbc/types.js';
import { formatCandumpLine, parseCandumpLine, readCandumpLog, type CandumpSyntaxError } from './candump.js';

const bytes = (...b: number[]) => Uint8Array.from(b);

function syntaxError(fn: () => unknown): CandumpSyntaxError {
  try {
    fn();
  } catch (err) {
    if (isAurigaError(err, 'AURIGA_ERR_CANDUMP_SYNTAX')) return err as CandumpSyntaxError;
    throw err;
  }
  throw new Error('expected AURIGA_ERR_CANDUMP_SYNTAX');
}

async function collect(input: Readable): Promise<CanFrame[]> {
  const frames: CanFrame[] = [];
  for await (const f of readCandumpLog(input, { source: 'log.txt' })) frames.push(f);
  return frames;
}

describe('parseCandumpLine', () => {
  it('reads a classic frame', () => {
    expect(parseCandumpLine('(1436509052.249713) vcan0 123#DEADBEEF')).toEqual({
      timestamp: 1436509052.249713, id: 0x123, extended: false, data: bytes(0xde, 0xad, 0xbe, 0xef), bus: 'vcan0',
    });
  });

  it('reads an extended id (8 hex digits), including a small one', () => {
    expect(parseCandumpLine('(1.000000) can1 12345678#01')).toMatchObject({ id: 0x12345678, extended: true, data: bytes(1) });
    expect(parseCandumpLine('(1.000000) can1 00000123#')).toMatchObject({ id: 0x123, extended: true, data: bytes() });
  });

  it('reads remote frames with no data', () => {
    expect(parseCandumpLine('(1.5) can0 123#R')).toMatchObject({ id: 0x123, remote: true, data: bytes() });
    expect(parseCandumpLine('(1.5) can0 123#R4')).toMatchObject({ remote: true, data: bytes() });
  });

  it('reads CAN FD frames: flags nibble (bit 0 = BRS) then up to 64 bytes', () => {
    const f = parseCandumpLine('(2.000001) can0 123##1DEADBEEF');
    expect(f).toMatchObject({ id: 0x123, fd: true, brs: true, data: bytes(0xde, 0xad, 0xbe, 0xef) });
    const big = parseCandumpLine(`(2.0) can0 18FEF100##0${'AB'.repeat(64)}`);
    expect(big).toMatchObject({ extended: true, fd: true, data: new Uint8Array(64).fill(0xab) });
    expect(big.brs).toBeUndefined();
  });

  it('accepts dot-separated data, lower case hex and the len8_dlc suffix', () => {
    expect(parseCandumpLine('(0.1) can0 7ff#de.ad.be.ef').data).toEqual(bytes(0xde, 0xad, 0xbe, 0xef));
    expect(parseCandumpLine('(0.1) can0 123#1122334455667788_C').data).toHaveLength(8);
  });

  const bad: Array<[string, RegExp]> = [
    ['vcan0 123#DEAD', /expected "\(seconds\.micros\) interface id#data"/],
    ['(1.0) vcan0 123DEAD', /has no "#"/],
    ['(1.0) vcan0 1234#00', /must be 3 hex digits \(11-bit\) or 8 hex digits/],
    ['(1.0) vcan0 800#00', /over 7FF/],
    ['(1.0) vcan0 20000080#0000000000000000', /error frames are not supported/],
    ['(1.0) vcan0 123#ABC', /odd number of hex digits/],
    ['(1.0) vcan0 123#XY', /not hex bytes/],
    ['(1.0) vcan0 123#112233445566778899', /9 bytes; at most 8/],
    ['(1.0) vcan0 123##', /needs a hex flags digit/],
    ['(1.0) vcan0 123#R9', /length digit 0\.\.8/],
  ];
  for (const [line, pattern] of bad) {
    it(`rejects ${JSON.stringify(line)}`, () => {
      const err = syntaxError(() => parseCandumpLine(line, 42, 'drive.log'));
      expect(err.message).toMatch(/^drive\.log:42: /);
      expect(err.message).toMatch(pattern);
      expect(err.line).toBe(42);
    });
  }
});

describe('formatCandumpLine', () => {
  it('writes the candump -L format, upper-case hex, ids padded to 3 or 8 digits', () => {
    expect(formatCandumpLine({ timestamp: 1436509052.249713, id: 0x1a, extended: false, data: bytes(0xde, 0xad), bus: 'vcan0' }))
      .toBe('(1436509052.249713) vcan0 01A#DEAD');
    expect(formatCandumpLine({ timestamp: 3, id: 0x1abc, extended: true, data: bytes() })).toBe('(3.000000) can0 00001ABC#');
    expect(formatCandumpLine({ timestamp: 3, id: 0x123, extended: false, data: bytes(), remote: true })).toBe('(3.000000) can0 123#R');
    expect(formatCandumpLine({ timestamp: 3, id: 0x123, extended: false, data: bytes(1, 2), fd: true, brs: true })).toBe('(3.000000) can0 123##10102');
  });

  it('round-trips through parseCandumpLine', () => {
    const lines = [
      '(1436509052.249713) vcan0 123#DEADBEEF',
      '(0.000001) can1 1FFFFFFF#0011223344556677',
      `(99.500000) can0 456##1${'5A'.repeat(48)}`,
      '(5.000000) can0 7FF#R',
    ];
    for (const line of lines) expect(formatCandumpLine(parseCandumpLine(line))).toBe(line);
  });
});

describe('readCandumpLog', () => {
  it('reads a stream line by line across chunk boundaries, skipping blank lines and CRs', async () => {
    const text = '(1.0) can0 100#01\r\n\n   \n(2.0) can0 200#0203\n(3.0) can0 12345678##0AABB';
    // Split in awkward places, including inside a line and inside the last one.
    const chunks = [text.slice(0, 7), text.slice(7, 30), text.slice(30, 51), text.slice(51)].map((s) => Buffer.from(s));
    const frames = await collect(Readable.from(chunks));
    expect(frames.map((f) => [f.timestamp, f.id, Array.from(f.data)])).toEqual([
      [1, 0x100, [1]],
      [2, 0x200, [2, 3]],
      [3, 0x12345678, [0xaa, 0xbb]],
    ]);
  });

  it('decodes UTF-8 split across chunks (interface names may be anything)', async () => {
    const line = Buffer.from('(1.0) cän0 100#01\n');
    const frames = await collect(Readable.from([line.subarray(0, 8), line.subarray(8)]));
    expect(frames[0]!.bus).toBe('cän0');
  });

  it('fails on a malformed line with its line number', async () => {
    const input = Readable.from(['(1.0) can0 100#01\n\n(2.0) can0 zz#01\n']);
    await expect(collect(input)).rejects.toMatchObject({ code: 'AURIGA_ERR_CANDUMP_SYNTAX', line: 3, message: expect.stringMatching(/^log\.txt:3: /) });
  });
});
