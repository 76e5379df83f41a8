import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isAurigaError } from '../errors.js';
import { compileMessageCodec } from './codec.js';
import { createDbcCodec } from './dbc-codec.js';
import { parseDbc } from './parser.js';
import type { DbcMessage, DbcSignal } from './types.js';

const vectorsPath = new URL('./fixtures/vectors.dbc', import.meta.url);
const dbc = parseDbc(readFileSync(vectorsPath, 'utf8'), { fileName: 'vectors.dbc' });
const codec = createDbcCodec(dbc);
const hex = (s: string) => Uint8Array.from(s.split(/\s+/).filter(Boolean).map((b) => parseInt(b, 16)));
const toHex = (d: Uint8Array) => Array.from(d, (b) => b.toString(16).toUpperCase().padStart(2, '0')).join(' ');
const message = (name: string): DbcMessage => codec.messageByName(name)!;

/** Both the generated decoder and the interpreter must agree with every vector. */
const decoders = (m: DbcMessage) => [compileMessageCodec(m), compileMessageCodec(m, { specialize: false })];

describe('Mixed: little- and big-endian, signed, factor/offset (hand-computed)', () => {
  // Bit layout (byte: bit 7 ... bit 0), Vector sawtooth numbering for big-endian start bits:
  //   Rpm   7|12@0+  MSB byte0.b7: byte0 = raw bits 11..4, byte1 bits 7..4 = raw bits 3..0
  //   Gear  11|4@0+  MSB byte1.b3: byte1 bits 3..0
  //   Speed 16|16@1+ LSB byte2.b0: byte2 = low byte, byte3 = high byte
  //   Accel 36|12@1- LSB byte4.b4: byte4 bits 7..4 = raw bits 3..0, byte5 = raw bits 11..4
  //   Temp  51|10@0- MSB byte6.b3: byte6 bits 3..0 = raw bits 9..6, byte7 bits 7..2 = raw bits 5..0
  //   Flag  54|1@1+  byte6.b6          Tail 56|2@1+ byte7 bits 1..0
  // Values: Rpm raw 0xABC = 2748 * 0.5 = 1374; Gear 5; Speed raw 12345 = 0x3039 -> 123.45;
  //   Accel raw -100 -> 12-bit 0xF9C -> -1.00; Temp raw -3 -> 10-bit 0x3FD = 11 1111 1101 -> -3*0.5-40 = -41.5;
  //   Flag 1; Tail 2.
  // byte0 = AB; byte1 = C (Rpm low nibble) << 4 | 5 = C5; byte2 = 39; byte3 = 30; byte4 = C << 4 = C0;
  // byte5 = F9; byte6 = 1111 (Temp) | 0x40 (Flag) = 4F; byte7 = 111101 << 2 | 10 = F6.
  const frame = hex('AB C5 39 30 C0 F9 4F F6');
  const values = { Rpm: 1374, Gear: 5, Speed: 123.45, Accel: -1, Temp: -41.5, Flag: 1, Tail: 2 };

  it('decodes', () => {
    for (const c of decoders(message('Mixed'))) {
      const out = c.decode(frame);
      expect(Object.keys(out).sort()).toEqual(Object.keys(values).sort());
      for (const [name, v] of Object.entries(values)) expect(out[name]).toBeCloseTo(v, 9);
    }
  });

  it('encodes to the same bytes', () => {
    expect(toHex(codec.codecFor(message('Mixed')).encode(values))).toBe(toHex(frame));
  });

  it('sign-extends a negative big-endian value and a negative little-endian one', () => {
    // Temp raw 0x200 (most negative 10-bit value, -512) -> byte6 = 1000, byte7 = 000000xx
    const d = hex('00 00 00 00 00 08 08 00'); // Accel raw bits 11..4 = 0x08 -> raw 0x080 = 128 (positive)
    const out = codec.codecFor(message('Mixed')).decode(d);
    expect(out.Temp).toBe(-512 * 0.5 - 40);
    expect(out.Accel).toBeCloseTo(1.28, 9);
    const neg = codec.codecFor(message('Mixed')).decode(hex('00 00 00 00 00 80 00 00')); // Accel raw 0x800 = -2048
    expect(neg.Accel).toBeCloseTo(-20.48, 9);
  });

  it('keeps other signals\' bits when encoding one that shares a byte', () => {
    const d = codec.codecFor(message('Mixed')).encode({ Gear: 15 });
    // Only Gear set: byte1 bits 3..0; Temp default raw 0 leaves byte6/7 zero.
    expect(toHex(d)).toBe('00 0F 00 00 00 00 00 00');
  });
});

describe('ExtFloat: extended id, float32, 32-bit big-endian', () => {
  // DBC id 2566844672 = 0x98FEF100: bit 31 set -> extended id 0x18FEF100.
  // Ratio 0|32@1- float32 = 1.5f = 0x3FC00000 -> little-endian bytes 00 00 C0 3F.
  // BigBe 39|32@0+ MSB byte4.b7 -> bytes 4..7 big-endian: 0xDEADBEEF = 3735928559.
  const frame = hex('00 00 C0 3F DE AD BE EF');

  it('strips the extended flag and finds the message by its 29-bit id', () => {
    const m = message('ExtFloat');
    expect(m.id).toBe(0x18fef100);
    expect(m.extended).toBe(true);
    expect(codec.messageById(0x18fef100, true)).toBe(m);
    expect(codec.messageById(0x18fef100, false)).toBeUndefined();
  });

  it('decodes and encodes', () => {
    for (const c of decoders(message('ExtFloat'))) expect(c.decode(frame)).toEqual({ Ratio: 1.5, BigBe: 3735928559 });
    expect(toHex(codec.codecFor(message('ExtFloat')).encode({ Ratio: 1.5, BigBe: 0xdeadbeef }))).toBe(toHex(frame));
  });

  it('rejects a value float32 cannot hold', () => {
    expect(() => codec.codecFor(message('ExtFloat')).encode({ Ratio: 1e39 })).toThrow(RangeError);
  });
});

describe('Wide (CAN FD 16 bytes): 64-bit integer and float64', () => {
  // Counter64 0|64@1+: raw 0x0123456789ABCDEF little-endian -> EF CD AB 89 67 45 23 01.
  // Double 64|64@1- float64: -2.5 = 0xC004000000000000 -> little-endian bytes 00 00 00 00 00 00 04 C0.
  const frame = hex('EF CD AB 89 67 45 23 01 00 00 00 00 00 00 04 C0');

  it('is a CAN FD message (VFrameFormat 14 = StandardCAN_FD, length 16)', () => {
    expect(message('Wide').fd).toBe(true);
    expect(codec.encodeFrame('Wide', {}, 1).fd).toBe(true);
  });

  it('decodes a 64-bit value to the nearest double, like Number(BigInt)', () => {
    for (const c of decoders(message('Wide'))) {
      const out = c.decode(frame);
      expect(out.Counter64).toBe(Number(0x0123456789abcdefn));
      expect(out.Double).toBe(-2.5);
    }
  });

  it('encodes a 64-bit value exactly when it is a double', () => {
    const v = 2 ** 60 + 2 ** 10; // exactly representable
    const d = codec.codecFor(message('Wide')).encode({ Counter64: v, Double: -2.5 });
    const expected = new Uint8Array(16);
    new DataView(expected.buffer).setBigUint64(0, BigInt(v), true);
    new DataView(expected.buffer).setFloat64(8, -2.5, true);
    expect(toHex(d)).toBe(toHex(expected));
  });

  it('round-trips the largest unsigned 64-bit value (2^64 - 1 decodes to 2^64 as a double)', () => {
    const c = codec.codecFor(message('Wide'));
    const allOnes = hex('FF FF FF FF FF FF FF FF 00 00 00 00 00 00 00 00');
    expect(c.decode(allOnes).Counter64).toBe(2 ** 64);
    expect(toHex(c.encode({ Counter64: 2 ** 64 }))).toBe(toHex(allOnes));
    expect(() => c.encode({ Counter64: 2 ** 65 })).toThrow(RangeError);
    expect(() => c.encode({ Counter64: -1 })).toThrow(RangeError);
  });
});

describe('Long (CAN FD 20 bytes): big-endian 64-bit signed, 40-bit, odd-aligned 33-bit signed', () => {
  // Neg64 7|64@0-: bytes 0..7 big-endian, raw -2 = FF FF FF FF FF FF FF FE.
  // Mid40 71|40@0+: MSB byte8.b7 -> bytes 8..12 big-endian: 0x123456789A = 78187493530.
  // Odd33 107|33@1-: LSB at byte13.b3, 33 bits -> up to byte17.b3. raw -4294967291 = -2^32 + 5;
  //   33-bit two's complement 2^33 - 4294967291 = 0x100000005; shifted left by 3: 0x800000028
  //   -> byte13 = 28, byte14..16 = 00, byte17 = 08.
  const frame = hex('FF FF FF FF FF FF FF FE 12 34 56 78 9A 28 00 00 00 08 00 00');
  const values = { Neg64: -2, Mid40: 78187493530, Odd33: -4294967291 };

  it('decodes and encodes', () => {
    for (const c of decoders(message('Long'))) expect(c.decode(frame)).toEqual(values);
    expect(toHex(codec.codecFor(message('Long')).encode(values))).toBe(toHex(frame));
  });

  it('takes the most negative 64-bit value', () => {
    const c = codec.codecFor(message('Long'));
    const d = c.encode({ Neg64: -(2 ** 63) });
    expect(toHex(d.subarray(0, 8))).toBe('80 00 00 00 00 00 00 00');
    expect(c.decode(d).Neg64).toBe(-(2 ** 63));
  });
});

describe('Muxed: simple and extended multiplexing', () => {
  // Mode M 0|4@1+ (byte0 low nibble). Mode 0 -> A 8|8 (byte1); Mode 1 -> B 8|16 x0.1 (bytes 1..2 LE);
  // Mode 2 -> Sub m2M 8|4 (byte1 low nibble), itself a switch (SG_MUL_VAL_ Sub Mode 2-2):
  //   Sub 3..5 -> C 16|8 (byte2); Sub 0 or 7 -> D 24|8 (byte3). Always 56|8 (byte7) in every frame.
  const c = () => codec.codecFor(message('Muxed'));
  const cases: Array<[string, string, Record<string, number>]> = [
    ['Mode 0 selects A (and not D, whose switch Sub is absent)', '00 2A 00 00 00 00 00 63', { Mode: 0, A: 42, Always: 99 }],
    ['Mode 1 selects B = 0x04D2 * 0.1', '01 D2 04 00 00 00 00 63', { Mode: 1, B: 123.4, Always: 99 }],
    ['Mode 2, Sub 4 selects C (range 3-5)', '02 04 11 22 00 00 00 00', { Mode: 2, Sub: 4, C: 17, Always: 0 }],
    ['Mode 2, Sub 7 selects D (ranges 0-0, 7-7)', '02 07 11 22 00 00 00 00', { Mode: 2, Sub: 7, D: 34, Always: 0 }],
    ['Mode 2, Sub 0 selects D', '02 00 11 22 00 00 00 00', { Mode: 2, Sub: 0, D: 34, Always: 0 }],
    ['Mode 2, Sub 6 selects nothing below Sub', '02 06 11 22 00 00 00 00', { Mode: 2, Sub: 6, Always: 0 }],
    ['Mode 9 selects no multiplexed signal', '09 FF FF FF 00 00 00 01', { Mode: 9, Always: 1 }],
  ];
  for (const [title, bytes, expected] of cases) {
    it(`decodes: ${title}`, () => {
      for (const d of decoders(message('Muxed'))) {
        const out = d.decode(hex(bytes));
        expect(Object.keys(out).sort()).toEqual(Object.keys(expected).sort());
        for (const [k, v] of Object.entries(expected)) expect(out[k]).toBeCloseTo(v, 9);
      }
    });
  }

  it('resolves the switch of each multiplexed signal', () => {
    const m = message('Muxed');
    const sig = (n: string) => m.signals.find((s) => s.name === n)!;
    expect(m.multiplexer?.name).toBe('Mode');
    expect(sig('B').multiplexerName).toBe('Mode');
    expect(sig('Sub')).toMatchObject({ isMultiplexer: true, multiplexValue: 2, multiplexerName: 'Mode' });
    expect(sig('D').multiplexRanges).toEqual([[0, 0], [7, 7]]);
  });

  it('infers the switches from the multiplexed signals given', () => {
    // C given -> Sub = 3 (low end of 3-5) -> Mode = 2 (selects Sub).
    expect(toHex(c().encode({ C: 17 }))).toBe('02 03 11 00 00 00 00 00');
    expect(toHex(c().encode({ Mode: 1, B: 123.4 }))).toBe('01 D2 04 00 00 00 00 00');
  });

  it('refuses signals their switch does not select', () => {
    expect(() => c().encode({ Mode: 1, A: 5 })).toThrow(/only sent when Mode is 0/);
    expect(() => c().encode({ A: 1, B: 2 })).toThrow(RangeError);
    expect(() => c().encode({ Sub: 3, D: 1 })).toThrow(RangeError);
  });
});

describe('Request: start values, unusable signals, errors', () => {
  const c = () => codec.codecFor(message('Request'));

  it('fills signals not given with their GenSigStartValue (raw)', () => {
    // Target not given: start raw 255 -> byte0 FF. Fan 3 (bits 8..11) | Request_Counter 1 << 4 -> byte1 0x13.
    expect(toHex(c().encode({ Fan: 3, Request_Counter: 1 }))).toBe('FF 13 00 00');
    // Target 21.5 -> raw (21.5 - 15) / 0.5 = 13 = 0x0D; Fan start 15 -> byte1 0x0F.
    expect(toHex(c().encode({ Target: 21.5 }))).toBe('0D 0F 00 00');
  });

  it('never decodes or encodes an unusable signal', () => {
    const out = c().decode(hex('FF FF FF FF'));
    expect(out).toEqual({ Target: 255 * 0.5 + 15, Fan: 15, Request_Counter: 15 });
    expect(() => c().encode({ TooFar: 1 })).toThrow(expect.objectContaining({ code: 'AURIGA_ERR_DBC_UNUSABLE_SIGNAL' }));
  });

  it('says which values do not fit', () => {
    expect(() => c().encode({ Target: 500 })).toThrow(/Request\.Target: 500 does not fit the signal, which holds physical 15\.\.142\.5/);
    expect(() => c().encode({ Fan: 16 })).toThrow(RangeError);
    expect(() => c().encode({ Fan: Number.NaN })).toThrow(RangeError);
    expect(() => c().encode({ Fan: -1 })).toThrow(RangeError);
  });

  it('rounds to the nearest raw step', () => {
    expect(c().encode({ Target: 21.6 })[0]).toBe(13); // 13.2 -> 13
    expect(c().encode({ Target: 21.8 })[0]).toBe(14); // 13.6 -> 14
  });

  it('names unknown signals and messages', () => {
    try {
      c().encode({ Fna: 1 });
      expect.unreachable();
    } catch (err) {
      expect(isAurigaError(err, 'AURIGA_ERR_DBC_UNKNOWN_SIGNAL')).toBe(true);
      expect((err as Error).message).toContain('"Fna"');
      expect((err as Error).message).toContain('Fan');
    }
    expect(() => codec.encodeFrame('Nope', {})).toThrow(expect.objectContaining({ code: 'AURIGA_ERR_DBC_UNKNOWN_MESSAGE' }));
  });
});

describe('decimal scaling', () => {
  it('gives the double nearest to the exact physical value, not raw * factor rounded twice', () => {
    // Speed 16|16@1+ (0.01,0): raw 5230 -> 52.3 (5230 * 0.01 would be 52.300000000000004).
    // Temp 51|10@0- (0.5,-40) and Accel (0.01): raw 3 * 0.01 = 0.03 (3 * 0.01 = 0.030000000000000002).
    const c = codec.codecFor(message('Mixed'));
    const d = c.encode({ Speed: 52.3, Accel: 0.03 });
    expect(toHex(d.subarray(2, 6))).toBe('6E 14 30 00'); // 5230 = 0x146E; Accel raw 3 << 4 = 0x30
    const out = c.decode(d);
    expect(out.Speed).toBe(52.3);
    expect(out.Accel).toBe(0.03);
    expect(compileMessageCodec(message('Mixed'), { specialize: false }).decode(d)).toEqual(out);
  });
});

describe('short and long payloads', () => {
  it('decodes only the signals a short payload fully contains', () => {
    const c = codec.codecFor(message('Mixed'));
    // 3 bytes: Rpm (bytes 0-1) and Gear (byte 1) are there; Speed needs byte 3.
    expect(c.decode(hex('AB C5 39'))).toEqual({ Rpm: 1374, Gear: 5 });
    expect(c.decode(new Uint8Array(0))).toEqual({});
  });

  it('drops multiplexed signals whose switch did not arrive', () => {
    expect(codec.codecFor(message('Muxed')).decode(new Uint8Array(0))).toEqual({});
  });

  it('ignores bytes past the message length', () => {
    expect(codec.codecFor(message('Mixed')).decode(hex('AB C5 39 30 C0 F9 4F F6 11 22')).Rpm).toBe(1374);
  });
});

describe('createDbcCodec', () => {
  it('decodes frames by id and format and encodes frames by name', () => {
    const frame = codec.encodeFrame('Mixed', { Speed: 50 }, 12.5);
    expect(frame).toMatchObject({ timestamp: 12.5, id: 0x100, extended: false });
    expect(frame.fd).toBeUndefined();
    const decoded = codec.decodeFrame(frame);
    expect(decoded?.message.name).toBe('Mixed');
    expect(decoded?.signals.Speed).toBe(50);
    expect(codec.decodeFrame({ ...frame, id: 0x7ff })).toBeUndefined();
    expect(codec.decodeFrame({ ...frame, extended: true })).toBeUndefined();
  });

  it('still finds a message whose 11-bit id is out of range (the parser warns about it)', () => {
    const odd = parseDbc('BO_ 2304 Odd: 1 A\n SG_ S : 0|8@1+ (1,0) [0|0] "" B\n');
    expect(odd.warnings[0]!.message).toMatch(/does not fit 11 bits/);
    const c = createDbcCodec(odd);
    expect(c.messageById(0x900, false)?.name).toBe('Odd');
    expect(c.decodeFrame({ timestamp: 0, id: 0x900, extended: false, data: hex('2A') })?.signals).toEqual({ S: 42 });
  });

  it('caches one codec per message', () => {
    expect(codec.codecFor(message('Mixed'))).toBe(codec.codecFor(message('Mixed')));
  });
});

describe('generated decoder against a bit-by-bit reference on random payloads', () => {
  /** Straight from the DBC definition: walk each bit (Vector sawtooth for big-endian). */
  function reference(signal: DbcSignal, data: Uint8Array): number {
    let raw = 0n;
    for (let k = signal.length - 1, pos = signal.startBit; k >= 0; k--) {
      // big-endian walks MSB -> LSB from the start bit; little-endian is read LSB-first below
      if (signal.byteOrder === 'big_endian') {
        raw = (raw << 1n) | BigInt((data[pos >> 3]! >> (pos & 7)) & 1);
        pos = (pos & 7) === 0 ? pos + 15 : pos - 1;
      }
    }
    if (signal.byteOrder === 'little_endian') {
      for (let k = 0; k < signal.length; k++) {
        const pos = signal.startBit + k;
        raw |= BigInt((data[pos >> 3]! >> (pos & 7)) & 1) << BigInt(k);
      }
    }
    if (signal.valueType === 'float32') return new DataView(new Uint32Array([Number(raw)]).buffer).getFloat32(0, true);
    if (signal.valueType === 'float64') return new DataView(new BigUint64Array([raw]).buffer).getFloat64(0, true);
    const value = signal.signed ? BigInt.asIntN(signal.length, raw) : raw;
    return Number(value) * signal.factor + signal.offset;
  }

  it('agrees on every usable signal of the vectors file', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
    for (const m of dbc.messages) {
      const c = compileMessageCodec(m);
      for (let i = 0; i < 50; i++) {
        const data = Uint8Array.from({ length: m.length }, random);
        const out = c.decode(data);
        for (const s of m.signals) {
          if (!(s.name in out)) continue;
          const want = reference(s, data);
          if (Number.isNaN(want)) expect(out[s.name]).toBeNaN();
          else if (s.factor === 1 && s.offset === 0) expect(out[s.name]).toBe(want);
          // Scaled values: the codec rounds once (exact decimal factor), the reference twice.
          else expect(Math.abs(out[s.name]! - want)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(want)));
        }
      }
    }
  });
});
