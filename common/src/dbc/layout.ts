import type { DbcSignal } from './types.js';

/**
 * Where a signal's bits lie in the payload.
 *
 * Bit numbering (Vector DBC): bit `b` of byte `B` is position `8*B + b`, with b = 0 the byte's least
 * significant bit.
 * - Little-endian (Intel, `@1`): the start bit is the signal's LSB; the signal's bit k is at position
 *   start + k, i.e. the payload read as one little-endian integer, shifted right by `start`.
 * - Big-endian (Motorola, `@0`): the start bit is the signal's MSB in that same "sawtooth" numbering;
 *   walking towards the LSB goes down within a byte (bit 7 ... 0) and then to bit 7 of the NEXT byte.
 *   Renumbering each position as q = 8*B + (7 - b) makes a big-endian signal a contiguous run
 *   q(start) .. q(start) + length - 1 of the payload read as one big-endian integer.
 *
 * Either way the bits of any sub-range of the signal come from a run of consecutive bytes; a field
 * lists those bytes least significant first, so extraction is `(bytes as integer >>> shift) & mask`
 * for both byte orders.
 */
export interface BitField {
  /** Payload byte indexes, least significant first (ascending for little-endian, descending for big-endian). */
  bytes: number[];
  /** Position of the field's LSB inside bytes[0]. */
  shift: number;
  /** 1..32 bits. */
  length: number;
}

export interface SignalLayout {
  /** The signal's low 32 bits (all of it when length <= 32). */
  low: BitField;
  /** The bits above the low 32 for signals longer than 32 bits. */
  high?: BitField;
  /** Payload bytes the signal needs: highest byte index + 1. */
  bytesNeeded: number;
}

/** Computes where a signal lies in a message of `messageLength` bytes, or says why it cannot be used. */
export function signalLayout(signal: DbcSignal, messageLength: number): SignalLayout | { problem: string } {
  const { startBit, length } = signal;
  if (!Number.isInteger(length) || length < 1 || length > 64) {
    return { problem: `its length ${length} is not 1..64 bits` };
  }
  if (signal.valueType === 'float32' && length !== 32) {
    return { problem: `it is declared float32 (SIG_VALTYPE_ 1) but is ${length} bits long, not 32` };
  }
  if (signal.valueType === 'float64' && length !== 64) {
    return { problem: `it is declared float64 (SIG_VALTYPE_ 2) but is ${length} bits long, not 64` };
  }
  if (messageLength === 0) return { problem: 'its message has no payload (length 0)' };
  const totalBits = messageLength * 8;
  const bigEndian = signal.byteOrder === 'big_endian';
  // First linear position (LSB for little-endian, MSB for big-endian) and last one, for the fit check.
  const first = bigEndian ? (startBit >> 3) * 8 + (7 - (startBit & 7)) : startBit;
  const last = first + length - 1;
  if (!Number.isInteger(startBit) || startBit < 0 || last >= totalBits) {
    const bytes = bigEndian
      ? `bit positions ${first}..${last} in big-endian order (bytes ${startBit >> 3}..${last >> 3})`
      : `bits ${startBit}..${last} (bytes ${startBit >> 3}..${last >> 3})`;
    return {
      problem: `it does not fit the ${messageLength}-byte payload: start bit ${startBit}, length ${length} ${
        bigEndian ? 'big-endian' : 'little-endian'
      } needs ${bytes}`,
    };
  }
  const field = (k0: number, n: number): BitField => {
    if (bigEndian) {
      // Signal bit k (0 = LSB) sits at big-endian linear position first + length - 1 - k.
      const lsbPos = first + length - 1 - k0;
      const msbPos = lsbPos - n + 1;
      const bytes: number[] = [];
      for (let b = lsbPos >> 3; b >= msbPos >> 3; b--) bytes.push(b);
      return { bytes, shift: 7 - (lsbPos & 7), length: n };
    }
    const lsbPos = startBit + k0;
    const bytes: number[] = [];
    for (let b = lsbPos >> 3; b <= (lsbPos + n - 1) >> 3; b++) bytes.push(b);
    return { bytes, shift: lsbPos & 7, length: n };
  };
  const low = field(0, Math.min(32, length));
  // In both numberings byte B holds positions 8B..8B+7, so the last position names the highest byte.
  const layout: SignalLayout = { low, bytesNeeded: (last >> 3) + 1 };
  if (length > 32) layout.high = field(32, length - 32);
  return layout;
}

/** Largest and smallest raw integer a signal can hold. */
export function rawRange(signal: Pick<DbcSignal, 'length' | 'signed' | 'valueType'>): { min: number; max: number } {
  if (signal.valueType === 'float32') return { min: -3.4028234663852886e38, max: 3.4028234663852886e38 };
  if (signal.valueType === 'float64') return { min: -Number.MAX_VALUE, max: Number.MAX_VALUE };
  const n = signal.length;
  return signal.signed ? { min: -(2 ** (n - 1)), max: 2 ** (n - 1) - 1 } : { min: 0, max: 2 ** n - 1 };
}
