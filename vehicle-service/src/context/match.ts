/**
 * Text -> intent matching over a compiled context, tolerant in the manner of Home Assistant's
 * hassil: casing, punctuation, contractions and digits are normalized away, and a best-first search
 * over the word graph allows cheap skips of filler words ("please", "uh", "the") and a few
 * expensive edits (an unknown word, a left-out grammar word, a misspelling). Text that needs more
 * edits than its matched words can carry is rejected (isUnderstood false), never forced onto the
 * nearest intent.
 */
import { expandWord, languageRules, normalizeText, type LanguageRules } from './normalize.js';
import type { ArcTag, CompiledContext, Understanding } from './types.js';

/** Costs of the edit operations; the search keeps the cheapest path. */
export const MATCH_COSTS = Object.freeze({
  /** An input filler word the grammar does not have ("please", "uh"). */
  fillerInsertion: 0.1,
  /** Any other input word the grammar does not have. */
  insertion: 1,
  /** A grammar filler word left out ("the", "to"). */
  fillerDeletion: 0.3,
  /** A grammar content word left out (never inside a slot value). */
  deletion: 1.2,
  /** A content word said a little differently ("tyres" for "tires", one typo). */
  substitution: 0.6,
  /** Paths above this are not explored. */
  maxCost: 2.6,
});

/** Two intents whose best paths cost within this of each other make the answer doubtful. */
const AMBIGUITY_MARGIN = 0.1;

export interface MatchOptions {
  /** Language of the text (default: the context's). Only English has filler and contraction tables. */
  readonly lang?: string;
  /** Only consider these intents (e.g. a dialogue waiting for a slot value or a yes/no). */
  readonly intents?: readonly string[];
}

/** Match details for tests and diagnostics, besides the Understanding. */
export interface MatchDetails extends Understanding {
  /** Normalized, contraction-expanded input tokens. */
  readonly tokens: readonly string[];
  readonly cost: number;
  readonly matchedContentWords: number;
  /** Unknown input words, grammar words left out (counted), and misspellings (counted half). */
  readonly errors: number;
  /** The nearest intent even when rejected (undefined when nothing was within reach). */
  readonly nearestIntent?: string;
}

interface Prepared {
  readonly rules: LanguageRules;
  /** Per arc: the tokens it consumes (null for epsilon arcs). */
  readonly arcTokens: readonly (readonly string[] | null)[];
  /** Per arc: whether all its tokens are fillers (cheap to leave out). */
  readonly arcFiller: readonly boolean[];
  /** Per node: index of the expression branch it belongs to (-1 for start and final). */
  readonly nodeBranch: Int32Array;
  /** Per branch: intent name. */
  readonly branchIntent: readonly string[];
  /** Single content tokens of the grammar, for misspelling lookup. */
  readonly contentTokens: readonly string[];
}

const preparedCache = new WeakMap<CompiledContext, Map<string, Prepared>>();

function prepare(compiled: CompiledContext, language: string): Prepared {
  let perLanguage = preparedCache.get(compiled);
  if (!perLanguage) {
    perLanguage = new Map();
    preparedCache.set(compiled, perLanguage);
  }
  const cached = perLanguage.get(language);
  if (cached) return cached;

  const rules = languageRules(language);
  const { graph } = compiled;
  const arcTokens = graph.arcs.map((arc) => (arc.word === null ? null : expandWord(arc.word, rules)));
  const arcFiller = arcTokens.map((tokens) => tokens !== null && tokens.every((t) => rules.fillers.has(t)));
  const nodeBranch = new Int32Array(graph.nodeCount).fill(-1);
  const branchIntent: string[] = [];
  for (let a = graph.arcOffsets[graph.start]!; a < graph.arcOffsets[graph.start + 1]!; a++) {
    const arc = graph.arcs[a]!;
    if (arc.tag?.type !== 'intent') continue;
    const branch = branchIntent.length;
    branchIntent.push(arc.tag.intent);
    const stack = [arc.to];
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (node === graph.final || nodeBranch[node] !== -1) continue;
      nodeBranch[node] = branch;
      for (let b = graph.arcOffsets[node]!; b < graph.arcOffsets[node + 1]!; b++) stack.push(graph.arcs[b]!.to);
    }
  }
  const content = new Set<string>();
  for (const tokens of arcTokens) {
    if (tokens?.length === 1 && !rules.fillers.has(tokens[0]!) && tokens[0]!.length >= 4) content.add(tokens[0]!);
  }
  const prepared: Prepared = { rules, arcTokens, arcFiller, nodeBranch, branchIntent, contentTokens: [...content] };
  perLanguage.set(language, prepared);
  return prepared;
}

/** Understand typed (or recognized) text with a compiled context. */
export function matchText(compiled: CompiledContext, text: string, options: MatchOptions = {}): Understanding {
  const { tokens: _tokens, cost: _cost, matchedContentWords: _m, errors: _e, nearestIntent: _n, ...understanding } =
    matchTextDetailed(compiled, text, options);
  return understanding;
}

/** What a search step did. */
const Step = {
  Epsilon: 0,
  Match: 1,
  Substitution: 2,
  Deletion: 3,
  FillerDeletion: 4,
  Insertion: 5,
  FillerInsertion: 6,
} as const;
type Step = (typeof Step)[keyof typeof Step];

interface Back {
  readonly prev: number;
  readonly step: Step;
  /** Arc index, or -1 for insertions. */
  readonly arc: number;
}

/** matchText with the numbers behind the decision. */
export function matchTextDetailed(compiled: CompiledContext, text: string, options: MatchOptions = {}): MatchDetails {
  const prepared = prepare(compiled, options.lang ?? compiled.language);
  const { rules, arcTokens, arcFiller, nodeBranch, branchIntent } = prepared;
  const { graph } = compiled;
  const tokens = normalizeText(text).flatMap((w) => expandWord(w, rules));
  const n = tokens.length;
  const rejected = (extra: Partial<MatchDetails> = {}): MatchDetails => ({
    isUnderstood: false,
    slots: {},
    numbers: {},
    confidence: 0,
    tokens,
    cost: Infinity,
    matchedContentWords: 0,
    errors: Infinity,
    ...extra,
  });
  if (n === 0) return rejected();

  const allowedIntents = options.intents ? new Set(options.intents) : undefined;
  // No path may cost more than the most errors the text could be allowed, plus room for fillers.
  const contentTokens = tokens.filter((t) => !rules.fillers.has(t)).length;
  const maxCost = Math.min(MATCH_COSTS.maxCost, MATCH_COSTS.deletion * allowedErrors(contentTokens + 1) + 0.9);
  const similar = similarTokens(tokens, prepared);
  const width = n + 1;
  const best = new Map<number, number>();
  const back = new Map<number, Back>();
  const heap = new MinHeap();
  const push = (state: number, cost: number, from: Back | undefined) => {
    if (cost > maxCost) return;
    const known = best.get(state);
    if (known !== undefined && known <= cost) return;
    best.set(state, cost);
    if (from) back.set(state, from);
    heap.push(cost, state);
  };
  const startState = graph.start * width;
  push(startState, 0, undefined);

  interface Candidate {
    readonly state: number;
    readonly cost: number;
    readonly branch: number;
  }
  const candidates: Candidate[] = [];
  const done = new Set<number>();
  while (heap.size > 0) {
    const { cost, value: state } = heap.pop();
    if (done.has(state)) continue;
    done.add(state);
    // Past the best candidate, only a close runner-up matters (it lowers the confidence).
    if (candidates.length > 0 && cost > candidates[0]!.cost + AMBIGUITY_MARGIN) break;
    const node = Math.floor(state / width);
    const pos = state % width;
    const inSlot = graph.insideSlot[node]!;

    // Skip an input word.
    if (pos < n) {
      const filler = rules.fillers.has(tokens[pos]!);
      if (filler || !inSlot) {
        push(state + 1, cost + (filler ? MATCH_COSTS.fillerInsertion : MATCH_COSTS.insertion), {
          prev: state,
          step: filler ? Step.FillerInsertion : Step.Insertion,
          arc: -1,
        });
      }
    }
    for (let a = graph.arcOffsets[node]!; a < graph.arcOffsets[node + 1]!; a++) {
      const arc = graph.arcs[a]!;
      if (arc.to === graph.final) {
        if (pos === n) candidates.push({ state, cost, branch: nodeBranch[node]! });
        continue;
      }
      const arcToks = arcTokens[a]!;
      if (arcToks === null) {
        let extra = 0;
        if (arc.tag?.type === 'intent') {
          if (allowedIntents && !allowedIntents.has(arc.tag.intent)) continue;
          // Declared order breaks ties: earlier expressions win.
          extra = 1e-6 * (nodeBranch[arc.to]! + 1);
        }
        push(arc.to * width + pos, cost + extra, { prev: state, step: Step.Epsilon, arc: a });
        continue;
      }
      if (pos + arcToks.length <= n && arcToks.every((t, i) => tokens[pos + i] === t)) {
        push(arc.to * width + pos + arcToks.length, cost, { prev: state, step: Step.Match, arc: a });
      } else if (pos < n && arcToks.length === 1 && similar.get(tokens[pos]!)?.has(arcToks[0]!)) {
        push(arc.to * width + pos + 1, cost + MATCH_COSTS.substitution, { prev: state, step: Step.Substitution, arc: a });
      }
      if (!inSlot) {
        const filler = arcFiller[a]!;
        push(arc.to * width + pos, cost + (filler ? MATCH_COSTS.fillerDeletion : MATCH_COSTS.deletion), {
          prev: state,
          step: filler ? Step.FillerDeletion : Step.Deletion,
          arc: a,
        });
      }
    }
  }
  if (candidates.length === 0) return rejected();

  const winner = candidates[0]!;
  const path = tracePath(winner.state, startState, back);
  const stats = pathStats(path, arcTokens, rules);
  const intent = branchIntent[winner.branch]!;
  const runnerUp = candidates.find((c) => branchIntent[c.branch] !== intent);

  const errors = stats.insertions + stats.deletions + 0.5 * stats.substitutions;
  const allowed = allowedErrors(stats.matchedContent);
  const penalty = errors + 0.05 * stats.fillerInsertions + 0.1 * stats.fillerDeletions;
  // A sentence of filler words only ("ok", "do it") counts when it is said exactly as written.
  const exact = penalty === 0 && stats.matchedWords > 0;
  const weight = Math.max(stats.matchedContent, 1);
  let confidence = weight / (weight + penalty);
  if (runnerUp) {
    const margin = runnerUp.cost - winner.cost;
    if (margin < AMBIGUITY_MARGIN) confidence *= 0.5 + margin / (2 * AMBIGUITY_MARGIN);
  }
  confidence = Math.round(confidence * 1000) / 1000;
  const details = { tokens, cost: winner.cost, matchedContentWords: stats.matchedContent, errors, nearestIntent: intent };
  if ((stats.matchedContent === 0 && !exact) || errors > allowed) return rejected({ ...details, confidence });

  const slots: Record<string, string> = {};
  const numbers: Record<string, number> = {};
  for (const step of path) {
    const tag: ArcTag | undefined = step.arc >= 0 ? graph.arcs[step.arc]!.tag : undefined;
    if (tag?.type !== 'slotEnd') continue;
    slots[tag.slot] = tag.value;
    if (tag.number !== undefined) numbers[tag.slot] = tag.number;
  }
  return { isUnderstood: true, intent, slots, numbers, confidence, ...details };
}

/** How many errors a match with this many matched content words may carry. */
function allowedErrors(matchedContent: number): number {
  return matchedContent >= 6 ? 2 : matchedContent >= 3 ? 1 : matchedContent >= 2 ? 0.5 : 0;
}

function tracePath(state: number, startState: number, back: ReadonlyMap<number, Back>): Back[] {
  const path: Back[] = [];
  let at = state;
  while (at !== startState) {
    const step = back.get(at)!;
    path.push(step);
    at = step.prev;
  }
  return path.reverse();
}

function pathStats(path: readonly Back[], arcTokens: Prepared['arcTokens'], rules: LanguageRules) {
  const stats = { matchedWords: 0, matchedContent: 0, insertions: 0, deletions: 0, substitutions: 0, fillerInsertions: 0, fillerDeletions: 0 };
  for (const step of path) {
    switch (step.step) {
      case Step.Match:
        stats.matchedWords++;
        if (arcTokens[step.arc]!.some((t) => !rules.fillers.has(t))) stats.matchedContent++;
        break;
      case Step.Substitution:
        stats.substitutions++;
        stats.matchedContent++;
        break;
      case Step.Insertion:
        stats.insertions++;
        break;
      case Step.FillerInsertion:
        stats.fillerInsertions++;
        break;
      case Step.Deletion:
        stats.deletions++;
        break;
      case Step.FillerDeletion:
        stats.fillerDeletions++;
        break;
      case Step.Epsilon:
        break;
    }
  }
  return stats;
}

/** For each input content word, the grammar words it may be a misspelling of. */
function similarTokens(tokens: readonly string[], prepared: Prepared): Map<string, Set<string>> {
  const result = new Map<string, Set<string>>();
  for (const token of new Set(tokens)) {
    if (token.length < 4 || prepared.rules.fillers.has(token)) continue;
    const maxDistance = token.length >= 8 ? 2 : 1;
    const near = new Set<string>();
    for (const word of prepared.contentTokens) {
      if (word !== token && Math.abs(word.length - token.length) <= maxDistance && editDistance(word, token, maxDistance) <= maxDistance) {
        near.add(word);
      }
    }
    if (near.size > 0) result.set(token, near);
  }
  return result;
}

/** Optimal string alignment distance (Levenshtein plus adjacent transpositions), capped early. */
export function editDistance(a: string, b: string, cap = Infinity): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  let prevPrev = new Array<number>(cols).fill(0);
  let prev = Array.from({ length: cols }, (_, j) => j);
  for (let i = 1; i < rows; i++) {
    const row = new Array<number>(cols);
    row[0] = i;
    let rowMin = i;
    for (let j = 1; j < cols; j++) {
      const substitution = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + substitution);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) value = Math.min(value, prevPrev[j - 2]! + 1);
      row[j] = value;
      rowMin = Math.min(rowMin, value);
    }
    if (rowMin > cap) return rowMin;
    prevPrev = prev;
    prev = row;
  }
  return prev[cols - 1]!;
}

/** Binary min-heap of (cost, value) pairs. */
class MinHeap {
  private readonly costs: number[] = [];
  private readonly values: number[] = [];

  get size(): number {
    return this.costs.length;
  }

  push(cost: number, value: number): void {
    let i = this.costs.length;
    this.costs.push(cost);
    this.values.push(value);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.costs[parent]! <= cost) break;
      this.costs[i] = this.costs[parent]!;
      this.values[i] = this.values[parent]!;
      i = parent;
    }
    this.costs[i] = cost;
    this.values[i] = value;
  }

  pop(): { cost: number; value: number } {
    const top = { cost: this.costs[0]!, value: this.values[0]! };
    const lastCost = this.costs.pop()!;
    const lastValue = this.values.pop()!;
    const size = this.costs.length;
    if (size > 0) {
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= size) break;
        const right = left + 1;
        const child = right < size && this.costs[right]! < this.costs[left]! ? right : left;
        if (this.costs[child]! >= lastCost) break;
        this.costs[i] = this.costs[child]!;
        this.values[i] = this.values[child]!;
        i = child;
      }
      this.costs[i] = lastCost;
      this.values[i] = lastValue;
    }
    return top;
  }
}
