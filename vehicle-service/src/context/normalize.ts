/**
 * Text normalization shared by the loader (grammar words) and the matcher (typed or recognized text):
 * lowercase words, punctuation dropped, digits spelled out ("21.5" -> "twenty one point five",
 * "50%" -> "fifty percent", "22°C" -> "twenty two degrees celsius"), and English contractions
 * expanded for comparison only ("what's" and "what is" compare equal; the vocabulary keeps "what's").
 */
import { digitsToOrdinalWords, digitsToWords } from './numbers.js';

/** A grammar word: letters with inner apostrophes ("i'd", "driver's"), the Rhino phrase rule. */
const WORD_RE = /^\p{L}+(?:'\p{L}+)*$/u;

export function isValidWord(word: string): boolean {
  return WORD_RE.test(word);
}

/** Per-language tables of the matcher. Languages without tables get none (exact matching only). */
export interface LanguageRules {
  /** Words that may be added or left out at little cost ("please", "the", "uh"). */
  readonly fillers: ReadonlySet<string>;
  /** Whole-word contractions and their expansion. */
  readonly contractions: ReadonlyMap<string, readonly string[]>;
  /** Whether words ending in n't expand to "<stem> not". */
  readonly expandNot: boolean;
}

const ENGLISH_FILLERS = [
  'a', 'an', 'the', 'please', 'pls', 'kindly', 'could', 'would', 'can', 'will', 'you', 'u', 'uh', 'um',
  'umm', 'uhm', 'er', 'erm', 'ah', 'hmm', 'mm', 'oh', 'hey', 'hi', 'hello', 'ok', 'okay', 'so', 'well',
  'just', 'now', 'like', 'actually', 'maybe', 'quickly', 'thanks', 'thank', 'i', 'me', 'my', 'to', 'want',
  'wanna', 'need', 'for', 'of', 'on', 'in', 'at', 'it', 'is', 'are', 'am', 'do', 'does', 'some', 'this',
  'that', 'with', 'and', 'too', 'also', 'your', 'be', 'let', 'us', 'auriga',
];

function englishContractions(): Map<string, string[]> {
  const table = new Map<string, string[]>();
  const add = (suffix: string, expansion: string, heads: string[]) => {
    for (const head of heads) table.set(`${head}'${suffix}`, [head, expansion]);
  };
  add('s', 'is', ['it', 'that', 'there', 'here', 'what', 'who', 'where', 'how', 'when', 'he', 'she']);
  add('m', 'am', ['i']);
  add('re', 'are', ['you', 'we', 'they', 'who', 'what', 'there']);
  add('ve', 'have', ['i', 'you', 'we', 'they', 'would', 'could', 'should']);
  add('ll', 'will', ['i', 'you', 'we', 'they', 'he', 'she', 'it', 'that', 'there']);
  add('d', 'would', ['i', 'you', 'we', 'they', 'he', 'she', 'it', 'that', 'there', 'who']);
  table.set("let's", ['let', 'us']);
  table.set("can't", ['can', 'not']);
  table.set('cannot', ['can', 'not']);
  table.set("won't", ['will', 'not']);
  table.set("shan't", ['shall', 'not']);
  table.set("ain't", ['is', 'not']);
  // Typed without the apostrophe; only forms that are not words of their own ("its", "lets", "wont" are).
  for (const [typed, expansion] of [
    ['whats', 'what is'], ['hows', 'how is'], ['wheres', 'where is'], ['thats', 'that is'], ['whos', 'who is'],
    ['im', 'i am'], ['ive', 'i have'], ['youre', 'you are'], ['theyre', 'they are'], ['dont', 'do not'],
    ['doesnt', 'does not'], ['didnt', 'did not'], ['cant', 'can not'], ['isnt', 'is not'], ['arent', 'are not'],
    ['wasnt', 'was not'], ['couldnt', 'could not'], ['wouldnt', 'would not'], ['shouldnt', 'should not'],
    ['havent', 'have not'], ['hasnt', 'has not'],
  ] as const) {
    table.set(typed, expansion.split(' '));
  }
  table.set('wanna', ['want', 'to']);
  table.set('gonna', ['going', 'to']);
  return table;
}

const ENGLISH: LanguageRules = {
  fillers: new Set(ENGLISH_FILLERS),
  contractions: englishContractions(),
  expandNot: true,
};
const NONE: LanguageRules = { fillers: new Set(), contractions: new Map(), expandNot: false };

/** Rules for a BCP 47 tag; every English variant shares one table. */
export function languageRules(language: string): LanguageRules {
  return language.toLowerCase().startsWith('en') ? ENGLISH : NONE;
}

/** The tokens a word compares as: "what's" -> ["what", "is"], "don't" -> ["do", "not"]. */
export function expandWord(word: string, rules: LanguageRules): readonly string[] {
  const known = rules.contractions.get(word);
  if (known) return known;
  if (rules.expandNot && word.endsWith("n't") && word.length > 3) return [word.slice(0, -3), 'not'];
  return [word];
}

/**
 * Typed text -> lowercase spoken words (contractions kept). Digits become number words so that
 * "set it to 21.5°" reads like the spoken "set it to twenty one point five degrees".
 */
export function normalizeText(text: string): string[] {
  let s = text.normalize('NFKC').toLowerCase().replace(/[\u2018\u2019\u02bc`\u00b4]/g, "'");
  s = s
    .replace(/°\s*c\b/g, ' degrees celsius ')
    .replace(/°\s*f\b/g, ' degrees fahrenheit ')
    .replace(/°/g, ' degrees ')
    .replace(/%/g, ' percent ')
    .replace(/&/g, ' and ');
  // Thousands separators ("1,000") before decimals ("21,5" is a European decimal comma).
  s = s.replace(/\b\d{1,3}(?:,\d{3})+\b/g, (m) => m.replace(/,/g, ''));
  s = s.replace(/(\d+)(st|nd|rd|th)\b/g, (_m, digits: string) => ` ${digitsToOrdinalWords(digits)} `);
  s = s.replace(/(\d+)(?:[.,](\d+))?/g, (_m, whole: string, fraction?: string) => ` ${digitsToWords(whole, fraction)} `);
  s = s.replace(/[^\p{L}\p{N}'\s]+/gu, ' ');
  const tokens: string[] = [];
  for (const raw of s.split(/\s+/)) {
    const word = raw.replace(/^'+|'+$/g, '');
    if (word.length > 0) tokens.push(word);
  }
  return tokens;
}
