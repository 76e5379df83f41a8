import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { connectAsync } from 'mqtt';
import { createTopics, decodeFrameBatch, type CanFrame } from '@auriga/common';

const BROKER = 'mqtt://127.0.0.1:1883';
const BIN = fileURLToPath(new URL('../bin/auriga-sim.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'auriga-sim-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cli(args: string[]): { child: ChildProcess; exit: Promise<number | null>; output: () => string } {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exit, output: () => output };
}

async function watch(root: string) {
  const topics = createTopics(root);
  const client = await connectAsync(BROKER);
  const seen = { frames: [] as CanFrame[], statuses: [] as Array<{ state?: string; mode?: string }> };
  client.on('message', (topic, payload) => {
    if (topic === topics.simStatus) {
      if (payload.length > 0) seen.statuses.push(JSON.parse(payload.toString()) as { state?: string });
    } else seen.frames.push(...decodeFrameBatch(payload));
  });
  await client.subscribeAsync([topics.allFrames, topics.simStatus], { qos: 1 });
  const close = async () => {
    await client.publishAsync(topics.simStatus, '', { qos: 1, retain: true });
    await client.endAsync();
  };
  return { seen, close };
}

async function until(what: string, probe: () => boolean, timeoutMs = 8000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('auriga-sim CLI', () => {
  it('runs a scenario, records it, shuts down cleanly on SIGTERM; replays the recording', async () => {
    const root = `auriga-test/${randomUUID()}/v1`;
    const log = join(dir, 'city.log');
    const w = await watch(root);
    const run = cli(['--mqtt', BROKER, '--topic-root', root, '--scenario', 'city', '--time-scale', '20', '--seed', '3', '--record', log, '--log-level', 'warn']);
    try {
      await until('running', () => w.seen.statuses.some((s) => s.state === 'running'));
      await until('frames', () => w.seen.frames.length > 3000);
    } finally {
      run.child.kill('SIGTERM');
    }
    expect(await run.exit).toBe(0);
    await until('offline', () => w.seen.statuses.at(-1)?.state === 'offline');
    const lines = readFileSync(log, 'utf8').trim().split('\n');
    expect(lines.length).toBeGreaterThan(3000);
    expect(lines[0]).toMatch(/^\(\d+\.\d{6}\) can0 [0-9A-F]{3}#[0-9A-F]+$/);
    expect(existsSync(`${log}.labels.jsonl`)).toBe(true);
    await w.close();

    // Replay it onto another root, 20x faster: every recorded frame arrives, then the process ends.
    const root2 = `auriga-test/${randomUUID()}/v1`;
    const w2 = await watch(root2);
    const replay = cli(['replay', log, '--mqtt', BROKER, '--topic-root', root2, '--time-scale', '20', '--log-level', 'warn']);
    expect(await replay.exit).toBe(0);
    await until('all frames', () => w2.seen.frames.length === lines.length, 3000);
    expect(w2.seen.statuses.some((s) => s.mode === 'replay')).toBe(true);
    await until('offline after replay', () => w2.seen.statuses.at(-1)?.state === 'offline');
    await w2.close();
  });

  it('explains bad usage', async () => {
    const bad = cli(['--mqtt', BROKER, '--scenario', 'moon']);
    const usage = cli(['--time-scale', 'fast', '--mqtt', BROKER]);
    const [badCode, usageCode] = await Promise.all([bad.exit, usage.exit]);
    expect(badCode).toBe(1);
    expect(bad.output()).toMatch(/AURIGA_ERR_SIM_UNKNOWN_SCENARIO: unknown scenario "moon"/);
    expect(usageCode).toBe(2);
    expect(usage.output()).toMatch(/--time-scale/);
  });
});
