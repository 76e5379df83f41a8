/**
 * A rejection reference made of words: a loop over a general English vocabulary (every lexicon word, as a
 * lexical prefix tree of phone HMMs) that competes with the context's grammar.
 *
 * Why not only a free phone loop: the free loop may string together any phones, so whenever the acoustic
 * model is unsure (a voice, a microphone or an accent it has not heard) it gains on every grammar path,
 * right or wrong, and a margin calibrated on clean synthetic voices rejects real speakers. A word loop only
 * gains where the audio is better explained by *other words*: an in-context command, even heard badly, is
 * explained about as well by the grammar (its own words are in both), while out-of-context speech is
 * explained by the words actually said. The gap therefore depends much less on how sure the model is.
 *
 * Scores are comparable with the grammar search: the same per-phone states (statesPerPhone, self loops), the
 * same emissions (scaled log posteriors minus the weighted prior); `out[t + 1]` is the best partial path
 * score after frame t, so the margin over a segment is `out[end + 1] - out[start + 1]`.
 */

export interface WordLoopOptions {
  /** Emitting states per phone (the grammar's statesPerPhone). */
  readonly statesPerPhone: number;
  /** Log cost of starting a word (<= 0; a per-word insertion penalty). */
  readonly wordEnter: number;
  /** Log cost of a pause between words. */
  readonly silenceEnter: number;
  /** States further than this below the frame's best are dropped. */
  readonly beam: number;
  /** At most this many states survive a frame (histogram pruning). */
  readonly maxActive: number;
}

export const DEFAULT_WORD_LOOP_OPTIONS: WordLoopOptions = Object.freeze({ statesPerPhone: 2, wordEnter: 0, silenceEnter: 0, beam: 14, maxActive: 20000 });

const NEG = -1e30;

function comparePhones(a: readonly number[], b: readonly number[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

export class WordLoop {
  private buffers: { cur: Float64Array; nxt: Float64Array; stamp: Float64Array; clock: number } | undefined;

  private constructor(
    /** Phone of each tree node. */
    private readonly nodePhone: Int32Array,
    /** Children of node n: childList[childOffsets[n] .. childOffsets[n + 1]). */
    private readonly childOffsets: Int32Array,
    private readonly childList: Int32Array,
    /** 1 where a word ends at the node. */
    private readonly wordEnd: Uint8Array,
    /** Nodes entered from the loop (first phones). */
    private readonly roots: Int32Array,
    readonly words: number,
  ) {}

  /** Tree nodes (phones) of the loop. */
  get nodes(): number {
    return this.nodePhone.length;
  }

  /** Builds the prefix tree from phone-index sequences (one per word variant; SIL = 0 never appears). */
  static build(pronunciations: Iterable<readonly number[]>): WordLoop {
    // Sorted sequences share their prefix with the previous one, so the tree grows along one path (a stack)
    // with no map of prefixes: building from the 130k-word lexicon stays small in memory.
    const sorted = [...pronunciations].filter((p) => p.length > 0).sort(comparePhones);
    const phone: number[] = [];
    const parent: number[] = [];
    const end: number[] = [];
    const path: number[] = [];
    let previous: readonly number[] = [];
    let words = 0;
    for (const pron of sorted) {
      let shared = 0;
      while (shared < pron.length && shared < previous.length && pron[shared] === previous[shared]) shared++;
      path.length = shared;
      for (let i = shared; i < pron.length; i++) {
        const n = phone.length;
        phone.push(pron[i]!);
        parent.push(i === 0 ? -1 : path[i - 1]!);
        end.push(0);
        path.push(n);
      }
      const last = path[pron.length - 1]!;
      if (!end[last]) words++;
      end[last] = 1;
      previous = pron;
    }
    const count = phone.length;
    const childOffsets = new Int32Array(count + 1);
    const roots: number[] = [];
    for (let n = 0; n < count; n++) {
      if (parent[n]! < 0) roots.push(n);
      else childOffsets[parent[n]! + 1]!++;
    }
    for (let n = 0; n < count; n++) childOffsets[n + 1]! += childOffsets[n]!;
    const fill = childOffsets.slice(0, count);
    const childList = new Int32Array(childOffsets[count]!);
    for (let n = 0; n < count; n++) if (parent[n]! >= 0) childList[fill[parent[n]!]!++] = n;
    return new WordLoop(Int32Array.from(phone), childOffsets, childList, Uint8Array.from(end), Int32Array.from(roots), words);
  }

  /**
   * Best partial-path score after each frame (index t + 1; index 0 = 0), for frame-major log posteriors
   * with emissions scale * logPost + offset[phone]. Silence (phone 0) is a one-state loop between words.
   */
  scores(logPost: Float32Array, frames: number, phoneCount: number, scale: number, offset: Float64Array, options: Partial<WordLoopOptions> = {}): Float64Array {
    const o = { ...DEFAULT_WORD_LOOP_OPTIONS, ...options };
    const S = Math.max(1, o.statesPerPhone);
    const nodeCount = this.nodePhone.length;
    const stateCount = nodeCount * S + 1; // + silence
    const sil = stateCount - 1;
    // Buffers are kept between calls (scores() is synchronous); a frame clock that never repeats marks
    // which entries of nxt were written this frame, so nothing needs clearing.
    if (!this.buffers || this.buffers.cur.length !== stateCount) {
      this.buffers = { cur: new Float64Array(stateCount), nxt: new Float64Array(stateCount), stamp: new Float64Array(stateCount).fill(-1), clock: 0 };
    }
    const { cur, nxt, stamp } = this.buffers;
    let active = new Int32Array(1024);
    let activeCount = 0;
    let touched = new Int32Array(1024);
    const emit = new Float64Array(phoneCount);
    const out = new Float64Array(frames + 1);
    const HIST_BINS = 64;
    const hist = new Int32Array(HIST_BINS);
    let loop = 0; // best score at the word boundary before the current frame
    const { nodePhone, childOffsets, childList, wordEnd, roots } = this;

    for (let t = 0; t < frames; t++) {
      const tick = ++this.buffers.clock;
      for (let p = 0; p < phoneCount; p++) emit[p] = scale * logPost[t * phoneCount + p]! + offset[p]!;
      let touchedCount = 0;
      const relax = (s: number, v: number): void => {
        if (stamp[s] !== tick) {
          stamp[s] = tick;
          nxt[s] = v;
          if (touchedCount === touched.length) {
            const grown = new Int32Array(touched.length * 2);
            grown.set(touched);
            touched = grown;
          }
          touched[touchedCount++] = s;
        } else if (v > nxt[s]!) nxt[s] = v;
      };
      if (loop > NEG) {
        for (let i = 0; i < roots.length; i++) relax(roots[i]! * S, loop + o.wordEnter);
        relax(sil, loop + (t === 0 ? 0 : o.silenceEnter));
      }
      for (let i = 0; i < activeCount; i++) {
        const s = active[i]!;
        const v = cur[s]!;
        relax(s, v);
        if (s === sil) continue;
        const k = s % S;
        if (k < S - 1) {
          relax(s + 1, v);
          continue;
        }
        const n = (s - k) / S;
        for (let c = childOffsets[n]!; c < childOffsets[n + 1]!; c++) relax(childList[c]! * S, v);
      }
      // Emissions, the frame's best, and the word-boundary score for the next frame.
      let best = NEG;
      let boundary = NEG;
      for (let i = 0; i < touchedCount; i++) {
        const s = touched[i]!;
        const ph = s === sil ? 0 : nodePhone[(s - (s % S)) / S]!;
        const v = nxt[s]! + emit[ph]!;
        nxt[s] = v;
        if (v > best) best = v;
        if (s === sil || (s % S === S - 1 && wordEnd[(s - (S - 1)) / S])) {
          if (v > boundary) boundary = v;
        }
      }
      let threshold = best - o.beam;
      if (touchedCount > o.maxActive) {
        hist.fill(0);
        const width = o.beam / HIST_BINS;
        for (let i = 0; i < touchedCount; i++) {
          const v = nxt[touched[i]!]!;
          if (v >= threshold) hist[Math.min(HIST_BINS - 1, Math.floor((best - v) / width))]!++;
        }
        let kept = 0;
        for (let b = 0; b < HIST_BINS; b++) {
          kept += hist[b]!;
          if (kept >= o.maxActive) {
            threshold = best - (b + 1) * width;
            break;
          }
        }
      }
      if (active.length < touchedCount) active = new Int32Array(touched.length);
      activeCount = 0;
      // Only the `active` entries of cur are read on the next frame; other entries may be stale.
      for (let i = 0; i < touchedCount; i++) {
        const s = touched[i]!;
        if (nxt[s]! >= threshold) {
          cur[s] = nxt[s]!;
          active[activeCount++] = s;
        }
      }
      loop = boundary;
      out[t + 1] = best;
    }
    return out;
  }
}
