/**
 * From a search result to an understanding: intent and slots from the tags on the best path, and the
 * rejection test (the free phone loop against the grammar, per frame).
 */
import type { GraphArc } from '../../context/types.js';
import type { SearchResult } from './viterbi.js';

export interface RejectionOptions {
  /**
   * Reject when (garbage - grammar) / frames exceeds this (log-prob per frame). Tuned on synthetic
   * speech only (see DEFAULT_DECODER_CONFIG).
   */
  readonly margin: number;
  /**
   * Frames outside the speech segment (before the first word, after the last) are explained as silence by
   * the grammar; reject when the free loop beats that by more than this per frame (speech around the
   * command). Infinity disables the test.
   */
  readonly outsideMargin?: number;
  /**
   * The margin grows with the model's own uncertainty on the speech segment: reject when
   * marginPerFrame > margin + entropyWeight * entropyPerFrame (default 0: a fixed margin). A voice the
   * model is unsure about spreads its posteriors over several phones, which lets the free loop gain on
   * every path, right or wrong; the entropy term keeps that from reading as out-of-context speech.
   */
  readonly entropyWeight?: number;
  /**
   * The margin grows with the free phone loop's own gap over the same frames: reject when
   * marginPerFrame > margin + phoneGapWeight * phoneMarginPerFrame (default 0). With a word loop as the
   * reference, the phone loop's gap measures how unsure the model is (it gains on any path where the
   * posteriors are spread), so a command heard badly gets some slack while out-of-context words, which the
   * word loop explains, do not.
   */
  readonly phoneGapWeight?: number;
}

export interface Interpretation {
  readonly isUnderstood: boolean;
  readonly intent?: string;
  readonly slots: Record<string, string>;
  readonly numbers: Record<string, number>;
  /** 0..1: 0.5 exactly at the rejection margin. */
  readonly confidence: number;
  /** (garbage - grammar) per frame over the speech segment; Infinity when no grammar path survived. */
  readonly marginPerFrame: number;
  /** (garbage - grammar) per frame over the frames outside the segment (0 when there are none). */
  readonly outsideMarginPerFrame: number;
  /** (free phone loop - grammar) per frame over the speech segment, with the search's prior weight. */
  readonly phoneMarginPerFrame: number;
  /** Mean entropy (nats) of the frame posteriors over the speech segment (0 without frame entropies). */
  readonly entropyPerFrame: number;
  /** Best grammar path's words (also when rejected: diagnostics). */
  readonly words: readonly string[];
  /** Best grammar path's intent even when rejected. */
  readonly nearestIntent?: string;
}

/** Intent and slots carried by a path's tags. */
export function readTags(path: readonly GraphArc[]): { intent?: string; slots: Record<string, string>; numbers: Record<string, number> } {
  let intent: string | undefined;
  const slots: Record<string, string> = {};
  const numbers: Record<string, number> = {};
  for (const arc of path) {
    const tag = arc.tag;
    if (!tag) continue;
    if (tag.type === 'intent') intent = tag.intent;
    else if (tag.type === 'slotEnd') {
      slots[tag.slot] = tag.value;
      if (tag.number !== undefined) numbers[tag.slot] = tag.number;
    }
  }
  return { ...(intent === undefined ? {} : { intent }), slots, numbers };
}

/**
 * `frameEntropy`: per-frame entropy of the posteriors (see frameEntropies); needed for `entropyWeight`.
 */
export function interpret(result: SearchResult, options: RejectionOptions, frameEntropy?: Float32Array): Interpretation {
  const words = result.words.map((w) => w.word);
  if (!Number.isFinite(result.grammarScore) || result.frames === 0) {
    return { isUnderstood: false, slots: {}, numbers: {}, confidence: 0, marginPerFrame: Infinity, phoneMarginPerFrame: Infinity, outsideMarginPerFrame: Infinity, entropyPerFrame: 0, words };
  }
  const tags = readTags(result.path);
  // Signed: with an emission floor or a garbage phone cost the grammar can beat the free loop.
  const totalGap = result.rejectGarbageScore - result.rejectGrammarScore;
  const seg = result.segment;
  const segFrames = seg ? seg.endFrame - seg.startFrame : result.frames;
  const segGap = seg ? seg.rejectGarbageScore - seg.rejectGrammarScore : totalGap;
  const marginPerFrame = segGap / Math.max(1, segFrames);
  const phoneGap = seg ? seg.garbageScore - seg.grammarScore : result.garbageScore - result.grammarScore;
  const phoneMarginPerFrame = phoneGap / Math.max(1, segFrames);
  const outsideFrames = result.frames - segFrames;
  const outsideMarginPerFrame = outsideFrames > 0 ? Math.max(0, totalGap - segGap) / outsideFrames : 0;
  let entropyPerFrame = 0;
  if (frameEntropy) {
    const from = seg ? seg.startFrame + 1 : 0;
    const to = seg ? seg.endFrame : result.frames - 1;
    let sum = 0;
    for (let t = from; t <= to; t++) sum += frameEntropy[t] ?? 0;
    entropyPerFrame = sum / Math.max(1, to - from + 1);
  }
  const threshold = options.margin + (options.entropyWeight ?? 0) * entropyPerFrame + (options.phoneGapWeight ?? 0) * Math.max(0, phoneMarginPerFrame);
  // Logistic in the per-frame gap, 0.5 at the threshold, so callers can set their own.
  const k = 4 / Math.max(0.05, Math.abs(threshold));
  const confidence = 1 / (1 + Math.exp(k * (marginPerFrame - threshold)));
  const isUnderstood = marginPerFrame <= threshold && outsideMarginPerFrame <= (options.outsideMargin ?? Infinity) && tags.intent !== undefined;
  if (!isUnderstood) {
    return { isUnderstood: false, slots: {}, numbers: {}, confidence: Math.min(confidence, 0.49), marginPerFrame, phoneMarginPerFrame, outsideMarginPerFrame, entropyPerFrame, words, ...(tags.intent ? { nearestIntent: tags.intent } : {}) };
  }
  return { isUnderstood, intent: tags.intent!, slots: tags.slots, numbers: tags.numbers, confidence, marginPerFrame, phoneMarginPerFrame, outsideMarginPerFrame, entropyPerFrame, words, nearestIntent: tags.intent! };
}

/** Entropy (nats) of each frame's phone posterior distribution, from frame-major log posteriors. */
export function frameEntropies(logPost: Float32Array, frames: number, phoneCount: number): Float32Array {
  const out = new Float32Array(frames);
  for (let t = 0; t < frames; t++) {
    let h = 0;
    for (let p = 0; p < phoneCount; p++) {
      const l = logPost[t * phoneCount + p]!;
      h -= Math.exp(l) * l;
    }
    out[t] = h;
  }
  return out;
}
