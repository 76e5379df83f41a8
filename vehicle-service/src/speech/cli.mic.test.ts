/**
 * `auriga intent --mic` end to end: a stand-in `arecord` (test-support/arecord-standin.ts, first on PATH)
 * streams espeak-ng speech as raw 16 kHz PCM, the CLI endpoints it with Silero VAD and recognizes each
 * command with the shipped model (models/speech/artifacts/student.int8.onnx) against the car context.
 * A stand-in because this machine, like CI, has no sound card. The intents are not asserted (the
 * acoustic model is being improved): the JSON shape, and one line per endpointed command.
 * Skipped (with a message) when espeak-ng is not installed.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@auriga/common/testing';
import { espeak16k, floatToPcm16, isProcessAlive, sequence, writeArecordStandIn } from '../test-support/arecord-standin.js';
import { intentCli } from './cli.js';

const ROOT = new URL('../../../', import.meta.url).pathname;
const CAR = join(ROOT, 'models/contexts/en-US/car.yaml');
const CLI = join(ROOT, 'vehicle-service/src/speech/cli.ts');
const hasEspeak = spawnSync('espeak-ng', ['--version']).status === 0;
if (!hasEspeak) console.warn('cli.mic.test.ts: espeak-ng is not installed; the --mic end-to-end tests are skipped');


function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { stdout: (l: string) => out.push(l), stderr: (l: string) => err.push(l) } };
}

function expectResultLine(line: string, device: string): void {
  const j = JSON.parse(line) as Record<string, unknown>;
  expect(Object.keys(j).sort()).toEqual(['confidence', 'file', 'intent', 'isUnderstood', 'ms', 'numbers', 'slots']);
  expect(j.file).toBe(`mic:${device}`);
  expect(typeof j.isUnderstood).toBe('boolean');
  expect(j.intent === null || typeof j.intent === 'string').toBe(true);
  expect(typeof j.slots).toBe('object');
  expect(typeof j.numbers).toBe('object');
  expect(j.confidence).toBeGreaterThanOrEqual(0);
  expect(j.confidence).toBeLessThanOrEqual(1);
  expect(j.ms).toBeGreaterThan(0);
}

describe('auriga intent: usage of --mic', () => {
  it('refuses files with --mic, a bad --max-seconds, and --device without --mic', async () => {
    for (const argv of [
      ['intent', '--context', CAR, '--mic', 'a.wav'],
      ['intent', '--context', CAR, '--mic', '--max-seconds', '0'],
      ['intent', '--context', CAR, '--mic', '--max-seconds', 'x'],
      ['intent', '--context', CAR, '--device', 'hw:0,0', 'a.wav'],
      ['intent', '--mic'],
    ]) {
      const t = io();
      expect(await intentCli(argv, t.io), argv.join(' ')).toBe(2);
      expect(t.err.join('\n')).toContain('--mic');
    }
  });
});

describe.skipIf(!hasEspeak)('auriga intent --mic with a stand-in arecord', () => {
  let dir: string;
  let bin: string;
  let twoCommands: string;
  let cutOff: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'auriga-cli-mic-'));
    bin = join(dir, 'bin');
    spawnSync('mkdir', [bin]);
    // Two commands with a pause between them (longer than the 700 ms that ends a command) and after them.
    twoCommands = join(dir, 'two.raw');
    writeFileSync(twoCommands, floatToPcm16(sequence(0.6, espeak16k(dir, 'turn on the seat heating'), 1.5, espeak16k(dir, 'open the sunroof'), 1.5)));
    // A command the end of listening cuts off (no pause after it).
    cutOff = join(dir, 'cut.raw');
    writeFileSync(cutOff, floatToPcm16(sequence(0.4, espeak16k(dir, 'lock the doors'))));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('`auriga intent --mic` prints one JSON line per spoken command until SIGINT, then stops arecord and exits 0', async () => {
    const standIn = writeArecordStandIn({ dir: bin, pcmFile: twoCommands, blockBytes: 3201, blockDelaySec: 0.04, holdSec: 120 });
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'intent', '--context', CAR, '--mic', '--device', 'plughw:1,0'], {
      cwd: ROOT,
      env: { ...process.env, PATH: `${bin}${delimiter}${process.env.PATH ?? ''}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await waitFor('two lines', () => stdout.split('\n').filter(Boolean).length >= 2, 60_000);
      expect(standIn.args()).toEqual(['-q', '-D', 'plughw:1,0', '-f', 'S16_LE', '-r', '16000', '-c', '1', '-t', 'raw']);
      const pid = standIn.pid();
      // The microphone stays open (the stand-in keeps running): give a third line time to show up wrongly.
      await new Promise((r) => setTimeout(r, 500));
      child.kill('SIGINT');
      expect(await exited, stderr).toBe(0);
      const lines = stdout.split('\n').filter(Boolean);
      expect(lines).toHaveLength(2);
      for (const line of lines) expectResultLine(line, 'plughw:1,0');
      expect(stderr).toContain('listening on plughw:1,0');
      expect(isProcessAlive(pid)).toBe(false);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 90_000);

  it('--max-seconds ends listening and still answers the command being spoken; a stopping arecord is reported with exit code 1', async () => {
    const held = writeArecordStandIn({ dir, name: 'arecord-held', pcmFile: cutOff, blockBytes: 3201, blockDelaySec: 0.02, holdSec: 120 });
    const t = io();
    const code = await intentCli(['intent', '--context', CAR, '--mic', '--device', 'hw:0,0', '--max-seconds', '4', '--arecord', held.command], t.io);
    expect(code, t.err.join('\n')).toBe(0);
    expect(t.out).toHaveLength(1);
    expectResultLine(t.out[0]!, 'hw:0,0');
    expect(isProcessAlive(held.pid())).toBe(false);

    const stops = writeArecordStandIn({ dir, name: 'arecord-stops', pcmFile: cutOff, blockBytes: 3201, blockDelaySec: 0.005 });
    const s = io();
    expect(await intentCli(['intent', '--context', CAR, '--mic', '--arecord', stops.command], s.io)).toBe(1);
    expect(s.out).toHaveLength(1); // what it heard before stopping is answered
    expectResultLine(s.out[0]!, 'default');
    expect(s.err.at(-1)).toMatch(/^AURIGA_ERR_MIC_STOPPED: the microphone stopped: .*arecord-stops -D default exited without an error/);
  }, 90_000);

  it('a missing arecord is AURIGA_ERR_MIC_UNAVAILABLE on stderr and exit code 1', async () => {
    const t = io();
    expect(await intentCli(['intent', '--context', CAR, '--mic', '--arecord', join(dir, 'nothing-here')], t.io)).toBe(1);
    expect(t.out).toEqual([]);
    expect(t.err.at(-1)).toMatch(/^AURIGA_ERR_MIC_UNAVAILABLE: cannot start the microphone: .*nothing-here was not found \(install alsa-utils/);
  }, 60_000);
});
