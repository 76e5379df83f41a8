import type { CanFrame } from '../dbc/types.js';

/**
 * Binary payload of one MQTT message carrying a batch of raw CAN frames.
 *
 *   byte 0            format version (1)
 *   then per frame:
 *     float64 BE      timestamp, seconds since the Unix epoch (microsecond precision)
 *     uint32  BE      CAN id, bit 31 set for a 29-bit extended id (SocketCAN's CAN_EFF_FLAG)
 *     uint8           flags: bit 0 CAN FD, bit 1 bit-rate switch
 *     uint8           data length in bytes (0..64)
 *     data
 */
export const FRAME_BATCH_VERSION = 1;
const EFF_FLAG = 0x80000000;
const HEADER = 14;

export class FrameBatchError extends Error {
  constructor(message: string, readonly offset: number) {
    super(`${message} at byte ${offset}`);
    this.name = 'FrameBatchError';
  }
}

export function encodeFrameBatch(frames: readonly CanFrame[]): Buffer {
  let size = 1;
  for (const f of frames) size += HEADER + f.data.length;
  const buf = Buffer.allocUnsafe(size);
  buf[0] = FRAME_BATCH_VERSION;
  let o = 1;
  for (const f of frames) {
    if (f.data.length > 64) throw new RangeError(`frame 0x${f.id.toString(16)} has ${f.data.length} bytes, at most 64 fit`);
    buf.writeDoubleBE(f.timestamp, o);
    buf.writeUInt32BE(((f.extended ? EFF_FLAG : 0) | f.id) >>> 0, o + 8);
    buf[o + 12] = (f.fd ? 1 : 0) | (f.brs ? 2 : 0);
    buf[o + 13] = f.data.length;
    buf.set(f.data, o + HEADER);
    o += HEADER + f.data.length;
  }
  return buf;
}

/** Decodes a batch; `bus` is attached to every frame. Throws FrameBatchError on a malformed payload. */
export function decodeFrameBatch(payload: Uint8Array, bus?: string): CanFrame[] {
  const buf = Buffer.isBuffer(payload) ? payload : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  if (buf.length < 1) throw new FrameBatchError('empty frame batch', 0);
  if (buf[0] !== FRAME_BATCH_VERSION) throw new FrameBatchError(`unsupported frame batch version ${buf[0]}`, 0);
  const frames: CanFrame[] = [];
  let o = 1;
  while (o < buf.length) {
    if (o + HEADER > buf.length) throw new FrameBatchError('truncated frame header', o);
    const len = buf[o + 13]!;
    if (len > 64) throw new FrameBatchError(`frame length ${len} over 64`, o + 13);
    if (o + HEADER + len > buf.length) throw new FrameBatchError('truncated frame data', o + HEADER);
    const rawId = buf.readUInt32BE(o + 8);
    const flags = buf[o + 12]!;
    const extended = (rawId & EFF_FLAG) !== 0;
    const frame: CanFrame = {
      timestamp: buf.readDoubleBE(o),
      id: extended ? rawId & 0x1fffffff : rawId & 0x7ff,
      extended,
      data: buf.subarray(o + HEADER, o + HEADER + len),
    };
    if (flags & 1) frame.fd = true;
    if (flags & 2) frame.brs = true;
    if (bus !== undefined) frame.bus = bus;
    frames.push(frame);
    o += HEADER + len;
  }
  return frames;
}
