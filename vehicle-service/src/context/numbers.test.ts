import { describe, expect, it } from 'vitest';
import { normalizeText } from './normalize.js';
import { integerForms, integerWords, numberSlotPhrases, ordinalWords, parseSpokenNumber, spellNumber } from './numbers.js';

describe('spoken numbers', () => {
  it('spells integers, halves and decimals the way the grammar does', () => {
    expect(spellNumber(0)).toBe('zero');
    expect(spellNumber(13)).toBe('thirteen');
    expect(spellNumber(21)).toBe('twenty one');
    expect(spellNumber(40)).toBe('forty');
    expect(spellNumber(99)).toBe('ninety nine');
    expect(spellNumber(100)).toBe('one hundred');
    expect(spellNumber(105)).toBe('one hundred five');
    expect(spellNumber(999)).toBe('nine hundred ninety nine');
    expect(spellNumber(1000)).toBe('one thousand');
    expect(spellNumber(21.5)).toBe('twenty one and a half');
    expect(spellNumber(98.7)).toBe('ninety eight point seven');
    expect(spellNumber(-5)).toBe('minus five');
    expect(ordinalWords(1)).toEqual(['first']);
    expect(ordinalWords(12)).toEqual(['twelfth']);
    expect(ordinalWords(20)).toEqual(['twentieth']);
    expect(ordinalWords(42)).toEqual(['forty', 'second']);
    expect(ordinalWords(100)).toEqual(['one', 'hundredth']);
  });

  it('parses spoken numbers, digits, halves and units', () => {
    const cases: [string, number][] = [
      ['zero', 0],
      ['seven', 7],
      ['ninety nine', 99],
      ['ninety-nine', 99],
      ['one hundred', 100],
      ['a hundred', 100],
      ['one hundred and five', 105],
      ['a hundred and five', 105],
      ['two thousand twenty four', 2024],
      ['twenty one and a half', 21.5],
      ['twenty one point five', 21.5],
      ['nineteen point two five', 19.25],
      ['fifty percent', 50],
      ['fifty per cent', 50],
      ['twenty two degrees', 22],
      ['twenty first', 21],
      ['ninety ninth', 99],
      ['one hundredth', 100],
      ['minus four', -4],
      ['21', 21],
      ['21.5', 21.5],
      ['0', 0],
      ['Twenty One', 21],
    ];
    for (const [text, value] of cases) expect(parseSpokenNumber(text), text).toBe(value);
  });

  it('rejects what is not exactly one well-formed number', () => {
    for (const text of ['', 'banana', 'twenty twenty', 'one two', 'hundred five', 'five twenty', 'point five', 'twenty and a half and a half', 'first half', 'one hundred and and five', 'zeroth']) {
      expect(parseSpokenNumber(text), text).toBeUndefined();
    }
  });

  it('every form of every slot number parses back to it', () => {
    for (let n = 0; n <= 999; n++) {
      const forms = integerForms(n);
      expect(forms[0]).toEqual(integerWords(n));
      for (const form of forms) expect(parseSpokenNumber(form.join(' ')), form.join(' ')).toBe(n);
      expect(parseSpokenNumber(spellNumber(n + 0.5))).toBe(n + 0.5);
    }
    for (let n = 1; n <= 999; n++) expect(parseSpokenNumber(ordinalWords(n).join(' '))).toBe(n);
  });

  it('builds the phrases of number slot types', () => {
    const temperature = numberSlotPhrases({ kind: 'number', name: 't', numberKind: 'temperature', min: 16, max: 30, halves: true, builtin: false });
    const said = new Map(temperature.map((p) => [p.words.join(' '), p.number]));
    expect(said.get('sixteen')).toBe(16);
    expect(said.get('twenty one and a half')).toBe(21.5);
    expect(said.get('twenty one point five')).toBe(21.5);
    expect(said.get('thirty')).toBe(30);
    expect(said.has('thirty and a half')).toBe(false); // above max
    expect(said.has('fifteen')).toBe(false);
    for (const [text, value] of said) expect(parseSpokenNumber(text)).toBe(value);

    const percent = numberSlotPhrases({ kind: 'number', name: 'p', numberKind: 'percent', min: 0, max: 100, halves: false, builtin: true });
    const percentSaid = new Map(percent.map((p) => [p.words.join(' '), p.number]));
    expect(percentSaid.get('fifty percent')).toBe(50);
    expect(percentSaid.get('fifty per cent')).toBe(50);
    expect(percentSaid.get('one hundred percent')).toBe(100);
    expect(percentSaid.get('a hundred percent')).toBe(100);
    expect(percentSaid.has('fifty')).toBe(false);

    const ordinal = numberSlotPhrases({ kind: 'number', name: 'o', numberKind: 'ordinal', min: 1, max: 9, halves: false, builtin: true });
    expect(ordinal.map((p) => p.words.join(' '))).toEqual(['first', 'second', 'third', 'fourth', 'fifth', 'sixth', 'seventh', 'eighth', 'ninth']);
  });
});

describe('normalizeText', () => {
  it('lowercases, drops punctuation and keeps contractions and possessives', () => {
    expect(normalizeText("Hey, what's the DRIVER'S side   temperature?!")).toEqual(['hey', "what's", 'the', "driver's", 'side', 'temperature']);
    expect(normalizeText('it\u2019s cold')).toEqual(["it's", 'cold']);
    expect(normalizeText("'quoted' words")).toEqual(['quoted', 'words']);
    expect(normalizeText('  ')).toEqual([]);
  });

  it('spells out digits, decimals, ordinals, percent and degrees', () => {
    expect(normalizeText('Set it to 21.5°C!')).toEqual(['set', 'it', 'to', 'twenty', 'one', 'point', 'five', 'degrees', 'celsius']);
    expect(normalizeText('21,5 °F')).toEqual(['twenty', 'one', 'point', 'five', 'degrees', 'fahrenheit']);
    expect(normalizeText('22°')).toEqual(['twenty', 'two', 'degrees']);
    expect(normalizeText('open it 50%')).toEqual(['open', 'it', 'fifty', 'percent']);
    expect(normalizeText('1,000 miles')).toEqual(['one', 'thousand', 'miles']);
    expect(normalizeText('the 3rd and 21st')).toEqual(['the', 'third', 'and', 'twenty', 'first']);
    expect(normalizeText('21.0')).toEqual(['twenty', 'one']);
    expect(normalizeText('007')).toEqual(['zero', 'zero', 'seven']);
    expect(normalizeText('twenty-one')).toEqual(['twenty', 'one']);
    expect(normalizeText('fan 3')).toEqual(['fan', 'three']);
  });
});
