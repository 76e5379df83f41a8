import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { SITUATIONS, type Situation } from '../types.js';
import { FEATURE_COUNT, FEATURE_NAMES } from './features.js';
import { DrivingModelError } from '../errors.js';

/** The committed model (models/driving/build.sh writes it). */
export const DEFAULT_MODEL_PATH = join(dirname(fileURLToPath(import.meta.url)), '../../../../models/driving/artifacts/driving-context.onnx');

export interface ModelOutput {
  situation: Situation;
  /** Softmax probability of `situation`. */
  confidence: number;
  probabilities: number[];
  /** 0 (smooth) .. 100 (aggressive). */
  style: number;
}

interface ModelMeta {
  features: string[];
  classes: string[];
}

/**
 * The ONNX driving-context model: window features in, situation probabilities and a style score out.
 * Checks at load that the model was trained on the features and classes this build computes.
 */
export class SituationModel {
  private closed = false;

  private constructor(
    private readonly session: ort.InferenceSession,
    readonly path: string,
  ) {}

  static async load(path: string = DEFAULT_MODEL_PATH): Promise<SituationModel> {
    let meta: ModelMeta;
    try {
      meta = JSON.parse(readFileSync(path.replace(/\.onnx$/, '.norm.json'), 'utf8')) as ModelMeta;
    } catch (err) {
      throw DrivingModelError(path, `cannot read its .norm.json: ${(err as Error).message}`, { cause: err });
    }
    if (meta.features.join(',') !== FEATURE_NAMES.join(',')) {
      throw DrivingModelError(path, `trained on features [${meta.features.join(', ')}], this build computes [${FEATURE_NAMES.join(', ')}]; rebuild with models/driving/build.sh`);
    }
    if (meta.classes.join(',') !== SITUATIONS.join(',')) throw DrivingModelError(path, `classes [${meta.classes.join(', ')}] are not [${SITUATIONS.join(', ')}]`);
    try {
      const session = await ort.InferenceSession.create(path, { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
      return new SituationModel(session, path);
    } catch (err) {
      throw DrivingModelError(path, (err as Error).message, { cause: err });
    }
  }

  /** Runs a batch of feature vectors (each FEATURE_COUNT long, concatenated). */
  async runBatch(features: Float32Array): Promise<ModelOutput[]> {
    if (this.closed) throw DrivingModelError(this.path, 'the model is closed');
    const n = features.length / FEATURE_COUNT;
    if (!Number.isInteger(n) || n < 1) throw DrivingModelError(this.path, `expected a multiple of ${FEATURE_COUNT} features, got ${features.length}`);
    const out = await this.session.run({ features: new ort.Tensor('float32', features, [n, FEATURE_COUNT]) });
    const logits = out.situation_logits!.data as Float32Array;
    const style = out.style_score!.data as Float32Array;
    const k = SITUATIONS.length;
    const results: ModelOutput[] = [];
    for (let i = 0; i < n; i++) {
      let max = -Infinity;
      for (let j = 0; j < k; j++) max = Math.max(max, logits[i * k + j]!);
      const probs: number[] = [];
      let sum = 0;
      for (let j = 0; j < k; j++) {
        const e = Math.exp(logits[i * k + j]! - max);
        probs.push(e);
        sum += e;
      }
      let best = 0;
      for (let j = 0; j < k; j++) {
        probs[j]! /= sum;
        if (probs[j]! > probs[best]!) best = j;
      }
      results.push({ situation: SITUATIONS[best]!, confidence: probs[best]!, probabilities: probs, style: style[i]! });
    }
    return results;
  }

  async run(features: Float32Array): Promise<ModelOutput> {
    return (await this.runBatch(features))[0]!;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.session.release();
  }
}
