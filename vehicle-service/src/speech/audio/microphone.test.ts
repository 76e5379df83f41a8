/**
 * ArecordMicrophone against a stand-in `arecord` (test-support/arecord-standin.ts): a shell script that
 * streams the raw PCM of real speech (the shipped speech fixture, 16 kHz TTS audio) in odd-sized pieces.
 * A stand-in because this machine, like CI, has no sound card: the real arecord can only fail here (one
 * test below runs it for that, when it is installed).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@auriga/common/testing';
import type { AurigaError } from '@auriga/common';
import { floatToPcm16, isProcessAlive, writeArecordStandIn } from '../../test-support/arecord-standin.js';
import { ManualClock } from '../../util/timers.js';
import { ArecordMicrophone, Pcm16Reassembler, stderrSummary, type ArecordMicrophoneOptions } from './microphone.js';

const FIXTURE = new URL('../../../../models/speech/artifacts/fixtures/utt.audio.f32', import.meta.url).pathname;

let dir: string;
let pcmFile: string;
let pcm: Buffer;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'auriga-mic-'));
  const f32 = readFileSync(FIXTURE);
  pcm = floatToPcm16(new Float32Array(f32.buffer, f32.byteOffset, f32.byteLength / 4));
  pcmFile = join(dir, 'utt.raw');
  writeFileSync(pcmFile, pcm);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A microphone with every event recorded. */
function record(options: ArecordMicrophoneOptions) {
  const mic = new ArecordMicrophone(options);
  const chunks: Int16Array[] = [];
  const floats: Float32Array[] = [];
  const errors: Array<{ err: AurigaError; restartInMs?: number }> = [];
  const closes: Array<{ code: number | null; signal: string | null }> = [];
  const starts: number[] = [];
  mic.on('pcm', (c) => chunks.push(c));
  mic.on('samples', (f) => floats.push(f));
  mic.on('error', (err, info) => errors.push({ err, ...info }));
  mic.on('close', (c) => closes.push(c));
  mic.on('start', ({ pid }) => starts.push(pid));
  const bytes = () => Buffer.concat(chunks.map((c) => Buffer.from(c.buffer, c.byteOffset, c.byteLength)));
  return { mic, chunks, floats, errors, closes, starts, bytes };
}


describe('Pcm16Reassembler', () => {
  it('joins little-endian samples split at any byte, odd boundaries included', () => {
    const bytes = new Uint8Array(2001);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 37 + 11) & 0xff;
    const expected = Array.from({ length: 1000 }, (_, i) => new DataView(bytes.buffer).getInt16(i * 2, true));
    for (const sizes of [[1], [3], [7, 1, 2], [999, 1, 1001], [2001]]) {
      const r = new Pcm16Reassembler();
      const got: number[] = [];
      for (let at = 0, k = 0; at < bytes.length; k++) {
        const n = sizes[k % sizes.length]!;
        got.push(...r.push(bytes.subarray(at, at + n)));
        at += n;
      }
      expect(got, `pieces of ${sizes.join(',')}`).toEqual(expected);
      expect(r.pendingBytes).toBe(1);
    }
    const r = new Pcm16Reassembler();
    expect([...r.push(Uint8Array.of(0x01))]).toEqual([]);
    expect([...r.push(new Uint8Array(0))]).toEqual([]);
    expect([...r.push(Uint8Array.of(0x80, 0xff, 0x7f))]).toEqual([-32767, 32767]);
  });
});

describe('stderrSummary', () => {
  it("keeps arecord's own line without its source position", () => {
    const alsa = 'ALSA lib pcm.c:2666:(snd_pcm_open_noupdate) Unknown PCM x\narecord: main:831: audio open error: Device or resource busy\n';
    expect(stderrSummary(alsa)).toBe('audio open error: Device or resource busy');
    expect(stderrSummary('something else\nlast line\n')).toBe('last line');
    expect(stderrSummary('')).toBe('');
  });
});

describe('ArecordMicrophone with a stand-in arecord', () => {
  it('runs arecord with the 16 kHz mono S16_LE raw arguments and delivers the stream byte-exactly across odd pipe reads', async () => {
    const standIn = writeArecordStandIn({ dir, name: 'arecord-stream', pcmFile, blockBytes: 1601, blockDelaySec: 0.005 });
    const r = record({ command: standIn.command, device: 'hw:3,0' });
    r.mic.start();
    await waitFor('the stand-in to finish', () => r.closes.length > 0, 20_000);
    expect(standIn.args()).toEqual(['-q', '-D', 'hw:3,0', '-f', 'S16_LE', '-r', '16000', '-c', '1', '-t', 'raw']);
    expect(r.bytes().equals(pcm)).toBe(true);
    expect(r.chunks.length).toBeGreaterThan(1);
    // The float view is the same audio.
    const floats = r.floats.flatMap((f) => [...f]);
    expect(floats.length).toBe(pcm.length / 2);
    expect(floats[1000]).toBe(pcm.readInt16LE(2000) / 32768);
    // Ending with exit code 0 on its own is not normal for a microphone: reported, coded.
    expect(r.errors.map((e) => e.err.code)).toEqual(['AURIGA_ERR_MIC_STOPPED']);
    expect(r.errors[0]!.err.message).toContain('arecord-stream -D hw:3,0');
    expect(r.errors[0]!.restartInMs).toBeUndefined();
    expect(r.mic.running).toBe(false);
  });

  it('a missing command is AURIGA_ERR_MIC_UNAVAILABLE, whether a path or a name looked up on PATH', async () => {
    for (const command of [join(dir, 'no-such-arecord'), 'auriga-no-such-arecord']) {
      const r = record({ command });
      r.mic.start();
      await waitFor('the error', () => r.errors.length > 0);
      expect(r.errors[0]!.err.code).toBe('AURIGA_ERR_MIC_UNAVAILABLE');
      expect(r.errors[0]!.err.message).toContain(`${command} was not found`);
      expect(r.mic.running).toBe(false);
      await r.mic.destroy();
    }
  });

  it('a non-zero exit is AURIGA_ERR_MIC_FAILED with what arecord printed', async () => {
    const standIn = writeArecordStandIn({
      dir,
      name: 'arecord-busy',
      stderr: 'arecord: main:831: audio open error: Device or resource busy',
      exitCode: 1,
    });
    const r = record({ command: standIn.command, device: 'hw:0,0' });
    r.mic.start();
    await waitFor('the error', () => r.errors.length > 0);
    expect(r.errors[0]!.err.code).toBe('AURIGA_ERR_MIC_FAILED');
    expect(r.errors[0]!.err.message).toBe(`the microphone failed: ${standIn.command} -D hw:0,0 exited with code 1: audio open error: Device or resource busy`);
    expect(r.closes).toEqual([{ code: 1, signal: null }]);
  });

  it.skipIf(spawnSync('arecord', ['--version']).status !== 0)('the real arecord on a device that does not exist is AURIGA_ERR_MIC_FAILED too', async () => {
    const r = record({ device: 'auriga_no_such_pcm' });
    r.mic.start();
    await waitFor('the error', () => r.errors.length > 0);
    expect(r.errors[0]!.err.code).toBe('AURIGA_ERR_MIC_FAILED');
    expect(r.errors[0]!.err.message).toMatch(/arecord -D auriga_no_such_pcm exited with code 1: .*audio open error/);
  });

  it('destroy() kills the running command, reports no error, and is idempotent', async () => {
    const standIn = writeArecordStandIn({ dir, name: 'arecord-open', pcmFile, blockBytes: 3201, blockDelaySec: 0.05, holdSec: 60 });
    const r = record({ command: standIn.command });
    r.mic.start();
    r.mic.start(); // no second process
    await waitFor('audio', () => r.chunks.length > 0);
    const pid = r.mic.pid!;
    expect(r.starts).toEqual([pid]);
    expect(isProcessAlive(pid)).toBe(true);
    const first = r.mic.destroy();
    expect(r.mic.destroy()).toBe(first);
    await first;
    expect(isProcessAlive(pid)).toBe(false);
    expect(r.mic.running).toBe(false);
    expect(r.errors).toEqual([]);
    expect(r.closes).toHaveLength(1);
    const heard = r.chunks.length;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(r.chunks.length).toBe(heard);
    await r.mic.destroy();
    r.mic.start(); // after destroy: nothing
    expect(r.mic.running).toBe(false);
  });

  it('restarts after a failure with a doubling backoff on the injected clock; destroy() cancels the pending restart', async () => {
    const clock = new ManualClock();
    const standIn = writeArecordStandIn({ dir, name: 'arecord-flaky', stderr: 'arecord: main:831: audio open error: No such device', exitCode: 1 });
    const r = record({ command: standIn.command, restart: { minMs: 100, maxMs: 300 }, clock });
    r.mic.start();
    for (const [n, delay] of [[1, 100], [2, 200], [3, 300], [4, 300]] as const) {
      await waitFor(`failure ${n}`, () => r.errors.length === n);
      expect(r.errors[n - 1]!.restartInMs).toBe(delay);
      expect(r.mic.runs).toBe(n);
      clock.advance(delay - 1);
      expect(r.mic.runs).toBe(n);
      if (n < 4) clock.advance(1);
    }
    expect(r.errors.every((e) => e.err.code === 'AURIGA_ERR_MIC_FAILED')).toBe(true);
    expect(clock.pendingTimers).toBe(1);
    await r.mic.destroy();
    expect(clock.pendingTimers).toBe(0);
    clock.advance(10_000);
    expect(r.mic.runs).toBe(4);
  });
});
