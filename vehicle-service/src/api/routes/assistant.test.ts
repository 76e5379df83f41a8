import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';
import { pino } from 'pino';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { catalog } from '@auriga/common';
import { Assistant } from '../../assistant/assistant.js';
import { FakeActuation, FakeState, TEST_POLICY } from '../../assistant/testing.js';
import { detectTts } from '../../assistant/tts/tts.js';
import { compileContextFile } from '../../context/index.js';
import type { CompiledContext } from '../../context/types.js';
import { MemoryStore } from '../../test-support/memory-store.js';
import { ManualClock } from '../../util/timers.js';
import { assistantRoutes } from './assistant.js';

const hasEspeak = spawnSync('espeak-ng', ['--version']).status === 0;
let context: CompiledContext;
beforeAll(async () => {
  context = await compileContextFile(fileURLToPath(new URL('../../../../models/contexts/en-US/car.yaml', import.meta.url)));
});

const closers: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

async function app(withTts = false) {
  const state = new FakeState();
  const store = new MemoryStore();
  const assistant = new Assistant({
    context,
    state,
    catalog,
    actuation: new FakeActuation(state),
    policy: TEST_POLICY,
    store,
    tts: withTts ? await detectTts({ engines: ['espeak-ng'] }) : undefined,
    clock: new ManualClock(),
    logger: pino({ level: 'silent' }),
  });
  const server = Fastify({ logger: false });
  await server.register(assistantRoutes, { assistant, store });
  closers.push(() => server.close(), () => assistant.close());
  return { server, assistant, store, state };
}

describe('assistantRoutes', () => {
  it('POST /v1/text answers the documented shape', async () => {
    const { server } = await app();
    const res = await server.inject({ method: 'POST', url: '/v1/text', payload: { text: 'close the passenger window', lang: 'zh-CN', seat: 'passenger' } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ isUnderstood: true, intent: 'closeWindow', slots: { window: 'passenger' }, actions: [], answer: { text: '副驾车窗已经关闭了。', lang: 'zh-CN' } });
  });

  it('rejects bad bodies with coded 400s', async () => {
    const { server } = await app();
    for (const payload of [{}, { text: '' }, { text: 'hi', lang: 'de-DE' }, { text: 'hi', seat: 'roof' }, { text: 'hi', extra: 1 }, { text: 'x'.repeat(501) }]) {
      const res = await server.inject({ method: 'POST', url: '/v1/text', payload });
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json()).toMatchObject({ statusCode: 400, code: 'AURIGA_ERR_API_VALIDATION' });
    }
    const blank = await server.inject({ method: 'POST', url: '/v1/text', payload: { text: '   ' } });
    expect(blank.json()).toMatchObject({ statusCode: 400, code: 'AURIGA_ERR_ASSISTANT_INPUT' });
  });

  it('GET /v1/assistant/turns lists stored turns, newest first', async () => {
    const { server, assistant } = await app();
    await server.inject({ method: 'POST', url: '/v1/text', payload: { text: 'how much fuel do I have' } });
    await server.inject({ method: 'POST', url: '/v1/text', payload: { text: 'what is my range', sessionId: 's2' } });
    await assistant.flush();
    const all = (await server.inject({ method: 'GET', url: '/v1/assistant/turns?limit=10' })).json() as Array<{ input: string }>;
    expect(all.map((t) => t.input)).toEqual(['what is my range', 'how much fuel do I have']);
    const s2 = (await server.inject({ method: 'GET', url: '/v1/assistant/turns?sessionId=s2' })).json() as Array<{ answer: string }>;
    expect(s2).toEqual([expect.objectContaining({ answer: 'You can drive about 140 km on the fuel left.' })]);
  });

  it.skipIf(!hasEspeak)('speak: true inlines the spoken answer as base64 WAV (skipped: espeak-ng is not installed)', async () => {
    const { server } = await app(true);
    const res = await server.inject({ method: 'POST', url: '/v1/text', payload: { text: 'how much fuel do I have', speak: true } });
    const body = res.json() as { answer: { audio: { format: string; engine: string; base64: string } }; timings: { ttsMs: number } };
    expect(body.answer.audio).toMatchObject({ format: 'wav', engine: 'espeak-ng' });
    expect(Buffer.from(body.answer.audio.base64, 'base64').toString('ascii', 0, 4)).toBe('RIFF');
    expect(body.timings.ttsMs).toBeGreaterThan(0);
  });
});
