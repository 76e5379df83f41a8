// Checks the committed speech model (models/speech/artifacts, built by `models/speech/build.sh`) in
// onnxruntime-node: shape, agreement with torch's output saved by the pipeline, proper posteriors, and silence
// at the padded ends of the fixture utterance. It also runs the pipeline's quick
// mode end to end (about 2-4 minutes on 2 cores; needs `models/setup.sh`).
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';

const modelsDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const artifacts = join(modelsDir, 'speech', 'artifacts');
const haveArtifacts = existsSync(join(artifacts, 'manifest.json'));

interface Manifest {
  phones: string[];
  files: { model: { path: string; bytes: number; sha256: string }; lexicon: { path: string; sha256: string } };
}

function f32(file: string): Float32Array {
  const buf = readFileSync(file);
  return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
}

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

if (!haveArtifacts) {
  console.warn(`speech model tests skipped: ${artifacts}/manifest.json is missing (run models/speech/build.sh)`);
}

describe.skipIf(!haveArtifacts)('committed speech model', () => {
  it('matches its manifest and runs in onnxruntime-node like torch', async () => {
    const manifest = JSON.parse(readFileSync(join(artifacts, 'manifest.json'), 'utf8')) as Manifest;
    const modelPath = join(artifacts, manifest.files.model.path);
    expect(sha256(modelPath)).toBe(manifest.files.model.sha256);
    expect(sha256(join(artifacts, manifest.files.lexicon.path))).toBe(manifest.files.lexicon.sha256);
    expect(manifest.files.model.bytes).toBeLessThanOrEqual(5 * 1024 * 1024);

    const meta = JSON.parse(readFileSync(join(artifacts, 'fixtures', 'utt.json'), 'utf8')) as {
      logprobsShape: [number, number];
    };
    const audio = f32(join(artifacts, 'fixtures', 'utt.audio.f32'));
    const expected = f32(join(artifacts, 'fixtures', 'utt.logprobs-int8.f32'));
    const session = await ort.InferenceSession.create(modelPath, { intraOpNumThreads: 1 });
    const out = await session.run({ audio: new ort.Tensor('float32', audio, [1, audio.length]) });
    const logprobs = out['logprobs'];
    expect(logprobs).toBeDefined();
    const [frames, nClass] = meta.logprobsShape;
    expect(logprobs!.dims).toEqual([1, frames, nClass]);
    expect(nClass).toBe(manifest.phones.length);
    // frames = ceil(T / 2) with T = 1 + floor((N - 400) / 160) log-mel frames.
    expect(frames).toBe(Math.ceil((1 + Math.floor((audio.length - 400) / 160)) / 2));

    const data = logprobs!.data as Float32Array;
    let maxDiff = 0;
    for (let i = 0; i < data.length; i++) maxDiff = Math.max(maxDiff, Math.abs(data[i]! - expected[i]!));
    expect(maxDiff).toBeLessThan(0.05);

    const argmax: number[] = [];
    for (let t = 0; t < frames; t++) {
      let sum = 0;
      let best = 0;
      for (let c = 0; c < nClass; c++) {
        sum += Math.exp(data[t * nClass + c]!);
        if (data[t * nClass + c]! > data[t * nClass + best]!) best = c;
      }
      expect(sum).toBeCloseTo(1, 3);
      argmax.push(best);
    }
    // The fixture has >= 0.1 s of padded silence at both ends and speech in between.
    const sil = manifest.phones.indexOf('SIL');
    expect(argmax[0]).toBe(sil);
    expect(argmax[frames - 1]).toBe(sil);
    const speechFrames = argmax.filter((p) => p !== sil).length;
    expect(speechFrames).toBeGreaterThan(frames * 0.3);
  });
});

// The quick pipeline is part of `npm test` (models/setup.sh, run by .ci/run, installs torch);
// AURIGA_SKIP_PIPELINES=1 leaves it out of a local run.
const runPipeline = process.env['AURIGA_SKIP_PIPELINES'] !== '1';
const hasTorch = (() => {
  if (!runPipeline) return false;
  return spawnSync('/usr/bin/python3', ['-c', 'import torch, onnx'], { stdio: 'ignore' }).status === 0;
})();
if (!runPipeline) console.warn('speech pipeline test skipped: AURIGA_SKIP_PIPELINES=1');
else if (!hasTorch) console.warn('speech pipeline test skipped: /usr/bin/python3 lacks torch/onnx (run models/setup.sh)');

describe.skipIf(!hasTorch)('speech pipeline quick mode', () => {
  it('builds, exports and verifies a model end to end', { timeout: 900_000 }, () => {
    const work = mkdtempSync(join(tmpdir(), 'auriga-speech-'));
    try {
      execFileSync('/usr/bin/python3', ['-m', 'speech.pipeline', '--quick', '--work', work], {
        cwd: modelsDir, stdio: 'pipe', timeout: 880_000,
      });
      const report = JSON.parse(
        execFileSync('node', [join(modelsDir, 'scripts', 'check-onnx.mjs'), join(work, 'artifacts'), '--fp32',
          join(work, 'student.fp32.onnx')], { encoding: 'utf8' }),
      ) as { ok: boolean; maxAbsDiff: number };
      expect(report.ok).toBe(true);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
