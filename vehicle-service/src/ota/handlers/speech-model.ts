import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { Acceptance, ManifestFile } from '@auriga/ota/client';
import type { Logger } from 'pino';
import { compileContextFile } from '../../context/index.js';
import type { CompiledContext } from '../../context/types.js';
import { SpeechEngine, type DecoderConfig, type SpeechResult } from '../../speech/engine.js';
import { SpeechUnavailableError } from '../../speech/errors.js';
import type { ModelHolder } from '../model-holder.js';
import { judge, p95, type AcceptanceResult, type HealthResult, type ModelHandler, type ModelSource } from '../acceptance.js';
import { readAcceptanceData } from './golden.js';

/**
 * A speech-model bundle's golden set (the file with role `acceptance-data`): WAV files of the bundle, the
 * voice context (YAML, in the bundle) they are decoded against, and what each must give. `intent: null`
 * means the utterance must NOT be understood; listed slots and numbers must match exactly (others are free).
 */
export const SpeechGoldenSetSchema = Type.Object({
  context: Type.String({ minLength: 1, description: 'Bundle path of the voice context (YAML) the golden WAVs are decoded against.' }),
  utterances: Type.Array(Type.Object({
    wav: Type.String({ minLength: 1, description: 'Bundle path of a 16-bit PCM WAV file.' }),
    intent: Type.Union([Type.String({ minLength: 1 }), Type.Null()]),
    slots: Type.Optional(Type.Record(Type.String(), Type.String())),
    numbers: Type.Optional(Type.Record(Type.String(), Type.Number())),
  }, { additionalProperties: false }), { minItems: 1 }),
}, { additionalProperties: false });
export type SpeechGoldenSet = Static<typeof SpeechGoldenSetSchema>;

export interface SpeechModel {
  engine: SpeechEngine;
  /** Where manifest.json, the ONNX model and the lexicon were loaded from. */
  modelDir: string;
  golden?: {
    set: SpeechGoldenSet;
    /** The slot directory the golden paths are relative to. */
    dir: string;
    context: CompiledContext;
    /** The first golden WAV, kept for the health checks. */
    probe: Uint8Array;
  };
}

/**
 * Speech models (`speech-model` bundles): the artifacts of models/speech/artifacts (manifest.json,
 * student.int8.onnx, lexicon.txt.gz) in one folder of the bundle, loaded with the same SpeechEngine the
 * voice routes use. The acceptance test decodes every golden WAV against the golden context on this car
 * and requires the manifest's accuracy and latency (p95 of the per-WAV recognition time).
 *
 * hotSwap is true: the engine keeps no state between requests and the voice routes take it per request
 * from the holder, so a switch never cuts a recognition in half (in-flight ones finish on the old engine,
 * which is closed when the last one ends). What the driver could feel is the CPU the acceptance run takes,
 * which is why the service's install policy still parks speech-model by default (OTA_PARKED_KINDS).
 */
export class SpeechModelHandler implements ModelHandler<SpeechModel> {
  readonly kind = 'speech-model';
  readonly hotSwap = true;

  constructor(private readonly opts: { logger?: Logger; hrNow?: () => number; decoder?: Partial<DecoderConfig> } = {}) {}

  private get hrNow(): () => number {
    return this.opts.hrNow ?? (() => performance.now());
  }

  async load(source: ModelSource): Promise<SpeechModel> {
    const modelDir = speechModelDir(source);
    let golden: SpeechModel['golden'];
    // The golden set is read and checked before the engine loads: a bad bundle fails fast and holds no model.
    const data = source.files.length ? await readAcceptanceData(source.dir, source.files) : undefined;
    if (data !== undefined) {
      if (!Value.Check(SpeechGoldenSetSchema, data)) {
        const first = Value.Errors(SpeechGoldenSetSchema, data).First();
        throw new Error(`acceptance data ${first?.path || '/'}: ${first?.message ?? 'invalid'}`);
      }
      const set = data as SpeechGoldenSet;
      // Only files the manifest lists (hash-checked, safe paths) may be read.
      const listed = new Set(source.files.map((f) => f.path));
      for (const path of [set.context, ...set.utterances.map((u) => u.wav)]) {
        if (!listed.has(path)) throw new Error(`acceptance data names ${path}, which is not a file of the bundle`);
      }
      let context: CompiledContext;
      try {
        context = await compileContextFile(join(source.dir, ...set.context.split('/')));
      } catch (err) {
        throw new Error(`golden context ${set.context}: ${(err as Error).message}`, { cause: err });
      }
      const probe = await readBundleFile(source.dir, set.utterances[0]!.wav);
      golden = { set, dir: source.dir, context, probe };
    }
    const engine = await SpeechEngine.load({ modelDir, ...(this.opts.logger ? { logger: this.opts.logger } : {}), ...(this.opts.decoder ? { config: this.opts.decoder } : {}) });
    return { engine, modelDir, ...(golden ? { golden } : {}) };
  }

  async acceptanceTest(model: SpeechModel, acceptance: Acceptance): Promise<AcceptanceResult> {
    const golden = model.golden;
    if (!golden) return { ok: false, reason: 'the bundle has no acceptance data (golden WAVs)' };
    // Compiling the context is a one-off per context (cached); requests do not pay it, so it is not timed.
    const compiled = model.engine.compile(golden.context);
    const latencies: number[] = [];
    const wrong: string[] = [];
    let correct = 0;
    for (const u of golden.set.utterances) {
      const wav = await readBundleFile(golden.dir, u.wav);
      const start = this.hrNow();
      const r = await model.engine.recognize(wav, compiled);
      latencies.push(this.hrNow() - start);
      const why = mismatch(r, u);
      if (!why) correct += 1;
      else if (wrong.length < 3) wrong.push(`${u.wav}: ${why}`);
    }
    const result = judge(acceptance, { accuracy: correct / golden.set.utterances.length, latencyMs: p95(latencies) });
    if (!result.ok && wrong.length) result.reason = `${result.reason} (${wrong.join('; ')})`;
    return result;
  }

  async healthCheck(model: SpeechModel, acceptance: Acceptance): Promise<HealthResult> {
    const golden = model.golden;
    if (!golden) return { ok: true };
    const u = golden.set.utterances[0]!;
    const start = this.hrNow();
    const r = await model.engine.recognize(golden.probe, golden.context);
    const latencyMs = this.hrNow() - start;
    const why = mismatch(r, u);
    if (why) return { ok: false, latencyMs, reason: `${u.wav}: ${why}` };
    if (acceptance.maxLatencyMs !== undefined && latencyMs > acceptance.maxLatencyMs) {
      return { ok: false, latencyMs, reason: `${u.wav} recognized in ${Math.round(latencyMs)} ms, budget ${acceptance.maxLatencyMs} ms` };
    }
    return { ok: true, latencyMs };
  }

  async dispose(model: SpeechModel): Promise<void> {
    await model.engine.close();
  }
}

/**
 * The folder holding the speech model's own manifest.json: the source directory for the factory model,
 * else the folder of the bundle file with role `model` (the bundle's root manifest.json is the OTA
 * manifest, so the speech artifacts sit in a folder of their own, e.g. `model/`).
 */
export function speechModelDir(source: ModelSource): string {
  if (source.files.length === 0) return source.dir;
  const file = source.files.find((f) => f.role === 'model' && f.path.endsWith('.onnx'))
    ?? source.files.find((f: ManifestFile) => f.path.endsWith('/manifest.json'));
  if (!file) throw new Error('the bundle has no speech model (a file with role "model" ending in .onnx)');
  const folder = dirname(file.path);
  if (folder === '.') throw new Error(`${file.path} must sit in a folder of the bundle with its manifest.json and lexicon (e.g. model/${file.path}): the bundle's root manifest.json is the OTA manifest`);
  return join(source.dir, ...folder.split('/'));
}

async function readBundleFile(dir: string, path: string): Promise<Uint8Array> {
  const buf = await readFile(join(dir, ...path.split('/')));
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/** Why a recognition differs from the golden expectation, or undefined when it matches. */
function mismatch(r: SpeechResult, expected: SpeechGoldenSet['utterances'][number]): string | undefined {
  const got = r.isUnderstood ? r.intent ?? null : null;
  if (got !== expected.intent) return `gave ${got ?? 'nothing'}, expected ${expected.intent ?? 'nothing'}`;
  for (const [k, v] of Object.entries(expected.slots ?? {})) {
    if (r.slots[k] !== v) return `slot ${k} is ${r.slots[k] ?? 'missing'}, expected ${v}`;
  }
  for (const [k, v] of Object.entries(expected.numbers ?? {})) {
    if (r.numbers[k] !== v) return `number ${k} is ${r.numbers[k] ?? 'missing'}, expected ${v}`;
  }
  return undefined;
}

/**
 * The voice routes' engine provider over the agent's holder: each recognition takes a lease on the engine
 * current at that moment (so a switch is atomic and in-flight recognitions finish on the old engine), and its
 * outcome counts in the post-switch health window.
 */
export function holderSpeechProvider(holder: ModelHolder<SpeechModel>): {
  available(): boolean;
  use<T>(fn: (engine: SpeechEngine) => Promise<T>): Promise<T>;
} {
  return {
    available: () => holder.current !== undefined,
    use: (fn) => {
      if (holder.current === undefined) return Promise.reject(SpeechUnavailableError('no speech model is loaded (see GET /v1/ota/status)'));
      return holder.use((model) => fn(model.engine));
    },
  };
}
