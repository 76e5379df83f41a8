import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wavTo16kMono } from '../audio/index.js';
import { EndpointDetector, SileroVad, VAD_FRAME_SAMPLES } from './silero.js';

describe('EndpointDetector (32 ms frames: 3 frames of speech to start, 22 of silence to end)', () => {
  it('ends after enough non-speech following speech', () => {
    const d = new EndpointDetector();
    // Silence and a 2-frame click: not speech yet.
    for (const p of [0.1, 0.2, 0.9, 0.9, 0.1]) expect(d.push(p)).toBe(false);
    expect(d.speechStarted).toBe(false);
    for (const p of [0.8, 0.7, 0.9]) expect(d.push(p)).toBe(false);
    expect(d.speechStarted).toBe(true);
    // 21 silent frames (672 ms), then a pause-breaking word resets the count.
    for (let i = 0; i < 21; i++) expect(d.push(0.05)).toBe(false);
    expect(d.push(0.6)).toBe(false);
    // In-between probabilities neither count as silence nor reset it: 21 silent frames of 22 pushes.
    for (let i = 0; i < 22; i++) expect(d.push(i === 10 ? 0.4 : 0.05)).toBe(false);
    expect(d.push(0.05)).toBe(true);
    expect(d.push(0.9)).toBe(true);
  });

  it('never ends on silence alone', () => {
    const d = new EndpointDetector({ endSilenceMs: 100 });
    for (let i = 0; i < 1000; i++) expect(d.push(0.01)).toBe(false);
  });
});

const hasEspeak = spawnSync('espeak-ng', ['--version']).status === 0;
if (!hasEspeak) console.warn('silero.test.ts: espeak-ng is not installed; the Silero VAD model test is skipped');

describe.skipIf(!hasEspeak)('SileroVad on espeak-ng speech', () => {
  let vad: SileroVad;
  let dir: string;
  beforeAll(async () => {
    vad = await SileroVad.load();
    dir = mkdtempSync(join(tmpdir(), 'auriga-vad-'));
  });
  afterAll(async () => {
    await vad?.close();
    await vad?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('hears the command and ends about 700 ms after it, streamed in 100 ms chunks', async () => {
    const file = join(dir, 'cmd.wav');
    execFileSync('espeak-ng', ['-v', 'en-us', '-w', file, 'turn on the air conditioning']);
    const speech = wavTo16kMono(new Uint8Array(readFileSync(file))).samples;
    const lead = 8000;
    const audio = new Float32Array(lead + speech.length + 32000);
    audio.set(speech, lead);
    const ep = vad.endpointer();
    let endedAt = -1;
    for (let i = 0; i < audio.length && endedAt < 0; i += 1600) {
      if (await ep.push(audio.subarray(i, i + 1600))) endedAt = Math.min(audio.length, i + 1600);
    }
    expect(ep.detector.speechStarted).toBe(true);
    // Speech frames inside the command, none in the leading silence.
    const probs = ep.probabilities;
    expect(Math.max(...probs.slice(0, Math.floor(lead / VAD_FRAME_SAMPLES) - 1))).toBeLessThan(0.5);
    expect(probs.filter((p) => p >= 0.5).length).toBeGreaterThan(10);
    // Ended after the speech (espeak leaves some silence at its end) and well before the padding ran out.
    expect(endedAt).toBeGreaterThan(lead + speech.length * 0.8);
    expect(endedAt).toBeLessThan(audio.length);
  });
});
