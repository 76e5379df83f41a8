/**
 * Noise mixing with the speech-to-intent benchmark's SNR rule: the noise is scaled so that the ratio
 * of the largest 2048-sample frame energies of speech and noise equals the SNR.
 */

/** Largest mean-square energy over non-overlapping frames (the whole signal when shorter than one frame). */
export function maxFrameEnergy(x: Float32Array, frameLength = 2048): number {
  const frames = Math.floor(x.length / frameLength);
  if (frames === 0) {
    let e = 0;
    for (let i = 0; i < x.length; i++) e += x[i]! * x[i]!;
    return x.length > 0 ? e / x.length : 0;
  }
  let best = 0;
  for (let f = 0; f < frames; f++) {
    let e = 0;
    for (let i = f * frameLength; i < (f + 1) * frameLength; i++) e += x[i]! * x[i]!;
    best = Math.max(best, e / frameLength);
  }
  return best;
}

/** speech + scaled noise (looped from `offset` to the speech's length) at `snrDb`. */
export function mixAtSnr(speech: Float32Array, noise: Float32Array, snrDb: number, offset = 0, frameLength = 2048): Float32Array {
  const segment = new Float32Array(speech.length);
  for (let i = 0; i < speech.length; i++) segment[i] = noise[(offset + i) % noise.length]!;
  const es = maxFrameEnergy(speech, frameLength);
  const en = maxFrameEnergy(segment, frameLength);
  const gain = en > 0 ? Math.sqrt(es / (en * 10 ** (snrDb / 10))) : 0;
  const out = new Float32Array(speech.length);
  for (let i = 0; i < speech.length; i++) out[i] = speech[i]! + gain * segment[i]!;
  return out;
}
