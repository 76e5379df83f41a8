/**
 * Decoder tuning on SYNTHETIC speech only (never on shared/speech/real-dev): car-context sentences and
 * out-of-context sentences spoken by held-out TTS voices (espeak-ng variants the model was not trained
 * on, flite slt), clean and with synthetic pink noise at 10 dB. Sweeps graph settings and the rejection
 * margin and prints JSON. Usage: node --import tsx vehicle-service/src/speech/tune.ts [--quick] [--grid JSON]
 * With --measure: the default settings on another sample (seed 8, other out-of-context sentences).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileContextFile, sampleSentences } from '../context/index.js';
import type { Posteriors } from './acoustic/index.js';
import { mixAtSnr, wavTo16kMono } from './audio/index.js';
import { DEFAULT_DECODER_CONFIG, SpeechEngine, type DecoderConfig } from './engine.js';

const CAR = new URL('../../../models/contexts/en-US/car.yaml', import.meta.url).pathname;
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

type Variant = 'clean' | 'noisy' | 'padded';

interface Item {
  readonly expected?: { intent: string; slots: Record<string, string> };
  readonly post: Posteriors;
  readonly variant: Variant;
}

/** 2 s of silence each side, then noise over everything: long noise-only stretches around the command. */
function padded(audio: Float32Array): Float32Array {
  const out = new Float32Array(audio.length + 64_000);
  out.set(audio, 32_000);
  return out;
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  // --measure: the default settings only, on a different sample (seed 8) and other out-of-context sentences.
  const measure = process.argv.includes('--measure');
  const nIn = quick ? 12 : 36;
  const context = await compileContextFile(CAR);
  const base = await SpeechEngine.load();
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
      for (const [samples, variant] of [[audio, 'clean'], [noisy, 'noisy'], [padNoisy, 'padded']] as const) {
        items.push({ ...(isIn && expected ? { expected } : {}), post: await base.posteriors(samples), variant });
      }
      k++;
    }
  }
  rmSync(dir, { recursive: true, force: true });
  await base.close();

  // --grid '{"statesPerPhone":[2,3],"phoneEnter":[0,1],"priorWeight":[0.5,1]}' (default: the first sweep).
  const gridArg = process.argv.indexOf('--grid');
  const axes = (gridArg >= 0 ? JSON.parse(process.argv[gridArg + 1]!) : { statesPerPhone: [1, 2, 3], phoneEnter: [0, -2, -4], priorWeight: [0, 0.5] }) as Record<string, number[]>;
  let grid: Partial<DecoderConfig>[] = [{}];
  if (!measure) for (const [key, values] of Object.entries(axes)) grid = grid.flatMap((g) => values.map((v) => ({ ...g, [key]: v })));
  const results = [];
  for (const cfg of grid) {
    const engine = await SpeechEngine.load({ config: cfg });
    const compiled = engine.compile(context);
    // Decode once with an infinite margin, then pick the margin from the per-frame gaps.
    const t0 = performance.now();
    const decoded = items.map((item) => ({ item, r: engine.decode(item.post, compiled, { rejectMargin: 1e9 }) }));
    const decodeMsPerItem = (performance.now() - t0) / items.length;
    await engine.close();
    const correct = (d: (typeof decoded)[number]): boolean =>
      !!d.item.expected && d.r.intent === d.item.expected.intent && JSON.stringify(sortKeys(d.r.slots)) === JSON.stringify(sortKeys(d.item.expected.slots));
    let best = { margin: 0, outsideMargin: 0, score: -1, acc: 0, accNoisy: 0, accPadded: 0, reject: 0 };
    const outsideGrid = measure ? [DEFAULT_DECODER_CONFIG.rejectOutsideMargin] : [0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3, Infinity];
    const variantOf = (v: Variant) => decoded.filter((d) => d.item.expected && d.item.variant === v);
    const [inC, inN, inP] = [variantOf('clean'), variantOf('noisy'), variantOf('padded')];
    const out = decoded.filter((d) => !d.item.expected);
    for (const om of outsideGrid) {
      for (let m = measure ? DEFAULT_DECODER_CONFIG.rejectMargin : 0.05; m <= (measure ? DEFAULT_DECODER_CONFIG.rejectMargin : 1.5); m += 0.025) {
        const accepted = (d: (typeof decoded)[number]): boolean => d.r.marginPerFrame <= m && d.r.outsideMarginPerFrame <= om;
        const ok = (d: (typeof decoded)[number]): boolean => accepted(d) && correct(d);
        const acc = inC.filter(ok).length / inC.length;
        const accNoisy = inN.filter(ok).length / inN.length;
        const accPadded = inP.filter(ok).length / inP.length;
        const reject = out.filter((d) => !accepted(d)).length / out.length;
        const score = (acc + accNoisy + accPadded) / 3 + reject; // equal weight to understanding and rejecting
        if (score > best.score) best = { margin: Math.round(m * 1000) / 1000, outsideMargin: om, score, acc, accNoisy, accPadded, reject };
      }
    }
    const upperAcc = decoded.filter((d) => d.item.expected && correct(d)).length / decoded.filter((d) => d.item.expected).length;
    results.push({ ...cfg, ...best, bestPathAccuracy: upperAcc, decodeMsPerItem: Math.round(decodeMsPerItem * 10) / 10 });
    process.stderr.write(`${JSON.stringify(results[results.length - 1])}\n`);
  }
  results.sort((a, b) => b.score - a.score);
  console.log(JSON.stringify({ items: items.length, defaults: DEFAULT_DECODER_CONFIG, best: results[0], all: results }, null, 1));
}

function sortKeys(o: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
}

await main();
