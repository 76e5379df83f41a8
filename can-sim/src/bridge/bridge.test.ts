import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import type { ChildProcess } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { CanFrame } from '@auriga/common';
import { FakeTimers } from '../clock/fake-timers.js';
import { FrameBatcher } from './batcher.js';
import { CandumpLineSplitter } from './line-splitter.js';
import { compileTxPolicy, createTxPolicy, describeTxPolicy, parseTxAllowList } from './tx-policy.js';
import { CansendTxWriter, StreamTxWriter, cansendFrameSpec, type SpawnFn } from './tx-writer.js';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { candumpCommand, spawnCandump } from './candump-process.js';

const frame = (id: number, extended = false, data: number[] = [id & 0xff]): CanFrame => ({ timestamp: id, id, extended, data: Uint8Array.from(data), bus: 'can0' });

describe('FrameBatcher', () => {
  function setup(maxFrames = 4) {
    const timers = new FakeTimers();
    const batches: number[][] = [];
    const batcher = new FrameBatcher({ flush: (f) => batches.push(f.map((x) => x.id)), intervalMs: 10, maxFrames, timers });
    return { timers, batches, batcher };
  }

  it('sends a batch 10 ms after its first frame, in arrival order', () => {
    const { timers, batches, batcher } = setup();
    batcher.push(frame(1));
    timers.tick(6);
    batcher.push(frame(2));
    expect(batches).toEqual([]);
    timers.tick(4);
    expect(batches).toEqual([[1, 2]]);
    // The next frame opens a new batch with its own 10 ms.
    batcher.push(frame(3));
    timers.tick(9);
    expect(batches).toHaveLength(1);
    timers.tick(1);
    expect(batches).toEqual([[1, 2], [3]]);
    expect(timers.pendingCount).toBe(0);
  });

  it('sends at once when a batch is full, and never an empty batch', () => {
    const { timers, batches, batcher } = setup(3);
    for (let id = 1; id <= 7; id++) batcher.push(frame(id));
    expect(batches).toEqual([[1, 2, 3], [4, 5, 6]]);
    expect(batcher.pendingCount).toBe(1);
    timers.tick(10);
    expect(batches).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
    timers.tick(100);
    batcher.flush();
    expect(batches).toHaveLength(3);
  });

  it('destroy flushes what is pending and ignores later frames', () => {
    const { timers, batches, batcher } = setup();
    batcher.push(frame(1));
    batcher.destroy();
    batcher.destroy();
    batcher.push(frame(2));
    timers.tick(50);
    expect(batches).toEqual([[1]]);
  });

  it('rejects bad settings', () => {
    expect(() => new FrameBatcher({ flush: () => undefined, maxFrames: 0 })).toThrow(/maxFrames/);
    expect(() => new FrameBatcher({ flush: () => undefined, intervalMs: -1 })).toThrow(/intervalMs/);
  });
});

describe('tx policy', () => {
  it('parses 11-bit (1-3 digits) and 29-bit (8 digits) ids, 0x optional, duplicates once', () => {
    expect(parseTxAllowList('3E1, 0x3e2,7ff,18DAF110,3E1')).toEqual([
      { id: 0x3e1, extended: false }, { id: 0x3e2, extended: false }, { id: 0x7ff, extended: false }, { id: 0x18daf110, extended: true },
    ]);
    expect(parseTxAllowList('00000123')).toEqual([{ id: 0x123, extended: true }]);
  });

  for (const [text, pattern] of [
    ['', /at least one CAN id/],
    ['3G1', /not a hex CAN id/],
    ['1234', /up to 3 hex digits .* 8/],
    ['800', /over 7FF/],
    ['2FFFFFFF', /over 1FFFFFFF/],
  ] as const) {
    it(`refuses --tx-allow ${JSON.stringify(text)}`, () => {
      expect(() => parseTxAllowList(text)).toThrow(expect.objectContaining({ code: 'AURIGA_ERR_SIM_BAD_OPTION', message: expect.stringMatching(pattern) }));
    });
  }

  it('refuses everything by default, allows everything with --tx-any', () => {
    const none = compileTxPolicy(createTxPolicy({}));
    expect(none(frame(0x3e1))).toMatch(/transmission is disabled/);
    expect(compileTxPolicy(createTxPolicy({ any: true }))(frame(0x3e1))).toBeUndefined();
    expect(() => createTxPolicy({ allow: '3E1', any: true })).toThrow(/cannot be combined/);
  });

  it('an allowlist tells an 11-bit id from the same number as a 29-bit id', () => {
    const policy = createTxPolicy({ allow: '123,18DAF110' });
    const check = compileTxPolicy(policy);
    expect(check(frame(0x123))).toBeUndefined();
    expect(check(frame(0x18daf110, true))).toBeUndefined();
    expect(check(frame(0x123, true))).toBe('CAN id 00000123 is not in the --tx-allow list');
    expect(check(frame(0x124))).toBe('CAN id 124 is not in the --tx-allow list');
    expect(describeTxPolicy(policy)).toBe('allow 123,18DAF110');
  });
});

describe('CandumpLineSplitter', () => {
  function collect(maxLineLength?: number) {
    const frames: Array<[number, number]> = [];
    const bad: Array<[number, string]> = [];
    const splitter = new CandumpLineSplitter(
      { frame: (f, n) => frames.push([n, f.id]), malformed: (e, n) => bad.push([n, e.message]) },
      'car.log',
      maxLineLength,
    );
    return { frames, bad, splitter };
  }

  it('reads lines split across chunks, keeps going after malformed lines, numbering every line', () => {
    const { frames, bad, splitter } = collect();
    const text = '(1.0) can0 100#01\r\n\nnot a frame\n(2.0) can0 200#0203\n(3.0) can0 1234#00\n(4.0) can0 12345678##1AABB';
    const cuts = [0, 5, 17, 18, 40, 60, text.length];
    for (let i = 1; i < cuts.length; i++) splitter.push(Buffer.from(text.slice(cuts[i - 1], cuts[i])));
    expect(frames).toEqual([[1, 0x100], [4, 0x200]]);
    splitter.end();
    expect(frames).toEqual([[1, 0x100], [4, 0x200], [6, 0x12345678]]);
    expect(bad.map(([n]) => n)).toEqual([3, 5]);
    expect(bad[0]![1]).toMatch(/^car\.log:3: expected "\(seconds\.micros\) interface id#data"/);
    expect(bad[1]![1]).toMatch(/^car\.log:5: CAN id "1234" must be 3 hex digits/);
    expect(splitter.lines).toBe(6);
  });

  it('decodes UTF-8 split inside a character', () => {
    const { frames, splitter } = collect();
    const bytes = Buffer.from('(1.0) cän0 100#01\n');
    splitter.push(bytes.subarray(0, 8));
    splitter.push(bytes.subarray(8));
    expect(frames).toEqual([[1, 0x100]]);
  });

  it('reports a line that is too long once, without buffering it, and resumes after it', () => {
    const { frames, bad, splitter } = collect(64);
    splitter.push('(1.0) can0 100#01\n');
    for (let i = 0; i < 10; i++) splitter.push('x'.repeat(100));
    splitter.push('yyy\n(2.0) can0 200#02\n');
    expect(bad).toEqual([[2, 'car.log:2: line longer than 64 characters']]);
    expect(frames).toEqual([[1, 0x100], [3, 0x200]]);
  });
});

describe('tx writers', () => {
  it('cansendFrameSpec writes the cansend frame argument', () => {
    expect(cansendFrameSpec(frame(0x3e1, false, [0x01, 0xff]))).toBe('3E1#01FF');
    expect(cansendFrameSpec(frame(0x18daf110, true, []))).toBe('18DAF110#');
    expect(cansendFrameSpec({ ...frame(0x123, false, [1, 2]), fd: true, brs: true })).toBe('123##10102');
  });

  it('StreamTxWriter prints a candump -L line stamped now on the bridged interface', async () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (d: Buffer) => (text += d.toString()));
    const writer = new StreamTxWriter(out, () => 1700000000.5);
    await writer.write('can1', frame(0x3e1, false, [0xaa]));
    expect(text).toBe('(1700000000.500000) can1 3E1#AA\n');
  });

  interface FakeChild extends EventEmitter {
    stderr: EventEmitter;
    kill: (signal?: string) => boolean;
  }

  function fakeSpawn(behaviour: (args: readonly string[], child: FakeChild) => void) {
    const calls: string[][] = [];
    let running = 0;
    let maxRunning = 0;
    const spawn: SpawnFn = (command, args) => {
      calls.push([command, ...args]);
      const child = Object.assign(new EventEmitter(), { stderr: new EventEmitter(), kill: () => true }) as FakeChild;
      running++;
      maxRunning = Math.max(maxRunning, running);
      child.once('close', () => running--);
      setImmediate(() => behaviour(args, child));
      return child as unknown as ChildProcess;
    };
    return { spawn, calls, maxRunning: () => maxRunning };
  }

  it('CansendTxWriter runs cansend once per frame, one at a time, in order', async () => {
    const fake = fakeSpawn((_args, child) => child.emit('close', 0, null));
    const writer = new CansendTxWriter({ spawn: fake.spawn });
    await Promise.all([writer.write('can0', frame(0x3e1, false, [1])), writer.write('can0', frame(0x3e2, false, [2])), writer.write('can0', frame(0x18daf110, true, [3]))]);
    expect(fake.calls).toEqual([['cansend', 'can0', '3E1#01'], ['cansend', 'can0', '3E2#02'], ['cansend', 'can0', '18DAF110#03']]);
    expect(fake.maxRunning()).toBe(1);
    await writer.close();
    await expect(writer.write('can0', frame(1))).rejects.toThrow(/closed/);
  });

  it('CansendTxWriter reports cansend failures, a missing cansend and a full queue', async () => {
    const fake = fakeSpawn((args, child) => {
      if (args[1] === '001#01') {
        child.emit('error', Object.assign(new Error('spawn cansend ENOENT'), { code: 'ENOENT' }));
        return;
      }
      child.stderr.emit('data', Buffer.from('write: Network is down\n'));
      child.emit('close', 1, null);
    });
    const writer = new CansendTxWriter({ spawn: fake.spawn, maxQueue: 1 });
    const first = writer.write('can0', frame(1, false, [1]));
    const second = writer.write('can0', frame(2, false, [2]));
    await expect(writer.write('can0', frame(3))).rejects.toThrow(/already wait for cansend/);
    await expect(first).rejects.toThrow('cansend not found: install can-utils (apt-get install can-utils)');
    await expect(second).rejects.toThrow('cansend can0 002#02 exited with 1: write: Network is down');
  });

  it('spawns candump in the log format, line-buffered, without a shell', () => {
    expect(candumpCommand('can0')).toEqual({ command: 'stdbuf', args: ['-oL', 'candump', '-L', 'can0'] });
  });

  it('spawnCandump passes -L and the interface, streams its output and says why it ended', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'auriga-bridge-'));
    try {
      // A stand-in for candump: prints one line for the interface it is given, a warning, then fails.
      const fake = join(dir, 'fake-candump');
      writeFileSync(fake, '#!/bin/sh\n[ "$1" = "-L" ] || exit 9\necho "(1.000000) $2 123#01"\necho "no such device" >&2\nexit 3\n');
      chmodSync(fake, 0o755);
      const warnings: string[] = [];
      const proc = spawnCandump('vcan9', (line) => warnings.push(line), fake);
      let out = '';
      proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
      expect(await proc.exited).toBe('candump exited with 3');
      expect(out).toBe('(1.000000) vcan9 123#01\n');
      expect(warnings).toEqual(['no such device']);

      const missing = spawnCandump('can0', () => undefined, join(dir, 'no-such-candump'));
      expect(await missing.exited).toMatch(/not found: install can-utils/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
