/** Audio helpers for the spoken-command test: a TTS WAV and comparisons of what the page streamed. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export function speakToWav(text: string, file: string): void {
  try {
    execFileSync('espeak-ng', ['-v', 'en-us', '-s', '150', '-w', file, text], { stdio: 'pipe' });
  } catch (err) {
    throw new Error(`espeak-ng failed (${(err as Error).message}): run "bash scripts/install-system-deps.sh" (as root) to install it`);
  }
}

/** A 16-bit PCM WAV's first channel as floats, with its rate. */
export function readWav(file: string): { rate: number; samples: Float32Array } {
  const buf = readFileSync(file);
  if (buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') throw new Error(`${file} is not a WAV file`);
  let offset = 12;
  let rate = 0;
  let channels = 1;
  let bits = 16;
  while (offset + 8 <= buf.length) {
    const id = buf.toString('ascii', offset, offset + 4);
    // espeak-ng streams its output and leaves the data size as 0xFFFFFFFF: read to the end.
    const size = Math.min(buf.readUInt32LE(offset + 4), buf.length - offset - 8);
    if (id === 'fmt ') {
      channels = buf.readUInt16LE(offset + 10);
      rate = buf.readUInt32LE(offset + 12);
      bits = buf.readUInt16LE(offset + 22);
    } else if (id === 'data') {
      if (bits !== 16) throw new Error(`${file}: ${bits}-bit audio, expected 16`);
      const n = Math.floor(size / 2 / channels);
      const samples = new Float32Array(n);
      for (let i = 0; i < n; i++) samples[i] = buf.readInt16LE(offset + 8 + i * 2 * channels) / 32768;
      return { rate, samples };
    }
    offset += 8 + size + (size % 2);
  }
  throw new Error(`${file} has no data chunk`);
}

/** RMS per frame (the loudness envelope). */
export function envelope(samples: ArrayLike<number>, frame: number, scale = 1): number[] {
  const out: number[] = [];
  for (let i = 0; i + frame <= samples.length; i += frame) {
    let sum = 0;
    for (let j = i; j < i + frame; j++) sum += (samples[j]! / scale) ** 2;
    out.push(Math.sqrt(sum / frame));
  }
  return out;
}

/** Pearson correlation of two envelopes at the best lag (b shifted by up to maxLag frames either way). */
export function bestCorrelation(a: number[], b: number[], maxLag: number): { r: number; lag: number } {
  let best = { r: -1, lag: 0 };
  for (let lag = -maxLag; lag <= maxLag; lag++) {
    const xs: number[] = [];
    const ys: number[] = [];
    for (let i = 0; i < a.length; i++) {
      const j = i + lag;
      if (j < 0 || j >= b.length) continue;
      xs.push(a[i]!);
      ys.push(b[j]!);
    }
    if (xs.length < 10) continue;
    const mx = xs.reduce((s, v) => s + v, 0) / xs.length;
    const my = ys.reduce((s, v) => s + v, 0) / ys.length;
    let sxy = 0;
    let sxx = 0;
    let syy = 0;
    for (let i = 0; i < xs.length; i++) {
      sxy += (xs[i]! - mx) * (ys[i]! - my);
      sxx += (xs[i]! - mx) ** 2;
      syy += (ys[i]! - my) ** 2;
    }
    const r = sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : 0;
    if (r > best.r) best = { r, lag };
  }
  return best;
}
