import { describe, expect, it } from 'vitest';
import { buildDecoderGraph } from './graph.js';
import { phoneLoop, viterbi } from './viterbi.js';
import { frameEntropies, interpret } from './decode.js';
import { pronouncerOf, TEST_CONTEXT, TEST_LEXICON, TEST_PHONES, testPhoneIndex, testPosteriors } from './test-fixtures.js';

const PHONES = TEST_PHONES;
const index = testPhoneIndex;
const pronounce = pronouncerOf(TEST_LEXICON);

const CONTEXT = TEST_CONTEXT;
const posteriors = testPosteriors;

const graph = buildDecoderGraph(CONTEXT.graph, pronounce, PHONES.length, { phoneEnter: 0, silenceEnter: -1 }, { statesPerPhone: 2 });

function decode(phones: string[], frames = 3) {
  const post = posteriors(phones, frames);
  return interpret(viterbi(graph, post, post.length / PHONES.length, PHONES.length, { beam: 40 }), { margin: 0.5 });
}

describe('decoder graph', () => {
  it('expands each pronunciation into statesPerPhone states per phone, plus silences and the garbage loop', () => {
    // Garbage loop: SIL (1 state) + 20 phones x 2 states.
    expect(graph.stateCount - graph.garbageStart).toBe(1 + (PHONES.length - 1) * 2);
    expect(graph.unpronounceable).toEqual([]);
    expect(graph.topoOrder[0]).toBe(CONTEXT.graph.start);
  });

  it('reports words it cannot pronounce', () => {
    const g = buildDecoderGraph(CONTEXT.graph, (w) => (w === 'stop' ? [] : pronounce(w)), PHONES.length, { phoneEnter: 0, silenceEnter: -1 });
    expect(g.unpronounceable).toEqual(['stop']);
  });
});

describe('viterbi over hand-made posteriors', () => {
  it('finds the spoken path with its intent and slot', () => {
    const r = decode(['SIL', 'L', 'AY', 'T', 'S', 'AA', 'N', 'DH', 'AH', 'B', 'EH', 'D', 'R', 'UW', 'M', 'SIL']);
    expect(r.isUnderstood).toBe(true);
    expect(r.intent).toBe('lightsOn');
    expect(r.slots).toEqual({ room: 'bedroom' });
    expect(r.words).toEqual(['lights', 'on', 'the', 'bedroom']);
    expect(r.confidence).toBeGreaterThan(0.9);
  });

  it('tells kitchen from bedroom and allows a pause between words', () => {
    const r = decode(['SIL', 'L', 'AY', 'T', 'S', 'SIL', 'SIL', 'AA', 'N', 'IH', 'N', 'K', 'IH', 'CH', 'AH', 'N', 'SIL']);
    expect(r.intent).toBe('lightsOn');
    expect(r.slots).toEqual({ room: 'kitchen' });
    expect(r.words).toEqual(['lights', 'on', 'in', 'kitchen']);
  });

  it('resolves built-in numbers', () => {
    const r = decode(['SIL', 'F', 'AH', 'N', 'T', 'R', 'IH', 'SIL']);
    expect(r.intent).toBe('fan');
    expect(r.slots).toEqual({ speed: 'three' });
    expect(r.numbers).toEqual({ speed: 3 });
  });

  it('rejects phones the grammar cannot explain (the free phone loop wins by a margin)', () => {
    const r = decode(['SIL', 'M', 'P', 'UW', 'B', 'V', 'EH', 'M', 'V', 'UW', 'P', 'SIL']);
    expect(r.isUnderstood).toBe(false);
    expect(r.intent).toBeUndefined();
    expect(r.marginPerFrame).toBeGreaterThan(0.5);
    expect(r.confidence).toBeLessThan(0.5);
  });

  it('measures the margin on the speech segment, and rejects noise around the command with the outside margin', () => {
    // 10 frames of "noise" (SIL 0.3, M 0.5), 'stop' (12 frames), 10 frames of noise.
    const P = PHONES.length;
    const noise = new Float32Array(10 * P);
    for (let t = 0; t < 10; t++) for (let q = 0; q < P; q++) noise[t * P + q] = Math.log(q === 0 ? 0.3 : q === index.get('M')! ? 0.5 : 0.2 / (P - 2));
    const post = new Float32Array([...noise, ...posteriors(['S', 'T', 'AA', 'P']), ...noise]);
    const search = viterbi(graph, post, post.length / P, P, { beam: 40 });
    expect(search.words.map((w) => w.word)).toEqual(['stop']);
    expect(search.segment).toMatchObject({ startFrame: 9, endFrame: 21 });
    const lenient = interpret(search, { margin: 0.5 });
    expect(lenient.intent).toBe('stop');
    expect(lenient.marginPerFrame).toBeLessThan(0.1);
    expect(lenient.outsideMarginPerFrame).toBeCloseTo(Math.log(0.5 / 0.3), 1);
    expect(interpret(search, { margin: 0.5, outsideMargin: 0.3 }).isUnderstood).toBe(false);
  });

  it('rejects silence', () => {
    const r = decode(['SIL', 'SIL', 'SIL', 'SIL']);
    expect(r.isUnderstood).toBe(false);
  });

  it('enforces the minimum duration: one frame per phone cannot fit a two-state phone chain', () => {
    const r = decode(['SIL', 'S', 'T', 'AA', 'P', 'SIL'], 1);
    expect(r.isUnderstood).toBe(false);
    expect(decode(['SIL', 'S', 'T', 'AA', 'P', 'SIL'], 2).intent).toBe('stop');
  });

  it('returns no path for zero frames', () => {
    const r = interpret(viterbi(graph, new Float32Array(0), 0, PHONES.length), { margin: 0.5 });
    expect(r.isUnderstood).toBe(false);
    expect(r.confidence).toBe(0);
  });

  it('bounds the per-frame cost of a mismatched phone with the emission floor', () => {
    // 'stop' with its vowel replaced by a phone the word lacks: without a floor the 3 frames of UW cost
    // ln(0.8 / 0.01) each against the free loop; floored at 1 nat, 1 each.
    const P = PHONES.length;
    const post = posteriors(['SIL', 'S', 'T', 'UW', 'P', 'SIL']);
    const open = viterbi(graph, post, post.length / P, P, { beam: 40 });
    const floored = viterbi(graph, post, post.length / P, P, { beam: 40, emitFloor: 1 });
    expect(open.words.map((w) => w.word)).toEqual(['stop']);
    expect(floored.words.map((w) => w.word)).toEqual(['stop']);
    const gap = (r: typeof open) => r.garbageScore - r.grammarScore;
    expect(gap(open)).toBeCloseTo(3 * Math.log(0.8 / (0.2 / (P - 1))), 3);
    expect(gap(floored)).toBeCloseTo(3, 3);
    // The free loop's own score does not depend on the floor.
    expect(floored.garbageScore).toBeCloseTo(open.garbageScore, 6);
  });

  it('measures the rejection margin with its own prior weight (same path, second free loop)', () => {
    const P = PHONES.length;
    const post = posteriors(['SIL', 'S', 'T', 'AA', 'P', 'SIL']);
    const frames = post.length / P;
    const logPrior = new Float32Array(P).map((_, p) => Math.log(p === 0 ? 0.5 : 0.5 / (P - 1)));
    const same = viterbi(graph, post, frames, P, { beam: 40, logPrior, priorWeight: 1 });
    expect(same.rejectGrammarScore).toBeCloseTo(same.grammarScore, 6);
    expect(same.rejectGarbageScore).toBeCloseTo(same.garbageScore, 6);
    const none = viterbi(graph, post, frames, P, { beam: 40 });
    const other = viterbi(graph, post, frames, P, { beam: 40, logPrior, priorWeight: 1, rejectPriorWeight: 0 });
    // Weight 0 for the rejection scores = the scores of a search without a prior (same best path here).
    expect(other.rejectGrammarScore).toBeCloseTo(none.grammarScore, 6);
    expect(other.rejectGarbageScore).toBeCloseTo(none.garbageScore, 6);
    // The standalone loop agrees with the search's garbage states.
    const loop = phoneLoop(graph, post, frames, P, () => 0, 1);
    expect(loop[frames]).toBeCloseTo(none.garbageScore, 6);
  });

  it('computes frame entropies and scales the margin with them when asked', () => {
    const P = PHONES.length;
    const post = posteriors(['SIL', 'M', 'P', 'UW', 'B', 'V', 'EH', 'M', 'V', 'UW', 'P', 'SIL']);
    const h = frameEntropies(post, post.length / P, P);
    const expected = -(0.8 * Math.log(0.8) + 0.2 * Math.log(0.2 / (P - 1)));
    expect(h[0]).toBeCloseTo(expected, 5);
    const search = viterbi(graph, post, post.length / P, P, { beam: 40 });
    expect(interpret(search, { margin: 0.5 }, h).isUnderstood).toBe(false);
    const r = interpret(search, { margin: 0.5, entropyWeight: 100 }, h);
    expect(r.entropyPerFrame).toBeCloseTo(expected, 5);
    expect(r.isUnderstood).toBe(true);
  });
});
