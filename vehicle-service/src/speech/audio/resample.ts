/**
 * Band-limited resampling (windowed sinc, Kaiser window) for any rate ratio. Downsampling lowers
 * the cut-off to the new Nyquist so nothing aliases into the speech band.
 */

function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  for (let k = 1; k < 30; k++) {
    term *= (x / (2 * k)) ** 2;
    sum += term;
    if (term < 1e-12 * sum) break;
  }
  return sum;
}

/** Kernel half width in input samples at the (lowered) cut-off; 16 zero crossings each side. */
const ZERO_CROSSINGS = 16;
const KAISER_BETA = 8.6;
/** Kernel table resolution (sub-sample phases). */
const PHASES = 512;

export function resample(input: Float32Array, fromRate: number, toRate: number): Float32Array {
  if (fromRate === toRate) return input;
  const ratio = toRate / fromRate;
  const cutoff = Math.min(1, ratio) * 0.97; // fraction of the input Nyquist kept
  const halfWidth = Math.ceil(ZERO_CROSSINGS / cutoff); // in input samples
  // Tabulated kernel over [0, halfWidth] with PHASES points per input sample.
  const tableLen = halfWidth * PHASES + 2;
  const table = new Float32Array(tableLen);
  const i0b = besselI0(KAISER_BETA);
  for (let i = 0; i < tableLen; i++) {
    const x = i / PHASES;
    const sincArg = Math.PI * x * cutoff;
    const sinc = x === 0 ? 1 : Math.sin(sincArg) / sincArg;
    const r = x / halfWidth;
    const w = r >= 1 ? 0 : besselI0(KAISER_BETA * Math.sqrt(1 - r * r)) / i0b;
    table[i] = cutoff * sinc * w;
  }
  const outLen = Math.max(1, Math.round(input.length * ratio));
  const out = new Float32Array(outLen);
  const n = input.length;
  for (let j = 0; j < outLen; j++) {
    const center = j / ratio;
    const lo = Math.max(0, Math.ceil(center - halfWidth));
    const hi = Math.min(n - 1, Math.floor(center + halfWidth));
    let acc = 0;
    for (let i = lo; i <= hi; i++) {
      const pos = Math.abs(center - i) * PHASES;
      const k = pos | 0;
      const frac = pos - k;
      acc += input[i]! * (table[k]! + frac * (table[k + 1]! - table[k]!));
    }
    out[j] = acc;
  }
  return out;
}
