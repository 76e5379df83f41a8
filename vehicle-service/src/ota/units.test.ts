import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { judge, p95, runAcceptance } from './acceptance.js';
import { TokenBucket } from './download.js';
import { OnnxModelHandler } from './handlers/onnx-model.js';
import { VoiceContextHandler } from './handlers/voice-context.js';
import { ModelHolder } from './model-holder.js';
import { installBlockedBy } from './policy.js';
import { emptyState, StateFile } from './state.js';
import { CONTEXT_V2, GOLDEN_V2, tempDir } from './test-fixtures.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});
async function dir(): Promise<string> {
  const d = await tempDir('ota-unit-');
  dirs.push(d);
  return d;
}

describe('ModelHolder', () => {
  it('lets in-flight requests finish on the old model and disposes it after its last lease', async () => {
    const disposed: string[] = [];
    const holder = new ModelHolder<string>('k');
    expect(() => holder.acquire()).toThrow(/no model of kind k is loaded/);
    holder.swap('old', { kind: 'k', name: 'm', version: '1.0.0', slot: 'factory' }, (m) => { disposed.push(m); });
    const a = holder.acquire();
    const b = holder.acquire();
    holder.swap('new', { kind: 'k', name: 'm', version: '2.0.0', slot: 'A' }, (m) => { disposed.push(m); });
    expect(a.model).toBe('old');
    expect(holder.acquire().model).toBe('new'); // new requests see the new model at once
    expect(holder.drainingCount).toBe(1);
    a.release();
    a.release(); // idempotent
    await Promise.resolve();
    expect(disposed).toEqual([]);
    b.release({ ok: true, latencyMs: 3 });
    await new Promise((r) => setTimeout(r, 0));
    expect(disposed).toEqual(['old']);
    expect(holder.drainingCount).toBe(0);
  });

  it('reports outcomes and counts a throwing request as failed; keepPrevious hands the old model back undisposed', async () => {
    const holder = new ModelHolder<number>('k');
    const outcomes: boolean[] = [];
    holder.on('outcome', (o) => outcomes.push(o.ok));
    const disposed: number[] = [];
    holder.swap(1, { kind: 'k', name: 'm', version: '1.0.0', slot: 'A' }, (m) => { disposed.push(m); });
    expect(await holder.use((m) => m + 1)).toBe(2);
    await expect(holder.use(() => { throw new Error('boom'); })).rejects.toThrow('boom');
    expect(outcomes).toEqual([true, false]);
    const old = holder.swap(2, { kind: 'k', name: 'm', version: '2.0.0', slot: 'B' }, undefined, true);
    expect(old?.model).toBe(1);
    await new Promise((r) => setTimeout(r, 0));
    expect(disposed).toEqual([]);
    holder.swap(old!.model, old!.meta, old!.dispose);
    expect(holder.current?.version).toBe('1.0.0');
  });
});

describe('TokenBucket', () => {
  it('holds a download to its rate: 10 chunks of 1000 B at 2000 B/s wait 4 s beyond the first second\'s burst', async () => {
    let t = 0;
    const slept: number[] = [];
    const bucket = new TokenBucket(2000, () => t, async (ms) => { slept.push(ms); t += ms; });
    for (let i = 0; i < 10; i++) await bucket.take(1000);
    // 2000 B of burst, then 8000 B at 2000 B/s = 4000 ms of waiting.
    expect(slept.reduce((a, b) => a + b, 0)).toBe(4000);
  });
});

describe('acceptance judging', () => {
  it('names every criterion missed', () => {
    expect(judge({ minAccuracy: 0.9, maxLatencyMs: 100 }, { accuracy: 0.95, latencyMs: 80 })).toEqual({ ok: true, accuracy: 0.95, latencyMs: 80, reason: undefined });
    expect(judge({ minAccuracy: 0.9, maxLatencyMs: 100, maxMemoryMb: 10 }, { accuracy: 0.5, latencyMs: 120, memoryMb: 12 }).reason)
      .toBe('accuracy 0.5 < 0.9; latency p95 120 ms > 100 ms; memory 12 MB > 10 MB');
    expect(p95([5, 1, 4, 2, 3])).toBe(5);
    expect(p95(Array.from({ length: 100 }, (_, i) => i + 1))).toBe(95);
  });

  it('fails a voice context that does not load, with the reason', async () => {
    const d = await dir();
    await writeFile(join(d, 'ctx.yaml'), 'context:\n  intents: [not a map]\n');
    await writeFile(join(d, 'golden.json'), JSON.stringify(GOLDEN_V2));
    const files = [
      { path: 'ctx.yaml', sha256: '0'.repeat(64), length: 1, role: 'voice-context' as const },
      { path: 'golden.json', sha256: '0'.repeat(64), length: 1, role: 'acceptance-data' as const },
    ];
    await expect(runAcceptance(new VoiceContextHandler(), { dir: d, files, name: 'x', version: '1.0.0' }, { minAccuracy: 0.5 }))
      .rejects.toThrow(/^acceptance test failed: the model does not load: /);
    await writeFile(join(d, 'ctx.yaml'), CONTEXT_V2);
    const ok = await runAcceptance(new VoiceContextHandler(), { dir: d, files, name: 'x', version: '1.0.0' }, { minAccuracy: 1 });
    expect(ok.result).toMatchObject({ ok: true, accuracy: 1 });
    // A latency budget no matcher can meet (injected clock: every phrase takes 10 ms).
    let t = 0;
    const slow = new VoiceContextHandler(() => (t += 5));
    await expect(runAcceptance(slow, { dir: d, files, name: 'x', version: '1.0.0' }, { maxLatencyMs: 1 })).rejects.toThrow('acceptance test failed: latency p95 5 ms > 1 ms');
  });
});

describe('OnnxModelHandler (onnxruntime-node, y = 2x + 1)', () => {
  const model = fileURLToPath(new URL('./handlers/testdata/affine.onnx', import.meta.url));
  async function slot(expected: number[]): Promise<{ dir: string; files: Array<{ path: string; sha256: string; length: number; role: 'model' | 'acceptance-data' }> }> {
    const d = await dir();
    await copyFile(model, join(d, 'affine.onnx'));
    await writeFile(join(d, 'golden.json'), JSON.stringify({
      cases: [{ inputs: { x: { type: 'float32', dims: [1, 3], data: [0, 1, 2] } }, expected: { y: { data: expected, argmax: 2 } } }],
    }));
    return { dir: d, files: [
      { path: 'affine.onnx', sha256: '0'.repeat(64), length: 1, role: 'model' },
      { path: 'golden.json', sha256: '0'.repeat(64), length: 1, role: 'acceptance-data' },
    ] };
  }

  it('passes when the outputs match the golden set and refuses when they do not', async () => {
    const handler = new OnnxModelHandler('driving-context-model');
    const good = await slot([1, 3, 5]);
    const loaded = await runAcceptance(handler, { ...good, name: 'affine', version: '1.0.0' }, { minAccuracy: 1, maxLatencyMs: 1000 });
    expect(loaded.result).toMatchObject({ ok: true, accuracy: 1 });
    expect(await handler.healthCheck(loaded.model, { maxLatencyMs: 1000 })).toMatchObject({ ok: true });
    await handler.dispose(loaded.model);
    const bad = await slot([1, 3, 6]);
    await expect(runAcceptance(handler, { ...bad, name: 'affine', version: '1.0.0' }, { minAccuracy: 1 }))
      .rejects.toThrow('acceptance test failed: accuracy 0 < 1 (y differs from the expected output)');
  });

  it('refuses a file that is not an ONNX model', async () => {
    const s = await slot([1, 3, 5]);
    await writeFile(join(s.dir, 'affine.onnx'), 'not a model');
    await expect(runAcceptance(new OnnxModelHandler('speech-model'), { ...s, name: 'a', version: '1.0.0' }, {})).rejects.toThrow(/the model does not load/);
  });
});

describe('policy and state file', () => {
  it('decides what an install waits for', () => {
    expect(installBlockedBy({ when: 'anytime' }, false, undefined)).toBeUndefined();
    expect(installBlockedBy({ when: 'parked' }, false, undefined)).toBe('parked');
    expect(installBlockedBy({ when: 'parked', askDriver: true }, true, undefined)).toBe('consent');
    expect(installBlockedBy({ when: 'parked', askDriver: true }, true, 'declined')).toBe('consent');
    expect(installBlockedBy({ when: 'parked', askDriver: true }, true, 'granted')).toBeUndefined();
  });

  it('writes the state atomically (no temp file left) and refuses a corrupt one', async () => {
    const d = await dir();
    await mkdir(join(d, 'ota'));
    const file = new StateFile(join(d, 'ota', 'state.json'));
    expect(await file.read()).toBeUndefined();
    const doc = emptyState();
    doc.kinds.x = { active: 'factory', slots: {} };
    await file.write(doc);
    expect(await file.read()).toEqual(doc);
    expect(await readFile(join(d, 'ota', 'state.json.tmp')).catch(() => 'absent')).toBe('absent');
    await writeFile(join(d, 'ota', 'state.json'), '{"format":1,"kin');
    await expect(file.read()).rejects.toThrow(/OTA state file .* is unusable: not JSON/);
  });
});
