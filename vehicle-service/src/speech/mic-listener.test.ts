/**
 * MicListener with a deterministic endpointer (loud samples are speech, 0.1 s of quiet after speech ends
 * the utterance) that answers asynchronously, like Silero. The real chain (arecord stand-in, Silero,
 * engine) runs in cli.mic.test.ts and service.mic.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { AudioTooLongError, SpeechUnavailableError } from './errors.js';
import { MicListener, type MicEndpointer, type MicListenerOptions } from './mic-listener.js';

const RATE = 16_000;

class EnergyEndpointer implements MicEndpointer {
  speechStarted = false;
  private quiet = 0;
  private done = false;
  async push(samples: Float32Array): Promise<boolean> {
    await new Promise((r) => setTimeout(r, 0));
    for (const x of samples) {
      if (this.done) break;
      if (Math.abs(x) > 0.05) {
        this.speechStarted = true;
        this.quiet = 0;
      } else if (this.speechStarted && ++this.quiet >= 0.1 * RATE) this.done = true;
    }
    return this.done;
  }
}

/** Silence (seconds) or a constant "tone" [seconds, value]. */
function stream(...parts: Array<number | [number, number]>): Int16Array {
  const n = parts.reduce<number>((s, p) => s + Math.round((typeof p === 'number' ? p : p[0]) * RATE), 0);
  const out = new Int16Array(n);
  let at = 0;
  for (const p of parts) {
    const len = Math.round((typeof p === 'number' ? p : p[0]) * RATE);
    if (typeof p !== 'number') out.fill(Math.round(p[1] * 32767), at, at + len);
    at += len;
  }
  return out;
}

function chunked(pcm: Int16Array, size: number): Int16Array[] {
  const out: Int16Array[] = [];
  for (let i = 0; i < pcm.length; i += size) out.push(pcm.slice(i, i + size));
  return out;
}

function harness(extra: Partial<MicListenerOptions<{ samples: Float32Array }>> = {}) {
  const results: Float32Array[] = [];
  const errors: string[] = [];
  const listener = new MicListener<{ samples: Float32Array }>({
    utterance: async (samples) => ({ samples }),
    createEndpointer: () => new EnergyEndpointer(),
    onResult: (r) => results.push(r.samples),
    onError: (e) => errors.push(e.code),
    ...extra,
  });
  return { listener, results, errors };
}

/** Values of a tone in an utterance: how many samples equal `value` (as Int16 scaled back). */
const count = (samples: Float32Array, value: number) => samples.filter((x) => x === Math.round(value * 32767) / 32768).length;

describe('MicListener', () => {
  it('answers each endpointed utterance once, losing nothing between them even when the audio arrives all at once', async () => {
    const h = harness();
    const pcm = stream(0.3, [0.2, 0.5], 0.5, [0.3, -0.25], 0.5);
    for (const c of chunked(pcm, 777)) h.listener.push(c);
    await h.listener.drain();
    expect(h.results).toHaveLength(2);
    const [a, b] = h.results as [Float32Array, Float32Array];
    expect(count(a, 0.5)).toBe(0.2 * RATE);
    expect(count(a, -0.25)).toBe(0);
    expect(count(b, -0.25)).toBe(0.3 * RATE);
    expect(count(b, 0.5)).toBe(0);
    // The second utterance starts where the first one ended: together they are the stream, in order.
    const joined = new Float32Array(a.length + b.length);
    joined.set(a);
    joined.set(b, a.length);
    expect([...joined]).toEqual([...pcm.subarray(0, joined.length)].map((x) => x / 32768));
    expect(h.errors).toEqual([]);
  });

  it('restarts an utterance without speech so leading silence stays short, keeping the pre-roll', async () => {
    const h = harness({ rollAfterSec: 1, preRollSec: 0.25 });
    for (const c of chunked(stream(6, [0.3, 0.5], 0.4), 1600)) {
      h.listener.push(c);
      await new Promise((r) => setTimeout(r, 0));
    }
    await h.listener.drain();
    expect(h.results).toHaveLength(1);
    const u = h.results[0]!;
    expect(count(u, 0.5)).toBe(0.3 * RATE);
    const lead = u.findIndex((x) => x !== 0) / RATE;
    expect(lead).toBeGreaterThanOrEqual(0.25);
    expect(lead).toBeLessThanOrEqual(1.25 + 0.1);
  });

  it('drain() answers an utterance cut off by the end of the input, and nothing for silence', async () => {
    const h = harness();
    for (const c of chunked(stream(0.2, [0.2, 0.5]), 1000)) h.listener.push(c);
    await h.listener.drain();
    expect(h.results).toHaveLength(1);
    expect(count(h.results[0]!, 0.5)).toBe(0.2 * RATE);

    const quiet = harness();
    for (const c of chunked(stream(0.5), 1000)) quiet.listener.push(c);
    await quiet.listener.drain();
    expect(quiet.results).toHaveLength(0);
    quiet.listener.push(stream([0.2, 0.5])); // after drain (closed): ignored
    expect(quiet.results).toHaveLength(0);
  });

  it('keeps what is said while an utterance is being answered for the next one', async () => {
    const releases: Array<() => void> = [];
    const h = harness({
      utterance: (samples) => new Promise((resolve) => releases.push(() => resolve({ samples }))),
    });
    for (const c of chunked(stream(0.1, [0.2, 0.5], 0.2), 800)) h.listener.push(c);
    await expect.poll(() => releases.length).toBe(1);
    for (const c of chunked(stream(0.1, [0.2, -0.5], 0.2), 800)) h.listener.push(c);
    releases[0]!();
    await expect.poll(() => releases.length).toBe(2);
    releases[1]!();
    await h.listener.drain();
    expect(h.results.map((u) => [count(u, 0.5), count(u, -0.5)])).toEqual([
      [0.2 * RATE, 0],
      [0, 0.2 * RATE],
    ]);
  });

  it('reports failed utterances with their codes and keeps listening', async () => {
    let n = 0;
    const h = harness({
      maxAudioSec: 1,
      utterance: async (samples) => {
        if (n++ === 0) throw SpeechUnavailableError('no model');
        return { samples };
      },
    });
    // Refused by the engine, then too long (1.5 s of speech > 1 s), then a good one.
    for (const c of chunked(stream(0.1, [0.2, 0.5], 0.3, [1.5, 0.5], 0.3, [0.2, 0.5], 0.3), 800)) {
      h.listener.push(c);
      await new Promise((r) => setTimeout(r, 0));
    }
    await h.listener.drain();
    expect(h.errors).toEqual([SpeechUnavailableError.code, AudioTooLongError.code]);
    expect(h.results.length).toBeGreaterThanOrEqual(1);
    expect(count(h.results.at(-1)!, 0.5)).toBe(0.2 * RATE);
  });

  it('close() drops what is pending and waits for the utterance being answered', async () => {
    let release!: () => void;
    let settled = false;
    const h = harness({
      utterance: (samples) =>
        new Promise((resolve) => {
          release = () => {
            settled = true;
            resolve({ samples });
          };
        }),
    });
    for (const c of chunked(stream(0.1, [0.2, 0.5], 0.2), 800)) h.listener.push(c);
    await expect.poll(() => typeof release).toBe('function');
    const closing = h.listener.close();
    setTimeout(() => release(), 20);
    await closing;
    expect(settled).toBe(true);
    expect(h.results).toHaveLength(0); // closed: the answer is not delivered
  });
});
