import { describe, expect, it, beforeAll } from 'vitest';
import { join } from 'node:path';
import { isAurigaError } from '@auriga/common';
import { DEFAULT_MODEL_DIR } from '../engine.js';
import { Lexicon } from './lexicon.js';
import { graphemeToPhoneme } from './g2p.js';

const PHONES = new Set('AA AE AH AO AW AY B CH D DH EH ER EY F G HH IH IY JH K L M N NG OW OY P R S SH T TH UH UW V W Y Z ZH'.split(' '));

describe('Lexicon.parse', () => {
  const lex = Lexicon.parse(
    ['read\tR IY1 D', 'read(2)\tR EH1 D', 'a\tAH0', 'a(2)\tEY1', 'air\tEH1 R', 'con\tK AA1 N', ';;; comment'].join('\n'),
    PHONES,
    'mini.dict',
  );

  it('keeps every variant, stress digits stripped', () => {
    expect(lex.pronounce('READ').map((p) => p.phones.join(' '))).toEqual(['R IY D', 'R EH D']);
    expect(lex.pronounce('read')[0]!.source).toBe('lexicon');
  });

  it('pronounces hyphenated or slashed words part by part', () => {
    expect(lex.pronounce('air-con')).toEqual([{ phones: ['EH', 'R', 'K', 'AA', 'N'], source: 'lexicon' }]);
  });

  it('falls back to the letter-to-sound rules for unknown words', () => {
    const [p] = lex.pronounce('zip');
    expect(p).toEqual({ phones: ['Z', 'IH', 'P'], source: 'g2p' });
  });

  it('rejects a phone outside the model with file and line', () => {
    try {
      Lexicon.parse('ok\tOW K\nbad\tXX Y', PHONES, 'bad.dict');
      throw new Error('no error');
    } catch (err) {
      expect(isAurigaError(err, 'AURIGA_ERR_SPEECH_MODEL')).toBe(true);
      expect((err as Error).message).toContain("bad.dict:2: unknown phone 'XX'");
    }
  });
});

describe('graphemeToPhoneme (rules)', () => {
  it.each([
    ['zorblat', 'Z AO R B L AE T'],
    ['blorptastic', 'B L AO R P T AE S T IH K'],
    ['glimmerstone', 'G L IH M ER S T OW N'],
    ['quixote', 'K W IH K S OW T'],
    ['bike', 'B AY K'],
    ['shine', 'SH AY N'],
    ['station', 'S T EY SH AH N'],
    ['cinema', 'S IH N EH M AE'],
    ['knight', 'N AY T'],
    ['gps', 'JH IY P IY EH S'],
  ])('%s -> %s', (word, phones) => {
    expect(graphemeToPhoneme(word).join(' ')).toBe(phones);
  });

  it('only emits phones of the model', () => {
    for (const w of ['xylophone', "o'brien", 'zzz', 'aeiou', 'rhythm', 'queue', 'tough', 'thumb']) {
      for (const p of graphemeToPhoneme(w)) expect(PHONES.has(p), `${w}: ${p}`).toBe(true);
    }
  });

  it('returns nothing for a word with no letters', () => {
    expect(graphemeToPhoneme("'-")).toEqual([]);
  });
});

describe('the shipped lexicon', () => {
  let lex: Lexicon;
  beforeAll(async () => {
    lex = await Lexicon.load(join(DEFAULT_MODEL_DIR, 'lexicon.txt.gz'), PHONES);
  });

  it('has the cmudict words and their variants', () => {
    expect(lex.size).toBeGreaterThan(100_000);
    expect(lex.pronounce('cappuccino')[0]!.phones.join(' ')).toBe('K AE P UW CH IY N OW');
    expect(lex.pronounce('espresso').length).toBe(2);
  });

  it('uses the rules for words it lacks (a brand-new context word)', () => {
    for (const w of ['zorblat', 'glimmerstone', 'moonroof']) {
      expect(lex.has(w)).toBe(false);
      const [p] = lex.pronounce(w);
      expect(p!.source).toBe('g2p');
      expect(p!.phones.length).toBeGreaterThan(3);
    }
    expect(lex.pronounce('moonroof')[0]!.phones.join(' ')).toBe('M UW N R UW F');
  });
});
