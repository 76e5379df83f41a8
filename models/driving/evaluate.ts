/**
 * Evaluates the driving-context model on held-out scenarios (seeds not used in training) with
 * onnxruntime-node, as the service runs it: per-class accuracy of the model and of the rule baseline,
 * confusion matrix, style-score error, model size and latency. Writes eval.json and MODEL_CARD.md.
 *
 *   node --import tsx models/driving/evaluate.ts --test DIR/windows.csv --model models/driving/artifacts/driving-context.onnx
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { FEATURE_COUNT, FEATURE_INDEX } from '../../vehicle-service/src/driving/situation/features.js';
import { SituationModel, type ModelOutput } from '../../vehicle-service/src/driving/situation/model.js';
import { classifyByRules } from '../../vehicle-service/src/driving/situation/rules.js';
import { SITUATIONS, type Situation } from '../../vehicle-service/src/driving/types.js';

export interface Rows {
  features: Float32Array;
  labels: Situation[];
  styles: number[];
  seeds: number[];
}

export function readWindowsCsv(text: string): Rows {
  const lines = text.trim().split('\n');
  const header = lines[0]!.split(',');
  const li = header.indexOf('label');
  if (li !== FEATURE_COUNT) throw new Error(`CSV has ${li} features, this build computes ${FEATURE_COUNT}`);
  const n = lines.length - 1;
  const features = new Float32Array(n * FEATURE_COUNT);
  const labels: Situation[] = [];
  const styles: number[] = [];
  const seeds: number[] = [];
  for (let r = 0; r < n; r++) {
    const cells = lines[r + 1]!.split(',');
    for (let i = 0; i < FEATURE_COUNT; i++) features[r * FEATURE_COUNT + i] = Number(cells[i]);
    labels.push(cells[li] as Situation);
    styles.push(Number(cells[li + 1]));
    seeds.push(Number(cells[li + 3]));
  }
  return { features, labels, styles, seeds };
}

export interface Evaluation {
  rows: number;
  seeds: number[];
  perClass: Record<Situation, { n: number; model: number; rules: number }>;
  overall: { model: number; rules: number; modelBalanced: number; rulesBalanced: number };
  confusion: Record<Situation, Record<Situation, number>>;
  styleMae: number;
  /** Per-class model accuracy with the wiper and low-beam features zeroed (a dry day): checks the model does not lean on weather cues. */
  withoutWeatherCues: Record<Situation, number>;
  sizeBytes: number;
  latency: { singleMeanMs: number; singleP99Ms: number; batch64MeanMs: number };
}

export async function evaluate(model: SituationModel, rows: Rows, modelPath: string): Promise<Evaluation> {
  const n = rows.labels.length;
  const outputs: ModelOutput[] = [];
  for (let i = 0; i < n; i += 512) {
    outputs.push(...(await model.runBatch(rows.features.subarray(i * FEATURE_COUNT, Math.min(n, i + 512) * FEATURE_COUNT))));
  }
  const perClass = Object.fromEntries(SITUATIONS.map((s) => [s, { n: 0, model: 0, rules: 0 }])) as Evaluation['perClass'];
  const confusion = Object.fromEntries(SITUATIONS.map((s) => [s, Object.fromEntries(SITUATIONS.map((p) => [p, 0]))])) as Evaluation['confusion'];
  let okModel = 0, okRules = 0, styleErr = 0;
  for (let i = 0; i < n; i++) {
    const label = rows.labels[i]!;
    const predicted = outputs[i]!.situation;
    const rules = classifyByRules(rows.features.subarray(i * FEATURE_COUNT, (i + 1) * FEATURE_COUNT));
    const c = perClass[label];
    c.n++;
    if (predicted === label) { c.model++; okModel++; }
    if (rules === label) { c.rules++; okRules++; }
    confusion[label][predicted]++;
    styleErr += Math.abs(outputs[i]!.style - rows.styles[i]!);
  }
  const present = SITUATIONS.filter((s) => perClass[s].n > 0);
  for (const s of SITUATIONS) {
    const c = perClass[s];
    c.model = c.n ? round(c.model / c.n) : 0;
    c.rules = c.n ? round(c.rules / c.n) : 0;
  }
  const dry = rows.features.slice();
  for (let i = 0; i < n; i++) {
    dry[i * FEATURE_COUNT + FEATURE_INDEX.wiper_frac] = 0;
    dry[i * FEATURE_COUNT + FEATURE_INDEX.lowbeam_frac] = 0;
  }
  const dryOut: ModelOutput[] = [];
  for (let i = 0; i < n; i += 512) dryOut.push(...(await model.runBatch(dry.subarray(i * FEATURE_COUNT, Math.min(n, i + 512) * FEATURE_COUNT))));
  const withoutWeatherCues = Object.fromEntries(SITUATIONS.map((s) => {
    const idx = rows.labels.map((l, i) => (l === s ? i : -1)).filter((i) => i >= 0);
    return [s, idx.length ? round(idx.filter((i) => dryOut[i]!.situation === s).length / idx.length) : 0];
  })) as Record<Situation, number>;
  const one = rows.features.slice(0, FEATURE_COUNT);
  for (let i = 0; i < 50; i++) await model.run(one);
  const times: number[] = [];
  for (let i = 0; i < 1000; i++) {
    const t0 = performance.now();
    await model.run(one);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const batch = rows.features.slice(0, 64 * FEATURE_COUNT);
  const tb = performance.now();
  for (let i = 0; i < 100; i++) await model.runBatch(batch);
  return {
    rows: n,
    seeds: [...new Set(rows.seeds)],
    perClass,
    overall: {
      model: round(okModel / n),
      rules: round(okRules / n),
      modelBalanced: round(present.reduce((s, k) => s + perClass[k].model, 0) / present.length),
      rulesBalanced: round(present.reduce((s, k) => s + perClass[k].rules, 0) / present.length),
    },
    confusion,
    styleMae: round(styleErr / n, 2),
    withoutWeatherCues,
    sizeBytes: statSync(modelPath).size,
    latency: {
      singleMeanMs: round(times.reduce((a, b) => a + b, 0) / times.length, 4),
      singleP99Ms: round(times[Math.floor(times.length * 0.99)]!, 4),
      batch64MeanMs: round((performance.now() - tb) / 100, 4),
    },
  };
}

const round = (x: number, d = 4): number => Math.round(x * 10 ** d) / 10 ** d;

function modelCard(ev: Evaluation, meta: { training: Record<string, unknown>; features: string[] }): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
  const rows = SITUATIONS.map((s) => `| ${s} | ${ev.perClass[s].n} | ${pct(ev.perClass[s].model)} | ${pct(ev.withoutWeatherCues[s])} | ${pct(ev.perClass[s].rules)} |`).join('\n');
  const conf = SITUATIONS.map((s) => `| ${s} | ${SITUATIONS.map((p) => ev.confusion[s][p]).join(' | ')} |`).join('\n');
  const tr = meta.training;
  return `# Driving-context model (driving-context.onnx)

Generated by \`bash models/driving/build.sh\` (models/driving/evaluate.ts); do not edit by hand.

## What it does
- **Input**: \`features\` float32 [batch, ${meta.features.length}]: statistics of a 20 s window of live VSS signals sampled
  at 2 Hz (speed, longitudinal/lateral acceleration, steering angle, accelerator and brake pedals, selected gear,
  wipers, low beams, cruise control, indicators, ignition) plus a 120 s speed context. Computed by
  vehicle-service/src/driving/situation/features.ts, the same code in training and in the service.
  Normalization is inside the graph; mean/std are also in driving-context.norm.json.
- **Outputs**: \`situation_logits\` [batch, 5] over ${SITUATIONS.join(', ')}; \`style_score\` [batch], 0 (smooth) .. 100 (aggressive).
- **Architecture**: MLP ${meta.features.length} -> 48 -> 48 -> (5 + 1), ${tr.parameters} parameters.
- **Used for** the driving situation (rules keep "parked" when the ignition is off or the selector is in P, and decide
  when the model is unsure or unavailable) and the trip's style score. Events (harsh braking, speeding, tyres...) stay rules.

## Training data
can-sim scenarios idle, parked, city, highway, night-rain, long-highway-leak driven directly (no MQTT), frames decoded by the
vehicle service's ingest; labels are the simulator's ground truth. Train seeds 1-5 (${tr.rows} windows including the cue-dropout copies,
classes ${JSON.stringify(tr.classCounts)}), ${tr.epochs} epochs in ${tr.seconds} s on one CPU thread.
Style target: 0.4 x mean |jerk| / 1.5 m/s^3 + 0.3 x peak |a_long| / 3.5 + 0.3 x peak |a_lat| / 3.5 (each clipped to 1)
over the window, from the true 10 Hz dynamics.

## Held-out evaluation (seeds ${ev.seeds.join(', ')}, never seen in training)
${ev.rows} windows. Overall accuracy: model **${pct(ev.overall.model)}**, rule baseline ${pct(ev.overall.rules)}
(balanced over classes: model ${pct(ev.overall.modelBalanced)}, rules ${pct(ev.overall.rulesBalanced)}).

| class | windows | model | model, dry day (no wiper/low-beam cues) | rules |
|---|---|---|---|---|
${rows}

Confusion (rows: truth, columns: model):

| truth \\ predicted | ${SITUATIONS.join(' | ')} |
|---|${SITUATIONS.map(() => '---').join('|')}|
${conf}

Style score mean absolute error: ${ev.styleMae} points (0-100 scale).

## Size and latency (onnxruntime-node, 1 intra-op thread, this machine)
- File: ${ev.sizeBytes} bytes.
- One window: mean ${ev.latency.singleMeanMs} ms, p99 ${ev.latency.singleP99Ms} ms (the service runs it once per second of driving).
- Batch of 64: ${ev.latency.batch64MeanMs} ms.

## Limits (read before trusting the numbers)
- Simulated data only: real drivers, roads and sensor noise differ. Accuracy on a real car is unknown until labelled drives exist.
- Confounds of the scenarios: country roads only occur at night in the rain (night-rain), so wipers and low beams
  correlate with "rural" here; cruise control only occurs on the motorway. Training therefore repeats half the
  windows without the wiper and low-beam cues (cue dropout), and the "dry day" column above evaluates every held-out
  window with those cues removed: it must stay close to the normal column.
- Labels are the scenario's segment (a red light inside a city segment is "city"; a queue is "stop_and_go"), so the
  boundary between the two depends on the sim's definition.
- The style score is relative to the simulator's drivers, who are all fairly calm.
`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { test: { type: 'string' }, model: { type: 'string' }, card: { type: 'string' } } });
  if (!values.test || !values.model) throw new Error('usage: evaluate.ts --test windows.csv --model driving-context.onnx [--card MODEL_CARD.md]');
  const rows = readWindowsCsv(readFileSync(values.test, 'utf8'));
  const model = await SituationModel.load(values.model);
  const ev = await evaluate(model, rows, values.model);
  await model.close();
  const meta = JSON.parse(readFileSync(values.model.replace(/\.onnx$/, '.norm.json'), 'utf8')) as { training: Record<string, unknown>; features: string[] };
  writeFileSync(join(dirname(values.model), 'eval.json'), JSON.stringify(ev, null, 2) + '\n');
  if (values.card) writeFileSync(values.card, modelCard(ev, meta));
  console.log(JSON.stringify({ overall: ev.overall, perClass: ev.perClass, sizeBytes: ev.sizeBytes, latency: ev.latency, styleMae: ev.styleMae }));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
