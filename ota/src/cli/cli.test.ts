import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, loadServerConfig } from '../server/config.js';
import type { OtaServer } from '../server/app.js';
import { TrustedMetadataSet } from '../client/trusted-metadata.js';
import { formatProgress, parseDuration, parseStages, runCli } from './cli.js';

let dir: string;
let server: OtaServer;
let url: string;
const OP = 'operator-secret';

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, { out: (l) => out.push(l), err: (l) => err.push(l), env: { AURIGA_OTA_SERVER: url, AURIGA_OTA_TOKEN: OP }, sleep: async () => undefined });
  return { code, out: out.join('\n'), err: err.join('\n') };
}
const json = (r: { out: string }) => JSON.parse(r.out);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ota-cli-'));
  const k = (name: string) => join(dir, `${name}.json`);
  for (const role of ['root', 'targets', 'snapshot', 'timestamp', 'director']) {
    expect((await cli('keys', 'generate', '--out', k(role))).code).toBe(0);
  }
  const hash = (await cli('token', 'hash', OP)).out;
  await writeFile(join(dir, 'server.json'), JSON.stringify({
    listen: { host: '127.0.0.1', port: 0 }, store: 'ota.db', bundleDir: 'bundles',
    onlineKeys: { snapshot: ['snapshot.json'], timestamp: ['timestamp.json'], director: ['director.json'] },
    operatorTokenHashes: [hash],
  }));
  const started = await startServer(await loadServerConfig(join(dir, 'server.json')), pino({ level: 'silent' }));
  server = started.server;
  url = started.url;
});
afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('auriga-ota CLI', () => {
  it('takes an operator from keys to a watched campaign', async () => {
    const k = (name: string) => join(dir, `${name}.json`);
    expect((await stat(k('root'))).mode & 0o777).toBe(0o600);
    expect((await cli('keys', 'generate', '--out', k('root'))).code).toBe(1); // never overwrites a key
    const pub = json(await cli('keys', 'public', '--in', k('snapshot')));
    expect(pub.keyval).not.toHaveProperty('private');

    const keyArgs = ['root', 'targets', 'snapshot', 'timestamp', 'director'].flatMap((r) => ['--key', `${r}=${k(r)}`]);
    const init = await cli('root', 'init', '--out', join(dir, 'root-1.json'), ...keyArgs, '--sign', k('root'));
    expect(init.code, init.err).toBe(0);
    expect((await cli('metadata', 'publish', '--role', 'root', '--in', join(dir, 'root-1.json'))).code).toBe(0);

    // Rotation: a new targets key; signed by the old root key only (root keys unchanged).
    await cli('keys', 'generate', '--out', k('targets2'));
    const rot = await cli('root', 'rotate', '--current', join(dir, 'root-1.json'), '--out', join(dir, 'root-2.json'), '--key', `targets=${k('targets2')}`, '--sign', k('root'));
    expect(rot.code, rot.err).toBe(0);
    expect(json(rot).version).toBe(2);
    expect((await cli('metadata', 'publish', '--role', 'root', '--in', join(dir, 'root-2.json'))).code).toBe(0);
    const trusted = new TrustedMetadataSet(await readFile(join(dir, 'root-1.json'), 'utf8'));
    trusted.updateRoot(await readFile(join(dir, 'root-2.json'), 'utf8'));
    expect(trusted.root.roles.targets.keyids).toHaveLength(1);

    const src = join(dir, 'model');
    await mkdir(src);
    await writeFile(join(src, 'model.onnx'), Buffer.alloc(2048, 3));
    await writeFile(join(dir, 'manifest.json'), JSON.stringify({
      name: 'speech-en', version: '1.0.0', kind: 'speech-model', supports: { serviceVersions: '^0.1.0', hardware: ['hu-a1'] }, acceptance: { minAccuracy: 0.9 },
    }));
    const built = await cli('bundle', 'build', '--dir', src, '--manifest', join(dir, 'manifest.json'), '--out', join(dir, 'speech-en-1.0.0.bundle'));
    expect(built.code, built.err).toBe(0);
    expect(json(await cli('bundle', 'verify', '--in', join(dir, 'speech-en-1.0.0.bundle')))).toMatchObject({ ok: true, version: '1.0.0' });
    // The old targets key was revoked by root v2: the server refuses it.
    const revoked = await cli('release', 'publish', '--bundle', join(dir, 'speech-en-1.0.0.bundle'), '--sign', k('targets'));
    expect(revoked.code).toBe(1);
    expect(revoked.err).toMatch(/AURIGA_ERR_OTA_THRESHOLD/);
    const published = await cli('release', 'publish', '--bundle', join(dir, 'speech-en-1.0.0.bundle'), '--sign', k('targets2'));
    expect(published.code, published.err).toBe(0);
    expect(json(await cli('release', 'list'))[0]).toMatchObject({ id: 'speech-en-1.0.0.bundle', version: '1.0.0' });

    const vehicle = json(await cli('vehicle', 'add', '--id', 'car-1', '--group', 'beta', '--hardware', 'hu-a1'));
    expect(vehicle.token).toMatch(/^avt_/);
    const created = await cli('campaign', 'create', '--name', 'speech 1.0', '--release', 'speech-en-1.0.0.bundle', '--group', 'beta', '--stages', '50:0.2,100:0.1', '--stage-timeout', '6h');
    expect(created.code, created.err).toBe(0);
    expect(json(created).campaign.schedule).toEqual({ stageTimeoutS: 21_600 });
    const id = json(created).campaign.id as string;
    expect((await cli('campaign', 'pause', '--id', id)).code).toBe(0);
    const watched = await cli('campaign', 'watch', '--id', id, '--once');
    expect(watched.out).toMatch(/speech 1.0: paused \(paused by operator\)\n>stage 1 \(50%\): 0\/1 active/);
    expect(json(await cli('campaign', 'resume', '--id', id)).campaign.state).toBe('running');
    expect(json(await cli('campaign', 'abort', '--id', id)).campaign.state).toBe('aborted');
    const again = await cli('campaign', 'pause', '--id', id);
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/409.*aborted: cannot pause/);
    // A watch ends by itself on a terminal state.
    expect((await cli('campaign', 'watch', '--id', id, '--interval-s', '0')).code).toBe(0);
  });

  it('explains bad usage', async () => {
    expect((await cli('campaign', 'create', '--name', 'x')).err).toMatch(/--group or --vehicles is required|--release is required/);
    expect((await cli('nope')).code).toBe(2);
    expect((await cli('--bogus')).code).toBe(2);
    expect(() => parseStages('10:0.2,abc')).toThrow(/PERCENT:FAILURE_RATE/);
    expect([parseDuration('90', 'x'), parseDuration('90s', 'x'), parseDuration('30m', 'x'), parseDuration('6h', 'x'), parseDuration('2d', 'x')])
      .toEqual([90, 90, 1800, 21_600, 172_800]);
    expect(() => parseDuration('6 hours', '--stage-timeout')).toThrow(/--stage-timeout: 6 hours is not a duration/);
    expect(() => parseDuration('0h', '--stage-timeout')).toThrow(/not a duration/);
    expect(parseStages('10:0.2,100:0')).toEqual([{ percent: 10, failureThreshold: 0.2 }, { percent: 100, failureThreshold: 0 }]);
    expect(formatProgress({ campaign: { name: 'n', state: 'running', currentStage: 0, stateReason: null }, stages: [], rollback: { total: 1, done: 0, failed: 1 } }))
      .toBe('n: running\n\n rollback: 0/1 done, 1 failed');
  });

  it('builds a bundle whose manifest names its files by path and role only (hashes and lengths are computed)', async () => {
    const src = join(dir, 'voice');
    await mkdir(src);
    await writeFile(join(src, 'car.yaml'), 'context: {}\n');
    await writeFile(join(src, 'golden.json'), '{"phrases":[]}');
    await writeFile(join(src, 'notes.txt'), 'not in the bundle');
    await writeFile(join(dir, 'voice-manifest.json'), JSON.stringify({
      name: 'car-context', version: '1.0.0', kind: 'voice-context', supports: { serviceVersions: '^0.1.0', hardware: ['hu-a1'] }, acceptance: { minAccuracy: 1 },
      files: [{ path: 'car.yaml', role: 'voice-context' }, { path: 'golden.json', role: 'acceptance-data' }],
    }));
    const out = join(dir, 'voice.bundle');
    const built = await cli('bundle', 'build', '--dir', src, '--manifest', join(dir, 'voice-manifest.json'), '--out', out);
    expect(built.code, built.err).toBe(0);
    expect(json(built)).toMatchObject({ files: 2 });
    expect(json(await cli('bundle', 'verify', '--in', out))).toMatchObject({ ok: true, kind: 'voice-context', files: 2 });
  });

  it('runs through the bin launcher', async () => {
    const bin = fileURLToPath(new URL('../../bin/auriga-ota.js', import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, [bin, '--help']);
    expect(stdout).toMatch(/auriga-ota: operator tool/);
  });
});
