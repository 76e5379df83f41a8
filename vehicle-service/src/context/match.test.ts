import { describe, expect, it } from 'vitest';
import { compileContext } from './compile.js';
import { parseContext } from './load.js';
import { editDistance, matchText, matchTextDetailed } from './match.js';

const compiled = compileContext(
  parseContext(`
context:
  intents:
    setTemperature:
      - "set (the) temperature to $temp:temperature (degrees)"
    askRange:
      - "[what's, what is] my range"
    checkTires:
      - "check (my, the) tire pressure"
    orderDrink:
      - "[i'd like, can i get] (a, an) $drink:drink"
    stopMusic:
      - "stop the music"
    stop:
      - "stop"
    yes:
      - "[yes, ok]"
  slots:
    drink:
      - latte
      - { value: espresso, synonyms: [short black] }
  numbers:
    temp: { kind: temperature, min: 16, max: 30 }
`),
);

describe('matchText', () => {
  it('matches exactly with confidence 1, reporting slots and numbers', () => {
    expect(matchText(compiled, 'set the temperature to twenty one degrees')).toEqual({
      isUnderstood: true,
      intent: 'setTemperature',
      slots: { temperature: 'twenty one' },
      numbers: { temperature: 21 },
      confidence: 1,
    });
    expect(matchText(compiled, 'can i get a short black')).toMatchObject({ intent: 'orderDrink', slots: { drink: 'espresso' }, confidence: 1 });
  });

  it('ignores casing and punctuation and reads digits, decimals and the degree sign', () => {
    expect(matchText(compiled, 'SET THE TEMPERATURE TO 21.5°!')).toMatchObject({
      intent: 'setTemperature',
      slots: { temperature: 'twenty one point five' },
      numbers: { temperature: 21.5 },
      confidence: 1,
    });
    expect(matchText(compiled, 'set temperature to twenty one and a half').numbers).toEqual({ temperature: 21.5 });
    expect(matchText(compiled, 'Set the temperature to 22 °C.')).toMatchObject({ numbers: { temperature: 22 } });
  });

  it('treats contractions and their expansions alike, both ways', () => {
    expect(matchText(compiled, 'what is my range')).toMatchObject({ intent: 'askRange', confidence: 1 });
    expect(matchText(compiled, "What's my range?")).toMatchObject({ intent: 'askRange', confidence: 1 });
    expect(matchText(compiled, 'whats my range')).toMatchObject({ intent: 'askRange', confidence: 1 });
    expect(matchText(compiled, 'I would like a latte')).toMatchObject({ intent: 'orderDrink', slots: { drink: 'latte' }, confidence: 1 });
  });

  it('skips filler words cheaply and lowers the confidence a little', () => {
    const m = matchTextDetailed(compiled, 'uh could you please set the temperature to 20 degrees');
    expect(m).toMatchObject({ isUnderstood: true, intent: 'setTemperature', numbers: { temperature: 20 }, errors: 0 });
    expect(m.cost).toBeCloseTo(0.4, 5);
    expect(m.confidence).toBeGreaterThan(0.9);
    expect(m.confidence).toBeLessThan(1);
  });

  it('accepts one unknown word, a left-out word or a misspelling only when enough words matched', () => {
    // 3 content words matched (check, tire, pressure): one unknown word is tolerated.
    expect(matchTextDetailed(compiled, 'check my front tire pressure')).toMatchObject({ isUnderstood: true, intent: 'checkTires', errors: 1 });
    // A misspelling ("tyre" for "tire") counts half an error.
    expect(matchTextDetailed(compiled, 'check my tyre pressure')).toMatchObject({ isUnderstood: true, intent: 'checkTires', errors: 0.5 });
    // A left-out content word with only two others matched is too much.
    expect(matchTextDetailed(compiled, 'check pressure')).toMatchObject({ isUnderstood: false, nearestIntent: 'checkTires' });
    // Two content words matched carry no unknown word.
    expect(matchText(compiled, 'stop the loud music')).toMatchObject({ isUnderstood: false });
    // Slot values are never left out or padded.
    expect(matchText(compiled, 'set the temperature to degrees').isUnderstood).toBe(false);
    expect(matchText(compiled, 'set the temperature to twenty banana one').isUnderstood).toBe(false);
  });

  it('rejects out-of-context text instead of forcing it onto an intent', () => {
    for (const text of ['order a pizza', 'what is the weather', 'set an alarm', 'my range rover is blue and fast', 'tell me a story', '', '?!', 'the', 'please']) {
      const m = matchText(compiled, text);
      expect(m.isUnderstood, text).toBe(false);
      expect(m.intent).toBeUndefined();
      expect(m.slots).toEqual({});
    }
    expect(matchText(compiled, 'set the temperature to ninety degrees').isUnderstood).toBe(false); // out of range
  });

  it('prefers the sentence that explains every word', () => {
    expect(matchText(compiled, 'stop').intent).toBe('stop');
    expect(matchText(compiled, 'stop the music').intent).toBe('stopMusic');
    expect(matchText(compiled, 'ok').intent).toBe('yes'); // a filler word said as the whole sentence
  });

  it('can be limited to some intents (a dialogue waiting for an answer)', () => {
    expect(matchText(compiled, 'stop', { intents: ['yes'] }).isUnderstood).toBe(false);
    expect(matchText(compiled, 'yes', { intents: ['yes'] }).intent).toBe('yes');
  });

  it('matches literally in a language without filler and contraction tables', () => {
    expect(matchText(compiled, 'stop the music', { lang: 'de-DE' }).intent).toBe('stopMusic');
    // "please" is no filler there: an unknown word next to a single matched one is rejected.
    expect(matchText(compiled, 'please stop', { lang: 'de-DE' }).isUnderstood).toBe(false);
    expect(matchText(compiled, 'please stop').intent).toBe('stop');
  });
});

describe('editDistance', () => {
  it('counts insertions, deletions, substitutions and adjacent transpositions', () => {
    expect(editDistance('tire', 'tyre')).toBe(1);
    expect(editDistance('window', 'windows')).toBe(1);
    expect(editDistance('pressure', 'presusre')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('same', 'same')).toBe(0);
  });
});
