/**
 * Rule-based English letter-to-sound fallback for words the lexicon lacks (brand names, new contact
 * names, coined words). Greedy longest match over a table of grapheme rules with a few context
 * conditions (magic e, soft c/g, word-final letters). Crude next to a trained G2P, but a context
 * word the model never saw still gets a plausible pronunciation and can be recognized.
 */

interface Rule {
  readonly letters: string;
  readonly phones: readonly string[];
  /** Only at the start of the word. */
  readonly initial?: boolean;
  /** Only at the end of the word. */
  readonly final?: boolean;
  /** Only when the next letter is one of these. */
  readonly before?: string;
}

const VOWELS = 'aeiouy';
const r = (letters: string, phones: string, extra: Partial<Rule> = {}): Rule => ({
  letters,
  phones: phones ? phones.split(' ') : [],
  ...extra,
});

// Order does not matter: the longest matching rule wins, then the first listed.
const RULES: readonly Rule[] = [
  r('ation', 'EY SH AH N'), r('tion', 'SH AH N'), r('sion', 'ZH AH N'), r('ture', 'CH ER'), r('ough', 'AO'), r('augh', 'AO'),
  r('eigh', 'EY'), r('igh', 'AY'), r('tch', 'CH'), r('dge', 'JH'), r('sch', 'SH'), r('que', 'K', { final: true }),
  r('ing', 'IH NG', { final: true }), r('ed', 'D', { final: true }), r('es', 'Z', { final: true }),
  r('le', 'AH L', { final: true }), r('er', 'ER'), r('ir', 'ER'), r('ur', 'ER'), r('ar', 'AA R'), r('or', 'AO R'),
  r('ch', 'CH'), r('sh', 'SH'), r('th', 'TH'), r('ph', 'F'), r('wh', 'W'), r('ck', 'K'), r('ng', 'NG'),
  r('qu', 'K W'), r('kn', 'N', { initial: true }), r('wr', 'R', { initial: true }), r('gh', '', {}),
  r('ee', 'IY'), r('ea', 'IY'), r('oo', 'UW'), r('ou', 'AW'), r('ow', 'OW'), r('ai', 'EY'), r('ay', 'EY'),
  r('oa', 'OW'), r('oi', 'OY'), r('oy', 'OY'), r('au', 'AO'), r('aw', 'AO'), r('ew', 'UW'), r('ie', 'IY'),
  r('ei', 'EY'), r('ey', 'IY', { final: true }), r('ue', 'UW'), r('ui', 'UW'),
  r('c', 'S', { before: 'eiy' }), r('g', 'JH', { before: 'eiy' }),
  r('a', 'AE'), r('b', 'B'), r('c', 'K'), r('d', 'D'), r('e', 'EH'), r('f', 'F'), r('g', 'G'), r('h', 'HH'),
  r('i', 'IH'), r('j', 'JH'), r('k', 'K'), r('l', 'L'), r('m', 'M'), r('n', 'N'), r('o', 'AA'), r('p', 'P'),
  r('q', 'K'), r('r', 'R'), r('s', 'S'), r('t', 'T'), r('u', 'AH'), r('v', 'V'), r('w', 'W'), r('x', 'K S'),
  r('y', 'Y', { initial: true }), r('y', 'IY', { final: true }), r('y', 'IH'), r('z', 'Z'),
  r('y', 'IY'), r('e', '', { final: true }),
];

const LONG_VOWEL: Record<string, string> = { a: 'EY', e: 'IY', i: 'AY', o: 'OW', u: 'UW', y: 'AY' };

/** Letter names, for words with no vowel letters at all (acronyms such as "gps", "usb"). */
const LETTER_NAMES: Record<string, string> = {
  a: 'EY', b: 'B IY', c: 'S IY', d: 'D IY', e: 'IY', f: 'EH F', g: 'JH IY', h: 'EY CH', i: 'AY', j: 'JH EY',
  k: 'K EY', l: 'EH L', m: 'EH M', n: 'EH N', o: 'OW', p: 'P IY', q: 'K Y UW', r: 'AA R', s: 'EH S', t: 'T IY',
  u: 'Y UW', v: 'V IY', w: 'D AH B AH L Y UW', x: 'EH K S', y: 'W AY', z: 'Z IY',
};

const DIGIT_WORDS = ['Z IH R OW', 'W AH N', 'T UW', 'TH R IY', 'F AO R', 'F AY V', 'S IH K S', 'S EH V AH N', 'EY T', 'N AY N'];

/** Spell a word letter by letter (acronyms). */
export function spellLetters(word: string): string[] {
  const phones: string[] = [];
  for (const ch of word.toLowerCase()) {
    if (ch >= '0' && ch <= '9') phones.push(...DIGIT_WORDS[Number(ch)]!.split(' '));
    else if (LETTER_NAMES[ch]) phones.push(...LETTER_NAMES[ch]!.split(' '));
  }
  return phones;
}

/**
 * A pronunciation (CMU phones without stress) for any word. Returns [] only for a word with no
 * letters or digits at all.
 */
export function graphemeToPhoneme(word: string): string[] {
  const w = word.toLowerCase().replace(/[^a-z0-9']/g, '').replace(/'/g, '');
  if (!w) return [];
  if (/[0-9]/.test(w) || !/[aeiouy]/.test(w)) return spellLetters(w);
  const phones: string[] = [];
  let i = 0;
  while (i < w.length) {
    // Magic e: vowel + one consonant + final e ("bike", "mode") -> long vowel, silent e.
    const ch = w[i]!;
    if ('aeiou'.includes(ch) && i + 2 === w.length - 1 && w[w.length - 1] === 'e' && !VOWELS.includes(w[i + 1]!) && !(i > 0 && VOWELS.includes(w[i - 1]!))) {
      phones.push(LONG_VOWEL[ch]!);
      const consonant = w[i + 1]!;
      const c = consonant === 'c' ? ['S'] : consonant === 'g' ? ['JH'] : consonant === 's' ? ['Z'] : matchRule(w, i + 1, true)?.phones ?? [];
      phones.push(...c);
      i = w.length;
      break;
    }
    const rule = matchRule(w, i, false);
    if (!rule) {
      i++;
      continue;
    }
    phones.push(...rule.phones);
    i += rule.letters.length;
  }
  // Collapse doubled consonants ("ll", "ss", "tt") into one phone.
  const out: string[] = [];
  for (const p of phones) if (out[out.length - 1] !== p || 'AEIOU'.includes(p[0]!)) out.push(p);
  return out.length > 0 ? out : spellLetters(w);
}

function matchRule(w: string, at: number, singleLetter: boolean): Rule | undefined {
  let best: Rule | undefined;
  for (const rule of RULES) {
    if (singleLetter && rule.letters.length !== 1) continue;
    if (!w.startsWith(rule.letters, at)) continue;
    const end = at + rule.letters.length;
    if (rule.initial && at !== 0) continue;
    if (rule.final && end !== w.length) continue;
    if (rule.before !== undefined && (end >= w.length || !rule.before.includes(w[end]!))) continue;
    // "e" final only silent after a consonant in words of 3+ letters ("the" keeps its vowel via the lexicon anyway).
    if (rule.letters === 'e' && rule.final && w.length < 3) continue;
    if (!best || rule.letters.length > best.letters.length) best = rule;
  }
  return best;
}
