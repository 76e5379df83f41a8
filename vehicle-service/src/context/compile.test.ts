import { describe, expect, it } from 'vitest';
import { compileContext } from './compile.js';
import { parseContext } from './load.js';
import { enumerateSentences, listVocabulary, sampleSentences } from './sentences.js';
import type { CompiledContext, GraphArc } from './types.js';

const YAML = `
context:
  intents:
    setFan:
      - "[set, turn] (the) fan to $speed:level"
      - "fan $preset:level"
    greet:
      - "(hey) hello (there)"
  slots:
    preset:
      - { value: max, synonyms: [full blast], number: 3 }
  numbers:
    speed: { kind: integer, min: 1, max: 3 }
`;

function compile(yaml = YAML): CompiledContext {
  return compileContext(parseContext(yaml));
}

/** Every sentence the graph accepts, walked arc by arc with the tags it outputs. */
function graphSentences(compiled: CompiledContext): string[] {
  const { graph } = compiled;
  const out: string[] = [];
  const walk = (node: number, words: string[], tags: string[]) => {
    if (node === graph.final) {
      out.push(`${words.join(' ')} | ${tags.join(' ')}`);
      return;
    }
    for (let a = graph.arcOffsets[node]!; a < graph.arcOffsets[node + 1]!; a++) {
      const arc: GraphArc = graph.arcs[a]!;
      const tag = arc.tag;
      const tagText =
        tag === undefined
          ? []
          : tag.type === 'intent'
            ? [`<${tag.intent}>`]
            : tag.type === 'slotStart'
              ? [`{${tag.slot}:${tag.slotType}`]
              : [`=${tag.value}${tag.number === undefined ? '' : `#${tag.number}`}}`];
      walk(arc.to, arc.word === null ? words : [...words, arc.word], [...tags, ...tagText]);
    }
  };
  walk(graph.start, [], []);
  return out.sort();
}

describe('compileContext', () => {
  it('builds a word graph whose paths are exactly the sentences, with intent and slot tags', () => {
    expect(graphSentences(compile())).toEqual(
      [
        'fan full blast | <setFan> {level:preset =max#3}',
        'fan max | <setFan> {level:preset =max#3}',
        'hello | <greet>',
        'hello there | <greet>',
        'hey hello | <greet>',
        'hey hello there | <greet>',
        ...['set', 'turn'].flatMap((verb) =>
          ['the ', ''].flatMap((the) =>
            [
              ['one', 1],
              ['two', 2],
              ['three', 3],
            ].map(([word, n]) => `${verb} ${the}fan to ${word} | <setFan> {level:speed =${word}#${n}}`),
          ),
        ),
      ].sort(),
    );
  });

  it('keeps arcs sorted by source node with consistent offsets, and is acyclic', () => {
    const { graph } = compile();
    expect(graph.arcOffsets).toHaveLength(graph.nodeCount + 1);
    expect(graph.arcOffsets[graph.nodeCount]).toBe(graph.arcs.length);
    for (let n = 0; n < graph.nodeCount; n++) {
      for (let a = graph.arcOffsets[n]!; a < graph.arcOffsets[n + 1]!; a++) expect(graph.arcs[a]!.from).toBe(n);
    }
    expect(graph.arcOffsets[graph.final + 1]! - graph.arcOffsets[graph.final]!).toBe(0);
    // Tags only on epsilon arcs; words only lowercase.
    for (const arc of graph.arcs) {
      if (arc.tag) expect(arc.word).toBeNull();
      if (arc.word !== null) expect(arc.word).toBe(arc.word.toLowerCase());
    }
    // Acyclic: a depth-first search never meets a node on its own stack.
    const state = new Uint8Array(graph.nodeCount);
    const visit = (n: number): void => {
      state[n] = 1;
      for (let a = graph.arcOffsets[n]!; a < graph.arcOffsets[n + 1]!; a++) {
        const to = graph.arcs[a]!.to;
        expect(state[to]).not.toBe(1);
        if (state[to] === 0) visit(to);
      }
      state[n] = 2;
    };
    visit(graph.start);
  });

  it('marks the nodes inside slot values', () => {
    const { graph } = compile();
    const fullArc = graph.arcs.find((a) => a.word === 'full')!;
    const blastArc = graph.arcs.find((a) => a.word === 'blast')!;
    expect(graph.insideSlot[fullArc.from]).toBe(true);
    expect(graph.insideSlot[blastArc.from]).toBe(true);
    const fanArc = graph.arcs.find((a) => a.word === 'fan')!;
    expect(graph.insideSlot[fanArc.from]).toBe(false);
  });
});

describe('sentences', () => {
  it('lists the vocabulary sorted and unique', () => {
    expect(listVocabulary(compile())).toEqual(
      ['blast', 'fan', 'full', 'hello', 'hey', 'max', 'one', 'set', 'the', 'there', 'three', 'to', 'turn', 'two'],
    );
  });

  it('enumerates every sentence once with its meaning, taking turns between expressions', () => {
    const all = enumerateSentences(compile(), { limit: 1000 });
    expect(all).toHaveLength(12 + 2 + 4);
    // The first three come from the three expressions in turn.
    expect(all.slice(0, 3).map((s) => s.intent)).toEqual(['setFan', 'setFan', 'greet']);
    expect(all).toContainEqual({ text: 'turn fan to two', intent: 'setFan', slots: { level: 'two' }, numbers: { level: 2 } });
    expect(all).toContainEqual({ text: 'fan full blast', intent: 'setFan', slots: { level: 'max' }, numbers: { level: 3 } });
    expect(all).toContainEqual({ text: 'hey hello', intent: 'greet', slots: {}, numbers: {} });
    expect(new Set(all.map((s) => s.text)).size).toBe(all.length);
    expect(enumerateSentences(compile(), { limit: 5 })).toHaveLength(5);
    expect(enumerateSentences(compile(), { intents: ['greet'] }).map((s) => s.text).sort()).toEqual(
      ['hello', 'hello there', 'hey hello', 'hey hello there'],
    );
  });

  it('samples reproducibly from a seed, spreading over intents and values', () => {
    const compiled = compile();
    const a = sampleSentences(compiled, { count: 400, seed: 42 });
    const b = sampleSentences(compiled, { count: 400, seed: 42 });
    const c = sampleSentences(compiled, { count: 400, seed: 43 });
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(a).toHaveLength(400);
    const greet = a.filter((s) => s.intent === 'greet').length;
    expect(greet).toBeGreaterThan(140);
    expect(greet).toBeLessThan(260);
    const levels = new Set(a.filter((s) => s.intent === 'setFan').map((s) => s.numbers['level']));
    expect(levels).toEqual(new Set([1, 2, 3]));
    const known = new Set(enumerateSentences(compiled).map((s) => JSON.stringify(s)));
    for (const sample of a) expect(known.has(JSON.stringify(sample)), sample.text).toBe(true);
    expect(() => sampleSentences(compiled, { intents: ['nope'] })).toThrow(/unknown intent/);
  });
});
