/**
 * The shipped phone model (models/speech/artifacts): an onnxruntime-node session over the int8 student.
 * Input: 16 kHz mono float audio; output: log posteriors over `phones` at `frameRateHz`.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { SpeechModelError } from '../errors.js';

export interface ModelManifest {
  readonly phones: readonly string[];
  readonly outputRateHz: number;
  readonly input: { readonly name: string; readonly sampleRate: number };
  readonly output: { readonly name: string };
  readonly files: { readonly model: { readonly path: string }; readonly lexicon: { readonly path: string } };
}

/** Frame-major log posteriors: `data[t * phoneCount + p]`. */
export interface Posteriors {
  readonly data: Float32Array;
  readonly frames: number;
  readonly phoneCount: number;
}

export interface AcousticModelOptions {
  /** Threads for onnxruntime (default 1: the RTF target is for one core). */
  readonly threads?: number;
}

/** Shortest input the graph accepts (one 25 ms analysis window). */
const MIN_SAMPLES = 400;

export class AcousticModel {
  private closed = false;

  private constructor(
    private readonly session: ort.InferenceSession,
    readonly manifest: ModelManifest,
  ) {}

  static async readManifest(modelDir: string): Promise<ModelManifest> {
    let text: string;
    try {
      text = await readFile(join(modelDir, 'manifest.json'), 'utf8');
    } catch (err) {
      throw SpeechModelError(`${join(modelDir, 'manifest.json')}: ${(err as Error).message}`, { cause: err });
    }
    const manifest = JSON.parse(text) as ModelManifest;
    if (!Array.isArray(manifest.phones) || manifest.phones[0] !== 'SIL' || !manifest.outputRateHz || !manifest.files?.model?.path) {
      throw SpeechModelError(`${join(modelDir, 'manifest.json')}: missing phones (SIL first), outputRateHz or files.model`);
    }
    return manifest;
  }

  static async load(modelDir: string, options: AcousticModelOptions = {}): Promise<AcousticModel> {
    const manifest = await AcousticModel.readManifest(modelDir);
    const path = join(modelDir, manifest.files.model.path);
    const threads = options.threads ?? 1;
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(path, {
        executionProviders: ['cpu'],
        intraOpNumThreads: threads,
        interOpNumThreads: 1,
        graphOptimizationLevel: 'all',
      });
    } catch (err) {
      throw SpeechModelError(`${path}: ${(err as Error).message}`, { cause: err });
    }
    return new AcousticModel(session, manifest);
  }

  get phones(): readonly string[] {
    return this.manifest.phones;
  }

  /** Run the model on 16 kHz mono samples. Audio shorter than one window is zero-padded. */
  async posteriors(samples: Float32Array): Promise<Posteriors> {
    if (this.closed) throw SpeechModelError('the acoustic model is closed');
    let audio = samples;
    if (audio.length < MIN_SAMPLES) {
      audio = new Float32Array(MIN_SAMPLES);
      audio.set(samples);
    }
    const input = new ort.Tensor('float32', audio, [1, audio.length]);
    const out = await this.session.run({ [this.manifest.input.name]: input });
    const tensor = out[this.manifest.output.name];
    if (!tensor) throw SpeechModelError(`the model has no output '${this.manifest.output.name}'`);
    const dims = tensor.dims;
    const data = tensor.data as Float32Array;
    return { data, frames: Number(dims[1]), phoneCount: Number(dims[2]) };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.session.release();
  }
}
