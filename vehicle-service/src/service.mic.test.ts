/**
 * The service's hands-free microphone (SPEECH_MIC_DEVICE), with a stand-in `arecord`
 * (test-support/arecord-standin.ts) named by SPEECH_MIC_COMMAND: this machine, like CI, has no sound
 * card. The stand-in streams espeak-ng speech as raw 16 kHz PCM and keeps the "device" open, or fails
 * like a busy device. Embedded broker, no car: the assistant answers from the (empty) vehicle state.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@auriga/common/testing';
import { loadConfig } from './config/load.js';
import { DEFAULT_CONFIG } from './config/schema.js';
import { startVehicleService, type VehicleServiceHandle } from './service.js';
import { espeak16k, floatToPcm16, isProcessAlive, sequence, writeArecordStandIn } from './test-support/arecord-standin.js';

const hasEspeak = spawnSync('espeak-ng', ['--version']).status === 0;
if (!hasEspeak) console.warn('service.mic.test.ts: espeak-ng is not installed; the hands-free microphone tests are skipped');


it('the microphone is off by default; SPEECH_MIC_DEVICE and SPEECH_MIC_COMMAND turn it on', () => {
  expect(DEFAULT_CONFIG.speech.micDevice).toBeUndefined();
  expect(loadConfig({}).speech).toEqual({});
  expect(loadConfig({ SPEECH_MIC_DEVICE: 'plughw:1,0', SPEECH_MIC_COMMAND: '/usr/bin/arecord' }).speech).toEqual({ micDevice: 'plughw:1,0', micCommand: '/usr/bin/arecord' });
});

describe.skipIf(!hasEspeak)('hands-free microphone in the service', () => {
  let dir: string;
  let pcmFile: string;
  const cleanups: Array<() => Promise<unknown> | unknown> = [];
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'auriga-svc-mic-'));
    pcmFile = join(dir, 'command.raw');
    writeFileSync(pcmFile, floatToPcm16(sequence(0.5, espeak16k(dir, 'turn on the seat heating'), 1.5)));
  });
  afterEach(async () => {
    for (const fn of cleanups.splice(0).reverse()) await fn();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function start(command: string) {
    const logs: Array<Record<string, unknown>> = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) logs.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    const dataDir = mkdtempSync(join(dir, 'data-'));
    const config = loadConfig(
      { SPEECH_MIC_DEVICE: 'hw:2,0', SPEECH_MIC_COMMAND: command },
      { http: { port: 0 }, dataDir, mqtt: { embeddedPort: 0 }, assistant: { tts: false } },
    );
    const service = await startVehicleService(config, { logger: pino({ level: 'info' }, sink), defaultMetrics: false });
    cleanups.push(() => service.close());
    return { service, logs };
  }

  const health = async (s: VehicleServiceHandle) => (await (await fetch(`${s.url}/healthz`)).json()) as Record<string, unknown> & { microphone?: Record<string, unknown> };

  it('hands each spoken command to the assistant as POST /v1/voice does, and stops arecord on close', async () => {
    const standIn = writeArecordStandIn({ dir, name: 'arecord-ok', pcmFile, blockBytes: 3201, blockDelaySec: 0.02, holdSec: 120 });
    const { service, logs } = await start(standIn.command);
    await waitFor('a hands-free command', async () => (await health(service)).microphone?.commands === 1, 30_000);
    expect(standIn.args()).toEqual(['-q', '-D', 'hw:2,0', '-f', 'S16_LE', '-r', '16000', '-c', '1', '-t', 'raw']);
    expect((await health(service)).microphone).toEqual({ device: 'hw:2,0', listening: true, starts: 1, commands: 1 });
    // The turn is stored like any voice turn.
    const turns = (await (await fetch(`${service.url}/v1/assistant/turns`)).json()) as Array<Record<string, unknown>>;
    expect(turns).toHaveLength(1);
    expect(turns[0]).toMatchObject({ source: 'voice' });
    const line = logs.find((l) => l.msg === 'hands-free voice command')!;
    expect(line).toMatchObject({ device: 'hw:2,0' });
    expect(typeof line.isUnderstood).toBe('boolean');
    expect(line.audioMs).toBeGreaterThan(1000);

    const pid = standIn.pid();
    expect(isProcessAlive(pid)).toBe(true);
    const t0 = Date.now();
    await service.close();
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(isProcessAlive(pid)).toBe(false);
    expect(logs.filter((l) => (l.level as number) >= 50)).toEqual([]);
  }, 60_000);

  it('keeps running when arecord fails: the coded error in the log, /healthz and the events, and a retry with backoff', async () => {
    const busy = writeArecordStandIn({ dir, name: 'arecord-busy', stderr: 'arecord: main:831: audio open error: Device or resource busy', exitCode: 1 });
    const { service, logs } = await start(busy.command);
    await waitFor('the failure', async () => (await health(service)).microphone?.lastError !== undefined, 20_000);
    const h = await health(service);
    expect(h.status).not.toBe('failing');
    expect(h.microphone).toMatchObject({
      device: 'hw:2,0',
      listening: false,
      lastError: { code: 'AURIGA_ERR_MIC_FAILED', message: expect.stringContaining('exited with code 1: audio open error: Device or resource busy') },
    });
    const logged = logs.find((l) => l.code === 'AURIGA_ERR_MIC_FAILED')!;
    expect(logged).toMatchObject({ level: 50, device: 'hw:2,0', restartInMs: 1000 });
    expect(logged.msg).toContain('Device or resource busy');
    // Retried after 1 s, then 2 s: one event for the same error, however often it repeats.
    await waitFor('a second attempt', async () => ((await health(service)).microphone?.starts as number) >= 2, 10_000);
    const events = (await (await fetch(`${service.url}/v1/events?type=microphone.failed`)).json()) as Array<Record<string, unknown>>;
    expect(events).toHaveLength(1);
    expect(events[0]!.message).toContain('AURIGA_ERR_MIC_FAILED');
    // Everything else still works.
    const text = await fetch(`${service.url}/v1/text`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'turn on the seat heating' }) });
    expect(text.status).toBe(200);
    const t0 = Date.now();
    await service.close();
    expect(Date.now() - t0).toBeLessThan(5000);
  }, 60_000);
});
