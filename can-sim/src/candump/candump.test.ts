import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createReadStream } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { readCandumpLog, type CanFrame } from '@auriga/common';
import { CarSimulator } from '../sim.js';
import { CandumpRecorder } from './recorder.js';
import { replayCandump } from './replay.js';

const dir = mkdtempSync(join(tmpdir(), 'auriga-sim-candump-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function readLog(path: string): Promise<CanFrame[]> {
  const frames: CanFrame[] = [];
  for await (const f of readCandumpLog(createReadStream(path))) frames.push(f);
  return frames;
}

const hex = (d: Uint8Array) => Buffer.from(d).toString('hex');

describe('candump record and replay', () => {
  it('records the simulated bus as a candump -L log, frame for frame', async () => {
    const path = join(dir, 'drive.log');
    const sim = new CarSimulator({ scenario: 'city', seed: 2, epoch: 1_700_000_000 });
    const recorder = new CandumpRecorder(path, { bus: 'vcan0', labelsPath: `${path}.labels.jsonl` });
    const sent: CanFrame[] = [];
    sim.on('frames', (f) => {
      sent.push(...f);
      recorder.write(f);
    });
    sim.on('label', (label, t) => recorder.writeLabel(sim.epoch + t, label));
    sim.advance(8);
    await recorder.close();
    await recorder.close(); // idempotent
    const lines = readFileSync(path, 'utf8').trim().split('\n');
    expect(lines[0]).toMatch(/^\(1700000000\.\d{6}\) vcan0 [0-9A-F]{3}#[0-9A-F]*$/);
    const back = await readLog(path);
    expect(back).toHaveLength(sent.length);
    for (let i = 0; i < sent.length; i += 97) {
      expect(back[i]!.id).toBe(sent[i]!.id);
      expect(hex(back[i]!.data)).toBe(hex(sent[i]!.data));
      expect(back[i]!.timestamp).toBeCloseTo(sent[i]!.timestamp, 5);
      expect(back[i]!.bus).toBe('vcan0');
    }
    const labels = readFileSync(`${path}.labels.jsonl`, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { label: string });
    expect(labels.map((l) => l.label)).toContain('city');
    await sim.stop();
  });

  it('replays a recording with its original timing, time-scaled, timestamps shifted to now', async () => {
    const path = join(dir, 'replay.log');
    const sim = new CarSimulator({ scenario: 'parked', epoch: 1_600_000_000 });
    const recorder = new CandumpRecorder(path);
    const sent: CanFrame[] = [];
    sim.on('frames', (f) => {
      sent.push(...f);
      recorder.write(f);
    });
    for (let i = 0; i < 100; i++) sim.advance(0.01); // one batch per tick, as on MQTT
    await recorder.close();
    await sim.stop();

    const batches: Array<{ at: number; frames: CanFrame[]; bus: string }> = [];
    const t0 = performance.now();
    const result = await replayCandump(path, {
      timeScale: 4,
      epochNow: () => 2_000_000_000,
      publish: (frames, bus) => batches.push({ at: performance.now() - t0, frames, bus }),
    });
    const wall = performance.now() - t0;
    const got = batches.flatMap((b) => b.frames);
    expect(result).toMatchObject({ frames: sent.length, loops: 1, aborted: false });
    expect(got.map((f) => `${f.id}:${hex(f.data)}`)).toEqual(sent.map((f) => `${f.id}:${hex(f.data)}`));
    // One second of log at 4x takes about 250 ms.
    expect(wall).toBeGreaterThan(200);
    expect(wall).toBeLessThan(1500);
    expect(batches.length).toBeGreaterThan(20);
    expect(batches.every((b) => b.bus === 'can0')).toBe(true);
    // Rebased: the first frame is "now", the intervals are kept.
    expect(got[0]!.timestamp).toBeCloseTo(2_000_000_000, 5);
    expect(got.at(-1)!.timestamp - got[0]!.timestamp).toBeCloseTo(sent.at(-1)!.timestamp - sent[0]!.timestamp, 5);
  });

  it('replays a foreign log (ids our DBC does not know, extended ids, CAN FD) onto a chosen bus, and loops', async () => {
    const path = join(dir, 'foreign.log');
    writeFileSync(
      path,
      [
        '(1436509052.249713) can1 7E8#0241050000000000',
        '(1436509052.259713) can1 18DAF110#1122',
        '(1436509052.269713) can1 123##1DEADBEEF0011223344',
        '',
      ].join('\n'),
    );
    const abort = new AbortController();
    const got: Array<{ frame: CanFrame; bus: string }> = [];
    const result = await replayCandump(path, {
      bus: 'can0',
      loop: true,
      timeScale: 10,
      rebaseTimestamps: false,
      signal: abort.signal,
      publish: (frames, bus) => {
        for (const frame of frames) got.push({ frame, bus });
        if (got.length >= 7) abort.abort();
      },
    });
    expect(result.aborted).toBe(true);
    expect(result.loops).toBeGreaterThanOrEqual(2);
    expect(got[0]!.frame).toMatchObject({ id: 0x7e8, extended: false, timestamp: 1436509052.249713 });
    expect(got[1]!.frame).toMatchObject({ id: 0x18daf110, extended: true });
    expect(got[2]!.frame).toMatchObject({ id: 0x123, fd: true, brs: true });
    expect(got.every((g) => g.bus === 'can0')).toBe(true);
    // The second pass continues after the first (timestamps keep increasing).
    expect(got[3]!.frame.id).toBe(0x7e8);
    expect(got[3]!.frame.timestamp).toBeGreaterThan(got[2]!.frame.timestamp);
  });

  it('reports a malformed log with its line, and a missing file', async () => {
    const path = join(dir, 'bad.log');
    writeFileSync(path, '(1.0) can0 123#00\n(1.1) can0 12#00\n');
    await expect(replayCandump(path, { publish: () => {} })).rejects.toThrow(/bad\.log.*2|line 2/);
    await expect(replayCandump(join(dir, 'missing.log'), { publish: () => {} })).rejects.toMatchObject({ code: 'AURIGA_ERR_SIM_REPLAY_INPUT' });
  });
});
