import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runAurigaCan } from './commands.js';

const bin = fileURLToPath(new URL('../../bin/auriga-can.js', import.meta.url));
const vectors = fileURLToPath(new URL('../dbc/fixtures/vectors.dbc', import.meta.url));
const shared = '/work/shared/dbc/opendbc-sample';
const tmp = mkdtempSync(join(tmpdir(), 'auriga-can-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real launcher (bin/auriga-can.js -> tsx -> src/cli/auriga-can.ts) from another directory. */
function cli(args: string[], stdin?: string): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: tmp, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(stdin ?? '');
  });
}

/** The same logic in-process, for the many small cases. */
async function run(args: string[], stdin = ''): Promise<Result> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await runAurigaCan(args, { stdin: Readable.from([stdin]), stdout, stderr, now: () => 1700000000.5 });
  return { code, stdout: out, stderr: err };
}

const errorOf = (r: Result) => (JSON.parse(r.stderr) as { error: { code: string; message: string; line?: number } }).error;

describe('auriga-can (spawned through bin/auriga-can.js)', () => {
  it('check prints the summary of a DBC', async () => {
    const r = await cli(['check', vectors]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      file: vectors, version: 'vectors 1.0', messages: 7, signals: 27, multiplexedSignals: 5, extendedIds: 2, fdMessages: 2,
      unusableSignals: 3, warnings: [
        { line: 54, message: expect.stringContaining('Request.TooFar') },
        { line: 55, message: expect.stringContaining('Request.BeTooFar') },
        { line: 58, message: expect.stringContaining('VECTOR__INDEPENDENT_SIG_MSG.Orphan') },
      ],
    });
  });

  it('check fails with the error as JSON on stderr and exit 1', async () => {
    const bad = join(tmp, 'bad.dbc');
    writeFileSync(bad, 'VERSION ""\n\nBO_ 1 M: 8 A\n SG_ S : 8|x@1+ (1,0) [0|0] "" B\n');
    const r = await cli(['check', bad]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(errorOf(r)).toEqual({ code: 'AURIGA_ERR_DBC_SYNTAX', line: 4, message: `${bad}:4: SG_ expects "start|length@order" but found "8|x@1+" in signal S` });
  });

  it('decode prints one JSON line per frame, reading stdin', async () => {
    const log = [
      '(1436509052.249713) vcan0 100#ABC53930C0F94FF6',
      '',
      '(1436509052.250000) vcan0 18FEF100#0000C03FDEADBEEF',
      '(1436509052.260000) vcan0 7FF#00',
    ].join('\n');
    const r = await cli(['decode', '--dbc', vectors], log);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n').map((l) => JSON.parse(l))).toEqual([
      { t: 1436509052.249713, bus: 'vcan0', id: '0x100', name: 'Mixed', signals: { Rpm: 1374, Gear: 5, Speed: 123.45, Accel: -1, Temp: -41.5, Flag: 1, Tail: 2 } },
      { t: 1436509052.25, bus: 'vcan0', id: '0x18FEF100', name: 'ExtFloat', signals: { Ratio: 1.5, BigBe: 3735928559 } },
      { t: 1436509052.26, bus: 'vcan0', id: '0x7FF', name: null, signals: {} },
    ]);
  });

  it('encode prints a candump line', async () => {
    // C = 17 selects Sub = 3 (low end of 3-5), which needs Mode = 2.
    const ok = await cli(['encode', '--dbc', vectors, '--message', 'Muxed', '--bus', 'vcan0', '--time', '12.25', 'C=17', 'Always=99']);
    expect(ok).toMatchObject({ code: 0, stdout: '(12.250000) vcan0 400#0203110000000063\n' });
  });

  it('stops quietly when its output pipe closes (decode | head -1)', async () => {
    const log = Array.from({ length: 20000 }, (_, i) => `(${i}.000000) can0 100#ABC53930C0F94FF6`).join('\n');
    writeFileSync(join(tmp, 'big.log'), log);
    const r = await new Promise<Result>((resolve, reject) => {
      execFile('/bin/sh', ['-c', `"${process.execPath}" "${bin}" decode --dbc "${vectors}" big.log | head -1`], { cwd: tmp }, (err, stdout, stderr) =>
        err ? reject(err) : resolve({ code: 0, stdout, stderr }));
    });
    expect(JSON.parse(r.stdout).name).toBe('Mixed');
    expect(r.stderr).toBe('');
  });
});

describe('auriga-can in-process', () => {
  it('--help explains the commands', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/auriga-can check FILE\.dbc/);
    expect(r.stdout).toMatch(/3 digits for 11-bit ids/);
  });

  it('is linked as a workspace bin', () => {
    // After `npm install`, node_modules/.bin/auriga-can points at this launcher.
    expect(existsSync(fileURLToPath(new URL('../../../node_modules/.bin/auriga-can', import.meta.url)))).toBe(true);
  });

  it('an unknown signal exits 2', async () => {
    const bad = await run(['encode', '--dbc', vectors, '--message', 'Muxed', 'Q=1']);
    expect(bad.code).toBe(2);
    expect(errorOf(bad)).toMatchObject({ code: 'AURIGA_ERR_DBC_UNKNOWN_SIGNAL', message: expect.stringContaining('"Q"') });
  });

  it('decode --known-only leaves out frames the DBC does not define; a log file can be named', async () => {
    const file = join(tmp, 'known.log');
    writeFileSync(file, '(1.0) can0 7FF#00\n(2.0) can0 400#0007002200000000\n');
    const r = await run(['decode', '--dbc', vectors, '--known-only', file]);
    expect(r.code).toBe(0);
    // Mode 0 selects A (byte1 = 7); D (byte3) hangs below Sub, which only Mode 2 selects.
    expect(r.stdout.trim().split('\n').map((l) => JSON.parse(l))).toEqual([
      { t: 2, bus: 'can0', id: '0x400', name: 'Muxed', signals: { Mode: 0, A: 7, Always: 0 } },
    ]);
  });

  it('decode reports a bad log line with its number and exits 1 after printing the frames before it', async () => {
    const r = await run(['decode', '--dbc', vectors], '(1.0) can0 100#00\n(2.0) can0 100#0\n');
    expect(r.code).toBe(1);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    expect(errorOf(r)).toMatchObject({ code: 'AURIGA_ERR_CANDUMP_SYNTAX', line: 2, message: expect.stringMatching(/^<stdin>:2: .*odd number/) });
  });

  it('decode of a log file that does not exist', async () => {
    const r = await run(['decode', '--dbc', vectors, join(tmp, 'missing.log')]);
    expect(r.code).toBe(1);
    expect(errorOf(r).code).toBe('AURIGA_ERR_CLI_IO');
  });

  it('encode takes VAL_ labels, defaults the time to now and refuses values that do not fit', async () => {
    const r = await run(['encode', '--dbc', vectors, '--message', 'Mixed', 'Gear=M', 'Speed=1']);
    expect(r).toMatchObject({ code: 0, stdout: '(1700000000.500000) can0 100#0005640000000000\n' });
    const range = await run(['encode', '--dbc', vectors, '--message', 'Mixed', 'Speed=700']);
    expect(range.code).toBe(2);
    expect(errorOf(range)).toMatchObject({ code: 'AURIGA_ERR_CLI_BAD_VALUE', message: expect.stringContaining('physical 0..655.35') });
    const label = await run(['encode', '--dbc', vectors, '--message', 'Mixed', 'Gear=Sport']);
    expect(errorOf(label).message).toContain('one of "P", "R", "N", "D", "M"');
  });

  it('encode with an unknown message, a missing option or a malformed assignment exits 2', async () => {
    expect((await run(['encode', '--dbc', vectors, '--message', 'Nope'])).code).toBe(2);
    expect(errorOf(await run(['encode', '--dbc', vectors, '--message', 'Nope'])).code).toBe('AURIGA_ERR_DBC_UNKNOWN_MESSAGE');
    expect(errorOf(await run(['encode', '--dbc', vectors])).message).toMatch(/needs --message/);
    expect(errorOf(await run(['encode', '--dbc', vectors, '--message', 'Mixed', 'Speed'])).message).toMatch(/not SIGNAL=VALUE/);
    expect(errorOf(await run(['encode', '--dbc', vectors, '--message', 'Mixed', '--time', 'soon'])).message).toMatch(/--time/);
    expect((await run(['decode', '--dbc', vectors, '--frobnicate'])).code).toBe(2);
    expect((await run([])).code).toBe(2);
  });

  it.skipIf(!existsSync(shared))(`checks the opendbc sample files (skipped: ${shared} is absent)`, async () => {
    const tesla = await run(['check', join(shared, 'tesla_can.dbc')]);
    expect(tesla.code).toBe(0);
    expect(JSON.parse(tesla.stdout)).toMatchObject({ messages: 44, signals: 572, multiplexedSignals: 36, extendedIds: 0, fdMessages: 0, unusableSignals: 0 });
    const test = JSON.parse((await run(['check', join(shared, 'test.dbc')])).stdout) as { fdMessages: number; warnings: unknown[] };
    expect(test.fdMessages).toBe(1);
    expect(test.warnings).toHaveLength(1);
    for (const f of ['bmw_e9x_e8x.dbc', 'ESR.dbc', 'acura_ilx_2016_nidec.dbc']) expect((await run(['check', join(shared, f)])).code).toBe(0);
    // Decode a tesla frame: UI_driverAssistRoadSign with UI_roadSign = 1.
    const r = await run(['decode', '--dbc', join(shared, 'tesla_can.dbc')], '(5.0) can0 238#0128C80000000000\n');
    expect(JSON.parse(r.stdout)).toMatchObject({ id: '0x238', name: 'UI_driverAssistRoadSign', signals: { UI_roadSign: 1, UI_stopSignStopLineDist: 2, UI_stopSignStopLineConf: 50 } });
  });
});
