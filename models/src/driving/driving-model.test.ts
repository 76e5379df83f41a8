/**
 * Quick check of the committed driving-context model (models/driving/artifacts): a fresh held-out set
 * from can-sim with seeds never used in training, run through onnxruntime-node as the service does.
 * The full evaluation is in models/driving/MODEL_CARD.md (bash models/driving/build.sh).
 */
import { describe, expect, it } from 'vitest';
import { FEATURE_COUNT } from '../../../vehicle-service/src/driving/situation/features.js';
import { SituationModel } from '../../../vehicle-service/src/driving/situation/model.js';
import { classifyByRules } from '../../../vehicle-service/src/driving/situation/rules.js';
import type { Situation } from '../../../vehicle-service/src/driving/types.js';
import { driveScenario } from '../../driving/generate.js';

describe('driving-context model (committed ONNX)', () => {
  it('classifies a fresh held-out drive above the floor and beats the rule baseline', async () => {
    const model = await SituationModel.load();
    const rows: Array<{ f: Float32Array; label: Situation }> = [];
    const seed = 4242;
    for (const [scenario, seconds] of [['city', 420], ['night-rain', 300], ['highway', 240], ['parked', 60]] as const) {
      driveScenario(scenario, seed, seconds, (r) => rows.push({ f: r.features, label: r.label as Situation }));
    }
    const batch = new Float32Array(rows.length * FEATURE_COUNT);
    rows.forEach((r, i) => batch.set(r.f, i * FEATURE_COUNT));
    const out = await model.runBatch(batch);
    await model.close();
    const perClass = new Map<Situation, { n: number; ok: number }>();
    let ok = 0;
    let rulesOk = 0;
    rows.forEach((r, i) => {
      const c = perClass.get(r.label) ?? { n: 0, ok: 0 };
      c.n++;
      if (out[i]!.situation === r.label) { c.ok++; ok++; }
      if (classifyByRules(r.f) === r.label) rulesOk++;
      perClass.set(r.label, c);
      expect(out[i]!.style).toBeGreaterThanOrEqual(0);
      expect(out[i]!.style).toBeLessThanOrEqual(100);
    });
    const accuracy = ok / rows.length;
    expect(rows.length).toBeGreaterThan(300);
    expect([...perClass.keys()].sort()).toEqual(['city', 'highway', 'parked', 'rural', 'stop_and_go'].filter((k) => perClass.has(k as Situation)).sort());
    expect(perClass.size).toBeGreaterThanOrEqual(4);
    expect(accuracy).toBeGreaterThan(0.85);
    expect(accuracy).toBeGreaterThan(rulesOk / rows.length);
    for (const [label, c] of perClass) if (c.n >= 20) expect(c.ok / c.n, `${label}: ${c.ok}/${c.n}`).toBeGreaterThan(0.7);
  }, 60_000);
});
