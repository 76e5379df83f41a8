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

export function interpret(result: SearchResult, options: RejectionOptions): Interpretation {
  const words = result.words.map((w) => w.word);
  if (!Number.isFinite(result.grammarScore) || result.frames === 0) {
    return { isUnderstood: false, slots: {}, numbers: {}, confidence: 0, marginPerFrame: Infinity, outsideMarginPerFrame: Infinity, words };
  }
  const tags = readTags(result.path);
  const totalGap = Math.max(0, result.garbageScore - result.grammarScore);
  const seg = result.segment;
  const segFrames = seg ? seg.endFrame - seg.startFrame : result.frames;
  const segGap = seg ? Math.max(0, seg.garbageScore - seg.grammarScore) : totalGap;
  const marginPerFrame = segGap / Math.max(1, segFrames);
  const outsideFrames = result.frames - segFrames;
  const outsideMarginPerFrame = outsideFrames > 0 ? Math.max(0, totalGap - segGap) / outsideFrames : 0;
  // Logistic in the per-frame gap, 0.5 at the margin, so callers can set their own threshold.
  const k = 4 / Math.max(1e-6, options.margin);
  const confidence = 1 / (1 + Math.exp(k * (marginPerFrame - options.margin)));
  const isUnderstood = marginPerFrame <= options.margin && outsideMarginPerFrame <= (options.outsideMargin ?? Infinity) && tags.intent !== undefined;
  if (!isUnderstood) {
    return { isUnderstood: false, slots: {}, numbers: {}, confidence: Math.min(confidence, 0.49), marginPerFrame, outsideMarginPerFrame, words, ...(tags.intent ? { nearestIntent: tags.intent } : {}) };
  }
  return { isUnderstood, intent: tags.intent!, slots: tags.slots, numbers: tags.numbers, confidence, marginPerFrame, outsideMarginPerFrame, words, nearestIntent: tags.intent! };
}
