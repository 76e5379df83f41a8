/**
 * English spoken numbers: spelling (21 -> "twenty one"), the phrases a number slot accepts, and
 * parsing back ("twenty one and a half" -> 21.5). Number slots are limited to 0..999 so their
 * grammar stays small; digit normalization of typed text goes up to 999 999.
 */
import type { NumberSlotType } from './types.js';

const ONES = [
  'zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten',
  'eleven', 'twelve', 'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen',
];
const TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];
const ORDINAL_ONES = [
  'zeroth', 'first', 'second', 'third', 'fourth', 'fifth', 'sixth', 'seventh', 'eighth', 'ninth', 'tenth',
  'eleventh', 'twelfth', 'thirteenth', 'fourteenth', 'fifteenth', 'sixteenth', 'seventeenth', 'eighteenth',
  'nineteenth',
];
const ORDINAL_TENS = ['', '', 'twentieth', 'thirtieth', 'fortieth', 'fiftieth', 'sixtieth', 'seventieth', 'eightieth', 'ninetieth'];

/** Largest value a number slot may accept. */
export const MAX_SLOT_NUMBER = 999;
/** Largest integer that typed digits are spelled out for; longer digit runs are read digit by digit. */
export const MAX_SPELLED_INTEGER = 999_999;

const CARDINAL_VALUE = new Map<string, number>([
  ...ONES.map((w, i) => [w, i] as const),
  ...TENS.slice(2).map((w, i) => [w, (i + 2) * 10] as const),
]);
const ORDINAL_VALUE = new Map<string, number>([
  ...ORDINAL_ONES.map((w, i) => [w, i] as const),
  ...ORDINAL_TENS.slice(2).map((w, i) => [w, (i + 2) * 10] as const),
  ['hundredth', 100],
  ['thousandth', 1000],
]);

function below100(n: number): string[] {
  if (n < 20) return [ONES[n]!];
  const tens = TENS[Math.floor(n / 10)]!;
  return n % 10 === 0 ? [tens] : [tens, ONES[n % 10]!];
}

function below1000(n: number): string[] {
  if (n < 100) return below100(n);
  const rest = n % 100;
  const head = [ONES[Math.floor(n / 100)]!, 'hundred'];
  return rest === 0 ? head : [...head, ...below100(rest)];
}

/** Canonical American spelling of a non-negative integer, as words: 105 -> ["one", "hundred", "five"]. */
export function integerWords(n: number): string[] {
  if (!Number.isInteger(n) || n < 0 || n > MAX_SPELLED_INTEGER) throw new RangeError(`cannot spell ${n}`);
  if (n < 1000) return below1000(n);
  const rest = n % 1000;
  const head = [...below1000(Math.floor(n / 1000)), 'thousand'];
  return rest === 0 ? head : [...head, ...below1000(rest)];
}

/** Canonical ordinal: 21 -> ["twenty", "first"], 100 -> ["one", "hundredth"]. */
export function ordinalWords(n: number): string[] {
  if (!Number.isInteger(n) || n < 1 || n > MAX_SLOT_NUMBER) throw new RangeError(`cannot spell ordinal ${n}`);
  const words = integerWords(n);
  const last = words[words.length - 1]!;
  const ordinal =
    last === 'hundred' ? 'hundredth' : ORDINAL_ONES[ONES.indexOf(last)] ?? ORDINAL_TENS[TENS.indexOf(last)]!;
  return [...words.slice(0, -1), ordinal];
}

/**
 * Spell a number the way the grammar spells it: integers canonically, halves as "and a half",
 * other decimals digit by digit after "point" (21.25 -> "twenty one point two five").
 */
export function spellNumber(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`cannot spell ${value}`);
  if (value < 0) return `minus ${spellNumber(-value)}`;
  const whole = Math.floor(value);
  const fraction = value - whole;
  const head = integerWords(whole).join(' ');
  if (fraction === 0) return head;
  if (fraction === 0.5) return `${head} and a half`;
  const digits = value.toString().split('.')[1] ?? '';
  return `${head} point ${[...digits].map((d) => ONES[Number(d)]).join(' ')}`;
}

/** Every accepted way of saying an integer 0..999 (canonical first): "one hundred and five", "a hundred five"... */
export function integerForms(n: number): string[][] {
  const canonical = integerWords(n);
  if (n < 100) return [canonical];
  const forms = [canonical];
  const rest = n % 100;
  const hundreds = Math.floor(n / 100);
  if (rest > 0) forms.push([ONES[hundreds]!, 'hundred', 'and', ...below100(rest)]);
  if (hundreds === 1) {
    forms.push(['a', 'hundred', ...(rest > 0 ? below100(rest) : [])]);
    if (rest > 0) forms.push(['a', 'hundred', 'and', ...below100(rest)]);
  }
  return forms;
}

function ordinalForms(n: number): string[][] {
  const canonical = ordinalWords(n);
  if (n < 100 || n % 100 === 0) return [canonical];
  // "one hundred and first"
  return [canonical, [...canonical.slice(0, 2), 'and', ...canonical.slice(2)]];
}

export interface NumberPhrase {
  readonly words: readonly string[];
  readonly number: number;
}

/** Every phrase a number slot type accepts, with the number it means (canonical form first per value). */
export function numberSlotPhrases(type: NumberSlotType): NumberPhrase[] {
  const phrases: NumberPhrase[] = [];
  for (let n = type.min; n <= type.max; n++) {
    const bases = type.numberKind === 'ordinal' ? ordinalForms(n) : integerForms(n);
    const values: { words: string[]; number: number }[] = bases.map((words) => ({ words, number: n }));
    if (type.halves && type.numberKind !== 'ordinal' && n < type.max) {
      for (const base of bases) values.push({ words: [...base, 'and', 'a', 'half'], number: n + 0.5 });
      values.push({ words: [...bases[0]!, 'point', 'five'], number: n + 0.5 });
    }
    for (const v of values) {
      if (type.numberKind === 'percent') {
        phrases.push({ words: [...v.words, 'percent'], number: v.number });
        phrases.push({ words: [...v.words, 'per', 'cent'], number: v.number });
      } else {
        phrases.push(v);
      }
    }
  }
  return phrases;
}

/**
 * Parse a spoken (or digit) number: "twenty one and a half" -> 21.5, "one hundred and five" -> 105,
 * "a hundred" -> 100, "twenty first" -> 21, "21.5" -> 21.5, "fifty percent" -> 50. Returns undefined
 * for anything that is not exactly one well-formed number.
 */
export function parseSpokenNumber(text: string): number | undefined {
  let words = text.toLowerCase().replace(/-/g, ' ').trim().split(/\s+/).filter((w) => w.length > 0);
  if (words.length === 0) return undefined;
  if (words.length === 1 && /^\d+(\.\d+)?$/.test(words[0]!)) return Number(words[0]);
  const unit = words[words.length - 1];
  if (unit === 'percent' || unit === 'degrees' || unit === 'degree') words = words.slice(0, -1);
  else if (words.length >= 2 && words[words.length - 2] === 'per' && unit === 'cent') words = words.slice(0, -2);
  let sign = 1;
  if (words[0] === 'minus' || words[0] === 'negative') {
    sign = -1;
    words = words.slice(1);
  }
  if (words.length === 0) return undefined;

  let half = 0;
  const n = words.length;
  if (n >= 3 && words[n - 3] === 'and' && words[n - 2] === 'a' && words[n - 1] === 'half') {
    half = 0.5;
    words = words.slice(0, -3);
  }
  let fraction = '';
  const point = words.indexOf('point');
  if (point >= 0) {
    if (half) return undefined;
    const digits = words.slice(point + 1);
    if (digits.length === 0) return undefined;
    for (const d of digits) {
      const v = d === 'oh' ? 0 : ONES.indexOf(d);
      if (v < 0 || v > 9) return undefined;
      fraction += String(v);
    }
    words = words.slice(0, point);
  }
  const whole = parseInteger(words, fraction === '' && half === 0);
  if (whole === undefined) return undefined;
  return sign * (Number(fraction === '' ? String(whole) : `${whole}.${fraction}`) + half);
}

/** Parse loosely, then accept only if re-spelling gives the same words (rejects "twenty twenty"). */
function parseInteger(words: string[], allowOrdinal: boolean): number | undefined {
  if (words.length === 0) return undefined;
  let ordinal = false;
  const last = words[words.length - 1]!;
  const cardinalWords = [...words];
  if (allowOrdinal && ORDINAL_VALUE.has(last) && !CARDINAL_VALUE.has(last)) {
    ordinal = true;
    const v = ORDINAL_VALUE.get(last)!;
    cardinalWords[cardinalWords.length - 1] = v === 100 ? 'hundred' : v === 1000 ? 'thousand' : v < 20 ? ONES[v]! : TENS[v / 10]!;
  }
  let total = 0;
  let current = 0;
  for (let i = 0; i < cardinalWords.length; i++) {
    const w = cardinalWords[i]!;
    const prev = cardinalWords[i - 1];
    const next = cardinalWords[i + 1];
    // "and" only joins a hundred/thousand to what follows; "a" only opens "a hundred"/"a thousand".
    if (w === 'and' && !((prev === 'hundred' || prev === 'thousand') && next !== undefined && CARDINAL_VALUE.has(next))) {
      return undefined;
    }
    if (w === 'a' && !(i === 0 && (next === 'hundred' || next === 'thousand'))) return undefined;
    if (CARDINAL_VALUE.has(w)) current += CARDINAL_VALUE.get(w)!;
    else if (w === 'hundred') current = (current === 0 ? 1 : current) * 100;
    else if (w === 'thousand') {
      total += (current === 0 ? 1 : current) * 1000;
      current = 0;
    } else if (w !== 'and' && w !== 'a') return undefined;
  }
  const value = total + current;
  if (value > MAX_SPELLED_INTEGER) return undefined;
  // Canonical comparison: "a" before hundred/thousand means "one"; "and" is optional.
  const said = cardinalWords
    .map((w, i) => (w === 'a' && (cardinalWords[i + 1] === 'hundred' || cardinalWords[i + 1] === 'thousand') ? 'one' : w))
    .filter((w) => w !== 'and');
  const expected = integerWords(value);
  if (said.length !== expected.length || said.some((w, i) => w !== expected[i])) return undefined;
  if (ordinal && value === 0) return undefined;
  return value;
}

/** Digits typed in text, spoken: "21" -> "twenty one", "21.5" -> "twenty one point five". */
export function digitsToWords(integerPart: string, fractionPart?: string): string {
  const trimmedFraction = (fractionPart ?? '').replace(/0+$/, '');
  const whole = Number(integerPart);
  const head =
    (integerPart.length > 1 && integerPart.startsWith('0')) || whole > MAX_SPELLED_INTEGER
      ? [...integerPart].map((d) => ONES[Number(d)]).join(' ')
      : integerWords(whole).join(' ');
  if (trimmedFraction === '') return head;
  return `${head} point ${[...trimmedFraction].map((d) => ONES[Number(d)]).join(' ')}`;
}

/** Typed ordinal "21st" -> "twenty first" (falls back to the cardinal for out-of-range values). */
export function digitsToOrdinalWords(integerPart: string): string {
  const n = Number(integerPart);
  if (n >= 1 && n <= MAX_SLOT_NUMBER) return ordinalWords(n).join(' ');
  return digitsToWords(integerPart);
}
