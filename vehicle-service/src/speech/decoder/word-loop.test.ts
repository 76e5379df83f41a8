import { describe, expect, it } from 'vitest';
import { buildDecoderGraph } from './graph.js';
import { interpret } from './decode.js';
import { phoneLoop, viterbi } from './viterbi.js';
import { pronouncerOf, TEST_CONTEXT, TEST_LEXICON, TEST_PHONES, testPhoneIndex, testPosteriors, toPhones } from './test-fixtures.js';
import { WordLoop } from './word-loop.js';

const PHONES = TEST_PHONES;
const index = testPhoneIndex;
const GRAMMAR_WORDS = TEST_LEXICON;
// The general vocabulary: the grammar's words and others (the loop is built from the whole lexicon).
const VOCABULARY: Record<string, readonly string[]> = {
  ...GRAMMAR_WORDS,
  bread: ['B R EH D'],
  film: ['F IH L M'],
  must: ['M AH S T'],
  dim: ['D IH M'],
  pan: ['P AH N'],
};
const P = PHONES.length;
const pronounce = pronouncerOf(GRAMMAR_WORDS);
const loop = WordLoop.build(Object.values(VOCABULARY).flatMap((vs) => vs.map(toPhones)));
const CONTEXT = TEST_CONTEXT;
const graph = buildDecoderGraph(CONTEXT.graph, pronounce, P, { phoneEnter: 0, silenceEnter: -1 }, { statesPerPhone: 2 });

/** Log posteriors: SIL, each phone for `frames` frames with probability `peak`, SIL. */
const posteriors = (phones: string[], frames = 3, peak = 0.8): Float32Array => testPosteriors(['SIL', ...phones, 'SIL'], frames, peak);

/**
 * An unsure model: on each frame the right phone gets 0.3 and a wrong one (fixed per phone segment, chosen by
 * a deterministic generator) gets 0.5 on half of the segments: the kind of output a voice the model never heard
 * produces.
 */
function confused(phones: string[], frames = 4): Float32Array {
  const seq = ['SIL', ...phones, 'SIL'];
  const out = new Float32Array(seq.length * frames * P);
  let s = 12345;
  const next = (): number => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32);
  let t = 0;
  for (const ph of seq) {
    const p = index.get(ph)!;
    const wrong = ph === 'SIL' || next() < 0.5 ? -1 : 1 + Math.floor(next() * (P - 1));
    for (let k = 0; k < frames; k++, t++) {
      for (let q = 0; q < P; q++) {
        const pr = wrong < 0 || wrong === p ? (q === p ? 0.8 : 0.2 / (P - 1)) : q === p ? 0.3 : q === wrong ? 0.5 : 0.2 / (P - 2);
        out[t * P + q] = Math.log(pr);
      }
    }
  }
  return out;
}

const zeros = new Float64Array(P);

function margins(post: Float32Array): { words: number; phones: number; wordsUnderstood: boolean; intent?: string } {
  const frames = post.length / P;
  const wordScores = loop.scores(post, frames, P, 1, zeros, { statesPerPhone: 2, beam: 40 });
  const byWords = interpret(viterbi(graph, post, frames, P, { beam: 40, rejectLoopScores: wordScores }), { margin: 0.3 });
  const byPhones = interpret(viterbi(graph, post, frames, P, { beam: 40 }), { margin: 0.3 });
  return { words: byWords.marginPerFrame, phones: byPhones.marginPerFrame, wordsUnderstood: byWords.isUnderstood, ...(byWords.intent ? { intent: byWords.intent } : {}) };
}

describe('WordLoop', () => {
  it('shares prefixes in a tree and counts each word once', () => {
    const t = WordLoop.build([toPhones('T UW'), toPhones('T R IH'), toPhones('T UW'), toPhones('T')]);
    expect(t.nodes).toBe(4); // T, UW, R, IH
    expect(t.words).toBe(3); // "T UW", "T R IH", "T"
  });

  it('scores a sequence of vocabulary words as well as the free phone loop does', () => {
    const post = posteriors(['B', 'R', 'EH', 'D', 'F', 'IH', 'L', 'M']);
    const frames = post.length / P;
    const w = loop.scores(post, frames, P, 1, zeros, { statesPerPhone: 2, beam: 40 });
    const free = phoneLoop(graph, post, frames, P, () => 0, 1);
    expect(w[frames]!).toBeCloseTo(free[frames]!, 5);
    expect(w).toHaveLength(frames + 1);
    expect(w[0]).toBe(0);
  });

  it('cannot follow phones that spell no word: it scores them below the free phone loop', () => {
    const post = posteriors(['V', 'K', 'V', 'CH', 'V']);
    const frames = post.length / P;
    const w = loop.scores(post, frames, P, 1, zeros, { statesPerPhone: 2, beam: 40 });
    const free = phoneLoop(graph, post, frames, P, () => 0, 1);
    expect(free[frames]! - w[frames]!).toBeGreaterThan(5);
  });

  it('as the rejection reference: accepts the command, rejects other words', () => {
    const inContext = margins(posteriors(['L', 'AY', 'T', 'S', 'AA', 'N', 'IH', 'N', 'DH', 'AH', 'K', 'IH', 'CH', 'AH', 'N']));
    expect(inContext.wordsUnderstood).toBe(true);
    expect(inContext.intent).toBe('lightsOn');
    expect(inContext.words).toBeLessThan(0.05);
    const outOfContext = margins(posteriors(['B', 'R', 'EH', 'D', 'F', 'IH', 'L', 'M', 'D', 'IH', 'M']));
    expect(outOfContext.wordsUnderstood).toBe(false);
    expect(outOfContext.words).toBeGreaterThan(0.3);
  });

  it('an unsure model widens the gap to the free phone loop much more than the gap to the word loop', () => {
    const post = confused(['L', 'AY', 'T', 'S', 'AA', 'N', 'IH', 'N', 'DH', 'AH', 'K', 'IH', 'CH', 'AH', 'N']);
    const frames = post.length / P;
    const wordScores = loop.scores(post, frames, P, 1, zeros, { statesPerPhone: 2, beam: 40 });
    const byWords = interpret(viterbi(graph, post, frames, P, { beam: 40, rejectLoopScores: wordScores }), { margin: 0.3 });
    const byPhones = interpret(viterbi(graph, post, frames, P, { beam: 40 }), { margin: 0.3 });
    expect(byWords.intent ?? byWords.nearestIntent).toBe('lightsOn');
    expect(wordScores).toEqual(loop.scores(post, frames, P, 1, zeros, { statesPerPhone: 2, beam: 40 })); // no state kept between calls
    expect(byPhones.marginPerFrame).toBeGreaterThan(0.1);
    expect(byWords.marginPerFrame).toBeLessThan(byPhones.marginPerFrame / 3);
  });

  it('phoneGapWeight gives slack in proportion to the free phone loop\'s gap (an unsure model)', () => {
    const post = confused(['L', 'AY', 'T', 'S', 'AA', 'N', 'IH', 'N', 'DH', 'AH', 'K', 'IH', 'CH', 'AH', 'N']);
    const frames = post.length / P;
    const search = viterbi(graph, post, frames, P, { beam: 40, rejectLoopScores: loop.scores(post, frames, P, 1, zeros, { statesPerPhone: 2, beam: 40 }) });
    const base = interpret(search, { margin: 0 });
    expect(base.phoneMarginPerFrame).toBeGreaterThan(0.1);
    const justBelow = base.marginPerFrame - 0.05;
    expect(interpret(search, { margin: justBelow }).isUnderstood).toBe(false);
    const slack = interpret(search, { margin: justBelow, phoneGapWeight: 0.1 / base.phoneMarginPerFrame });
    expect(slack.isUnderstood).toBe(true);
    expect(slack.intent).toBe('lightsOn');
  });

  it('a narrow beam prunes but never beats the exact search', () => {
    const post = confused(['B', 'R', 'EH', 'D', 'F', 'IH', 'L', 'M']);
    const frames = post.length / P;
    const exact = loop.scores(post, frames, P, 1, zeros, { statesPerPhone: 2, beam: 1e9 });
    const narrow = loop.scores(post, frames, P, 1, zeros, { statesPerPhone: 2, beam: 2, maxActive: 8 });
    for (let t = 1; t <= frames; t++) expect(narrow[t]!).toBeLessThanOrEqual(exact[t]! + 1e-9);
  });
});
