// Runs the exported speech model in onnxruntime-node on the pipeline's fixture utterance and compares the
// output with torch's (saved by models/speech/pipeline.py). Usage:
//   node models/scripts/check-onnx.mjs [ARTIFACTS_DIR] [--fp32 FILE]
// Prints one JSON line; exits 1 when the outputs differ beyond tolerance.
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import ort from 'onnxruntime-node';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const dir = args[0] && !args[0].startsWith('--') ? args[0] : join(here, '..', 'speech', 'artifacts');
const fp32Index = args.indexOf('--fp32');

const f32 = (file) => {
  const buf = readFileSync(file);
  return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
};

async function run(modelPath, audio) {
  const opts = { executionProviders: ['cpu'], intraOpNumThreads: 1, interOpNumThreads: 1 };
  const session = await ort.InferenceSession.create(modelPath, opts);
  const input = new ort.Tensor('float32', audio, [1, audio.length]);
  const t0 = performance.now();
  const out = await session.run({ audio: input });
  const ms = performance.now() - t0;
  return { logprobs: out.logprobs, ms };
}

function compare(a, b) {
  let maxAbs = 0;
  for (let i = 0; i < a.length; i++) maxAbs = Math.max(maxAbs, Math.abs(a[i] - b[i]));
  return maxAbs;
}

function argmaxAgreement(a, b, nClass) {
  let same = 0;
  const frames = a.length / nClass;
  for (let t = 0; t < frames; t++) {
    let ia = 0, ib = 0;
    for (let c = 1; c < nClass; c++) {
      if (a[t * nClass + c] > a[t * nClass + ia]) ia = c;
      if (b[t * nClass + c] > b[t * nClass + ib]) ib = c;
    }
    if (ia === ib) same++;
  }
  return same / frames;
}

const meta = JSON.parse(readFileSync(join(dir, 'fixtures', 'utt.json'), 'utf8'));
const audio = f32(join(dir, 'fixtures', 'utt.audio.f32'));
const expected = f32(join(dir, 'fixtures', 'utt.logprobs-int8.f32'));
const [frames, nClass] = meta.logprobsShape;
const { logprobs, ms } = await run(join(dir, 'student.int8.onnx'), audio);
const report = {
  model: 'student.int8.onnx',
  dims: logprobs.dims,
  shapeOk: logprobs.dims[1] === frames && logprobs.dims[2] === nClass,
  maxAbsDiff: compare(logprobs.data, expected),
  argmaxAgreement: argmaxAgreement(logprobs.data, expected, nClass),
  rtf: ms / 1000 / (audio.length / 16000),
};
if (fp32Index >= 0) {
  const r = await run(args[fp32Index + 1], audio);
  report.fp32MaxAbsDiff = compare(r.logprobs.data, f32(join(dir, 'fixtures', 'utt.logprobs-fp32.f32')));
}
// Tolerance: float32 op-order differences between torch and onnxruntime (log-probs are O(10)).
report.ok = report.shapeOk && report.maxAbsDiff < 0.05 && report.argmaxAgreement > 0.98 &&
  (report.fp32MaxAbsDiff === undefined || report.fp32MaxAbsDiff < 0.05);
console.log(JSON.stringify(report));
process.exit(report.ok ? 0 : 1);
