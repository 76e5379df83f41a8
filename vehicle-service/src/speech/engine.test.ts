/**
 * End to end: espeak-ng speech -> SpeechEngine -> intent on the car context; the CLI on the same engine
 * (the voice routes are tested in api/routes/voice.test.ts). Skipped (with a message) when espeak-ng is not installed.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAurigaError } from '@auriga/common';
import { compileContextFile, compileContext, parseContext } from '../context/index.js';
import type { CompiledContext } from '../context/types.js';
import { encodeWav16 } from './audio/index.js';
import { intentCli } from './cli.js';
import { SpeechEngine } from './engine.js';

const CAR = new URL('../../../models/contexts/en-US/car.yaml', import.meta.url).pathname;
const hasEspeak = spawnSync('espeak-ng', ['--version']).status === 0;
if (!hasEspeak) console.warn('engine.test.ts: espeak-ng is not installed; the end-to-end speech tests are skipped');

describe.skipIf(!hasEspeak)('SpeechEngine end to end (espeak-ng)', () => {
  let engine: SpeechEngine;
  let car: CompiledContext;
  let dir: string;
  const say = (text: string, voice = 'en-us'): Buffer => {
    const file = join(dir, `${text.replace(/\W+/g, '_')}-${voice}.wav`);
    execFileSync('espeak-ng', ['-v', voice, '-w', file, text]);
    return readFileSync(file);
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'auriga-speech-'));
    engine = await SpeechEngine.load({ logger: pino({ level: 'silent' }) });
    car = await compileContextFile(CAR);
  });
  afterAll(async () => {
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('understands a car command (WAV bytes in)', async () => {
    const r = await engine.recognize(say('turn on the seat heating'), car);
    expect(r.isUnderstood).toBe(true);
    expect(r.intent).toBe('setSeatHeating');
    expect(r.confidence).toBeGreaterThan(0.5);
    expect(r.timings.audioSec).toBeGreaterThan(0.5);
    expect(r.timings.totalMs).toBeGreaterThan(0);
  });

  it('resolves a number slot', async () => {
    const r = await engine.recognize(say('set the temperature to twenty two degrees'), car);
    expect(r.intent).toBe('setTemperature');
    expect(r.numbers.temperature).toBe(22);
  });

  it('rejects sentences outside the context', async () => {
    for (const text of ['what is the capital of france', 'tell me a joke about penguins']) {
      const r = await engine.recognize(say(text), car);
      expect(r.isUnderstood, `${text} -> ${JSON.stringify(r.details)}`).toBe(false);
      expect(r.intent).toBeUndefined();
    }
  });

  it('understands words no lexicon has, through the letter-to-sound rules, without retraining', async () => {
    const ctx = compileContext(
      parseContext(`
context:
  intents:
    summon:
      - "summon the $creature:creature"
  slots:
    creature:
      - zorblat
      - glimmerstone
`),
    );
    const compiled = engine.compile(ctx);
    expect(compiled.g2pWords).toEqual(['glimmerstone', 'zorblat']);
    expect(engine.compile(ctx)).toBe(compiled); // cached
    const r = await engine.recognize(say('summon the glimmerstone'), ctx);
    expect(r.intent).toBe('summon');
    expect(r.slots).toEqual({ creature: 'glimmerstone' });
  });

  it('takes 16 kHz float samples and any WAV rate or channel count', async () => {
    const wav = say('open the window');
    const stereo = (await import('./audio/wav.js')).parseWav(wav);
    const mono = stereo.channelData[0]!;
    const twoChannels = encodeWav16([mono, mono], stereo.sampleRate);
    const r = await engine.recognize(twoChannels, car);
    expect(r.intent).toBe('openWindow');
  });

  it('answers corrupt audio with a coded error and keeps working', async () => {
    await expect(engine.recognize(Buffer.from('RIFF\x10\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00'), car)).rejects.toSatisfy((e) =>
      isAurigaError(e, 'AURIGA_ERR_AUDIO_CORRUPT'),
    );
    expect((await engine.recognize(say('open the window'), car)).intent).toBe('openWindow');
  });

  it('CLI: one JSON line per file, coded errors for bad files, exit code 1 when any failed', async () => {
    const good = join(dir, 'good.wav');
    writeFileSync(good, say('turn on the seat heating'));
    const bad = join(dir, 'bad.wav');
    writeFileSync(bad, 'not a wav file at all');
    const lines: string[] = [];
    const code = await intentCli(['intent', '--context', CAR, good, bad], { stdout: (l) => lines.push(l), stderr: () => {} });
    expect(code).toBe(1);
    const [a, b] = lines.map((l) => JSON.parse(l));
    expect(a).toMatchObject({ file: good, isUnderstood: true, intent: 'setSeatHeating' });
    expect(Object.keys(a)).toEqual(['file', 'isUnderstood', 'intent', 'slots', 'numbers', 'confidence', 'ms']);
    expect(b).toMatchObject({ file: bad, error: { code: 'AURIGA_ERR_AUDIO_FORMAT' } });
    expect(await intentCli(['intent'], { stdout: () => {}, stderr: () => {} })).toBe(2);
  });

  it('the rejection margin is the integrator\'s trade: a loose one takes out-of-context speech, a strict one refuses commands', async () => {
    const outside = join(dir, 'outside.wav');
    writeFileSync(outside, say('what is the capital of france'));
    const inside = join(dir, 'inside.wav');
    writeFileSync(inside, say('turn on the seat heating'));
    const run = async (margin: string): Promise<boolean[]> => {
      const lines: string[] = [];
      expect(await intentCli(['intent', '--context', CAR, '--reject-margin', margin, outside, inside], { stdout: (l) => lines.push(l), stderr: () => {} })).toBe(0);
      return lines.map((l) => (JSON.parse(l) as { isUnderstood: boolean }).isUnderstood);
    };
    expect(await run(String(engine.config.rejectMargin))).toEqual([false, true]);
    expect(await run('50')).toEqual([true, true]); // nothing rejected: the nearest intent is forced
    expect(await run('-50')).toEqual([false, false]); // everything rejected
    expect(await intentCli(['intent', '--context', CAR, '--reject-margin', 'lots', inside], { stdout: () => {}, stderr: () => {} })).toBe(2);
  });

  it('close() is idempotent and later calls fail with a coded error', async () => {
    const other = await SpeechEngine.load();
    await other.close();
    await other.close();
    await expect(other.recognize(new Float32Array(16000), car)).rejects.toSatisfy((e) => isAurigaError(e, 'AURIGA_ERR_SPEECH_CLOSED'));
  });
});
