import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { Acceptance } from '@auriga/ota/client';
import type * as Ort from 'onnxruntime-node';
import { judge, p95, type AcceptanceResult, type HealthResult, type ModelHandler, type ModelSource } from '../acceptance.js';
import { readAcceptanceData } from './golden.js';

const TensorSchema = Type.Object({
  type: Type.Union([Type.Literal('float32'), Type.Literal('int64'), Type.Literal('int32')]),
  dims: Type.Array(Type.Integer({ minimum: 0 })),
  data: Type.Array(Type.Number()),
});

/**
 * An ONNX model's golden set: inputs and the expected output per case. A case is correct when every listed
 * output matches within `tolerance` (absolute), or, with `argmax`, when the largest element is at that index.
 */
export const OnnxGoldenSetSchema = Type.Object({
  tolerance: Type.Optional(Type.Number({ minimum: 0 })),
  cases: Type.Array(Type.Object({
    inputs: Type.Record(Type.String(), TensorSchema),
    expected: Type.Record(Type.String(), Type.Object({ data: Type.Optional(Type.Array(Type.Number())), argmax: Type.Optional(Type.Integer({ minimum: 0 })) })),
  }), { minItems: 1 }),
});
export type OnnxGoldenSet = Static<typeof OnnxGoldenSetSchema>;

export interface OnnxModel {
  session: Ort.InferenceSession;
  /** The .onnx file loaded (its side files, e.g. normalization, sit beside it). */
  path: string;
  golden?: OnnxGoldenSet;
}

/**
 * Generic ONNX models (`speech-model`, `driving-context-model` bundles until they get their own handler):
 * loads the file with role `model` (or the one .onnx file) with onnxruntime-node, runs the golden inputs and
 * compares outputs with the expected values, and times each run against the latency budget.
 */
export class OnnxModelHandler implements ModelHandler<OnnxModel> {
  readonly hotSwap: boolean;

  constructor(readonly kind: string, opts: { hotSwap?: boolean; hrNow?: () => number } = {}) {
    this.hotSwap = opts.hotSwap ?? false;
    this.hrNow = opts.hrNow ?? (() => performance.now());
  }
  private readonly hrNow: () => number;

  async load(source: ModelSource): Promise<OnnxModel> {
    const file = source.files.find((f) => f.role === 'model' && f.path.endsWith('.onnx'))?.path
      ?? source.files.find((f) => f.path.endsWith('.onnx'))?.path
      ?? (await readdir(source.dir)).filter((n) => n.endsWith('.onnx')).sort()[0];
    if (!file) throw new Error(`no .onnx model in ${source.dir}`);
    const data = source.files.length ? await readAcceptanceData(source.dir, source.files) : undefined;
    if (data !== undefined && !Value.Check(OnnxGoldenSetSchema, data)) {
      const first = Value.Errors(OnnxGoldenSetSchema, data).First();
      throw new Error(`acceptance data ${first?.path ?? ''}: ${first?.message ?? 'invalid'}`);
    }
    const ort = await import('onnxruntime-node');
    const path = join(source.dir, ...file.split('/'));
    const session = await ort.InferenceSession.create(path, { intraOpNumThreads: 1, interOpNumThreads: 1 });
    return { session, path, golden: data as OnnxGoldenSet | undefined };
  }

  private async runCase(model: OnnxModel, c: OnnxGoldenSet['cases'][number], tolerance: number): Promise<{ ok: boolean; latencyMs: number; why?: string }> {
    const ort = await import('onnxruntime-node');
    const feeds: Record<string, Ort.Tensor> = {};
    for (const [name, t] of Object.entries(c.inputs)) {
      const data = t.type === 'float32' ? Float32Array.from(t.data) : t.type === 'int32' ? Int32Array.from(t.data) : BigInt64Array.from(t.data.map((n) => BigInt(n)));
      feeds[name] = new ort.Tensor(t.type, data, t.dims);
    }
    const start = this.hrNow();
    const out = await model.session.run(feeds);
    const latencyMs = this.hrNow() - start;
    for (const [name, exp] of Object.entries(c.expected)) {
      const tensor = out[name];
      if (!tensor) return { ok: false, latencyMs, why: `no output ${name}` };
      const got = Array.from(tensor.data as ArrayLike<number | bigint>, Number);
      if (exp.data && (exp.data.length !== got.length || exp.data.some((v, i) => Math.abs(v - got[i]!) > tolerance))) {
        return { ok: false, latencyMs, why: `${name} differs from the expected output` };
      }
      if (exp.argmax !== undefined && got.indexOf(Math.max(...got)) !== exp.argmax) {
        return { ok: false, latencyMs, why: `${name} argmax is not ${exp.argmax}` };
      }
    }
    return { ok: true, latencyMs };
  }

  async acceptanceTest(model: OnnxModel, acceptance: Acceptance): Promise<AcceptanceResult> {
    if (!model.golden) return { ok: false, reason: 'the bundle has no acceptance data (golden inputs)' };
    const tolerance = model.golden.tolerance ?? 1e-3;
    const latencies: number[] = [];
    let correct = 0;
    let firstWhy: string | undefined;
    for (const c of model.golden.cases) {
      const r = await this.runCase(model, c, tolerance);
      latencies.push(r.latencyMs);
      if (r.ok) correct += 1;
      else firstWhy ??= r.why;
    }
    const result = judge(acceptance, { accuracy: correct / model.golden.cases.length, latencyMs: p95(latencies) });
    if (!result.ok && firstWhy) result.reason = `${result.reason} (${firstWhy})`;
    return result;
  }

  async healthCheck(model: OnnxModel, acceptance: Acceptance): Promise<HealthResult> {
    const c = model.golden?.cases[0];
    if (!c) return { ok: true };
    const r = await this.runCase(model, c, model.golden?.tolerance ?? 1e-3);
    if (!r.ok) return { ok: false, latencyMs: r.latencyMs, reason: r.why };
    if (acceptance.maxLatencyMs !== undefined && r.latencyMs > acceptance.maxLatencyMs) {
      return { ok: false, latencyMs: r.latencyMs, reason: `answered in ${Math.round(r.latencyMs)} ms, budget ${acceptance.maxLatencyMs} ms` };
    }
    return { ok: true, latencyMs: r.latencyMs };
  }

  async dispose(model: OnnxModel): Promise<void> {
    await model.session.release();
  }
}
