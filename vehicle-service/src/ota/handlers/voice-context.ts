import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { Acceptance } from '@auriga/ota/client';
import { compileContextFile } from '../../context/index.js';
import { matchText } from '../../context/match.js';
import type { CompiledContext } from '../../context/types.js';
import { judge, p95, type AcceptanceResult, type HealthResult, type ModelHandler, type ModelSource } from '../acceptance.js';
import { readAcceptanceData } from './golden.js';

/** A voice-context bundle's golden set: phrases and the intent each must give (null: must not be understood). */
export const VoiceGoldenSetSchema = Type.Object({
  phrases: Type.Array(Type.Object({
    text: Type.String({ minLength: 1 }),
    intent: Type.Union([Type.String({ minLength: 1 }), Type.Null()]),
  }), { minItems: 1 }),
});
export type VoiceGoldenSet = Static<typeof VoiceGoldenSetSchema>;

export interface VoiceContextModel {
  compiled: CompiledContext;
  golden?: VoiceGoldenSet;
  name: string;
  version: string;
}

/**
 * Voice contexts (`voice-context` bundles): the YAML context is compiled with the same code the assistant
 * uses; the acceptance test matches every golden phrase with `matchText` and requires the manifest's
 * accuracy and latency (p95 per phrase). Swapping a context is invisible to the driver (hot-swap).
 */
export class VoiceContextHandler implements ModelHandler<VoiceContextModel> {
  readonly kind = 'voice-context';
  readonly hotSwap = true;

  constructor(private readonly hrNow: () => number = () => performance.now()) {}

  async load(source: ModelSource): Promise<VoiceContextModel> {
    const file = source.files.find((f) => f.role === 'voice-context')?.path
      ?? (await readdir(source.dir)).filter((n) => /\.ya?ml$/.test(n)).sort()[0];
    if (!file) throw new Error(`no voice context (.yaml) in ${source.dir}`);
    const compiled = await compileContextFile(join(source.dir, ...file.split('/')));
    const data = source.files.length ? await readAcceptanceData(source.dir, source.files) : undefined;
    if (data !== undefined && !Value.Check(VoiceGoldenSetSchema, data)) {
      const first = Value.Errors(VoiceGoldenSetSchema, data).First();
      throw new Error(`acceptance data ${first?.path ?? ''}: ${first?.message ?? 'invalid'}`);
    }
    return { compiled, golden: data as VoiceGoldenSet | undefined, name: source.name, version: source.version };
  }

  async acceptanceTest(model: VoiceContextModel, acceptance: Acceptance): Promise<AcceptanceResult> {
    if (!model.golden) return { ok: false, reason: 'the bundle has no acceptance data (golden phrases)' };
    const latencies: number[] = [];
    let correct = 0;
    const wrong: string[] = [];
    for (const p of model.golden.phrases) {
      const start = this.hrNow();
      const u = matchText(model.compiled, p.text);
      latencies.push(this.hrNow() - start);
      const got = u.isUnderstood ? u.intent ?? null : null;
      if (got === p.intent) correct += 1;
      else if (wrong.length < 3) wrong.push(`"${p.text}" gave ${got ?? 'nothing'}, expected ${p.intent ?? 'nothing'}`);
    }
    const result = judge(acceptance, { accuracy: correct / model.golden.phrases.length, latencyMs: p95(latencies) });
    if (!result.ok && wrong.length) result.reason = `${result.reason} (${wrong.join('; ')})`;
    return result;
  }

  async healthCheck(model: VoiceContextModel, acceptance: Acceptance): Promise<HealthResult> {
    const probe = model.golden?.phrases.find((p) => p.intent !== null);
    if (!probe) return { ok: true };
    const start = this.hrNow();
    const u = matchText(model.compiled, probe.text);
    const latencyMs = this.hrNow() - start;
    if (!u.isUnderstood || u.intent !== probe.intent) return { ok: false, latencyMs, reason: `"${probe.text}" no longer gives ${probe.intent}` };
    if (acceptance.maxLatencyMs !== undefined && latencyMs > acceptance.maxLatencyMs) {
      return { ok: false, latencyMs, reason: `answered in ${Math.round(latencyMs)} ms, budget ${acceptance.maxLatencyMs} ms` };
    }
    return { ok: true, latencyMs };
  }
}
