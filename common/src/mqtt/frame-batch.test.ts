import { describe, expect, it } from 'vitest';
import { decodeFrameBatch, encodeFrameBatch, FrameBatchError } from './frame-batch.js';
import { createTopics } from './topics.js';

describe('frame batch', () => {
  it('encodes a standard frame byte by byte as documented', () => {
    const buf = encodeFrameBatch([{ timestamp: 1.5, id: 0x123, extended: false, data: Uint8Array.of(0xde, 0xad) }]);
    // version, float64 BE 1.5 = 3F F8 00.., id 00 00 01 23, flags 0, len 2, data
    expect([...buf]).toEqual([1, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x23, 0, 2, 0xde, 0xad]);
  });

  it('round-trips extended and CAN FD frames and attaches the bus', () => {
    const frames = [
      { timestamp: 1700000000.123456, id: 0x18fef100, extended: true, data: Uint8Array.of(1, 2, 3) },
      { timestamp: 1700000000.2, id: 0x7ff, extended: false, data: new Uint8Array(64).fill(7), fd: true, brs: true },
      { timestamp: 0, id: 0, extended: false, data: new Uint8Array(0) },
    ];
    const back = decodeFrameBatch(encodeFrameBatch(frames), 'can1');
    expect(back).toHaveLength(3);
    expect(back[0]).toMatchObject({ id: 0x18fef100, extended: true, bus: 'can1', timestamp: 1700000000.123456 });
    expect([...back[0]!.data]).toEqual([1, 2, 3]);
    expect(back[1]).toMatchObject({ id: 0x7ff, fd: true, brs: true });
    expect(back[1]!.data.length).toBe(64);
    expect(back[2]!.data.length).toBe(0);
  });

  it('rejects malformed payloads with the byte offset', () => {
    expect(() => decodeFrameBatch(new Uint8Array(0))).toThrow(FrameBatchError);
    expect(() => decodeFrameBatch(Uint8Array.of(2))).toThrow(/version 2/);
    const ok = encodeFrameBatch([{ timestamp: 1, id: 1, extended: false, data: Uint8Array.of(1, 2, 3, 4) }]);
    expect(() => decodeFrameBatch(ok.subarray(0, ok.length - 1))).toThrow(/truncated frame data at byte 15/);
    expect(() => decodeFrameBatch(ok.subarray(0, 10))).toThrow(/truncated frame header at byte 1/);
    const bad = Buffer.from(ok);
    bad[14] = 65;
    expect(() => decodeFrameBatch(bad)).toThrow(/length 65 over 64/);
  });

  it('refuses to encode more than 64 data bytes', () => {
    expect(() => encodeFrameBatch([{ timestamp: 0, id: 1, extended: false, data: new Uint8Array(65) }])).toThrow(RangeError);
  });
});

describe('topics', () => {
  it('builds the layout under a root and finds the bus of a topic', () => {
    const t = createTopics('auriga-test/abc/v1');
    expect(t.frames('can1')).toBe('auriga-test/abc/v1/can/can1/frames');
    expect(t.tx()).toBe('auriga-test/abc/v1/can/can0/tx');
    expect(t.busOf('auriga-test/abc/v1/can/can1/frames')).toBe('can1');
    expect(t.busOf('auriga-test/abc/v1/can/can1/other')).toBeUndefined();
    expect(t.busOf('auriga/v1/can/can1/frames')).toBeUndefined();
    expect(() => createTopics('bad/#')).toThrow(/invalid MQTT topic root/);
  });
});
