/**
 * Decoder tuning on SYNTHETIC speech only (never on shared/speech/real-dev or shared/speech/fsdd, which are for measuring):
 * car-context sentences and out-of-context sentences spoken by held-out TTS voices (espeak-ng variants the
 * model was not trained on, flite slt) in four conditions (clean; 10 dB pink noise; 10 dB with 2 s of noise
 * padding; "degraded": speed, long reverb, band-limiting, 8-15 dB noise). --measure also reports real
 * 3-digit sequences joined from the Free Spoken Digit Dataset (shared/speech/fsdd, measuring only: never in
 * the tuning objective) against a digits context. Decodes each setting once with the rejection off, then sweeps the
 * rejection margins (loosest first, so ties keep fewer rejections) and prints JSON. Posteriors are cached in
 * the OS temp directory per model (--no-cache to rebuild).
 * Usage: node --import tsx vehicle-service/src/speech/tune.ts [--quick] [--grid JSON] [--model-dir DIR]
 *   --measure [--config JSON]: the default (or given) settings on another sample (seed 8, other
 *   out-of-context sentences, other FSDD recordings).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileContext, compileContextFile, parseContext, sampleSentences } from '../context/index.js';
import type { CompiledContext } from '../context/types.js';
import type { Posteriors } from './acoustic/index.js';
import { mixAtSnr, resample, wavTo16kMono } from './audio/index.js';
import { DEFAULT_DECODER_CONFIG, DEFAULT_MODEL_DIR, SpeechEngine, type DecoderConfig } from './engine.js';

const CAR = new URL('../../../models/contexts/en-US/car.yaml', import.meta.url).pathname;
/** --model-dir DIR: another build of the phone model (default: the shipped one). */
const MODEL_DIR = process.argv.includes('--model-dir') ? process.argv[process.argv.indexOf('--model-dir') + 1]! : DEFAULT_MODEL_DIR;
const VOICES = ['en-us-nyc+m7', 'en-gb-x-gbclan+f4', 'en-us-nyc+f5', 'en-us-nyc+klatt3', 'en-us-nyc+Mike', 'flite:slt'];
export const OUT_OF_CONTEXT = [
  'what is the capital of france', 'tell me a joke about penguins', 'i need to buy groceries tomorrow',
  'the meeting starts at nine', 'how tall is the eiffel tower', 'my sister lives in boston',
  'please water the plants', 'who won the football game', 'can you recommend a good book',
  'the dog is sleeping on the sofa', 'remind me to call the dentist', 'i love chocolate ice cream',
  'what time does the bakery open', 'send an email to my boss', 'how do you spell necessary',
  'the weather is lovely today', 'order a pizza with mushrooms', 'where did i leave my keys',
  'translate hello into spanish', 'play some jazz music',
];

/** Out-of-context sentences for --measure (never used for tuning). */
const OUT_OF_CONTEXT_TEST = [
  'how many ounces are in a pound', 'my phone battery is almost empty', 'book a table for four at eight',
  'the train to london is delayed', 'what is the square root of nine', 'switch off the kitchen lights',
  'i forgot my umbrella at home', 'is it going to snow this weekend', 'find me a recipe for lasagna',
  'who painted the mona lisa', 'the children are playing outside', 'add milk to the shopping list',
  'how far away is the moon', 'she bought a new bicycle', 'turn the page please',
  'call my mother', 'the cat jumped over the fence', 'what does this word mean',
  'we should paint the garage', 'my favourite colour is green',
];

function synth(text: string, voice: string, dir: string, i: number): Float32Array {
  const file = join(dir, `${i}.wav`);
  if (voice.startsWith('flite:')) execFileSync('flite', ['-voice', voice.slice(6), '-t', text, '-o', file]);
  else execFileSync('espeak-ng', ['-v', voice, '-w', file, text]);
  return wavTo16kMono(readFileSync(file)).samples;
}

/** Deterministic pink-ish noise (filtered white noise). */
function pinkNoise(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  let b0 = 0, b1 = 0, b2 = 0;
  for (let i = 0; i < n; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    const w = s / 2 ** 32 - 0.5;
    b0 = 0.99765 * b0 + w * 0.099046;
    b1 = 0.963 * b1 + w * 0.2965164;
    b2 = 0.57 * b2 + w * 1.0526913;
    out[i] = b0 + b1 + b2 + w * 0.1848;
  }
  return out;
}

type Variant = 'clean' | 'noisy' | 'padded' | 'degraded';

/** Deterministic uniform [0, 1) generator. */
function rng(seed: number): () => number {
  let s = (seed * 2654435761) >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** RBJ biquad (high-pass or low-pass), applied in place. */
function biquad(x: Float32Array, kind: 'hp' | 'lp', freq: number, rate = 16_000): void {
  const w = (2 * Math.PI * freq) / rate;
  const alpha = Math.sin(w) / (2 * Math.SQRT1_2);
  const cos = Math.cos(w);
  const b0 = kind === 'lp' ? (1 - cos) / 2 : (1 + cos) / 2;
  const b1 = kind === 'lp' ? 1 - cos : -(1 + cos);
  const a0 = 1 + alpha;
  const a1 = -2 * cos;
  const a2 = 1 - alpha;
  let x1 = 0, x2 = 0, y1 = 0, y2 = 0;
  for (let i = 0; i < x.length; i++) {
    const x0 = x[i]!;
    const y0 = (b0 * x0 + b1 * x1 + b0 * x2 - a1 * y1 - a2 * y2) / a0;
    x2 = x1; x1 = x0; y2 = y1; y1 = y0;
    x[i] = y0;
  }
}

/**
 * Conditions further from the training data than plain noise, standing in for the uncertainty the model
 * shows on real voices: speed/pitch change 0.85-1.15 (resampling), a room reverb longer than the training
 * cabins (RT60 0.3-0.6 s), band-limiting (150-400 Hz .. 3-4.5 kHz) and pink noise at 8-15 dB.
 */
function degrade(audio: Float32Array, seed: number): Float32Array {
  const r = rng(seed);
  const speed = 0.85 + 0.3 * r();
  const fast = resample(audio, 16_000, Math.round(16_000 / speed));
  const rt60 = 0.3 + 0.3 * r();
  const taps = Math.round(0.6 * rt60 * 16_000);
  const rir = new Float32Array(taps);
  rir[0] = 1;
  for (let i = 1; i < taps; i++) rir[i] = (r() * 2 - 1) * 0.3 * Math.exp((-6.9 * i) / (rt60 * 16_000));
  const wet = new Float32Array(fast.length);
  for (let i = 0; i < fast.length; i++) {
    const v = fast[i]!;
    if (v === 0) continue;
    const end = Math.min(taps, fast.length - i);
    for (let k = 0; k < end; k++) wet[i + k]! += v * rir[k]!;
  }
  biquad(wet, 'hp', 150 + 250 * r());
  biquad(wet, 'lp', 3000 + 1500 * r());
  return mixAtSnr(wet, pinkNoise(wet.length, seed + 17), 8 + 7 * r());
}

interface Item {
  readonly expected?: { intent: string; slots: Record<string, string> };
  readonly post: Posteriors;
  readonly variant: Variant | RealVariant;
  /** Context the item is decoded against (default: the car context). */
  readonly contextName?: 'digits';
}

/**
 * Real voices for calibrating the rejection, other than real-dev: the Free Spoken Digit Dataset
 * (shared/speech/fsdd, 6 speakers, 8 kHz single digits). Three digits of one speaker are joined into a
 * sequence and decoded against a 3-digit context (in context), and the same audio against the car context
 * (out of context: the car has no bare digit-sequence command). Odd recording indices are used for tuning,
 * even ones for --measure.
 */
type RealVariant = 'realClean' | 'realNoisy' | 'realOut';
const FSDD = '/work/shared/speech/fsdd/recordings';
const DIGIT_WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
const DIGITS_CONTEXT = `
context:
  name: digits
  language: en-US
  intents:
    dial:
      expressions:
        - "$digit:a $digit:b $digit:c"
  slots:
    digit: [${DIGIT_WORDS.join(', ')}]
`;

function fsddSequences(measure: boolean, perSpeaker: number): { samples: Float32Array; slots: Record<string, string> }[] {
  if (!existsSync(FSDD)) return [];
  const speakers = ['george', 'jackson', 'lucas', 'nicolas', 'theo', 'yweweler'];
  const out: { samples: Float32Array; slots: Record<string, string> }[] = [];
  const r = rng(measure ? 99 : 42);
  for (const speaker of speakers) {
    for (let n = 0; n < perSpeaker; n++) {
      const digits = [0, 1, 2].map(() => Math.floor(r() * 10));
      const parts = digits.map((d) => {
        const index = 2 * Math.floor(r() * 5) + (measure ? 0 : 1);
        return wavTo16kMono(readFileSync(join(FSDD, `${d}_${speaker}_${index}.wav`))).samples;
      });
      const gap = 2400; // 150 ms between digits, 300 ms before and after
      const total = parts.reduce((a, p) => a + p.length, 0) + 2 * 4800 + 2 * gap;
      const samples = new Float32Array(total);
      let at = 4800;
      parts.forEach((p, i) => {
        samples.set(p, at);
        at += p.length + (i < 2 ? gap : 0);
      });
      // +-2 LSB dither where the joins left digital silence (as in training).
      const dr = rng(out.length + 7);
      for (let i = 0; i < samples.length; i++) samples[i]! += ((dr() * 4 - 2) / 32768);
      out.push({ samples, slots: { a: DIGIT_WORDS[digits[0]!]!, b: DIGIT_WORDS[digits[1]!]!, c: DIGIT_WORDS[digits[2]!]! } });
    }
  }
  return out;
}

/** 2 s of silence each side, then noise over everything: long noise-only stretches around the command. */
function padded(audio: Float32Array): Float32Array {
  const out = new Float32Array(audio.length + 64_000);
  out.set(audio, 32_000);
  return out;
}

interface CachedItem {
  readonly expected?: { intent: string; slots: Record<string, string> };
  readonly variant: Variant | RealVariant;
  readonly contextName?: 'digits';
  readonly frames: number;
  readonly phoneCount: number;
  readonly data: string;
}

/**
 * The tuning items (TTS synthesis + the model's posteriors), cached in the OS temp directory per sample
 * and model file so that repeated sweeps only decode. Delete the cache file after a model change is not
 * needed: the key includes the model's size and modification time.
 */
async function loadItems(measure: boolean, quick: boolean, context: CompiledContext): Promise<Item[]> {
  const base = await SpeechEngine.load({ modelDir: MODEL_DIR });
  const modelPath = join(MODEL_DIR, 'manifest.json');
  const stamp = statSync(modelPath);
  const key = `${measure ? 'measure' : 'tune'}-${quick ? 'quick' : 'full'}-${stamp.size}-${Math.round(stamp.mtimeMs)}-v3`;
  const cacheFile = join(tmpdir(), `auriga-tune-${key}.json`);
  if (existsSync(cacheFile) && !process.argv.includes('--no-cache')) {
    await base.close();
    const cached = JSON.parse(readFileSync(cacheFile, 'utf8')) as CachedItem[];
    return cached.map((c) => {
      const buf = Buffer.from(c.data, 'base64');
      const data = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
      return { ...(c.expected ? { expected: c.expected } : {}), ...(c.contextName ? { contextName: c.contextName } : {}), variant: c.variant, post: { data, frames: c.frames, phoneCount: c.phoneCount } };
    });
  }
  const nIn = quick ? 12 : 36;
  const dir = mkdtempSync(join(tmpdir(), 'auriga-tune-'));
  const items: Item[] = [];
  const inSamples = sampleSentences(context, { count: nIn, seed: measure ? 8 : 7 });
  const oocList = measure ? OUT_OF_CONTEXT_TEST : OUT_OF_CONTEXT;
  const ooc = quick ? oocList.slice(0, 8) : oocList;
  let k = 0;
  for (const [list, isIn] of [[inSamples, true], [ooc, false]] as const) {
    for (const entry of list) {
      const text = typeof entry === 'string' ? entry : entry.text;
      const audio = synth(text, VOICES[k % VOICES.length]!, dir, k);
      const noisy = mixAtSnr(audio, pinkNoise(audio.length, k + 1), 10);
      const pad = padded(audio);
      const padNoisy = mixAtSnr(pad, pinkNoise(pad.length, k + 1), 10);
      const expected = typeof entry === 'string' ? undefined : { intent: entry.intent, slots: { ...entry.slots } };
      const hard = degrade(audio, k + 101);
      for (const [samples, variant] of [[audio, 'clean'], [noisy, 'noisy'], [padNoisy, 'padded'], [hard, 'degraded']] as const) {
        items.push({ ...(isIn && expected ? { expected } : {}), post: await base.posteriors(samples), variant });
      }
      k++;
    }
  }
  rmSync(dir, { recursive: true, force: true });
  // shared/speech/fsdd is for measuring only (shared/README.md): its real voices are reported by --measure and
  // never enter the tuning objective.
  for (const [i, seq] of (measure ? fsddSequences(true, quick ? 3 : 10) : []).entries()) {
    const noisy = mixAtSnr(seq.samples, pinkNoise(seq.samples.length, 500 + i), 10);
    const clean = await base.posteriors(seq.samples);
    items.push({ expected: { intent: 'dial', slots: seq.slots }, post: clean, variant: 'realClean', contextName: 'digits' });
    items.push({ expected: { intent: 'dial', slots: seq.slots }, post: await base.posteriors(noisy), variant: 'realNoisy', contextName: 'digits' });
    items.push({ post: clean, variant: 'realOut' });
  }
  await base.close();
  const cached: CachedItem[] = items.map((it) => ({
    ...(it.expected ? { expected: it.expected } : {}),
    ...(it.contextName ? { contextName: it.contextName } : {}),
    variant: it.variant,
    frames: it.post.frames,
    phoneCount: it.post.phoneCount,
    data: Buffer.from(it.post.data.buffer, it.post.data.byteOffset, it.post.data.byteLength).toString('base64'),
  }));
  writeFileSync(cacheFile, JSON.stringify(cached));
  return items;
}

/** Settings that only change the search (one engine decodes them all). */
const SEARCH_KEYS = new Set(['acousticScale', 'beam', 'maxActive', 'priorWeight', 'rejectPriorWeight', 'emitFloor', 'rejectReference', 'wordLoopEnter', 'wordLoopBeam']);
const VARIANTS: readonly (Variant | RealVariant)[] = ['clean', 'noisy', 'padded', 'degraded', 'realClean', 'realNoisy'];
const OUT_VARIANTS: readonly (Variant | RealVariant)[] = ['clean', 'noisy', 'padded', 'degraded', 'realOut'];

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  // --measure: the default settings only, on a different sample (seed 8) and other out-of-context sentences.
  const measure = process.argv.includes('--measure');
  const context = await compileContextFile(CAR);
  const items = await loadItems(measure, quick, context);
  const digits = compileContext(parseContext(DIGITS_CONTEXT));

  // --grid '{"statesPerPhone":[2,3],"emitFloor":[3,5],"priorWeight":[0.5,1]}' (default: the floor sweep).
  const gridArg = process.argv.indexOf('--grid');
  const axes = (gridArg >= 0 ? JSON.parse(process.argv[gridArg + 1]!) : { emitFloor: [2, 3, 4, 6, 1e9] }) as Record<string, number[]>;
  // --config JSON: settings measured instead of the defaults (with --measure; e.g. the previous defaults).
  const configArg = process.argv.indexOf('--config');
  let grid: Partial<DecoderConfig>[] = [configArg >= 0 ? (JSON.parse(process.argv[configArg + 1]!) as Partial<DecoderConfig>) : {}];
  if (!measure) for (const [key, values] of Object.entries(axes)) grid = grid.flatMap((g) => values.map((v) => ({ ...g, [key]: v })));
  const results = [];
  const engines = new Map<string, { engine: SpeechEngine; compiled: ReturnType<SpeechEngine['compile']>; compiledDigits: ReturnType<SpeechEngine['compile']> }>();
  for (const cfg of grid) {
    const graphCfg = Object.fromEntries(Object.entries(cfg).filter(([k]) => !SEARCH_KEYS.has(k)));
    const searchCfg = Object.fromEntries(Object.entries(cfg).filter(([k]) => SEARCH_KEYS.has(k)));
    const graphKey = JSON.stringify(graphCfg);
    let entry = engines.get(graphKey);
    if (!entry) {
      const engine = await SpeechEngine.load({ modelDir: MODEL_DIR, config: graphCfg });
      entry = { engine, compiled: engine.compile(context), compiledDigits: engine.compile(digits) };
      engines.set(graphKey, entry);
    }
    const { engine, compiled, compiledDigits } = entry;
    // Decode once with an infinite margin, then pick the margins from the per-frame gaps.
    const t0 = performance.now();
    const decoded = items.map((item) => ({ item, r: engine.decode(item.post, item.contextName === 'digits' ? compiledDigits : compiled, { ...searchCfg, rejectMargin: 1e9 }) }));
    const decodeMsPerItem = (performance.now() - t0) / items.length;
    const correct = (d: (typeof decoded)[number]): boolean =>
      !!d.item.expected && d.r.intent === d.item.expected.intent && JSON.stringify(sortKeys(d.r.slots)) === JSON.stringify(sortKeys(d.item.expected.slots));
    type Best = { margin: number; entropyWeight: number; phoneGapWeight: number; outsideMargin: number; score: number; accuracy: Record<string, number>; reject: number; rejectByVariant: Record<string, number> };
    let best: Best = { margin: 0, entropyWeight: 0, phoneGapWeight: 0, outsideMargin: 0, score: -1, accuracy: {}, reject: 0, rejectByVariant: {} };
    const outsideGrid = measure ? [engine.config.rejectOutsideMargin] : [Infinity, 3, 2, 1.5, 1, 0.5]; // loosest first: ties keep the fewer rejections
    // The entropy weight was chosen 0 in every earlier round; it stays at the engine's setting. The phone-gap
    // weight is swept from the most tolerant down, so that ties keep the setting that gives an unsure model
    // (real voices) the most slack.
    const entropyGrid = [engine.config.rejectEntropyWeight];
    const phoneGapGrid = measure ? [engine.config.rejectPhoneGapWeight] : [0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0];
    const inBy = new Map(VARIANTS.map((v) => [v, decoded.filter((d) => d.item.expected && d.item.variant === v)]));
    const outBy = new Map(OUT_VARIANTS.map((v) => [v, decoded.filter((d) => !d.item.expected && d.item.variant === v)]));
    const out = decoded.filter((d) => !d.item.expected);
    const margins: number[] = [];
    if (measure) margins.push(engine.config.rejectMargin);
    else for (let m = 2; m >= -1; m -= 0.025) margins.push(m); // loosest first, as above
    const bestByOutside: Record<string, number> = {};
    for (const om of outsideGrid) for (const ew of entropyGrid) for (const pg of phoneGapGrid) {
      for (const m of margins) {
        const accepted = (d: (typeof decoded)[number]): boolean => d.r.marginPerFrame <= m + ew * d.r.entropyPerFrame + pg * Math.max(0, d.r.phoneMarginPerFrame) && d.r.outsideMarginPerFrame <= om;
        const ok = (d: (typeof decoded)[number]): boolean => accepted(d) && correct(d);
        const accuracy = Object.fromEntries(VARIANTS.map((v) => [v, inBy.get(v)!.filter(ok).length / inBy.get(v)!.length]));
        const rejectByVariant = Object.fromEntries(OUT_VARIANTS.map((v) => [v, outBy.get(v)!.filter((d) => !accepted(d)).length / outBy.get(v)!.length]));
        // Out of context: the synthetic sentences. The real digit sequences against the car context are only
        // reported (realOut): the car context has the digit words, so parts of them are in context.
        const synthOut = out.filter((d) => d.item.variant !== 'realOut');
        const reject = synthOut.filter((d) => !accepted(d)).length / synthOut.length;
        // Real voices weigh as much as all synthetic conditions together: the thresholds must transfer.
        const ttsAcc = (['clean', 'noisy', 'padded', 'degraded'] as const).reduce((a, v) => a + accuracy[v]!, 0) / 4;
        const realAcc = inBy.get('realClean')!.length > 0 ? (accuracy.realClean! + accuracy.realNoisy!) / 2 : ttsAcc;
        const score = (ttsAcc + realAcc) / 2 + reject; // equal weight to understanding and rejecting
        if (score > (bestByOutside[String(om)] ?? -1)) bestByOutside[String(om)] = Math.round(score * 1000) / 1000;
        if (score > best.score) best = { margin: Math.round(m * 1000) / 1000, entropyWeight: ew, phoneGapWeight: pg, outsideMargin: om, score, accuracy, reject, rejectByVariant };
      }
    }
    const bestPathAccuracy = Object.fromEntries(VARIANTS.map((v) => [v, Math.round((inBy.get(v)!.filter(correct).length / inBy.get(v)!.length) * 1000) / 1000]));
    // Per-frame gap quantiles of the correct in-context paths and of the out-of-context items (calibration).
    const q = (xs: number[], p: number): number => (xs.length ? Math.round(xs.sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]! * 1000) / 1000 : NaN);
    const gapsIn = decoded.filter((d) => correct(d)).map((d) => d.r.marginPerFrame);
    const gapsOut = out.map((d) => d.r.marginPerFrame);
    const ent = (ds: typeof decoded): number => Math.round((ds.reduce((a, d) => a + d.r.entropyPerFrame, 0) / Math.max(1, ds.length)) * 1000) / 1000;
    const gaps = {
      inCorrect: [q(gapsIn, 0.1), q(gapsIn, 0.5), q(gapsIn, 0.9)],
      outOfContext: [q(gapsOut, 0.1), q(gapsOut, 0.5), q(gapsOut, 0.9)],
      meanEntropy: Object.fromEntries(VARIANTS.map((v) => [v, { in: ent(inBy.get(v)!), out: ent(outBy.get(v) ?? []) }])),
      phoneGapInCorrect: (() => { const g = decoded.filter((d) => correct(d) && !d.item.contextName).map((d) => d.r.phoneMarginPerFrame); return [q(g, 0.1), q(g, 0.5), q(g, 0.9)]; })(),
      phoneGapOut: (() => { const g = out.filter((d) => d.item.variant !== 'realOut').map((d) => d.r.phoneMarginPerFrame); return [q(g, 0.1), q(g, 0.5), q(g, 0.9)]; })(),
      realInCorrect: (() => { const g = decoded.filter((d) => correct(d) && d.item.contextName === 'digits').map((d) => d.r.marginPerFrame); return [q(g, 0.1), q(g, 0.5), q(g, 0.9)]; })(),
      realOut: (() => { const g = decoded.filter((d) => d.item.variant === 'realOut').map((d) => d.r.marginPerFrame); return [q(g, 0.1), q(g, 0.5), q(g, 0.9)]; })(),
    };
    results.push({ ...cfg, ...best, bestScoreByOutsideMargin: bestByOutside, bestPathAccuracy, gaps, decodeMsPerItem: Math.round(decodeMsPerItem * 10) / 10 });
    process.stderr.write(`${JSON.stringify(results[results.length - 1])}\n`);
  }
  for (const { engine } of engines.values()) await engine.close();
  results.sort((a, b) => b.score - a.score);
  console.log(JSON.stringify({ items: items.length, defaults: DEFAULT_DECODER_CONFIG, best: results[0], all: results }, null, 1));
}

function sortKeys(o: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
}

await main();
