/**
 * Pronunciation lexicon: cmudict (shipped gzipped with the model, `word<TAB>PH ON ES`, one line per
 * variant) plus the rule-based fallback for words it lacks. Context words with apostrophes or
 * hyphens are also tried split into parts.
 */
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { SpeechModelError } from '../errors.js';
import { graphemeToPhoneme } from './g2p.js';

export interface Pronunciation {
  readonly phones: readonly string[];
  /** 'lexicon' or 'g2p' (rule-based fallback). */
  readonly source: 'lexicon' | 'g2p';
}

/** At most this many variants per word (cmudict has up to 5; more only widens the search). */
const MAX_VARIANTS = 3;

export class Lexicon {
  private constructor(
    private readonly entries: ReadonlyMap<string, readonly (readonly string[])[]>,
    private readonly phoneSet: ReadonlySet<string>,
  ) {}

  /** Parse lexicon text; phones outside `phoneSet` (stress digits are stripped) are rejected. */
  static parse(text: string, phoneSet: ReadonlySet<string>, source = 'lexicon'): Lexicon {
    const entries = new Map<string, string[][]>();
    let lineNo = 0;
    for (const line of text.split('\n')) {
      lineNo++;
      const trimmed = line.trim();
      if (!trimmed || trimmed.startsWith(';;;') || trimmed.startsWith('#')) continue;
      const [rawWord, ...phones] = trimmed.split(/\s+/);
      const word = rawWord!.toLowerCase().replace(/\(\d+\)$/, '');
      const clean = phones.map((p) => p.replace(/[0-9]$/, ''));
      const bad = clean.find((p) => !phoneSet.has(p));
      if (bad !== undefined) throw SpeechModelError(`${source}:${lineNo}: unknown phone '${bad}'`);
      if (clean.length === 0) continue;
      const list = entries.get(word);
      if (!list) entries.set(word, [clean]);
      else if (list.length < MAX_VARIANTS && !list.some((v) => v.join(' ') === clean.join(' '))) list.push(clean);
    }
    return new Lexicon(entries, phoneSet);
  }

  static async load(path: string, phoneSet: ReadonlySet<string>): Promise<Lexicon> {
    let buf: Buffer;
    try {
      buf = await readFile(path);
    } catch (err) {
      throw SpeechModelError(`${path}: ${(err as Error).message}`, { cause: err });
    }
    const text = path.endsWith('.gz') ? gunzipSync(buf).toString('utf8') : buf.toString('utf8');
    return Lexicon.parse(text, phoneSet, path);
  }

  get size(): number {
    return this.entries.size;
  }

  /** Every (word, variant) pair of the lexicon itself (no rule-based fallback), in file order. */
  *entriesOf(filter: (word: string) => boolean = () => true): Generator<[string, readonly string[]]> {
    for (const [word, variants] of this.entries) if (filter(word)) for (const v of variants) yield [word, v];
  }

  has(word: string): boolean {
    return this.entries.has(word.toLowerCase());
  }

  /** Every pronunciation of a word (lexicon variants, else parts, else the letter-to-sound rules). */
  pronounce(word: string): Pronunciation[] {
    const w = word.toLowerCase();
    const known = this.entries.get(w);
    if (known) return known.map((phones) => ({ phones, source: 'lexicon' as const }));
    // "a/c", "co-driver", "rear-left": pronounce the parts one after the other.
    const parts = w.split(/[-_/.\s]+/).filter(Boolean);
    if (parts.length > 1) {
      const phones = parts.flatMap((p) => this.pronounce(p)[0]?.phones ?? []);
      const fromLexicon = parts.every((p) => this.entries.has(p));
      if (phones.length > 0) return [{ phones, source: fromLexicon ? 'lexicon' : 'g2p' }];
    }
    const stripped = w.replace(/'/g, '');
    const again = this.entries.get(stripped);
    if (again) return again.map((phones) => ({ phones, source: 'lexicon' as const }));
    const phones = graphemeToPhoneme(w).filter((p) => this.phoneSet.has(p));
    return phones.length > 0 ? [{ phones, source: 'g2p' }] : [];
  }
}
