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
