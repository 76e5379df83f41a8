/**
 * The speech-model handler against a real bundle directory: the shipped artifacts (models/speech/artifacts)
 * copied into `model/`, the car context, and golden WAVs spoken by espeak-ng in the test. Skipped (with a
 * message) when espeak-ng is not installed.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ManifestFile } from '@auriga/ota/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAcceptance, type ModelSource } from '../acceptance.js';
import { SpeechModelHandler, speechModelDir, type SpeechGoldenSet } from './speech-model.js';

const ARTIFACTS = fileURLToPath(new URL('../../../../models/speech/artifacts', import.meta.url));
const CAR_YAML = fileURLToPath(new URL('../../../../models/contexts/en-US/car.yaml', import.meta.url));
const hasEspeak = spawnSync('espeak-ng', ['--version']).status === 0;
if (!hasEspeak) console.warn('speech-model.test.ts: espeak-ng is not installed; the speech-model handler tests are skipped (apt-get install espeak-ng)');

const PHRASES = [
  { text: 'turn on the air conditioning', intent: 'setAirConditioning', slots: { state: 'on' } },
  { text: 'lock the doors', intent: 'lockDoors' },
  { text: 'what a lovely day for a picnic', intent: null },
] as const;

const ACCEPTANCE = { minAccuracy: 1, maxLatencyMs: 3000 };

describe.skipIf(!hasEspeak)('SpeechModelHandler (shipped artifacts, espeak-ng golden WAVs)', () => {
  let root: string;
  const wavs: string[] = [];

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'auriga-speech-handler-'));
    mkdirSync(join(root, 'wavs'));
    PHRASES.forEach((p, i) => {
      const file = join(root, 'wavs', `${i}.wav`);
      execFileSync('espeak-ng', ['-v', 'en-us', '-s', '150', '-w', file, p.text]);
      wavs.push(file);
    });
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  /** Lays out a bundle as the agent extracts it into a slot, with its manifest's file list. */
  function bundle(name: string, golden: (set: SpeechGoldenSet) => SpeechGoldenSet = (s) => s): ModelSource {
    const dir = join(root, name);
    mkdirSync(join(dir, 'model'), { recursive: true });
    mkdirSync(join(dir, 'golden'));
    const files: ManifestFile[] = [];
    const add = (path: string, data: Buffer, role?: ManifestFile['role']) => {
      writeFileSync(join(dir, ...path.split('/')), data);
      files.push({ path, sha256: createHash('sha256').update(data).digest('hex'), length: data.length, ...(role ? { role } : {}) });
    };
    for (const f of ['manifest.json', 'lexicon.txt.gz']) add(`model/${f}`, readFileSync(join(ARTIFACTS, f)), 'other');
    add('model/student.int8.onnx', readFileSync(join(ARTIFACTS, 'student.int8.onnx')), 'model');
    add('car.yaml', readFileSync(CAR_YAML), 'other');
    wavs.forEach((w, i) => add(`golden/${i}.wav`, readFileSync(w), 'other'));
    const set = golden({
      context: 'car.yaml',
      utterances: PHRASES.map((p, i) => ({ wav: `golden/${i}.wav`, intent: p.intent, ...('slots' in p ? { slots: { ...p.slots } } : {}) })),
    });
    add('golden.json', Buffer.from(JSON.stringify(set)), 'acceptance-data');
    return { dir, files, name: 'auriga-speech', version: '1.1.0' };
  }

  it('a good golden set passes on this car; the health check answers; dispose closes the engine', async () => {
    const handler = new SpeechModelHandler();
    const source = bundle('good');
    expect(speechModelDir(source)).toBe(join(source.dir, 'model'));
    const { model, result } = await runAcceptance(handler, source, ACCEPTANCE);
    expect(result).toMatchObject({ ok: true, accuracy: 1 });
    expect(result.latencyMs).toBeGreaterThan(0);
    expect(result.latencyMs).toBeLessThanOrEqual(ACCEPTANCE.maxLatencyMs);
    const health = await handler.healthCheck(model, ACCEPTANCE);
    expect(health).toMatchObject({ ok: true });
    await handler.dispose(model);
    await expect(model.engine.recognize(model.golden!.probe, model.golden!.context)).rejects.toThrow(/closed/i);
  });

  it('a golden set with wrong expected intents fails, naming the file and what it gave', async () => {
    const source = bundle('wrong', (s) => ({ ...s, utterances: s.utterances.map((u, i) => (i === 1 ? { ...u, intent: 'openTrunk' } : u)) }));
    const err = await runAcceptance(new SpeechModelHandler(), source, ACCEPTANCE).then(() => undefined, (e: Error) => e);
    expect(err?.message).toMatch(/accuracy 0\.667 < 1/);
    expect(err?.message).toContain('golden/1.wav: gave lockDoors, expected openTrunk');
  });

  it('an impossible latency budget fails with the measured p95', async () => {
    const err = await runAcceptance(new SpeechModelHandler(), bundle('slow'), { minAccuracy: 1, maxLatencyMs: 0.001 }).then(() => undefined, (e: Error) => e);
    expect(err?.message).toMatch(/latency p95 [\d.]+ ms > 0\.001 ms/);
  });

  it('a corrupt model file fails to load with a clear reason', async () => {
    const source = bundle('corrupt');
    writeFileSync(join(source.dir, 'model', 'student.int8.onnx'), Buffer.from('this is not an onnx model'));
    await expect(runAcceptance(new SpeechModelHandler(), source, ACCEPTANCE)).rejects.toThrow(/the model does not load: .*student\.int8\.onnx/);
  });

  it('refuses golden data naming a file outside the bundle, and model files at the bundle root', async () => {
    const outside = bundle('outside', (s) => ({ ...s, utterances: [{ wav: 'golden/missing.wav', intent: null }] }));
    await expect(runAcceptance(new SpeechModelHandler(), outside, ACCEPTANCE)).rejects.toThrow(/golden\/missing\.wav, which is not a file of the bundle/);
    expect(() => speechModelDir({ dir: root, files: [{ path: 'student.int8.onnx', sha256: '0'.repeat(64), length: 1, role: 'model' }], name: 'x', version: '1.0.0' }))
      .toThrow(/must sit in a folder of the bundle/);
  });
});
