/**
 * POST /v1/voice and WebSocket /v1/voice/stream with the real speech engine and the real assistant
 * (fake car), speech made by espeak-ng. Skipped (with a message) when espeak-ng is not installed.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance } from 'fastify';
import fastifyWebsocket from '@fastify/websocket';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { catalog } from '@auriga/common';
import { Assistant } from '../../assistant/assistant.js';
import { FakeActuation, FakeState, TEST_POLICY } from '../../assistant/testing.js';
import { compileContextFile } from '../../context/index.js';
import type { CompiledContext } from '../../context/types.js';
import { encodeWav16, wavTo16kMono } from '../../speech/audio/index.js';
import { SpeechEngine } from '../../speech/engine.js';
import { SileroVad } from '../../speech/vad/silero.js';
import { MemoryStore } from '../../test-support/memory-store.js';
import { ManualClock } from '../../util/timers.js';
import { ModelHolder, type RequestOutcome } from '../../ota/model-holder.js';
import { holderSpeechProvider, type SpeechModel } from '../../ota/handlers/speech-model.js';
import { voiceRoutes, type Recognizer, type VoiceRoutesOptions } from './voice.js';

const AC = 'Vehicle.Cabin.HVAC.IsAirConditioningActive';
const hasEspeak = spawnSync('espeak-ng', ['--version']).status === 0;
if (!hasEspeak) console.warn('voice.test.ts: espeak-ng is not installed; the voice route tests are skipped (apt-get install espeak-ng)');

describe.skipIf(!hasEspeak)('voice routes (espeak-ng speech, real engine and assistant)', () => {
  let engine: SpeechEngine;
  let context: CompiledContext;
  let dir: string;
  const closers: Array<() => Promise<unknown>> = [];
  const say = (text: string): Buffer => {
    const file = join(dir, `${text.replace(/\W+/g, '_')}.wav`);
    execFileSync('espeak-ng', ['-v', 'en-us', '-s', '150', '-w', file, text]);
    return readFileSync(file);
  };
  /** The WAV as 16 kHz Int16 LE PCM frames of 100 ms (what the HMI streams). */
  const pcmFrames = (wav: Buffer): Buffer[] => {
    const samples = wavTo16kMono(new Uint8Array(wav.buffer, wav.byteOffset, wav.byteLength)).samples;
    const pcm = Buffer.alloc(samples.length * 2);
    for (let i = 0; i < samples.length; i++) pcm.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round(samples[i]! * 32767))), i * 2);
    const frames: Buffer[] = [];
    for (let i = 0; i < pcm.length; i += 3200) frames.push(pcm.subarray(i, i + 3200));
    return frames;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'auriga-voice-route-'));
    context = await compileContextFile(fileURLToPath(new URL('../../../../models/contexts/en-US/car.yaml', import.meta.url)));
    engine = await SpeechEngine.load();
  });
  afterAll(async () => {
    await engine?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  afterEach(async () => {
    for (const c of closers.splice(0).reverse()) await c();
  });

  async function start(options: Partial<VoiceRoutesOptions> = {}, listen = false) {
    const state = new FakeState();
    state.set(AC, false);
    const store = new MemoryStore();
    const actuation = new FakeActuation(state);
    const assistant = new Assistant({ context, state, catalog, actuation, policy: TEST_POLICY, store, clock: new ManualClock(), logger: pino({ level: 'silent' }) });
    const interaction: boolean[] = [];
    const server: FastifyInstance = Fastify({ logger: false });
    await server.register(fastifyWebsocket);
    await server.register(voiceRoutes, { engine, assistant, driving: { setInteractionActive: (a) => interaction.push(a) }, ...options });
    closers.push(() => assistant.close(), () => server.close());
    let wsUrl = '';
    if (listen) {
      await server.listen({ host: '127.0.0.1', port: 0 });
      const address = server.server.address();
      wsUrl = `ws://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/v1/voice/stream`;
    }
    return { server, assistant, store, state, actuation, interaction, wsUrl };
  }

  const post = (server: FastifyInstance, payload: Buffer, query = '', type = 'audio/wav') =>
    server.inject({ method: 'POST', url: `/v1/voice${query}`, headers: { 'content-type': type }, payload });

  it('POST /v1/voice: a spoken command runs through the assistant and answers like POST /v1/text', async () => {
    const { server, store, state, interaction } = await start();
    const res = await post(server, say('turn on the air conditioning'));
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ isUnderstood: true, intent: 'setAirConditioning', slots: { state: 'on' }, expectsReply: false });
    expect(body.actions).toEqual([expect.objectContaining({ path: AC, value: true, status: 'confirmed' })]);
    expect(body.answer.lang).toBe('en-US');
    expect(body.answer.text.length).toBeGreaterThan(0);
    expect(typeof body.turnId).toBe('string');
    expect(body.confidence).toBeGreaterThan(0.5);
    expect(body.audioDurationMs).toBeGreaterThan(1000);
    expect(body.timings.recognitionMs).toBeGreaterThan(0);
    expect(body.timings.totalMs).toBeGreaterThanOrEqual(body.timings.recognitionMs);
    expect(state.freshValue(AC)).toBe(true);
    // Notifications were held back for the turn and released after it.
    expect(interaction).toEqual([true, false]);
    const turns = await store.turns({});
    expect(turns).toHaveLength(1);
    expect(turns[0]).toMatchObject({ source: 'voice', intent: 'setAirConditioning', input: '' });
    expect(turns[0]!.audioDurationMs).toBe(body.audioDurationMs);
  });

  it('POST /v1/voice?lang=zh-CN&seat=passenger answers in Chinese; out-of-context speech is not understood and does nothing', async () => {
    const { server, actuation, interaction } = await start();
    const zh = await post(server, say('set the temperature to twenty two degrees'), '?lang=zh-CN&seat=passenger&sessionId=s1');
    expect(zh.statusCode).toBe(200);
    expect(zh.json()).toMatchObject({ isUnderstood: true, intent: 'setTemperature', sessionId: 's1', answer: { lang: 'zh-CN' } });
    expect(zh.json().actions).toEqual([expect.objectContaining({ path: 'Vehicle.Cabin.HVAC.Station.Row1.Passenger.Temperature', value: 22, status: 'confirmed' })]);
    expect(zh.json().answer.text).toMatch(/[\u4e00-\u9fff]/);

    const before = actuation.requests.length;
    const picnic = await post(server, say('what a lovely day for a picnic'));
    expect(picnic.statusCode).toBe(200);
    expect(picnic.json()).toMatchObject({ isUnderstood: false, intent: null, actions: [] });
    expect(actuation.requests.length).toBe(before);
    expect(interaction).toEqual([true, false, true, false]);
  });

  it('POST /v1/voice: bad audio gets coded 4xx errors and the route keeps working', async () => {
    const { server, interaction } = await start({ maxBytes: 200_000 });
    const truncated = await post(server, say('stop').subarray(0, 30));
    expect(truncated.statusCode).toBe(400);
    expect(truncated.json()).toMatchObject({ code: 'AURIGA_ERR_AUDIO_CORRUPT' });
    const empty = await post(server, Buffer.alloc(0));
    expect(empty.statusCode).toBe(400);
    expect(empty.json().code).toBe('AURIGA_ERR_AUDIO_EMPTY');
    const notWav = await post(server, Buffer.from('hello, this is not audio at all'));
    expect(notWav.statusCode).toBe(400);
    expect(notWav.json().code).toBe('AURIGA_ERR_AUDIO_FORMAT');
    const json = await server.inject({ method: 'POST', url: '/v1/voice', payload: { text: 'hi' } });
    expect(json.statusCode).toBe(415);
    expect(json.json().code).toBe('AURIGA_ERR_AUDIO_MEDIA_TYPE');
    const big = await post(server, encodeWav16(new Float32Array(16000 * 7), 16000));
    expect(big.statusCode).toBe(413);
    expect(big.json().code).toBe('AURIGA_ERR_AUDIO_TOO_LONG');
    const badSeat = await post(server, say('lock the doors'), '?seat=roof');
    expect(badSeat.statusCode).toBe(400);
    expect(badSeat.json().code).toBe('AURIGA_ERR_API_VALIDATION');
    // Every failed turn released the interaction flag.
    expect(interaction.filter((a) => a).length).toBe(interaction.filter((a) => !a).length);
    const ok = await post(server, say('lock the doors'));
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ isUnderstood: true, intent: 'lockDoors' });
  });

  it('with the OTA holder as provider: a switch is atomic, in-flight recognitions finish on the old engine, bad audio is no model failure', async () => {
    const holder = new ModelHolder<SpeechModel>('speech-model');
    const used: string[] = [];
    let openGate!: () => void;
    const gate = new Promise<void>((resolve) => { openGate = resolve; });
    const oldEngine: Recognizer = { recognize: async (a, c) => { used.push('old'); await gate; return engine.recognize(a, c); } };
    const newEngine: Recognizer = { recognize: async (a, c) => { used.push('new'); return engine.recognize(a, c); } };
    const disposed: string[] = [];
    const meta = (version: string, slot: 'A' | 'B') => ({ kind: 'speech-model', name: 'speech-en-us', version, slot });
    holder.swap({ engine: oldEngine } as unknown as SpeechModel, meta('1.0.0', 'A'), () => { disposed.push('1.0.0'); });
    const outcomes: RequestOutcome[] = [];
    holder.on('outcome', (o) => outcomes.push(o));
    const { server } = await start({ speech: holderSpeechProvider(holder) });

    const inFlight = post(server, say('lock the doors'));
    await vi.waitFor(() => expect(used).toEqual(['old']));
    holder.swap({ engine: newEngine } as unknown as SpeechModel, meta('1.1.0', 'B'), () => { disposed.push('1.1.0'); });
    const after = await post(server, say('turn on the air conditioning'));
    expect(after.json()).toMatchObject({ isUnderstood: true, intent: 'setAirConditioning' });
    expect(used).toEqual(['old', 'new']);
    expect(disposed).toEqual([]); // the old engine is still answering a request
    openGate();
    expect((await inFlight).json()).toMatchObject({ isUnderstood: true, intent: 'lockDoors' });
    await vi.waitFor(() => expect(disposed).toEqual(['1.0.0']));

    const bad = await post(server, say('stop').subarray(0, 30));
    expect(bad.statusCode).toBe(400);
    // Both recognitions counted for the model that ran them; the caller's bad audio counted as no failure.
    expect(outcomes.map((o) => [o.meta.version, o.ok])).toEqual([['1.1.0', true], ['1.0.0', true], ['1.1.0', true]]);

    holder.clear();
    const none = await post(server, say('lock the doors'));
    expect(none.statusCode).toBe(503);
    expect(none.json().code).toBe('AURIGA_ERR_SPEECH_UNAVAILABLE');
  });

  it('without an engine both routes answer 503 AURIGA_ERR_SPEECH_UNAVAILABLE', async () => {
    const { server, wsUrl } = await start({ engine: undefined, unavailableReason: 'the speech model did not load (test)' }, true);
    const res = await post(server, say('lock the doors'));
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ code: 'AURIGA_ERR_SPEECH_UNAVAILABLE' });
    expect(res.json().message).toContain('did not load (test)');
    const get = await server.inject({ method: 'GET', url: '/v1/voice/stream' });
    expect(get.statusCode).toBe(503);
    // The upgrade itself is refused (the HMI's probe then shows voice as unavailable).
    const ws = new WebSocket(wsUrl);
    const status = await new Promise<number>((resolve, reject) => {
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.once('open', () => reject(new Error('the upgrade was accepted')));
      ws.once('error', () => undefined);
    });
    expect(status).toBe(503);
    ws.terminate();
  });

  describe('WebSocket /v1/voice/stream', () => {
    /** A ws client that queues the server's messages. */
    async function connect(url: string) {
      const ws = new WebSocket(url);
      const inbox: Array<Record<string, unknown>> = [];
      const waiters: Array<() => void> = [];
      let closed: { code: number } | undefined;
      ws.on('message', (d, isBinary) => {
        if (!isBinary) inbox.push(JSON.parse(d.toString()) as Record<string, unknown>);
        waiters.splice(0).forEach((w) => w());
      });
      ws.on('close', (code) => {
        closed = { code };
        waiters.splice(0).forEach((w) => w());
      });
      await new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve());
        ws.once('error', reject);
      });
      closers.push(async () => ws.terminate());
      const next = async (timeoutMs = 10_000): Promise<Record<string, unknown>> => {
        const deadline = Date.now() + timeoutMs;
        while (inbox.length === 0) {
          if (closed) throw new Error(`socket closed (${closed.code}) with no message`);
          if (Date.now() > deadline) throw new Error('no message from the server');
          await new Promise<void>((r) => {
            waiters.push(r);
            setTimeout(r, 50);
          });
        }
        return inbox.shift()!;
      };
      return { ws, next, closed: () => closed };
    }

    it('push-to-talk: start, PCM frames, end -> the assistant answer; several utterances on one socket', async () => {
      const { wsUrl, state, store, interaction } = await start({}, true);
      const c = await connect(wsUrl);
      c.ws.send(JSON.stringify({ type: 'start', lang: 'en-US', sampleRate: 16000, encoding: 'pcm_s16le', channels: 1, sessionId: 'car-1' }));
      for (const f of pcmFrames(say('turn on the air conditioning'))) c.ws.send(f);
      c.ws.send(JSON.stringify({ type: 'end' }));
      const r = await c.next();
      expect(r).toMatchObject({ type: 'result', isUnderstood: true, intent: 'setAirConditioning', sessionId: 'car-1' });
      expect(r.actions).toEqual([expect.objectContaining({ path: AC, value: true, status: 'confirmed' })]);
      expect(r.confidence).toBeGreaterThan(0.5);
      expect(state.freshValue(AC)).toBe(true);
      expect(interaction).toEqual([true, false]);

      c.ws.send(JSON.stringify({ type: 'start', lang: 'zh-CN' }));
      for (const f of pcmFrames(say('open the driver window'))) c.ws.send(f);
      c.ws.send(JSON.stringify({ type: 'end' }));
      const r2 = await c.next();
      expect(r2).toMatchObject({ type: 'result', isUnderstood: true, intent: 'openWindow', answer: { lang: 'zh-CN' } });
      expect((await store.turns({})).map((t) => t.source)).toEqual(['voice', 'voice']);
    });

    it('bad messages get coded errors, never a crash; cancel drops the utterance', async () => {
      const { wsUrl, actuation } = await start({ stream: { maxAudioSec: 3 } }, true);
      const c = await connect(wsUrl);
      c.ws.send(Buffer.alloc(320));
      expect(await c.next()).toMatchObject({ type: 'error', code: 'AURIGA_ERR_VOICE_STREAM_PROTOCOL' });
      c.ws.send('{not json');
      expect(await c.next()).toMatchObject({ type: 'error', code: 'AURIGA_ERR_VOICE_STREAM_PROTOCOL' });
      c.ws.send(JSON.stringify({ type: 'dance' }));
      expect((await c.next()).message).toContain('unknown message type "dance"');
      c.ws.send(JSON.stringify({ type: 'start', sampleRate: 44100 }));
      expect((await c.next()).message).toContain('sampleRate 44100');
      c.ws.send(JSON.stringify({ type: 'start', seat: 'roof' }));
      expect((await c.next()).message).toContain('seat "roof"');
      c.ws.send(JSON.stringify({ type: 'end' }));
      expect((await c.next()).message).toContain('"end" without a "start"');
      // An empty utterance.
      c.ws.send(JSON.stringify({ type: 'start' }));
      c.ws.send(JSON.stringify({ type: 'end' }));
      expect(await c.next()).toMatchObject({ type: 'error', code: 'AURIGA_ERR_AUDIO_EMPTY' });
      // An odd byte count.
      c.ws.send(JSON.stringify({ type: 'start' }));
      c.ws.send(Buffer.alloc(3));
      expect((await c.next()).message).toContain('3 bytes');
      // Longer than the limit (3 s here).
      c.ws.send(JSON.stringify({ type: 'start' }));
      for (let i = 0; i < 31; i++) c.ws.send(Buffer.alloc(3200));
      expect(await c.next()).toMatchObject({ type: 'error', code: 'AURIGA_ERR_AUDIO_TOO_LONG' });
      // Cancel.
      c.ws.send(JSON.stringify({ type: 'start' }));
      c.ws.send(Buffer.alloc(3200));
      c.ws.send(JSON.stringify({ type: 'cancel' }));
      expect(await c.next()).toEqual({ type: 'cancelled' });
      // Still working after all that.
      c.ws.send(JSON.stringify({ type: 'start' }));
      for (const f of pcmFrames(say('lock the doors'))) c.ws.send(f);
      c.ws.send(JSON.stringify({ type: 'end' }));
      expect(await c.next()).toMatchObject({ type: 'result', intent: 'lockDoors' });
      // Only the last utterance reached the car.
      expect(actuation.requests.length).toBeGreaterThan(0);
      for (const r of actuation.requests) expect(r.path).toMatch(/IsLocked$/);
    });

    it('hands-free: the server ends the utterance after the speech (Silero VAD) without an "end"', async () => {
      const vad = await SileroVad.load();
      closers.push(() => vad.close());
      const { wsUrl, state } = await start({ createEndpointer: () => vad.endpointer() }, true);
      const c = await connect(wsUrl);
      c.ws.send(JSON.stringify({ type: 'start', mode: 'hands-free' }));
      const silence = Buffer.alloc(3200);
      for (let i = 0; i < 5; i++) c.ws.send(silence);
      for (const f of pcmFrames(say('turn on the air conditioning'))) c.ws.send(f);
      // The microphone keeps sending silence until the server answers (up to 3 s here).
      for (let i = 0; i < 30; i++) c.ws.send(silence);
      const r = await c.next();
      expect(r).toMatchObject({ type: 'result', isUnderstood: true, intent: 'setAirConditioning' });
      // It answered before the trailing silence ran out: the utterance it recognized is shorter than all that was sent.
      expect(r.audioDurationMs as number).toBeLessThan(500 + 1960 + 3000 - 500);
      expect(state.freshValue(AC)).toBe(true);
      // Without an endpointer, hands-free is refused and push-to-talk is the way.
      const { wsUrl: plain } = await start({}, true);
      const p = await connect(plain);
      p.ws.send(JSON.stringify({ type: 'start', mode: 'hands-free' }));
      expect((await p.next()).message).toContain('hands-free mode is not available');
    });

    it('an idle socket gets an error and is closed', async () => {
      const { wsUrl } = await start({ stream: { idleTimeoutMs: 150 } }, true);
      const c = await connect(wsUrl);
      c.ws.send(JSON.stringify({ type: 'start' }));
      expect(await c.next()).toMatchObject({ type: 'error', code: 'AURIGA_ERR_VOICE_STREAM_IDLE' });
      const deadline = Date.now() + 5000;
      while (!c.closed() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(c.closed()?.code).toBe(1000);
    });

    it('a plain GET answers 426', async () => {
      const { server } = await start();
      const res = await server.inject({ method: 'GET', url: '/v1/voice/stream' });
      expect(res.statusCode).toBe(426);
      expect(res.json().code).toBe('AURIGA_ERR_API_UPGRADE_REQUIRED');
    });
  });
});
