import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { detectTts, speakable } from './tts.js';

const hasEspeak = spawnSync('espeak-ng', ['--version']).status === 0;

describe('speakable', () => {
  it('spells out units for the voice', () => {
    expect(speakable('I set the temperature to 22.5 °C.', 'en-US')).toBe('I set the temperature to 22.5 degrees.');
    expect(speakable('You have 23% fuel, about 140 km of range.', 'en-US')).toBe('You have 23 percent fuel, about 140 kilometers of range.');
    expect(speakable('油量还剩23%，大约可行驶140公里。', 'zh-CN')).toBe('油量还剩百分之23，大约可行驶140公里。');
  });
});

describe('detectTts', () => {
  it('finds nothing when no engine is installed (answers stay text only)', async () => {
    expect(await detectTts({ engines: [] })).toBeUndefined();
  });

  it.skipIf(!hasEspeak)('speaks en-US and zh-CN answers as WAV with espeak-ng (skipped: espeak-ng is not installed)', async () => {
    const tts = await detectTts({ engines: ['espeak-ng'] });
    expect(tts?.engine).toBe('espeak-ng');
    for (const [text, lang] of [["I can't open the trunk while driving.", 'en-US'], ['行驶中无法打开后备箱。', 'zh-CN']] as const) {
      const spoken = await tts!.synthesize(text, lang);
      expect(spoken?.wav.toString('ascii', 0, 4)).toBe('RIFF');
      expect(spoken!.wav.toString('ascii', 8, 12)).toBe('WAVE');
      // A sentence is at least half a second of 16-bit audio at espeak-ng's 22 050 Hz.
      expect(spoken!.wav.length).toBeGreaterThan(22_050);
    }
  });
});
