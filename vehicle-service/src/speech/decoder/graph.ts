/**
 * Expansion of a context's word graph into a phone-level HMM for frame-synchronous Viterbi:
 * every pronunciation of every word arc becomes a chain of emitting states (`statesPerPhone` per
 * phone, each with a self-loop, so a phone lasts at least that many frames), word-graph nodes stay
 * non-emitting, epsilon arcs (with the intent and slot tags) join nodes, and an optional silence
 * (SIL states) loops on every node where a word starts and on the start and final nodes. A free
 * phone loop (garbage model) over every phone is appended: its score is what the audio would get
 * with no grammar at all, and the rejection test compares the two.
 */
import type { GraphArc, WordGraph } from '../../context/types.js';

export interface DecoderGraphOptions {
  /** Emitting states per phone = minimum duration in frames (default 2, i.e. 40 ms at 50 Hz). */
  readonly statesPerPhone?: number;
  /** States of an optional pause between words (default 1). */
  readonly silenceStates?: number;
}

export interface WordPronouncer {
  /** Phone index sequences of a word (each a variant); [] when the word cannot be pronounced. */
  (word: string): readonly (readonly number[])[];
}

/** Flat, typed-array HMM graph (the decoder's input). */
export interface DecoderGraph {
  readonly stateCount: number;
  /** Index of the first garbage-loop state; states below are the grammar's. */
  readonly garbageStart: number;
  readonly statePhone: Int32Array;
  /** Previous state in the chain, or -1 for a chain's first state (entered from `stateEntry`). */
  readonly statePrev: Int32Array;
  /** Node a chain's first state is entered from (-1 otherwise). */
  readonly stateEntry: Int32Array;
  /** Cost added when the state is entered from outside itself at a phone start (log domain, <= 0). */
  readonly stateEnterCost: Float32Array;
  /** Cost added on every frame spent in the state (the noise filler's penalty; 0 elsewhere). */
  readonly stateFrameCost: Float32Array;
  /** Chain ends: state, node reached, word arc index (-1 for silence or garbage). */
  readonly exitState: Int32Array;
  readonly exitNode: Int32Array;
  readonly exitArc: Int32Array;
  /** Per state: index into exitState/... when a chain ends there, else -1. */
  readonly stateExit: Int32Array;
  /** First states of the chains entered from node n: `nodeFirst[nodeFirstOffsets[n] .. [n+1])`. */
  readonly nodeFirstOffsets: Int32Array;
  readonly nodeFirst: Int32Array;
  /** Position of each node in topological order (the garbage node last). */
  readonly topoRank: Int32Array;
  /** Word-graph node count + 1 (the garbage loop node, index `garbageNode`). */
  readonly nodeCount: number;
  readonly garbageNode: number;
  readonly start: number;
  readonly final: number;
  /** Word-graph nodes in topological order. */
  readonly topoOrder: Int32Array;
  /** Epsilon arcs leaving node n: `epsTo/epsArc[epsOffsets[n] .. epsOffsets[n+1])`. */
  readonly epsOffsets: Int32Array;
  readonly epsTo: Int32Array;
  readonly epsArc: Int32Array;
  readonly arcs: readonly GraphArc[];
  /** Words no pronunciation could be found for (their arcs are dropped). */
  readonly unpronounceable: readonly string[];
}

export interface GraphCosts {
  /** Added on entering each phone (grammar and garbage alike). */
  readonly phoneEnter: number;
  /** Added on entering each free-loop phone, on top of phoneEnter (default 0). */
  readonly garbagePhoneEnter?: number;
  /** Added on entering an optional pause between words. */
  readonly silenceEnter: number;
  /**
   * Per-frame cost of the filler before the first and after the last word: any phone may explain those
   * frames (noise the model does not call silence) at this cost per frame. Infinity: silence only.
   */
  readonly fillerFrame?: number;
}

export function buildDecoderGraph(
  graph: WordGraph,
  pronounce: WordPronouncer,
  phoneCount: number,
  costs: GraphCosts,
  options: DecoderGraphOptions = {},
): DecoderGraph {
  const perPhone = Math.max(1, options.statesPerPhone ?? 2);
  const silStates = Math.max(1, options.silenceStates ?? 1);
  const phone: number[] = [];
  const prev: number[] = [];
  const entry: number[] = [];
  const enterCost: number[] = [];
  const frameCost: number[] = [];
  const exitState: number[] = [];
  const exitNode: number[] = [];
  const exitArc: number[] = [];

  const addChain = (phones: readonly number[], states: number, from: number, to: number, arc: number, firstCost: number, perFrame = 0): void => {
    let last = -1;
    phones.forEach((p, pi) => {
      for (let k = 0; k < states; k++) {
        const s = phone.length;
        phone.push(p);
        prev.push(last);
        entry.push(last === -1 ? from : -1);
        enterCost.push(k === 0 ? (pi === 0 ? firstCost : costs.phoneEnter) : 0);
        frameCost.push(perFrame);
        last = s;
      }
    });
    exitState.push(last);
    exitNode.push(to);
    exitArc.push(arc);
  };

  const unpronounceable = new Set<string>();
  const hasWordOut = new Uint8Array(graph.nodeCount);
  graph.arcs.forEach((arc, index) => {
    if (arc.word === null) return;
    const variants = pronounce(arc.word);
    if (variants.length === 0) {
      unpronounceable.add(arc.word);
      return;
    }
    hasWordOut[arc.from] = 1;
    for (const phones of variants) addChain(phones, perPhone, arc.from, arc.to, index, costs.phoneEnter);
  });
  // Optional pauses: between words, and leading/trailing silence of any length.
  for (let n = 0; n < graph.nodeCount; n++) {
    if (hasWordOut[n] || n === graph.start || n === graph.final) {
      addChain([0], silStates, n, n, -1, n === graph.start || n === graph.final ? 0 : costs.silenceEnter);
    }
  }
  // Noise filler around the command: one self-looped state per phone on the start and final nodes.
  const filler = costs.fillerFrame ?? Infinity;
  if (Number.isFinite(filler)) {
    for (const n of [graph.start, graph.final]) for (let p = 1; p < phoneCount; p++) addChain([p], 1, n, n, -1, costs.phoneEnter, -filler);
  }
  // Garbage: a free loop over every phone (SIL included) on its own node.
  const garbageStart = phone.length;
  const garbageNode = graph.nodeCount;
  for (let p = 0; p < phoneCount; p++) addChain([p], p === 0 ? silStates : perPhone, garbageNode, garbageNode, -1, costs.phoneEnter + (costs.garbagePhoneEnter ?? 0));

  // Topological order of the word graph (it is acyclic; node ids are not in order).
  const indegree = new Int32Array(graph.nodeCount);
  for (const arc of graph.arcs) indegree[arc.to]!++;
  const topo = new Int32Array(graph.nodeCount);
  let head = 0;
  let tail = 0;
  for (let n = 0; n < graph.nodeCount; n++) if (indegree[n] === 0) topo[tail++] = n;
  while (head < tail) {
    const n = topo[head++]!;
    for (let a = graph.arcOffsets[n]!; a < graph.arcOffsets[n + 1]!; a++) {
      const to = graph.arcs[a]!.to;
      if (--indegree[to]! === 0) topo[tail++] = to;
    }
  }
  if (tail !== graph.nodeCount) throw new Error('the word graph has a cycle');

  const epsOffsets = new Int32Array(graph.nodeCount + 2);
  const epsTo: number[] = [];
  const epsArc: number[] = [];
  for (let n = 0; n < graph.nodeCount; n++) {
    epsOffsets[n] = epsTo.length;
    for (let a = graph.arcOffsets[n]!; a < graph.arcOffsets[n + 1]!; a++) {
      const arc = graph.arcs[a]!;
      if (arc.word === null) {
        epsTo.push(arc.to);
        epsArc.push(a);
      }
    }
  }
  epsOffsets[graph.nodeCount] = epsTo.length;
  epsOffsets[graph.nodeCount + 1] = epsTo.length;

  const stateCount = phone.length;
  const nodeCount = graph.nodeCount + 1;
  const stateExit = new Int32Array(stateCount).fill(-1);
  exitState.forEach((st, e) => (stateExit[st] = e));
  const nodeFirstOffsets = new Int32Array(nodeCount + 1);
  for (let st = 0; st < stateCount; st++) if (prev[st] === -1) nodeFirstOffsets[entry[st]! + 1]!++;
  for (let n = 0; n < nodeCount; n++) nodeFirstOffsets[n + 1]! += nodeFirstOffsets[n]!;
  const fill = nodeFirstOffsets.slice(0, nodeCount);
  const nodeFirst = new Int32Array(nodeFirstOffsets[nodeCount]!);
  for (let st = 0; st < stateCount; st++) if (prev[st] === -1) nodeFirst[fill[entry[st]!]!++] = st;
  const topoRank = new Int32Array(nodeCount);
  topo.forEach((n, i) => (topoRank[n] = i));
  topoRank[garbageNode] = graph.nodeCount;

  return {
    stateCount,
    stateExit,
    nodeFirstOffsets,
    nodeFirst,
    topoRank,
    garbageStart,
    statePhone: Int32Array.from(phone),
    statePrev: Int32Array.from(prev),
    stateEntry: Int32Array.from(entry),
    stateEnterCost: Float32Array.from(enterCost),
    stateFrameCost: Float32Array.from(frameCost),
    exitState: Int32Array.from(exitState),
    exitNode: Int32Array.from(exitNode),
    exitArc: Int32Array.from(exitArc),
    nodeCount: graph.nodeCount + 1,
    garbageNode,
    start: graph.start,
    final: graph.final,
    topoOrder: topo,
    epsOffsets,
    epsTo: Int32Array.from(epsTo),
    epsArc: Int32Array.from(epsArc),
    arcs: graph.arcs,
    unpronounceable: [...unpronounceable].sort(),
  };
}
