/**
 * Frame-synchronous Viterbi (token passing) over a DecoderGraph. Scores are log probabilities;
 * a word-level back-pointer table records every word or epsilon arc a surviving token crossed, so
 * the best path's intent and slot tags come back without storing a full state lattice.
 */
import type { GraphArc } from '../../context/types.js';
import type { DecoderGraph } from './graph.js';

export interface SearchOptions {
  /** Multiplies the log posteriors (default 1). */
  readonly acousticScale?: number;
  /** Grammar states further than this below the best grammar state are dropped (default 60). */
  readonly beam?: number;
  /** At most this many grammar states survive a frame (histogram pruning; default unlimited). */
  readonly maxActive?: number;
  /** Per-phone log prior subtracted (times priorWeight) from the log posteriors: scaled likelihoods. */
  readonly logPrior?: Float32Array;
  readonly priorWeight?: number;
  /**
   * Grammar states never score a frame more than this below the frame's best phone (log domain; default
   * Infinity = off). One badly matched phone (an accent, a pronunciation the lexicon lacks) then costs a
   * bounded amount instead of dominating the path, and the per-frame gap to the free loop is bounded too.
   */
  readonly emitFloor?: number;
  /**
   * Prior weight of a second score carried along the best path (same decisions, other emissions) and of a
   * second free loop: the rejection margin is measured with it (default: priorWeight).
   */
  readonly rejectPriorWeight?: number;
  /**
   * The rejection reference's best partial-path score after each frame (index t + 1, length frames + 1),
   * e.g. a WordLoop's; replaces the free phone loop in the margins (default: the graph's free loop).
   */
  readonly rejectLoopScores?: Float64Array;
}

export interface SearchResult {
  /** Frames decoded. */
  readonly frames: number;
  /** Best grammar path score at the final node (-Infinity when no path survived). */
  readonly grammarScore: number;
  /** Free phone loop score. */
  readonly garbageScore: number;
  /** Arcs of the best grammar path, in order (word and tagged epsilon arcs). */
  readonly path: readonly GraphArc[];
  /** Word arcs on the path with their end frame (diagnostics). */
  readonly words: readonly { readonly word: string; readonly endFrame: number }[];
  /**
   * The speech part of the best path: from the node before its first word (reached at `startFrame`, -1
   * before the first frame) to the end of its last word, with the grammar's and the garbage loop's
   * scores over those frames (undefined when the path has no word).
   */
  readonly segment?: {
    readonly startFrame: number;
    readonly endFrame: number;
    readonly grammarScore: number;
    readonly garbageScore: number;
    /** The same with the rejection prior weight (rejectPriorWeight). */
    readonly rejectGrammarScore: number;
    readonly rejectGarbageScore: number;
  };
  /** Total grammar and garbage scores with the rejection prior weight. */
  readonly rejectGrammarScore: number;
  readonly rejectGarbageScore: number;
}

const NEG = -1e30;

class TraceTable {
  arc: Int32Array<ArrayBuffer> = new Int32Array(4096);
  prev: Int32Array<ArrayBuffer> = new Int32Array(4096);
  frame: Int32Array<ArrayBuffer> = new Int32Array(4096);
  score: Float64Array<ArrayBuffer> = new Float64Array(4096);
  aux: Float64Array<ArrayBuffer> = new Float64Array(4096);
  size = 0;

  add(arc: number, prev: number, frame: number, score: number, aux: number): number {
    if (this.size === this.arc.length) {
      const grow = (a: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> => {
        const b = new Int32Array(a.length * 2);
        b.set(a);
        return b;
      };
      this.arc = grow(this.arc);
      this.prev = grow(this.prev);
      this.frame = grow(this.frame);
      const score = new Float64Array(this.score.length * 2);
      score.set(this.score);
      this.score = score;
      const auxGrown = new Float64Array(this.aux.length * 2);
      auxGrown.set(this.aux);
      this.aux = auxGrown;
    }
    this.aux[this.size] = aux;
    this.arc[this.size] = arc;
    this.prev[this.size] = prev;
    this.frame[this.size] = frame;
    this.score[this.size] = score;
    return this.size++;
  }
}

/**
 * Decode `frames` x `phoneCount` log posteriors (frame-major) against the graph.
 * The path starts at the start node before frame 0 and must reach the final node after the last frame.
 * Tokens are pushed from the active states and nodes only (beam pruning keeps those lists short).
 */
export function viterbi(graph: DecoderGraph, logPost: Float32Array, frames: number, phoneCount: number, options: SearchOptions = {}): SearchResult {
  const scale = options.acousticScale ?? 1;
  const beam = options.beam ?? 60;
  const maxActive = options.maxActive ?? Infinity;
  const HIST_BINS = 64;
  const hist = new Int32Array(HIST_BINS);
  const prior = options.logPrior;
  const priorWeight = options.priorWeight ?? 0;
  const { stateCount, garbageStart, statePhone, statePrev, stateEnterCost, stateFrameCost, stateExit, exitNode, exitArc, nodeFirstOffsets, nodeFirst, topoRank, epsOffsets, epsTo, epsArc } = graph;
  const nodeCount = graph.nodeCount;

  let score = new Float64Array(stateCount);
  let next = new Float64Array(stateCount);
  let bp = new Int32Array(stateCount);
  let aux = new Float64Array(stateCount);
  let auxNext = new Float64Array(stateCount);
  let auxNode = new Float64Array(nodeCount);
  let auxNextNode = new Float64Array(nodeCount);
  let nextBp = new Int32Array(stateCount);
  const stateStamp = new Int32Array(stateCount).fill(-2);
  let active = new Int32Array(stateCount);
  let activeCount = 0;
  let touched = new Int32Array(stateCount);

  let nodeScore = new Float64Array(nodeCount);
  let nextNodeScore = new Float64Array(nodeCount);
  let nodeTrace = new Int32Array(nodeCount);
  let nextNodeTrace = new Int32Array(nodeCount);
  const nodeFromArc = new Int32Array(nodeCount);
  const nodeFromBp = new Int32Array(nodeCount);
  const nodeStamp = new Int32Array(nodeCount).fill(-2);
  let activeNodes = new Int32Array(nodeCount);
  let activeNodeCount = 0;
  let nextNodes = new Int32Array(nodeCount);
  const heap = new NodeHeap(nodeCount, topoRank);
  const traces = new TraceTable();
  const emit = new Float64Array(phoneCount);
  const emitFloor = options.emitFloor ?? Infinity;
  const floored = Number.isFinite(emitFloor);
  const emitGrammar = floored ? new Float64Array(phoneCount) : emit;
  const rejectPriorWeight = options.rejectPriorWeight ?? priorWeight;
  const emitAux = new Float64Array(phoneCount);
  /** Garbage loop score after each frame (index t + 1; index 0 = before the first frame). */
  const garbageAt = new Float64Array(frames + 1);

  // Reaching node n at frame `frame` (before the epsilon closure): keep the best.
  let nextNodeCount = 0;
  const reachNode = (n: number, v: number, arc: number, fromBp: number, frame: number, a: number): void => {
    if (nodeStamp[n] !== frame) {
      nodeStamp[n] = frame;
      nextNodeScore[n] = v;
      auxNextNode[n] = a;
      nodeFromArc[n] = arc;
      nodeFromBp[n] = fromBp;
      heap.push(n);
    } else if (v > nextNodeScore[n]!) {
      nextNodeScore[n] = v;
      auxNextNode[n] = a;
      nodeFromArc[n] = arc;
      nodeFromBp[n] = fromBp;
    }
  };
  // Epsilon closure in topological order; fills nextNodes / nextNodeTrace.
  const closeNodes = (frame: number, nodeThreshold: number): void => {
    nextNodeCount = 0;
    while (heap.size > 0) {
      const n = heap.pop();
      const v = nextNodeScore[n]!;
      if (v < nodeThreshold && n !== graph.final && n !== graph.garbageNode) continue;
      // Every node reached gets a trace entry (silence exits too, arc -1: they mark where speech starts);
      // the garbage loop keeps no path.
      const a = auxNextNode[n]!;
      const tr = n === graph.garbageNode ? -1 : traces.add(nodeFromArc[n]!, nodeFromBp[n]!, frame, v, a);
      nextNodeTrace[n] = tr;
      nextNodes[nextNodeCount++] = n;
      for (let k = epsOffsets[n]!; k < epsOffsets[n + 1]!; k++) reachNode(epsTo[k]!, v, epsArc[k]!, tr, frame, a);
    }
  };

  // Before frame 0: the start node and its epsilon closure (intent arcs etc.), and the garbage node.
  reachNode(graph.start, 0, -2, -1, -1, 0);
  reachNode(graph.garbageNode, 0, -1, -1, -1, 0);
  closeNodes(-1, -Infinity);
  [nodeScore, nextNodeScore] = [nextNodeScore, nodeScore];
  [nodeTrace, nextNodeTrace] = [nextNodeTrace, nodeTrace];
  [auxNode, auxNextNode] = [auxNextNode, auxNode];
  [activeNodes, nextNodes] = [nextNodes, activeNodes];
  activeNodeCount = nextNodeCount;

  for (let t = 0; t < frames; t++) {
    const base = t * phoneCount;
    for (let p = 0; p < phoneCount; p++) {
      let v = logPost[base + p]!;
      if (prior) v -= priorWeight * prior[p]!;
      emit[p] = scale * v;
    }
    if (floored) {
      let top = -Infinity;
      for (let p = 0; p < phoneCount; p++) if (emit[p]! > top) top = emit[p]!;
      for (let p = 0; p < phoneCount; p++) emitGrammar[p] = Math.max(emit[p]!, top - emitFloor);
    }
    for (let p = 0; p < phoneCount; p++) {
      let v = logPost[base + p]!;
      if (prior) v -= rejectPriorWeight * prior[p]!;
      emitAux[p] = scale * v;
    }
    let touchedCount = 0;
    // Self-loops and chain steps from the active states.
    for (let i = 0; i < activeCount; i++) {
      const s = active[i]!;
      const v = score[s]!;
      const b = bp[s]!;
      const a = aux[s]!;
      if (stateStamp[s] !== t) {
        stateStamp[s] = t;
        next[s] = v;
        nextBp[s] = b;
        auxNext[s] = a;
        touched[touchedCount++] = s;
      } else if (v > next[s]!) {
        next[s] = v;
        nextBp[s] = b;
        auxNext[s] = a;
      }
      const s1 = s + 1;
      if (s1 < stateCount && statePrev[s1] === s) {
        const enter = stateEnterCost[s1]!;
        const c = v + enter;
        if (stateStamp[s1] !== t) {
          stateStamp[s1] = t;
          next[s1] = c;
          nextBp[s1] = b;
          auxNext[s1] = a + enter;
          touched[touchedCount++] = s1;
        } else if (c > next[s1]!) {
          next[s1] = c;
          nextBp[s1] = b;
          auxNext[s1] = a + enter;
        }
      }
    }
    // Chain entries from the nodes reached at the previous frame.
    for (let i = 0; i < activeNodeCount; i++) {
      const n = activeNodes[i]!;
      const v = nodeScore[n]!;
      const b = nodeTrace[n]!;
      const a = auxNode[n]!;
      for (let k = nodeFirstOffsets[n]!; k < nodeFirstOffsets[n + 1]!; k++) {
        const f = nodeFirst[k]!;
        const enter = stateEnterCost[f]!;
        const c = v + enter;
        if (stateStamp[f] !== t) {
          stateStamp[f] = t;
          next[f] = c;
          nextBp[f] = b;
          auxNext[f] = a + enter;
          touched[touchedCount++] = f;
        } else if (c > next[f]!) {
          next[f] = c;
          nextBp[f] = b;
          auxNext[f] = a + enter;
        }
      }
    }
    let bestGrammar = -Infinity;
    for (let i = 0; i < touchedCount; i++) {
      const s = touched[i]!;
      const ph = statePhone[s]!;
      const v = next[s]! + (s < garbageStart ? emitGrammar : emit)[ph]! + stateFrameCost[s]!;
      next[s] = v;
      auxNext[s]! += emitAux[ph]! + stateFrameCost[s]!;
      if (s < garbageStart && v > bestGrammar) bestGrammar = v;
    }
    // Beam: drop grammar states far below the best one (garbage states are few and always kept).
    let threshold = bestGrammar - beam;
    if (touchedCount > maxActive) {
      // Histogram pruning: tighten the beam so that about maxActive grammar states stay.
      hist.fill(0);
      const binWidth = beam / HIST_BINS;
      for (let i = 0; i < touchedCount; i++) {
        const s = touched[i]!;
        if (s >= garbageStart) continue;
        const d = bestGrammar - next[s]!;
        if (d < beam) hist[Math.min(HIST_BINS - 1, Math.floor(d / binWidth))]!++;
      }
      let sum = 0;
      for (let b = 0; b < HIST_BINS; b++) {
        sum += hist[b]!;
        if (sum > maxActive) {
          threshold = bestGrammar - Math.max(1, b) * binWidth;
          break;
        }
      }
    }
    let kept = 0;
    for (let i = 0; i < touchedCount; i++) {
      const s = touched[i]!;
      const v = next[s]!;
      if (s < garbageStart && v < threshold) continue;
      touched[kept++] = s;
      const e = stateExit[s]!;
      if (e >= 0) reachNode(exitNode[e]!, v, exitArc[e]!, nextBp[s]!, t, auxNext[s]!);
    }
    closeNodes(t, threshold);

    garbageAt[t + 1] = nodeStamp[graph.garbageNode] === t ? nextNodeScore[graph.garbageNode]! : NEG;
    [score, next] = [next, score];
    [bp, nextBp] = [nextBp, bp];
    [aux, auxNext] = [auxNext, aux];
    [auxNode, auxNextNode] = [auxNextNode, auxNode];
    [active, touched] = [touched, active];
    activeCount = kept;
    [nodeScore, nextNodeScore] = [nextNodeScore, nodeScore];
    [nodeTrace, nextNodeTrace] = [nextNodeTrace, nodeTrace];
    [activeNodes, nextNodes] = [nextNodes, activeNodes];
    activeNodeCount = nextNodeCount;
  }

  let finalScore = NEG;
  let garbage = NEG;
  let finalTrace = -1;
  let finalAux = NEG;
  for (let i = 0; i < activeNodeCount; i++) {
    const n = activeNodes[i]!;
    if (n === graph.final) {
      finalScore = nodeScore[n]!;
      finalAux = auxNode[n]!;
      finalTrace = nodeTrace[n]!;
    } else if (n === graph.garbageNode) garbage = nodeScore[n]!;
  }
  if (frames === 0) {
    finalScore = NEG;
    garbage = NEG;
  }
  const grammarScore = finalScore;
  // The free loop again with the rejection prior weight (cheap: one state chain per phone).
  const rejectLoop = options.rejectLoopScores ?? (rejectPriorWeight === priorWeight || !prior ? garbageAt : phoneLoop(graph, logPost, frames, phoneCount, (p) => scale * -(rejectPriorWeight * prior[p]!), scale));
  const garbageScore = garbage;
  const path: GraphArc[] = [];
  const words: { word: string; endFrame: number }[] = [];
  let segment: SearchResult['segment'];
  if (grammarScore > NEG) {
    let lastWord = -1;
    let firstWord = -1;
    for (let tr = finalTrace; tr >= 0; tr = traces.prev[tr]!) {
      const a = traces.arc[tr]!;
      if (a < 0) continue;
      const arc = graph.arcs[a]!;
      path.push(arc);
      if (arc.word !== null) {
        words.push({ word: arc.word, endFrame: traces.frame[tr]! });
        if (lastWord < 0) lastWord = tr;
        firstWord = tr;
      }
    }
    path.reverse();
    words.reverse();
    if (lastWord >= 0) {
      const before = traces.prev[firstWord]!;
      const startFrame = before >= 0 ? traces.frame[before]! : -1;
      const startScore = before >= 0 ? traces.score[before]! : 0;
      const startAux = before >= 0 ? traces.aux[before]! : 0;
      const endFrame = traces.frame[lastWord]!;
      segment = {
        startFrame,
        endFrame,
        grammarScore: traces.score[lastWord]! - startScore,
        garbageScore: garbageAt[endFrame + 1]! - garbageAt[startFrame + 1]!,
        rejectGrammarScore: traces.aux[lastWord]! - startAux,
        rejectGarbageScore: rejectLoop[endFrame + 1]! - rejectLoop[startFrame + 1]!,
      };
    }
  }
  return {
    frames,
    grammarScore: grammarScore > NEG ? grammarScore : -Infinity,
    garbageScore: garbageScore > NEG ? garbageScore : -Infinity,
    rejectGrammarScore: grammarScore > NEG ? finalAux : -Infinity,
    rejectGarbageScore: frames > 0 ? rejectLoop[frames]! : -Infinity,
    path,
    words,
    ...(segment ? { segment } : {}),
  };
}

/**
 * Best free-loop score after each frame (index t + 1) over the graph's garbage states (same topology and
 * costs as in the search), with emissions scale * logPost + offset(phone).
 */
export function phoneLoop(graph: DecoderGraph, logPost: Float32Array, frames: number, phoneCount: number, offset: (phone: number) => number, scale: number): Float64Array {
  const start = graph.garbageStart;
  const n = graph.stateCount - start;
  let cur = new Float64Array(n).fill(NEG);
  let nxt = new Float64Array(n);
  const out = new Float64Array(frames + 1);
  const off = new Float64Array(phoneCount);
  for (let p = 0; p < phoneCount; p++) off[p] = offset(p);
  let node = 0;
  for (let t = 0; t < frames; t++) {
    for (let i = 0; i < n; i++) {
      const s = start + i;
      let v = cur[i]!;
      const prev = graph.statePrev[s]!;
      const from = prev >= 0 ? cur[prev - start]! + graph.stateEnterCost[s]! : node + graph.stateEnterCost[s]!;
      if (from > v) v = from;
      nxt[i] = v + scale * logPost[t * phoneCount + graph.statePhone[s]!]! + off[graph.statePhone[s]!]!;
    }
    let best = NEG;
    for (let e = 0; e < graph.exitState.length; e++) {
      const s = graph.exitState[e]!;
      if (s >= start && nxt[s - start]! > best) best = nxt[s - start]!;
    }
    node = best;
    out[t + 1] = best;
    [cur, nxt] = [nxt, cur];
  }
  return out;
}

/** Binary min-heap of node ids ordered by topological rank (each node at most once per frame). */
class NodeHeap {
  private readonly items: Int32Array;
  size = 0;

  constructor(capacity: number, private readonly rank: Int32Array) {
    this.items = new Int32Array(capacity);
  }

  push(n: number): void {
    const items = this.items;
    const r = this.rank[n]!;
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = items[parent]!;
      if (this.rank[p]! <= r) break;
      items[i] = p;
      i = parent;
    }
    items[i] = n;
  }

  pop(): number {
    const items = this.items;
    const top = items[0]!;
    const last = items[--this.size]!;
    const r = this.rank[last]!;
    let i = 0;
    const size = this.size;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= size) break;
      if (child + 1 < size && this.rank[items[child + 1]!]! < this.rank[items[child]!]!) child++;
      if (this.rank[items[child]!]! >= r) break;
      items[i] = items[child]!;
      i = child;
    }
    if (size > 0) items[i] = last;
    return top;
  }
}
