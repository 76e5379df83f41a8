/**
 * Sentences of a compiled context: its vocabulary (for pronunciation lookup), random samples (for
 * synthesizing training audio) and an exhaustive enumeration (for tests), each with its meaning.
 */
import { slotPhrases, type SlotPhrase } from './compile.js';
import type { CompiledContext, CompiledIntent, ExpressionNode, SentenceSample } from './types.js';

/** Every word the context can say, sorted and unique (including the words of number slots). */
export function listVocabulary(compiled: CompiledContext): string[] {
  const words = new Set<string>();
  for (const arc of compiled.graph.arcs) if (arc.word !== null) words.add(arc.word);
  return [...words].sort();
}

export interface SampleOptions {
  /** How many sentences (default 10). */
  readonly count?: number;
  /** Seed of the pseudo-random generator: the same seed gives the same sentences (default 1). */
  readonly seed?: number;
  /** Only these intents. */
  readonly intents?: readonly string[];
}

interface Binding {
  readonly slot: string;
  readonly phrase: SlotPhrase;
}

/**
 * Random sentences: intents uniformly, then one of the intent's expressions uniformly, then every
 * choice uniformly (an optional part is left out as often as each of its alternatives is said),
 * slot values uniformly by value, then one way of saying that value.
 */
export function sampleSentences(compiled: CompiledContext, options: SampleOptions = {}): SentenceSample[] {
  const count = options.count ?? 10;
  const random = mulberry32(options.seed ?? 1);
  const intents = selectIntents(compiled, options.intents);
  const byValue = new Map<string, SlotPhrase[][]>();
  const valuesOf = (slotType: string): SlotPhrase[][] => {
    let groups = byValue.get(slotType);
    if (!groups) {
      const grouped = new Map<string, SlotPhrase[]>();
      for (const phrase of slotPhrases(compiled.slotTypes[slotType]!)) {
        const key = phrase.number === undefined ? phrase.value : `${phrase.number}`;
        if (!grouped.has(key)) grouped.set(key, []);
        grouped.get(key)!.push(phrase);
      }
      groups = [...grouped.values()];
      byValue.set(slotType, groups);
    }
    return groups;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

  const walk = (node: ExpressionNode, words: string[], bindings: Binding[]): void => {
    switch (node.kind) {
      case 'word':
        words.push(node.word);
        return;
      case 'sequence':
        for (const item of node.items) walk(item, words, bindings);
        return;
      case 'choice': {
        const index = Math.floor(random() * (node.alternatives.length + (node.optional ? 1 : 0)));
        const alternative = node.alternatives[index];
        if (alternative) walk(alternative, words, bindings);
        return;
      }
      case 'slot': {
        const phrase = pick(pick(valuesOf(node.slotType)));
        words.push(...phrase.words);
        bindings.push({ slot: node.slot, phrase });
        return;
      }
    }
  };

  const samples: SentenceSample[] = [];
  for (let i = 0; i < count; i++) {
    const intent = pick(intents);
    const expression = pick(intent.expressions);
    const words: string[] = [];
    const bindings: Binding[] = [];
    walk(expression.root, words, bindings);
    samples.push(toSample(intent.name, words, bindings));
  }
  return samples;
}

export interface EnumerateOptions {
  /** Stop after this many sentences (default 1000). */
  readonly limit?: number;
  readonly intents?: readonly string[];
}

/**
 * Sentences in a fixed order, taking turns between all expressions (so that a small limit still
 * covers every expression once), each expression's sentences in grammar order. Texts are unique.
 */
export function enumerateSentences(compiled: CompiledContext, options: EnumerateOptions = {}): SentenceSample[] {
  const limit = options.limit ?? 1000;
  const phraseCache = new Map<string, SlotPhrase[]>();
  const phrasesOf = (slotType: string): SlotPhrase[] => {
    let phrases = phraseCache.get(slotType);
    if (!phrases) {
      phrases = slotPhrases(compiled.slotTypes[slotType]!);
      phraseCache.set(slotType, phrases);
    }
    return phrases;
  };
  const generators = selectIntents(compiled, options.intents).flatMap((intent) =>
    intent.expressions.map((e) => ({ intent: intent.name, generator: expand(e.root, phrasesOf) })),
  );
  const samples: SentenceSample[] = [];
  const seen = new Set<string>();
  while (samples.length < limit && generators.length > 0) {
    for (let i = 0; i < generators.length && samples.length < limit; ) {
      const { intent, generator } = generators[i]!;
      const next = generator.next();
      if (next.done) {
        generators.splice(i, 1);
        continue;
      }
      const sample = toSample(intent, next.value.words, next.value.bindings);
      if (!seen.has(sample.text)) {
        seen.add(sample.text);
        samples.push(sample);
      }
      i++;
    }
  }
  return samples;
}

interface Partial {
  readonly words: readonly string[];
  readonly bindings: readonly Binding[];
}
const EMPTY: Partial = { words: [], bindings: [] };

function* expand(node: ExpressionNode, phrasesOf: (slotType: string) => SlotPhrase[]): Generator<Partial> {
  switch (node.kind) {
    case 'word':
      yield { words: [node.word], bindings: [] };
      return;
    case 'slot':
      for (const phrase of phrasesOf(node.slotType)) yield { words: phrase.words, bindings: [{ slot: node.slot, phrase }] };
      return;
    case 'choice':
      for (const alternative of node.alternatives) yield* expand(alternative, phrasesOf);
      if (node.optional) yield EMPTY;
      return;
    case 'sequence':
      yield* expandSequence(node.items, 0, phrasesOf);
      return;
  }
}

function* expandSequence(
  items: readonly ExpressionNode[],
  index: number,
  phrasesOf: (slotType: string) => SlotPhrase[],
): Generator<Partial> {
  if (index === items.length) {
    yield EMPTY;
    return;
  }
  for (const head of expand(items[index]!, phrasesOf)) {
    for (const tail of expandSequence(items, index + 1, phrasesOf)) {
      yield { words: [...head.words, ...tail.words], bindings: [...head.bindings, ...tail.bindings] };
    }
  }
}

function selectIntents(compiled: CompiledContext, names: readonly string[] | undefined): CompiledIntent[] {
  if (!names) return [...compiled.intents];
  const selected = compiled.intents.filter((i) => names.includes(i.name));
  const missing = names.filter((n) => !compiled.intents.some((i) => i.name === n));
  if (missing.length > 0) throw new RangeError(`unknown intent(s) ${missing.join(', ')} in context '${compiled.name}'`);
  return selected;
}

function toSample(intent: string, words: readonly string[], bindings: readonly Binding[]): SentenceSample {
  const slots: Record<string, string> = {};
  const numbers: Record<string, number> = {};
  for (const { slot, phrase } of bindings) {
    slots[slot] = phrase.value;
    if (phrase.number !== undefined) numbers[slot] = phrase.number;
  }
  return { text: words.join(' '), intent, slots, numbers };
}

/** Small seeded PRNG (mulberry32): reproducible samples without a dependency. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
