/**
 * The driving-context pipeline end to end in quick mode (data from can-sim, PyTorch training, ONNX
 * export, held-out evaluation) in a temp dir; the committed artifacts are not touched.
 * Skips when /usr/bin/python3 has no torch (models/setup.sh installs it) or AURIGA_SKIP_PIPELINES=1.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const run = process.env['AURIGA_SKIP_PIPELINES'] !== '1';
const hasTorch = run && spawnSync('/usr/bin/python3', ['-c', 'import torch, onnx'], { stdio: 'ignore' }).status === 0;
if (!run) console.warn('driving pipeline test skipped: AURIGA_SKIP_PIPELINES=1');
else if (!hasTorch) console.warn('driving pipeline test skipped: /usr/bin/python3 lacks torch/onnx (run models/setup.sh)');

describe.skipIf(!hasTorch)('driving-context pipeline quick mode', () => {
  it('generates data, trains, exports and evaluates a model', { timeout: 600_000 }, () => {
    const out = execFileSync('bash', ['models/driving/build.sh', '--quick'], { cwd: root, encoding: 'utf8', timeout: 580_000 });
    const card = /model: (\S+driving-context\.onnx), card: (\S+)/.exec(out);
    expect(card, out.slice(-2000)).not.toBeNull();
    // The evaluation's JSON line: a quick model trained on a quarter of two drives must clearly beat chance (20 %)
    // and the rule baseline on the held-out seed.
    const line = out.split('\n').find((l) => l.startsWith('{"overall"'));
    expect(line, out.slice(-2000)).toBeDefined();
    const evalResult = JSON.parse(line!) as { overall: { model: number; rules: number } };
    expect(evalResult.overall.model).toBeGreaterThan(0.6);
    expect(evalResult.overall.model).toBeGreaterThan(evalResult.overall.rules);
  });
});
