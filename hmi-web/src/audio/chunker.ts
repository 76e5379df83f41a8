/**
 * Collects 16 kHz PCM into frames of a fixed duration for the WebSocket: a few messages a second
 * instead of one per audio callback (about 40 samples each at 48 kHz input).
 */
export class PcmChunker {
  private pending: Int16Array;
  private filled = 0;

  constructor(readonly frameSamples: number) {
    if (!Number.isInteger(frameSamples) || frameSamples <= 0) throw new RangeError(`frameSamples must be a positive integer (got ${frameSamples})`);
    this.pending = new Int16Array(frameSamples);
  }

  /** Returns the frames that are full. */
  push(samples: Int16Array): Int16Array[] {
    const frames: Int16Array[] = [];
    let offset = 0;
    while (offset < samples.length) {
      const n = Math.min(this.frameSamples - this.filled, samples.length - offset);
      this.pending.set(samples.subarray(offset, offset + n), this.filled);
      this.filled += n;
      offset += n;
      if (this.filled === this.frameSamples) {
        frames.push(this.pending);
        this.pending = new Int16Array(this.frameSamples);
        this.filled = 0;
      }
    }
    return frames;
  }

  /** The partial frame at the end of a recording (undefined when empty). */
  flush(): Int16Array | undefined {
    if (this.filled === 0) return undefined;
    const last = this.pending.slice(0, this.filled);
    this.pending = new Int16Array(this.frameSamples);
    this.filled = 0;
    return last;
  }
}
