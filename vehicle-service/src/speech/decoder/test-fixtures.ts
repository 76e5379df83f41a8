import { compileContext } from '../../context/compile.js';
import { parseContext } from '../../context/load.js';

/** A small phone set and lexicon shared by the decoder's tests (hand-made posteriors need few phones). */
export const TEST_PHONES = ['SIL', 'L', 'AY', 'T', 'S', 'AA', 'N', 'IH', 'DH', 'AH', 'K', 'CH', 'B', 'EH', 'D', 'R', 'UW', 'M', 'P', 'F', 'V'];
export const TEST_LEXICON: Readonly<Record<string, readonly string[]>> = {
  lights: ['L AY T S'],
  on: ['AA N'],
  in: ['IH N'],
  the: ['DH AH', 'DH IH'],
  kitchen: ['K IH CH AH N'],
  bedroom: ['B EH D R UW M'],
  stop: ['S T AA P'],
  two: ['T UW'],
  three: ['T R IH'],
  fan: ['F AH N'],
};
export const testPhoneIndex: ReadonlyMap<string, number> = new Map(TEST_PHONES.map((p, i) => [p, i]));
/** "L AY T S" -> phone indices. */
export const toPhones = (s: string): number[] => s.split(' ').map((p) => testPhoneIndex.get(p)!);
/** Pronunciations of a word from a lexicon of the shape above ([] when absent). */
export const pronouncerOf = (lexicon: Readonly<Record<string, readonly string[]>>) => (word: string): number[][] => (lexicon[word] ?? []).map(toPhones);

/** The tests' voice context (words all in TEST_LEXICON). */
export const TEST_CONTEXT = compileContext(
  parseContext(`
context:
  intents:
    lightsOn:
      - "lights on (in) (the) $room:room"
    stop:
      - "stop"
    fan:
      - "fan $speed:speed"
  slots:
    room:
      - kitchen
      - bedroom
  numbers:
    speed: { kind: integer, min: 2, max: 3 }
`),
);

/** Hand-made log posteriors: each phone of `phones` dominates `frames` frames with probability `peak`. */
export function testPosteriors(phones: readonly string[], frames = 3, peak = 0.8): Float32Array {
  const P = TEST_PHONES.length;
  const out = new Float32Array(phones.length * frames * P);
  let t = 0;
  for (const ph of phones) {
    const p = testPhoneIndex.get(ph)!;
    for (let k = 0; k < frames; k++, t++) for (let q = 0; q < P; q++) out[t * P + q] = Math.log(q === p ? peak : (1 - peak) / (P - 1));
  }
  return out;
}
