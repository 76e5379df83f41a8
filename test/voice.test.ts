/**
 * Voice end to end against the real stack: vehicle-service (its own speech engine, assistant and
 * routes, as started by startVehicleService) and the simulated car (@auriga/can-sim, parked) on the
 * machine's Mosquitto with a topic root of its own. espeak-ng speaks the commands (its voices are in
 * the acoustic model's training set; real voices are harder). Skipped with a message without espeak-ng.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startSimulator, type CarSimulator } from '@auriga/can-sim';
import { loadConfig, startVehicleService, type VehicleServiceHandle } from '@auriga/vehicle-service';
import { waitFor } from '@auriga/common/testing';

const MOSQUITTO = 'mqtt://127.0.0.1:1883';
const AC = 'Vehicle.Cabin.HVAC.IsAirConditioningActive';
const DRIVER_WINDOW = 'Vehicle.Cabin.Door.Row1.DriverSide.Window.Position';
const silent = pino({ level: 'silent' });
const hasEspeak = spawnSync('espeak-ng', ['--version']).status === 0;
if (!hasEspeak) console.warn('test/voice.test.ts: espeak-ng is not installed; the voice end-to-end tests are skipped (apt-get install espeak-ng)');

describe.skipIf(!hasEspeak)('voice commands against the running service and the simulated car', () => {
  let service: VehicleServiceHandle;
  let sim: CarSimulator;
  let dataDir: string;
  const say = (text: string): Buffer => {
    const file = join(dataDir, `${text.replace(/\W+/g, '_')}.wav`);
    execFileSync('espeak-ng', ['-v', 'en-us', '-s', '150', '-w', file, text]);
    return readFileSync(file);
  };
  const postVoice = async (wav: Buffer, query = '') => {
    const res = await fetch(`${service.url}/v1/voice${query}`, { method: 'POST', headers: { 'content-type': 'audio/wav' }, body: wav });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };

  beforeAll(async () => {
    const topicRoot = `auriga-test/${randomUUID()}/v1`;
    dataDir = mkdtempSync(join(tmpdir(), 'auriga-voice-e2e-'));
    const config = loadConfig({}, { http: { host: '127.0.0.1', port: 0 }, dataDir, assistant: { tts: false }, mqtt: { url: MOSQUITTO, topicRoot, reconnectMinMs: 50, reconnectMaxMs: 250 } });
    service = await startVehicleService(config, { logger: silent, defaultMetrics: false });
    sim = await startSimulator({ mqttUrl: MOSQUITTO, topicRoot, scenario: 'parked', timeScale: 50, seed: 5, logger: silent });
    await waitFor('fresh HVAC and window data', () => [AC, DRIVER_WINDOW, 'Vehicle.Speed'].every((p) => service.state.get(p)?.stale === false));
  }, 60_000);
  afterAll(async () => {
    await sim?.stop();
    await service?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('the service loaded its speech engine and documents the voice routes', async () => {
    expect(service.speech).toBeDefined();
    const doc = (await (await fetch(`${service.url}/docs/json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/voice', '/v1/voice/stream', '/v1/text']));
  });

  it('POST /v1/voice: a spoken air-conditioning command is confirmed and the simulated car changes', async () => {
    const wasOn = service.state.get(AC)!.value === true;
    const res = await postVoice(say(wasOn ? 'turn off the air conditioning' : 'turn on the air conditioning'));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ isUnderstood: true, intent: 'setAirConditioning', slots: { state: wasOn ? 'off' : 'on' } });
    expect(res.body.actions).toEqual([expect.objectContaining({ path: AC, value: !wasOn, status: 'confirmed' })]);
    expect(res.body.answer.lang).toBe('en-US');
    expect(res.body.confidence).toBeGreaterThan(0.5);
    expect(res.body.timings.recognitionMs).toBeGreaterThan(0);
    // Confirmed means the car's status signal reached the target.
    expect(service.state.get(AC)!.value).toBe(!wasOn);
    const turns = await service.store.turns({ limit: 1 });
    expect(turns[0]).toMatchObject({ source: 'voice', intent: 'setAirConditioning' });
    expect(turns[0]!.audioDurationMs).toBeGreaterThan(1000);
  });

  it('POST /v1/voice: out-of-context speech is not understood and nothing moves', async () => {
    const before = (await service.store.actuations({ limit: 1000 })).length;
    const res = await postVoice(say('what a lovely day for a picnic'));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ isUnderstood: false, intent: null, actions: [] });
    expect((await service.store.actuations({ limit: 1000 })).length).toBe(before);
  });

  it('POST /v1/voice: broken audio answers 400 and the service keeps running', async () => {
    const res = await postVoice(Buffer.from('RIFF....WAVEnot really'));
    expect(res.status).toBe(400);
    expect(res.body.code).toMatch(/^AURIGA_ERR_AUDIO_/);
    const health = await fetch(`${service.url}/healthz`);
    expect(health.status).toBe(200);
  });

  /** 16 kHz Int16 LE PCM of an espeak-ng command, made by the service's own resampler (espeak writes 22050 Hz). */
  const pcmOf = async (text: string, padSec = 0): Promise<Buffer> => {
    const wav = say(text);
    const { wavTo16kMono } = await import('../vehicle-service/src/speech/audio/index.js');
    const samples = wavTo16kMono(new Uint8Array(wav.buffer, wav.byteOffset, wav.byteLength)).samples;
    const pcm = Buffer.alloc((samples.length + Math.round(padSec * 16000)) * 2);
    for (let i = 0; i < samples.length; i++) pcm.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round(samples[i]! * 32767))), i * 2);
    return pcm;
  };
  /** One utterance over the voice WebSocket, in 100 ms frames; `end` unless hands-free. */
  const stream = async (pcm: Buffer, start: Record<string, unknown>, sendEnd: boolean): Promise<Record<string, any>> => {
    const ws = new WebSocket(`${service.url.replace(/^http/, 'ws')}/v1/voice/stream`);
    const answer = new Promise<Record<string, any>>((resolve, reject) => {
      ws.on('message', (d) => resolve(JSON.parse(d.toString()) as Record<string, any>));
      ws.on('error', reject);
      ws.on('close', (code) => reject(new Error(`closed ${code} before an answer`)));
    });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    ws.send(JSON.stringify({ type: 'start', lang: 'en-US', sampleRate: 16000, encoding: 'pcm_s16le', channels: 1, ...start }));
    for (let i = 0; i < pcm.length; i += 3200) ws.send(pcm.subarray(i, i + 3200));
    if (sendEnd) ws.send(JSON.stringify({ type: 'end' }));
    try {
      return await answer;
    } finally {
      ws.close();
    }
  };

  it('WebSocket /v1/voice/stream (push-to-talk): streamed PCM opens the driver window in the simulated car', async () => {
    const r = await stream(await pcmOf('open the driver window'), {}, true);
    expect(r).toMatchObject({ type: 'result', isUnderstood: true, intent: 'openWindow', slots: { window: 'driver' } });
    expect(r.actions).toEqual([expect.objectContaining({ path: DRIVER_WINDOW, status: 'confirmed' })]);
    expect(service.state.get(DRIVER_WINDOW)!.value).toBe(r.actions[0].value);
  }, 30_000);

  it('WebSocket /v1/voice/stream (hands-free): the service hears the end of the command by itself (Silero VAD)', async () => {
    const wasOn = service.state.get(AC)!.value === true;
    // 2 s of silence after the command and no "end" message: the service must end the utterance itself.
    const r = await stream(await pcmOf(wasOn ? 'turn off the air conditioning' : 'turn on the air conditioning', 2), { mode: 'hands-free' }, false);
    expect(r).toMatchObject({ type: 'result', isUnderstood: true, intent: 'setAirConditioning' });
    expect(r.actions).toEqual([expect.objectContaining({ path: AC, value: !wasOn, status: 'confirmed' })]);
    expect(service.state.get(AC)!.value).toBe(!wasOn);
  }, 30_000);
});

describe('without a usable speech model', () => {
  it('the service starts, voice answers 503 with a coded error and typed commands still work', async () => {
    const topicRoot = `auriga-test/${randomUUID()}/v1`;
    const dataDir = mkdtempSync(join(tmpdir(), 'auriga-voice-nomodel-'));
    const config = loadConfig(
      { SPEECH_MODEL_DIR: join(dataDir, 'no-such-model') },
      { http: { host: '127.0.0.1', port: 0 }, dataDir, assistant: { tts: false }, mqtt: { url: MOSQUITTO, topicRoot, reconnectMinMs: 50, reconnectMaxMs: 250 } },
    );
    const service = await startVehicleService(config, { logger: silent, defaultMetrics: false });
    try {
      expect(service.speech).toBeUndefined();
      const voice = await fetch(`${service.url}/v1/voice`, { method: 'POST', headers: { 'content-type': 'audio/wav' }, body: Buffer.alloc(64) });
      expect(voice.status).toBe(503);
      const body = (await voice.json()) as Record<string, string>;
      expect(body.code).toBe('AURIGA_ERR_SPEECH_UNAVAILABLE');
      expect(body.message).toContain('no-such-model');
      const text = await fetch(`${service.url}/v1/text`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'what a lovely day' }) });
      expect(text.status).toBe(200);
      expect(((await text.json()) as Record<string, unknown>).isUnderstood).toBe(false);
    } finally {
      await service.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 30_000);
});
